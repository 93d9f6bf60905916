//! A round's photos (stored once by the phone's id) and a finding turned into a request: a
//! common-area repair registered through the tickets module, the checkpoint as its place and
//! the finding's photo attached, the two pointing to each other.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::sync::valid_client_id;
use crate::patrols::error::PatrolCode;
use crate::patrols::model::{self, RouteKind};
use crate::patrols::store::scans as store;
use crate::patrols::store::tasks as task_store;
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

/// Largest photo accepted.
pub const MAX_PATROL_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// A photo stored (or known already).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhotoOutcome {
    pub client_id: String,
    /// False when an earlier upload stored it.
    pub stored: bool,
}

fn photos_dir(core: &Core, c: CommunityId) -> std::path::PathBuf {
    core.settings.files_dir.join("patrols").join(c.to_string())
}

/// Stores a photo taken on a round, once by the phone's id.
pub async fn upload_photo(
    core: &Core,
    ctx: &Ctx,
    task: PatrolTaskId,
    client_id: &str,
    bytes: &[u8],
) -> CoreResult<PhotoOutcome> {
    ctx.require(Perm::PatrolsWalk)?;
    if !valid_client_id(client_id) {
        return Err(CoreError::invalid("client_id", CommonCode::Invalid));
    }
    let reach = ctx
        .community_ids()
        .map(|cs| cs.into_iter().map(|c| c.0).collect::<Vec<_>>());
    let t = task_store::tasks_by_id(&mut core.db.read(), reach.as_deref(), &[task.0])
        .await?
        .pop()
        .ok_or_else(|| CoreError::invalid("task_id", PatrolCode::NotYourTask))?;
    let c = t.community_id;
    if bytes.is_empty() {
        return Err(CoreError::invalid("photo", CommonCode::Required));
    }
    if bytes.len() > MAX_PATROL_PHOTO_BYTES {
        return Err(CoreError::Invalid(vec![
            FieldError::new("photo", CommonCode::FileTooLarge).with("max", "5 MB"),
        ]));
    }
    let Some((content_type, _)) = crate::tickets::photos::sniff_image(bytes) else {
        return Err(CoreError::invalid("photo", PatrolCode::NotAnImage));
    };
    if store::photo(&mut core.db.read(), c, client_id)
        .await?
        .is_some()
    {
        return Ok(PhotoOutcome {
            client_id: client_id.to_string(),
            stored: false,
        });
    }
    let path = photos_dir(core, c).join(client_id);
    let data = bytes.to_vec();
    let p = path.clone();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::create_dir_all(p.parent().unwrap_or(std::path::Path::new(".")))?;
        std::fs::write(&p, data)
    })
    .await
    .map_err(CoreError::internal)?
    .map_err(CoreError::internal)?;
    let mut tx = core.db.begin().await?;
    let id = store::insert_photo(
        &mut tx,
        &store::NewPhoto {
            community: c,
            task,
            client_id,
            user: ctx.actor(),
            content_type,
            size: bytes.len() as i64,
        },
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(PhotoOutcome {
        client_id: client_id.to_string(),
        stored: id.is_some(),
    })
}

/// A photo's bytes and type, for staff of its community.
pub async fn photo_file(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    client_id: &str,
) -> CoreResult<(String, Vec<u8>)> {
    if !(ctx.has(Perm::PatrolsManage) || ctx.has(Perm::PatrolsWalk)) || !ctx.reaches(c) {
        return Err(CoreError::NotFound("photo"));
    }
    if !valid_client_id(client_id) {
        return Err(CoreError::NotFound("photo"));
    }
    let (content_type, _) = store::photo(&mut core.db.read(), c, client_id)
        .await?
        .ok_or(CoreError::NotFound("photo"))?;
    let bytes = tokio::fs::read(photos_dir(core, c).join(client_id))
        .await
        .map_err(|_| CoreError::NotFound("photo"))?;
    Ok((content_type, bytes))
}

