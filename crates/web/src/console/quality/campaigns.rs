//! Quality campaign pages (专项工作): the company's campaigns and the form that starts one (the
//! seed's phases in a year, the communities, the final audit's sheets and weights); a campaign's
//! page with its phases, each community's progress and final audit, the chosen community's
//! self-check plan, and the summary that closes it.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate, Utc};
use serde::Deserialize;
use wuye_core::quality::model::{CampaignPhase, CampaignState, Grade};
use wuye_core::quality::{
    self, AuditSheet, AuditSheetChoice, Campaign, CampaignClose, CampaignForCreate, CampaignTask,
    CampaignTaskDone, CampaignTaskInput,
};
use wuye_core::shared::ids::*;

use super::super::duty::community_of;
use super::super::flash::done;
use super::super::forms::{Opt, label, opts};
use super::super::movein::some;
use super::super::{Id, Ids, OrPage, PageResult, Shell, form_outcome, page};
use super::pts;
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/quality-campaigns", get(list).post(create))
        .route("/quality-campaigns/{id}", get(one))
        .route(
            "/quality-campaigns/{id}/communities/{c}/tasks",
            post(add_task),
        )
        .route(
            "/quality-campaigns/{id}/communities/{c}/audit",
            post(open_audit),
        )
        .route("/quality-campaigns/{id}/close", post(close))
        .route("/campaign-tasks/{id}/done", post(finish))
}

#[derive(Template)]
#[template(path = "quality/campaigns.html")]
struct ListPage {
    s: Shell,
    rows: Vec<Campaign>,
    communities: Vec<(i64, String)>,
    sheets: Vec<AuditSheet>,
    year: i32,
}

impl ListPage {
    fn phase(&self, v: &CampaignPhase) -> &'static str {
        label(CampaignPhase::ALL, v, self.s.l)
    }
    fn state(&self, v: &CampaignState) -> &'static str {
        label(CampaignState::ALL, v, self.s.l)
    }
}

