//! The requests list as .xlsx, streamed (`shared::export`): the list's own filters and
//! visibility (`request_query`), every row it would page through, newest first, each with its
//! community, category by name, the most urgent clock and the times of its steps.

use std::collections::HashMap;
use std::sync::Arc;

use crate::Core;
use crate::shared::ctx::Ctx;
use crate::shared::error::CoreResult;
use crate::shared::export::{self, Cell, Column, ExportFile, col};
use crate::shared::ids::CommunityId;

use super::model::*;
use super::service::request_query;
use super::store;

/// A request with the names its codes stand for.
struct RequestLine {
    community: Arc<str>,
    category: Arc<str>,
    r: Request,
}

fn clock_label(s: ClockStatus) -> &'static str {
    match s {
        ClockStatus::Running => "进行中",
        ClockStatus::AtRisk => "将超时",
        ClockStatus::Paused => "暂停",
        ClockStatus::Met => "已达成",
        ClockStatus::Breached => "已超时",
    }
}

const COLUMNS: &[Column<RequestLine>] = &[
    col("小区", 14.0, |l| Cell::Str(&l.community)),
    col("单号", 12.0, |l| Cell::from(&l.r.number)),
    col("类型", 8.0, |l| Cell::Label(l.r.kind.zh())),
    col("类别", 12.0, |l| Cell::Str(&l.category)),
    col("来源", 10.0, |l| Cell::Label(l.r.channel.zh())),
    col("紧急程度", 8.0, |l| Cell::Label(l.r.urgency.zh())),
    col("房屋", 12.0, |l| Cell::from(&l.r.unit_label)),
    col("位置", 14.0, |l| Cell::from(&l.r.location)),
    col("联系人", 10.0, |l| Cell::from(&l.r.contact_name)),
    col("联系电话", 13.0, |l| Cell::from(&l.r.contact_phone)),
    col("内容", 40.0, |l| Cell::from(&l.r.description)),
    col("状态", 8.0, |l| Cell::Label(l.r.state.zh())),
    col("首问责任人", 10.0, |l| {
        Cell::from(&l.r.first_responder_name)
    }),
    col("处理人", 10.0, |l| Cell::from(&l.r.assignee_name)),
    col("班组", 10.0, |l| Cell::from(&l.r.team_name)),
    col("最紧时限", 10.0, |l| {
        l.r.clocks
            .first()
            .map_or(Cell::Empty, |c| Cell::Label(c.clock.zh()))
    }),
    col("时限到期", 16.0, |l| {
        l.r.clocks
            .first()
            .map_or(Cell::Empty, |c| Cell::At(c.due_at))
    }),
    col("时限状态", 8.0, |l| {
        l.r.clocks
            .first()
            .map_or(Cell::Empty, |c| Cell::Label(clock_label(c.status)))
    }),
    col("登记时间", 16.0, |l| Cell::At(l.r.created_at)),
    col("接单时间", 16.0, |l| Cell::from(l.r.accepted_at)),
    col("到场时间", 16.0, |l| Cell::from(l.r.on_site_at)),
    col("完成时间", 16.0, |l| Cell::from(l.r.done_at)),
    col("关闭时间", 16.0, |l| Cell::from(l.r.closed_at)),
    col("满意度", 7.0, |l| Cell::from(l.r.satisfaction)),
    col("评价", 20.0, |l| Cell::from(&l.r.rating_comment)),
    col("有偿费用", 10.0, |l| Cell::fen(l.r.charge_fen)),
    col("升级次数", 8.0, |l| Cell::Int(l.r.escalations)),
    col("返工次数", 8.0, |l| Cell::Int(l.r.reopen_count)),
];

/// Every request the list would show under `f` (its `before_id` too; its `limit` is not a
/// cap here), streamed into a workbook.
pub async fn requests_xlsx(core: &Core, ctx: &Ctx, f: &RequestFilter) -> CoreResult<ExportFile> {
    let q = request_query(core, ctx, f).await?;
    let communities: HashMap<CommunityId, Arc<str>> =
        crate::registry::store::for_tickets::community_names(&core.db, ctx.company_id)
            .await?
            .into_iter()
            .map(|(id, name)| (CommunityId(id), Arc::from(name)))
            .collect();
    let categories: HashMap<String, Arc<str>> = store::teams::categories(&core.db, ctx.company_id)
        .await?
        .into_iter()
        .map(|c| (c.code, Arc::from(c.name_zh)))
        .collect();
    let mut r = core.db.read_pinned();
    let sink = export::Sink::new("报事报修", COLUMNS, crate::shared::calendar::zone(""));
    // With a clock filter, every match is in the first page: the filter picks at most a page
    // of requests.
    let start = f.before_id.unwrap_or(i64::MAX);
    let mut sink = sink.by_id(|l| l.r.id.0);
    while let Some(below) = sink.below() {
        let rows: CoreResult<Vec<_>> = {
            let page = q
                .page(core, &mut r, Some(below.min(start)), export::PAGE)
                .await?;
            Ok(page
                .into_iter()
                .map(|r| RequestLine {
                    community: communities
                        .get(&r.community_id)
                        .cloned()
                        .unwrap_or_else(|| Arc::from("")),
                    category: categories
                        .get(&r.category)
                        .cloned()
                        .unwrap_or_else(|| Arc::from(r.category.as_str())),
                    r,
                })
                .collect())
        };
        sink.page(rows?).await;
    }
    sink.finish().await
}