/// What to say in the request made of a finding (all optional).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct FindingToRequest {
    #[serde(default)]
    pub description: Option<String>,
    /// `normal` (default) or `urgent`.
    #[serde(default)]
    pub urgency: Option<String>,
    /// A request category code; default by the round (cleaning: sanitation, greening:
    /// greening, else other).
    #[serde(default)]
    pub category: Option<String>,
}

/// The request a finding became.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingRequest {
    pub finding_id: PatrolResultId,
    pub request_id: RequestId,
    pub number: String,
}

/// Turns a finding into a common-area repair request (channel 巡查发现), the checkpoint as its
/// place and the finding's photo attached; the two point to each other. Once.
pub async fn request_from_finding(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    id: PatrolResultId,
    input: FindingToRequest,
) -> CoreResult<FindingRequest> {
    if !(ctx.has(Perm::PatrolsWalk) || ctx.has(Perm::PatrolsManage)) {
        return Err(CoreError::Forbidden);
    }
    if !ctx.reaches(c) {
        return Err(CoreError::NotFound("community"));
    }
    let mut q = core.db.read();
    let f = store::finding(&mut q, c, id)
        .await?
        .ok_or(CoreError::NotFound("finding"))?;
    if f.request_id.is_some() {
        return Err(CoreError::conflict("finding", PatrolCode::AlreadyRequested));
    }
    let task = task_store::task(&mut q, c, f.task_id)
        .await?
        .ok_or(CoreError::NotFound("finding"))?;
    drop(q);
    let kind = RouteKind::from_stored(&task.route_kind)?;
    let category = input.category.clone().unwrap_or_else(|| {
        match kind {
            RouteKind::Cleaning => "sanitation",
            RouteKind::Greening => "greening",
            _ => "other",
        }
        .to_string()
    });
    let what = match (&f.value_milli, &f.choice, f.ok) {
        (Some(v), _, _) => format!(
            "{} {}{}",
            f.label,
            model::milli_text(*v),
            f.unit.clone().unwrap_or_default()
        ),
        (_, Some(ch), _) => format!("{}：{ch}", f.label),
        _ => format!("{}：异常", f.label),
    };
    let description = input
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            let mut d = format!("巡检发现（{}）：{what}", task.plan_name);
            if let Some(t) = &f.text {
                d.push('。');
                d.push_str(t);
            }
            d
        });
    let location = match &f.location {
        Some(l) => format!("{} {l}", f.checkpoint_name),
        None => f.checkpoint_name.clone(),
    };
    let input = crate::tickets::RequestForCreate {
        community_id: c,
        kind: "repair_common".into(),
        category,
        channel: "patrol".into(),
        urgency: input.urgency,
        complex: None,
        unit_id: None,
        person_id: None,
        location: Some(location.chars().take(100).collect()),
        contact_name: None,
        contact_phone: None,
        description,
        promise_at: None,
        assignee_id: None,
        received_at: None,
    };
    let request = crate::tickets::create_request_for(core, ctx, input, ctx.user_id).await?;
    let mut tx = core.db.begin().await?;
    let linked = store::set_request(&mut tx, c, id, request.id).await?;
    if linked == 0 {
        // Another tap linked it first: this request stands alone; say so.
        tx.commit().await?;
        return Err(CoreError::conflict("finding", PatrolCode::AlreadyRequested));
    }
    crate::audit::record(
        &mut tx,
        ctx,
        crate::audit::Entry::new(crate::audit::Action::Update, "patrol_finding", id.0).community(c),
    )
    .await?;
    tx.commit().await?;
    if let Some(p) = &f.photo_client_id
        && let Ok((_, bytes)) = photo_file(core, ctx, c, p).await
    {
        crate::tickets::photos::attach_report_photo(core, ctx, &request, &bytes).await?;
    }
    Ok(FindingRequest {
        finding_id: id,
        request_id: request.id,
        number: request.number,
    })
}
