//! The company calendar of working days and holidays, which the clocks count in: a year's page,
//! the import of a holiday file, and deleting a day.

use super::*;
use crate::error::WebCode;

// The company calendar

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct YearQuery {
    pub(super) year: String,
}

#[derive(Template)]
#[template(path = "tickets/calendar.html")]
pub(super) struct CalendarPage {
    pub(super) s: Shell,
    pub(super) year: i32,
    pub(super) days: Vec<CalendarDay>,
    pub(super) text: String,
    pub(super) line_errors: Vec<String>,
}

pub(super) async fn render_calendar(
    st: &AppState,
    u: &ConsoleUser,
    year: i32,
    text: String,
    line_errors: Vec<String>,
    err: Option<CoreError>,
) -> PageResult {
    let days = tickets::calendar_year(&st.core, &u.ctx, year)
        .await
        .or_page(u)?;
    let mut s = Shell::of(u);
    let mut status = axum::http::StatusCode::OK;
    if let Some(e) = &err {
        s = s.with_error(e);
        status = describe(e, u.locale).0;
    }
    let mut r = page(&CalendarPage {
        s,
        year,
        days,
        text,
        line_errors,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub(super) fn this_year() -> i32 {
    use chrono::Datelike;
    Utc::now().with_timezone(&default_zone()).year()
}

pub(super) async fn calendar_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let year = q
        .year
        .parse()
        .ok()
        .filter(|y| (1900..=2200).contains(y))
        .unwrap_or_else(this_year);
    render_calendar(&st, &u, year, String::new(), Vec::new(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ImportForm {
    pub(super) text: String,
    pub(super) year: String,
}

pub(super) async fn calendar_import(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ImportForm>,
) -> PageResult {
    let year = f
        .year
        .parse()
        .ok()
        .filter(|y| (1900..=2200).contains(y))
        .unwrap_or_else(this_year);
    let l = u.locale;
    match tickets::import_calendar(&st.core, &u.ctx, &f.text).await {
        Ok(Ok(n)) => {
            let mut r = render_calendar(&st, &u, year, String::new(), Vec::new(), None).await;
            if n > 0 {
                // Show what the import saved: the year of the file's first day.
                if let Some(y) = wuye_core::shared::calendar::parse_calendar_file(&f.text)
                    .ok()
                    .and_then(|d| {
                        d.first().map(|x| {
                            use chrono::Datelike;
                            x.day.year()
                        })
                    })
                    && y != year
                {
                    r = Ok(Redirect::to(&format!("/calendar?year={y}")).into_response());
                } else {
                    r = Ok(Redirect::to(&format!("/calendar?year={year}")).into_response());
                }
            }
            r
        }
        Ok(Err(lines)) => {
            let msgs = lines
                .iter()
                .map(|e| {
                    l.tf(
                        "tk.calendar.line_error",
                        &[
                            ("line", e.line.to_string()),
                            ("msg", l.t(&format!("err.{}", e.code)).to_string()),
                        ],
                    )
                })
                .collect();
            let e = CoreError::invalid("file", WebCode::CalendarFileInvalid);
            render_calendar(&st, &u, year, f.text, msgs, Some(e)).await
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_calendar(&st, &u, year, f.text, Vec::new(), Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub(super) async fn calendar_delete(
    State(st): State<AppState>,
    u: ConsoleUser,
    Path(day): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let Ok(d) = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d") else {
        return Err(PageError::new(&u, CoreError::NotFound("calendar_day")));
    };
    tickets::delete_calendar_day(&st.core, &u.ctx, d)
        .await
        .or_page(&u)?;
    use chrono::Datelike;
    Ok(Redirect::to(&format!("/calendar?year={}", d.year())).into_response())
}
