//! The user's messages (clock warnings, assignments, and every other module's events with
//! their own words) and marking them read.

use super::*;

// Messages

pub struct NoteView {
    pub at: String,
    /// Another module's message: its title (the text is then its body).
    pub title: Option<String>,
    pub text: String,
    pub request_id: Option<RequestId>,
    pub number: String,
    /// Where another module's message leads.
    pub link: Option<String>,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "tickets/notifications.html")]
pub(super) struct NotesPage {
    pub(super) s: Shell,
    pub(super) notes: Vec<NoteView>,
}

pub(super) async fn notifications_page(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    let l = u.locale;
    let notes = tickets::notifications(&st.core, &u.ctx, false)
        .await
        .or_page(&u)?;
    let lk = Lookup::load(&st, &u).await.or_page(&u)?;
    let notes = notes
        .into_iter()
        .map(|n| {
            let clock = n
                .clock
                .as_deref()
                .map(|c| label_of(ClockKind::ALL, c, l))
                .unwrap_or_default();
            let text = match (&n.title, &n.body) {
                (Some(_), Some(b)) => b.clone(),
                _ => l.tf(&format!("tk.note.{}", n.kind), &[("clock", clock)]),
            };
            NoteView {
                at: local(n.at, lk.tz(n.community_id)),
                title: n.title,
                text,
                link: n.link,
                request_id: n.request_id,
                number: n.request_number.unwrap_or_default(),
                unread: n.read_at.is_none(),
            }
        })
        .collect();
    Ok(page(&NotesPage {
        s: Shell::of(&u),
        notes,
    }))
}

#[derive(Deserialize, Default)]
pub(super) struct Empty {}

pub(super) async fn notifications_read(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    tickets::mark_read(&st.core, &u.ctx).await.or_page(&u)?;
    Ok(Redirect::to("/notifications").into_response())
}