async fn render_list(st: &AppState, u: &ConsoleUser, s: Shell) -> PageResult {
    let rows = quality::list_campaigns(&st.core, &u.ctx).await.or_page(u)?;
    let (communities, sheets) = if s.can_quality {
        let (communities, _) = community_of(st, u, None).await?;
        let sheets = quality::list_sheets(&st.core, &u.ctx)
            .await
            .or_page(u)?
            .into_iter()
            .filter(|x| x.active)
            .collect();
        (communities, sheets)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(page(&ListPage {
        s,
        rows,
        communities,
        sheets,
        year: Utc::now().year(),
    }))
}

async fn list(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    render_list(&st, &u, Shell::of(&u)).await
}

/// The form: `name`, `aim`, `year`, a `community` per community ticked, `weight_{sheet}` per sheet
/// used.
async fn create(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let community_ids = f
        .iter()
        .filter(|(n, _)| n == "community")
        .filter_map(|(_, v)| v.trim().parse().ok().map(CommunityId))
        .collect();
    let sheets = f
        .iter()
        .filter_map(|(n, v)| {
            let id = n.strip_prefix("weight_")?.parse().ok()?;
            let t = v.trim();
            (!t.is_empty()).then(|| AuditSheetChoice {
                sheet_id: AuditSheetId(id),
                weight_pct: t.parse().unwrap_or(0),
            })
        })
        .collect();
    let input = CampaignForCreate {
        name: get("name"),
        aim: some(&get("aim")),
        year: Some(get("year").trim().parse().unwrap_or(0)),
        phases: None,
        community_ids,
        sheets,
    };
    let r = quality::create_campaign(&st.core, &u.ctx, input).await;
    form_outcome(
        &u,
        r,
        |c| {
            done(
                &st,
                &u,
                &format!("/quality-campaigns/{}", c.id),
                u.locale.t("qc.created"),
            )
        },
        |s| render_list(&st, &u, s),
    )
    .await
}

#[derive(Template)]
#[template(path = "quality/campaign.html")]
struct OnePage {
    s: Shell,
    c: Campaign,
    /// The community whose plan is shown (0: none).
    community: i64,
    tasks: Vec<CampaignTask>,
    owners: Vec<Opt>,
    phases: Vec<Opt>,
    today: NaiveDate,
}

impl OnePage {
    fn phase(&self, v: &CampaignPhase) -> &'static str {
        label(CampaignPhase::ALL, v, self.s.l)
    }
    fn state(&self, v: &CampaignState) -> &'static str {
        label(CampaignState::ALL, v, self.s.l)
    }
    fn grade(&self, v: &Grade) -> &'static str {
        label(Grade::ALL, v, self.s.l)
    }
    fn pts(&self, cp: &i64) -> String {
        pts(cp)
    }
    fn running(&self) -> bool {
        self.c.state == CampaignState::Running
    }
    fn current(&self, p: &CampaignPhase) -> bool {
        self.c.current_phase == Some(*p)
    }
    fn community_name(&self) -> String {
        self.c
            .communities
            .iter()
            .find(|m| m.community_id.0 == self.community)
            .map(|m| m.community_name.clone())
            .unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OneQ {
    community: String,
}

async fn render_one(st: &AppState, u: &ConsoleUser, s: Shell, id: i64, c: i64) -> PageResult {
    let camp = quality::get_campaign(&st.core, &u.ctx, CampaignId(id))
        .await
        .or_page(u)?;
    // The plan shown: the one asked for, else the first community's.
    let community = camp
        .communities
        .iter()
        .map(|m| m.community_id.0)
        .find(|x| *x == c)
        .or_else(|| camp.communities.first().map(|m| m.community_id.0))
        .unwrap_or(0);
    let (tasks, owners) = if community > 0 {
        let c = CommunityId(community);
        let tasks = quality::campaign_tasks(&st.core, &u.ctx, camp.id, c)
            .await
            .or_page(u)?;
        let owners = quality::rectification_owners(&st.core, &u.ctx, c)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|(id, name)| Opt {
                code: id.to_string(),
                label: name,
            })
            .collect();
        (tasks, owners)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(page(&OnePage {
        s,
        c: camp,
        community,
        tasks,
        owners,
        phases: opts(CampaignPhase::ALL, u.locale),
        today: Utc::now()
            .with_timezone(&super::super::forms::default_zone())
            .date_naive(),
    }))
}

async fn one(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    Query(q): Query<OneQ>,
) -> PageResult {
    let c = q.community.trim().parse().unwrap_or(0);
    render_one(&st, &u, Shell::of(&u), id, c).await
}

fn back(id: i64, c: i64) -> String {
    format!("/quality-campaigns/{id}?community={c}")
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TaskForm {
    phase: String,
    title: String,
    owner: String,
    due_on: String,
}

async fn add_task(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(id, c): Ids,
    CsrfForm(f): CsrfForm<TaskForm>,
) -> PageResult {
    let r = match f.due_on.trim().parse::<NaiveDate>() {
        Ok(due_on) => {
            let input = CampaignTaskInput {
                phase: f.phase,
                title: f.title,
                owner_id: UserId(f.owner.trim().parse().unwrap_or(0)),
                due_on,
            };
            quality::add_campaign_task(&st.core, &u.ctx, CampaignId(id), CommunityId(c), input)
                .await
        }
        Err(_) => Err(wuye_core::CoreError::Invalid(vec![
            wuye_core::FieldError::new("due_on", wuye_core::shared::error::CommonCode::InvalidDate),
        ])),
    };
    form_outcome(
        &u,
        r,
        |_| done(&st, &u, &back(id, c), u.locale.t("qc.task_added")),
        |s| render_one(&st, &u, s, id, c),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DoneForm {
    note: String,
    campaign: String,
}

async fn finish(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(task): Id,
    CsrfForm(f): CsrfForm<DoneForm>,
) -> PageResult {
    let input = CampaignTaskDone {
        note: some(&f.note),
    };
    let r = quality::finish_campaign_task(&st.core, &u.ctx, CampaignTaskId(task), input).await;
    let id = f.campaign.trim().parse().unwrap_or(0);
    let c = r.as_ref().map(|t| t.community_id.0).unwrap_or(0);
    form_outcome(
        &u,
        r,
        |_| done(&st, &u, &back(id, c), u.locale.t("qc.task_done")),
        |s| render_one(&st, &u, s, id, c),
    )
    .await
}

async fn open_audit(State(st): State<AppState>, u: ConsoleUser, Ids(id, c): Ids) -> PageResult {
    let r = quality::open_campaign_audit(&st.core, &u.ctx, CampaignId(id), CommunityId(c)).await;
    form_outcome(
        &u,
        r,
        |a| {
            done(
                &st,
                &u,
                &format!("/audits/{}", a.id),
                u.locale.t("qa.opened").replace("{number}", &a.number),
            )
        },
        |s| render_one(&st, &u, s, id, c),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CloseForm {
    summary: String,
}

async fn close(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<CloseForm>,
) -> PageResult {
    let input = CampaignClose { summary: f.summary };
    let r = quality::close_campaign(&st.core, &u.ctx, CampaignId(id), input).await;
    form_outcome(
        &u,
        r,
        |_| {
            done(
                &st,
                &u,
                &format!("/quality-campaigns/{id}"),
                u.locale.t("qc.closed"),
            )
        },
        |s| render_one(&st, &u, s, id, 0),
    )
    .await
}
