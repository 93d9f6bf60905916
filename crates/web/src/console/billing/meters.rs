//! Meter readings: the page, saving and confirming readings, and their Excel import.

use super::*;
use crate::console::forms::CommonCode;
use crate::error::WebCode;

// Meter readings

pub(super) struct MeterRow {
    pub(super) id: i64,
    pub(super) unit_label: String,
    pub(super) kind: String,
    pub(super) prev: String,
    pub(super) value: String,
    pub(super) usage: String,
    pub(super) flag: Option<String>,
    pub(super) reading_id: Option<i64>,
    pub(super) done: bool,
}

#[derive(Template)]
#[template(path = "billing/meters.html")]
pub(super) struct MetersPage {
    pub(super) s: Shell,
    pub(super) communities: Vec<(i64, String)>,
    pub(super) community: i64,
    pub(super) period: String,
    pub(super) rows: Vec<MeterRow>,
    pub(super) can_confirm: bool,
}

pub(super) async fn render_meters(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<i64>,
    period: Option<String>,
    err: Option<CoreError>,
) -> PageResult {
    let (communities, c) = pick(st, u, want).await.or_page(u)?;
    let period = period.filter(|p| !p.trim().is_empty()).unwrap_or_else(|| {
        chrono::Utc::now()
            .with_timezone(&crate::console::forms::default_zone())
            .format("%Y-%m")
            .to_string()
    });
    let loaded = async {
        let meters = billing::list_meters(&st.core, &u.ctx, c, &MeterFilter::default()).await?;
        let readings = billing::period_readings(&st.core, &u.ctx, c, &period).await?;
        Ok::<_, CoreError>((meters, readings))
    }
    .await;
    let (meters, readings) = loaded.or_page(u)?;
    let flag_label = |f: &str| u.locale.t(&format!("bl.flag.{f}")).to_string();
    let rows = meters
        .into_iter()
        .map(|m| {
            let r = readings.get(&m.id);
            MeterRow {
                id: m.id,
                unit_label: m.unit_label,
                kind: MeterKind::parse("", &m.kind)
                    .map(|k| k.zh())
                    .unwrap_or("")
                    .to_string(),
                prev: reading_text(r.map_or(m.last_value, |r| r.prev_value)),
                value: r.map(|r| reading_text(r.value)).unwrap_or_default(),
                usage: r.map(|r| reading_text(r.usage)).unwrap_or_default(),
                flag: r.and_then(|r| r.flag.as_deref()).map(flag_label),
                reading_id: r.map(|r| r.id),
                done: r.is_some_and(|r| {
                    r.charge_id.is_some() || r.confirmed_at.is_some() || r.flag.is_none()
                }),
            }
        })
        .collect();
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), status_of(e, u.locale)),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut r = page(&MetersPage {
        s,
        communities,
        community: c.0,
        period,
        rows,
        can_confirm: u.ctx.has(Perm::BillingManage),
    });
    *r.status_mut() = status;
    Ok(r)
}

pub(super) async fn meters_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQuery>,
) -> PageResult {
    render_meters(&st, &u, q.community, q.period, None).await
}

pub(super) async fn save_meter_readings(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let get = |k: &str| field(&pairs, k);
    let c: i64 = get("community_id").parse().unwrap_or(0);
    let period = get("period");
    let readings: Vec<ReadingInput> = pairs
        .iter()
        .filter_map(|(k, v)| {
            let id = k.strip_prefix("v_")?.parse().ok()?;
            (!v.trim().is_empty()).then(|| ReadingInput {
                meter_id: id,
                value: v.clone(),
                confirm: false,
            })
        })
        .collect();
    let r = billing::save_readings(
        &st.core,
        &u.ctx,
        ReadingsForSave {
            community_id: CommunityId(c),
            period: period.clone(),
            readings,
        },
    )
    .await;
    match r {
        Ok(_) => Ok(
            Redirect::to(&format!("/billing/meters?community={c}&period={period}")).into_response(),
        ),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_meters(&st, &u, Some(c), Some(period), Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub(super) async fn confirm_meter_reading(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let get = |k: &str| field(&pairs, k);
    billing::confirm_reading(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    Ok(Redirect::to(&format!(
        "/billing/meters?community={}&period={}",
        get("community_id"),
        get("period")
    ))
    .into_response())
}

/// The readings of a period from an .xlsx upload (房屋, 表类型, 本期读数).
pub(super) async fn import_meter_readings(
    State(st): State<AppState>,
    u: ConsoleUser,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let up = match mp {
        Ok(mp) => crate::console::registry::read_upload(mp, st.cfg.max_upload_bytes, false).await,
        Err(_) => crate::console::registry::Upload {
            broken: true,
            ..Default::default()
        },
    };
    if !u.csrf_matches(up.csrf.as_deref()) {
        return Ok(crate::extract::CsrfRejected(u.locale).into_response());
    }
    let c: i64 = up
        .community
        .as_deref()
        .and_then(|c| c.trim().parse().ok())
        .unwrap_or(0);
    let period = up
        .other
        .iter()
        .find(|(k, _)| k == "period")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let r = if up.too_large || up.broken || up.file.is_empty() {
        Err(if up.too_large {
            CoreError::invalid("file", CommonCode::FileTooLarge)
        } else {
            CoreError::invalid("file", WebCode::NotXlsx)
        })
    } else {
        match billing::readings_from_xlsx(&st.core, &u.ctx, CommunityId(c), &up.file).await {
            Ok(readings) => billing::save_readings(
                &st.core,
                &u.ctx,
                ReadingsForSave {
                    community_id: CommunityId(c),
                    period: period.clone(),
                    readings,
                },
            )
            .await
            .map(|_| ()),
            Err(e) => Err(e),
        }
    };
    match r {
        Ok(()) => Ok(
            Redirect::to(&format!("/billing/meters?community={c}&period={period}")).into_response(),
        ),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_meters(&st, &u, Some(c), Some(period), Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
