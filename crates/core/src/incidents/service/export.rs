//! The incident list as .xlsx, streamed (`shared::export`): every incident the list's filter
//! picks, newest first, under the list's own checks (`incidents::listed`), codes as their
//! Chinese labels and people by name, times in the community's zone.

use super::super::store;
use super::incidents::{Incident, IncidentFilter, listed, name_in, view_with};
use crate::duty::staff_rows;
use crate::shared::error::CoreResult;
use crate::shared::export::{Cell, Column, ExportFile, PAGE, Sink, col};
use crate::shared::ids::CommunityId;
use crate::{Core, Ctx};

/// An incident as the export writes it: with the names of who acknowledged and closed it (the
/// list carries their ids only).
struct IncidentLine {
    i: Incident,
    acknowledged_by: Option<String>,
    closed_by: Option<String>,
}

const COLUMNS: &[Column<IncidentLine>] = &[
    col("发生时间", 16.0, |l| Cell::At(l.i.started_at)),
    col("事件", 20.0, |l| Cell::from(&l.i.title)),
    col("类型", 12.0, |l| Cell::Label(l.i.kind.zh())),
    col("级别", 6.0, |l| Cell::Label(l.i.severity.zh())),
    col("地点", 16.0, |l| Cell::from(&l.i.place)),
    col("状态", 8.0, |l| Cell::Label(l.i.state.zh())),
    col("预案", 18.0, |l| Cell::from(&l.i.plan_name)),
    col("上报人", 10.0, |l| Cell::from(&l.i.reporter_name)),
    col("登记时间", 16.0, |l| Cell::At(l.i.opened_at)),
    col("通知层级", 8.0, |l| Cell::Int(l.i.level)),
    col("响应时间", 16.0, |l| Cell::from(l.i.acknowledged_at)),
    col("响应人", 10.0, |l| Cell::from(&l.acknowledged_by)),
    col("受影响房屋", 20.0, |l| {
        let units: Vec<&str> = l.i.units.iter().map(|u| u.label.as_str()).collect();
        Cell::Text(units.join("、"))
    }),
    col("已通知住户", 8.0, |l| {
        Cell::from(l.i.notice_id.is_some())
    }),
    col("过程分析", 30.0, |l| Cell::from(&l.i.analysis)),
    col("处理结论", 30.0, |l| Cell::from(&l.i.conclusion)),
    col("结案时间", 16.0, |l| Cell::from(l.i.closed_at)),
    col("结案人", 10.0, |l| Cell::from(&l.closed_by)),
];

/// Every incident of the community the list's filter picks (not only the list's latest 500),
/// newest first, as .xlsx. The staff's names are read once; each row still reads its plan's
/// name and its units' labels as the list's rows do (a community has few incidents).
pub async fn incidents_xlsx(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: IncidentFilter,
) -> CoreResult<ExportFile> {
    let mut q = core.db.read();
    let (state, tz) = listed(&mut q, ctx, c, &f).await?;
    let staff = staff_rows(&mut q, ctx, c).await?;
    let sink = Sink::new("突发事件", COLUMNS, tz);
    let mut sink = sink.by_id(|l| l.i.id.0);
    while let Some(below) = sink.below() {
        let rows: CoreResult<Vec<_>> = {
            let rows = store::incidents::page(&mut q, c, state, below, PAGE).await?;
            let mut lines = Vec::with_capacity(rows.len());
            for r in rows {
                let i = view_with(&mut q, &staff, r, false).await?;
                lines.push(IncidentLine {
                    acknowledged_by: name_in(&staff, i.acknowledged_by),
                    closed_by: name_in(&staff, i.closed_by),
                    i,
                });
            }
            Ok(lines)
        };
        sink.page(rows?).await;
    }
    sink.finish().await
}
