//! The desk's registers as .xlsx, streamed (`shared::export`): parcels and visitors, under the
//! same filters and the same `frontdesk.work` in the community as their lists, every row
//! (newest first), phones and ID numbers masked as the lists show them.

use chrono::Utc;

use super::parcels::{self, Parcel, ParcelFilter};
use super::visitors::{self, Visit, VisitFilter};
use super::{require_desk, tz_of};
use crate::shared::error::CoreResult;
use crate::shared::export::{Cell, Column, ExportFile, Sink, col};
use crate::shared::ids::CommunityId;
use crate::{Core, Ctx};

const PARCELS: &[Column<Parcel>] = &[
    col("类型", 8.0, |p| Cell::Label(p.kind.zh())),
    col("快递公司", 10.0, |p| Cell::from(&p.carrier)),
    col("运单号", 18.0, |p| Cell::from(&p.tracking_no)),
    col("收件人", 10.0, |p| Cell::from(&p.recipient_name)),
    col("电话", 13.0, |p| Cell::from(&p.phone)),
    col("货架", 8.0, |p| Cell::from(&p.shelf)),
    col("状态", 8.0, |p| Cell::Label(p.state.zh())),
    col("收件时间", 16.0, |p| Cell::At(p.received_at)),
    col("收件人员", 10.0, |p| Cell::from(&p.received_by_name)),
    col("滞留天数", 8.0, |p| Cell::Int(p.days_held)),
    col("催领次数", 8.0, |p| Cell::Int(p.reminders)),
    col("取件时间", 16.0, |p| Cell::from(p.picked_at)),
    col("取件人", 10.0, |p| Cell::from(&p.picked_by_name)),
    col("取件方式", 8.0, |p| {
        p.pickup_method.map_or(Cell::Empty, |m| Cell::Label(m.zh()))
    }),
    col("证件号", 20.0, |p| Cell::from(&p.id_number)),
    col("经手人", 10.0, |p| Cell::from(&p.handed_by_name)),
    col("退回时间", 16.0, |p| Cell::from(p.returned_at)),
    col("备注", 20.0, |p| Cell::from(&p.note)),
];

const VISITS: &[Column<Visit>] = &[
    col("访客", 10.0, |v| Cell::from(&v.visitor_name)),
    col("证件类型", 10.0, |v| {
        v.id_type.map_or(Cell::Empty, |t| Cell::Label(t.zh()))
    }),
    col("证件号", 20.0, |v| Cell::from(&v.id_number)),
    col("电话", 13.0, |v| Cell::from(&v.phone)),
    col("房屋", 12.0, |v| Cell::from(&v.unit_label)),
    col("被访人", 10.0, |v| Cell::from(&v.host_name)),
    col("事由", 14.0, |v| Cell::from(&v.purpose)),
    col("车牌", 10.0, |v| Cell::from(&v.plate)),
    col("人数", 6.0, |v| Cell::Int(v.party_size)),
    col("业主答复", 10.0, |v| {
        v.answer.map_or(Cell::Empty, |a| Cell::Label(a.zh()))
    }),
    col("答复时间", 16.0, |v| Cell::from(v.answered_at)),
    col("进入时间", 16.0, |v| Cell::At(v.in_at)),
    col("登记人", 10.0, |v| Cell::from(&v.in_by_name)),
    col("离开时间", 16.0, |v| Cell::from(v.out_at)),
    col("仍在园区", 8.0, |v| Cell::from(v.inside)),
];

/// The community's parcels under the list's filters, every one, as .xlsx.
pub async fn parcels_xlsx(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: ParcelFilter,
) -> CoreResult<ExportFile> {
    require_desk(ctx, c)?;
    let tz = tz_of(&mut core.db.read(), ctx, c).await?;
    let w = parcels::parcel_where(&f, Utc::now())?;
    let sink = Sink::new("快递包裹", PARCELS, tz);
    parcels::export_parcels(core, ctx, c, w, sink).await
}

/// The community's visitors register under the list's filters, every visit, as .xlsx.
pub async fn visits_xlsx(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: VisitFilter,
) -> CoreResult<ExportFile> {
    require_desk(ctx, c)?;
    let mut q = core.db.read();
    let tz = tz_of(&mut q, ctx, c).await?;
    let w = visitors::visit_where(&mut q, c, &f).await?;
    let sink = Sink::new("访客登记", VISITS, tz);
    visitors::export_visits(core, ctx, c, w, sink).await
}
