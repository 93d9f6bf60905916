//! Photo uploads of a request: reading the multipart form within the size limit and adding the
//! photos. Shared with the owner's portal, whose upload goes the same way.

use super::*;
use crate::console::forms::CommonCode;

/// The photos of an upload form (`photo`, repeated), with its `stage`, `m` and CSRF token.
pub(in crate::console) struct PhotoUpload {
    pub csrf: Option<String>,
    pub stage: String,
    pub mobile: bool,
    pub files: Vec<Vec<u8>>,
    pub too_large: bool,
    pub broken: bool,
    /// The form's other fields, as sent (the registration form carries its photos too).
    pub fields: Vec<(String, String)>,
    /// A field longer than any form takes.
    pub too_long: Option<String>,
}

impl PhotoUpload {
    fn empty(broken: bool) -> Self {
        PhotoUpload {
            csrf: None,
            stage: "report".into(),
            mobile: false,
            files: Vec::new(),
            too_large: false,
            broken,
            fields: Vec::new(),
            too_long: None,
        }
    }

    /// The upload of a form, or a broken one when the body was no multipart form.
    pub(in crate::console) async fn of(
        mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
    ) -> Self {
        match mp {
            Ok(mp) => read_photos(mp).await,
            Err(_) => Self::empty(true),
        }
    }

    /// A text field of the form, as sent.
    pub(in crate::console) fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(in crate::console) async fn read_photos(mut mp: axum::extract::Multipart) -> PhotoUpload {
    let mut up = PhotoUpload::empty(false);
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    up.too_large = true;
                } else {
                    up.broken = true;
                }
                break;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        // A text field holds at most a description's 2,000 characters in UTF-8, with room.
        let cap = if name == "photo" {
            MAX_PHOTO_BYTES
        } else {
            64 * 1024
        };
        let mut buf: Vec<u8> = Vec::new();
        let mut over = false;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if buf.len() + chunk.len() > cap {
                        over = true;
                        buf.clear();
                        continue;
                    }
                    if !over {
                        buf.extend_from_slice(&chunk);
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    up.broken = true;
                    return up;
                }
            }
        }
        match name.as_str() {
            "_csrf" => up.csrf = Some(String::from_utf8_lossy(&buf).into_owned()),
            "stage" => up.stage = String::from_utf8_lossy(&buf).into_owned(),
            "m" => up.mobile = buf == b"1",
            "photo" if over => up.too_large = true,
            // Longer than any field takes: the form is refused on it, not sent with it blank.
            _ if over => up.too_long = Some(name),
            // A file input left empty sends one empty part.
            "photo" if !buf.is_empty() => up.files.push(buf),
            "photo" => {}
            _ => up
                .fields
                .push((name, String::from_utf8_lossy(&buf).into_owned())),
        }
    }
    up
}

/// Why an upload was refused: a page to send as it is, or a problem to show on the form.
pub(in crate::console) enum Refused {
    Page(Response),
    Form(CoreError),
}

/// Checks an upload and adds its photos; the first problem stops it (photos before it stay).
pub(in crate::console) async fn save_photos(
    st: &AppState,
    u: &ConsoleUser,
    id: RequestId,
    up: &PhotoUpload,
) -> Result<(), Refused> {
    if !up.too_large && !u.csrf_matches(up.csrf.as_deref()) {
        return Err(Refused::Page(
            crate::extract::CsrfRejected(u.locale).into_response(),
        ));
    }
    if up.too_large {
        return Err(Refused::Form(CoreError::Invalid(vec![
            FieldError::new("photo", CommonCode::FileTooLarge).with("max", "5 MB"),
        ])));
    }
    if up.broken || up.files.is_empty() {
        return Err(Refused::Form(CoreError::invalid(
            "photo",
            CommonCode::Required,
        )));
    }
    for f in &up.files {
        match tickets::add_photo(&st.core, &u.ctx, id, &up.stage, f).await {
            Ok(_) => {}
            Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
                return Err(Refused::Form(e));
            }
            Err(e) => return Err(Refused::Page(PageError::new(u, e).into_response())),
        }
    }
    Ok(())
}

pub(super) async fn upload_photos(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let id = RequestId(id);
    let up = PhotoUpload::of(mp).await;
    match save_photos(&st, &u, id, &up).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/requests/{id}{}",
            if up.mobile { "?m=1" } else { "" }
        ))
        .into_response()),
        Err(Refused::Form(e)) => render_detail(&st, &u, id, Some(e), up.mobile).await,
        Err(Refused::Page(r)) => Ok(r),
    }
}
