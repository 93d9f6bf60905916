//! The Excel import of the registry: the page, the template download and the upload, whose
//! multipart reader the meter import of billing shares.

use super::*;
use crate::console::forms::CommonCode;
use crate::error::WebCode;

// Import

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ImportQ {
    pub(super) community_id: String,
    pub(super) done: String,
    pub(super) rows: String,
    pub(super) buildings: String,
    pub(super) units: String,
    pub(super) people: String,
}

/// What a successful import created (carried through the redirect in the query).
pub struct ImportOk {
    pub community_id: CommunityId,
    pub message: String,
}

/// One bad cell, as the error table shows it.
pub struct ImportErrRow {
    pub row: usize,
    pub column: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "registry/import.html")]
pub(super) struct ImportPage {
    pub(super) s: Shell,
    pub(super) communities: Vec<Community>,
    /// `CommunityId(0)` when none is chosen.
    pub(super) selected: CommunityId,
    pub(super) max: String,
    pub(super) ok: Option<ImportOk>,
    pub(super) rows: usize,
    pub(super) errors: Vec<ImportErrRow>,
    pub(super) truncated: bool,
    pub(super) fe: FormErr,
}

pub(super) async fn render_import(
    st: &AppState,
    u: &ConsoleUser,
    selected: Option<CommunityId>,
    ok: Option<ImportOk>,
    report: Option<(usize, Vec<ImportRowError>)>,
    err: Option<CoreError>,
) -> PageResult {
    let communities = registry::list_communities(&st.core, &u.ctx)
        .await
        .or_page(u)?;
    let l = u.locale;
    let (s, fe, mut status) = shell_for(u, "import", err);
    let (rows, errs) = report.unwrap_or_default();
    let truncated = errs.len() >= MAX_IMPORT_ERRORS;
    let errors: Vec<ImportErrRow> = errs
        .iter()
        .map(|e| ImportErrRow {
            row: e.row,
            column: e.column.clone(),
            message: l.field_error(&e.field, &e.code, &e.params),
        })
        .collect();
    if !errors.is_empty() {
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    // With one community there is nothing to choose.
    let selected = match (selected, communities.as_slice()) {
        (Some(c), _) => c,
        (None, [only]) => only.id,
        (None, _) => CommunityId(0),
    };
    let p = ImportPage {
        s,
        communities,
        selected,
        max: size_label(st.cfg.max_upload_bytes),
        ok,
        rows,
        errors,
        truncated,
        fe,
    };
    Ok(with_status(page(&p), status))
}

pub(super) async fn import_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    q: Result<Query<ImportQ>, QueryRejection>,
) -> PageResult {
    // A malformed query string shows the unfiltered page.
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let selected: Option<CommunityId> = q.community_id.trim().parse().ok().map(CommunityId);
    let ok = match (selected, q.done.as_str()) {
        (Some(c), "1") => {
            let n = |s: &str| s.trim().parse::<usize>().unwrap_or(0).to_string();
            let params = [
                ("rows", n(&q.rows)),
                ("buildings", n(&q.buildings)),
                ("units", n(&q.units)),
                ("people", n(&q.people)),
            ];
            Some(ImportOk {
                community_id: c,
                message: u.locale.tf("import.ok", &params),
            })
        }
        _ => None,
    };
    render_import(&st, &u, selected, ok, None, None).await
}

pub(super) async fn import_template(u: ConsoleUser) -> PageResult {
    let bytes = import::template_xlsx().or_page(&u)?;
    Ok(xlsx_response(bytes, "units-template.xlsx"))
}

pub(in crate::console) fn too_large(max: usize) -> CoreError {
    CoreError::Invalid(vec![
        FieldError::new("file", CommonCode::FileTooLarge).with("max", size_label(max)),
    ])
}

/// The fields of an upload form.
#[derive(Default)]
pub(in crate::console) struct Upload {
    pub csrf: Option<String>,
    pub community: Option<String>,
    pub file: Vec<u8>,
    /// The file's name as the browser sent it.
    pub file_name: Option<String>,
    pub too_large: bool,
    /// The body could not be read as a form (not a size problem).
    pub broken: bool,
    /// The form's other small fields.
    pub other: Vec<(String, String)>,
}

/// Reads the upload, keeping at most `max` bytes of the file. Past the limit the rest is read
/// and dropped (up to the server's hard stop), so the browser gets the answer rather than a
/// connection reset mid-upload.
pub(in crate::console) async fn read_upload(
    mut mp: Multipart,
    max: usize,
    declared_too_large: bool,
) -> Upload {
    let mut up = Upload {
        too_large: declared_too_large,
        ..Default::default()
    };
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    up.too_large = true;
                } else {
                    up.broken = true;
                }
                break;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            up.file_name = field.file_name().map(str::to_string);
        }
        let mut buf: Vec<u8> = Vec::new();
        let cap = if name == "file" { max } else { 4096 };
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if buf.len() + chunk.len() > cap {
                        if name == "file" {
                            up.too_large = true;
                        }
                        // Keep reading to drain the body; store nothing more.
                        buf.clear();
                        buf.shrink_to_fit();
                        continue;
                    }
                    if !(up.too_large && name == "file") {
                        buf.extend_from_slice(&chunk);
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        up.too_large = true;
                    } else {
                        up.broken = true;
                    }
                    return up;
                }
            }
        }
        match name.as_str() {
            "_csrf" => up.csrf = Some(String::from_utf8_lossy(&buf).into_owned()),
            "community_id" => up.community = Some(String::from_utf8_lossy(&buf).into_owned()),
            "file" if !up.too_large => up.file = buf,
            "file" => {}
            _ => up
                .other
                .push((name, String::from_utf8_lossy(&buf).into_owned())),
        }
    }
    up
}

pub(super) async fn import_upload(
    State(st): State<AppState>,
    u: ConsoleUser,
    headers: HeaderMap,
    mp: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let max = st.cfg.max_upload_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    // The file's bytes plus the form's few other fields and the multipart framing.
    let declared_too_large = declared > max + 64 * 1024;
    let up = match mp {
        Ok(mp) => read_upload(mp, max, declared_too_large).await,
        Err(_) => Upload {
            broken: true,
            ..Default::default()
        },
    };
    // A form cut short by the size limit may have lost its token too; a too-large upload changes
    // nothing, so it is answered with its own message either way.
    if !up.too_large && !u.csrf_matches(up.csrf.as_deref()) {
        return Ok(CsrfRejected(u.locale).into_response());
    }
    let selected: Option<CommunityId> = up
        .community
        .as_deref()
        .and_then(|c| c.trim().parse().ok())
        .map(CommunityId);
    let err = if up.too_large {
        Some(too_large(max))
    } else if up.broken {
        Some(CoreError::invalid("file", WebCode::InvalidJson))
    } else if selected.is_none() {
        Some(CoreError::invalid("community_id", CommonCode::Required))
    } else if up.file.is_empty() {
        Some(CoreError::invalid("file", CommonCode::Required))
    } else {
        None
    };
    if let Some(e) = err {
        return render_import(&st, &u, selected, None, None, Some(e)).await;
    }
    let Some(community) = selected else {
        return render_import(
            &st,
            &u,
            None,
            None,
            None,
            Some(CoreError::invalid("community_id", CommonCode::Required)),
        )
        .await;
    };
    match import::import_units_xlsx(&st.core, &u.ctx, community, &up.file, &|_, _| {}).await {
        Ok(r) if r.errors.is_empty() => Ok(see(&format!(
            "/import?community_id={community}&done=1&rows={}&buildings={}&units={}&people={}",
            r.rows, r.buildings_created, r.units_created, r.people_created
        ))),
        Ok(r) => {
            render_import(
                &st,
                &u,
                Some(community),
                None,
                Some((r.rows, r.errors)),
                None,
            )
            .await
        }
        Err(e) if is_form_error(&e) => {
            render_import(&st, &u, Some(community), None, None, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
