//! The desk's registers as .xlsx, streamed (`shared::export`): parcels and visitors, under the
//! same filters and the same `frontdesk.work` in the community as their lists, every row
//! (newest first), phones and ID numbers masked as the lists show them.

use chrono::Utc;

use super::parcels::{self, Parcel, ParcelFilter};
use super::visitors::{self, Visit, VisitFilter};
use super::{require_desk, tz_of};
use crate::shared::error::CoreResult;
use crate::shared::export::{Cell, Column, ExportFile, Sink};
use crate::shared::ids::CommunityId;
use crate::{Core, Ctx};

const PARCELS: &[Column<Parcel>] = &[
    Column {
        title: "类型",
        width: 8.0,
        cell: |p| Cell::Label(p.kind.zh()),
    },
    Column {
        title: "快递公司",
        width: 10.0,
        cell: |p| Cell::from(&p.carrier),
    },
    Column {
        title: "运单号",
        width: 18.0,
        cell: |p| Cell::from(&p.tracking_no),
    },
    Column {
        title: "收件人",
        width: 10.0,
        cell: |p| Cell::from(&p.recipient_name),
    },
    Column {
        title: "电话",
        width: 13.0,
        cell: |p| Cell::from(&p.phone),
    },
    Column {
        title: "货架",
        width: 8.0,
        cell: |p| Cell::from(&p.shelf),
    },
    Column {
        title: "状态",
        width: 8.0,
        cell: |p| Cell::Label(p.state.zh()),
    },
    Column {
        title: "收件时间",
        width: 16.0,
        cell: |p| Cell::At(p.received_at),
    },
    Column {
        title: "收件人员",
        width: 10.0,
        cell: |p| Cell::from(&p.received_by_name),
    },
    Column {
        title: "滞留天数",
        width: 8.0,
        cell: |p| Cell::Int(p.days_held),
    },
    Column {
        title: "催领次数",
        width: 8.0,
        cell: |p| Cell::Int(p.reminders),
    },
    Column {
        title: "取件时间",
        width: 16.0,
        cell: |p| Cell::from(p.picked_at),
    },
    Column {
        title: "取件人",
        width: 10.0,
        cell: |p| Cell::from(&p.picked_by_name),
    },
    Column {
        title: "取件方式",
        width: 8.0,
        cell: |p| p.pickup_method.map_or(Cell::Empty, |m| Cell::Label(m.zh())),
    },
    Column {
        title: "证件号",
        width: 20.0,
        cell: |p| Cell::from(&p.id_number),
    },
    Column {
        title: "经手人",
        width: 10.0,
        cell: |p| Cell::from(&p.handed_by_name),
    },
    Column {
        title: "退回时间",
        width: 16.0,
        cell: |p| Cell::from(p.returned_at),
    },
    Column {
        title: "备注",
        width: 20.0,
        cell: |p| Cell::from(&p.note),
    },
];

const VISITS: &[Column<Visit>] = &[
    Column {
        title: "访客",
        width: 10.0,
        cell: |v| Cell::from(&v.visitor_name),
    },
    Column {
        title: "证件类型",
        width: 10.0,
        cell: |v| v.id_type.map_or(Cell::Empty, |t| Cell::Label(t.zh())),
    },
    Column {
        title: "证件号",
        width: 20.0,
        cell: |v| Cell::from(&v.id_number),
    },
    Column {
        title: "电话",
        width: 13.0,
        cell: |v| Cell::from(&v.phone),
    },
    Column {
        title: "房屋",
        width: 12.0,
        cell: |v| Cell::from(&v.unit_label),
    },
    Column {
        title: "被访人",
        width: 10.0,
        cell: |v| Cell::from(&v.host_name),
    },
    Column {
        title: "事由",
        width: 14.0,
        cell: |v| Cell::from(&v.purpose),
    },
    Column {
        title: "车牌",
        width: 10.0,
        cell: |v| Cell::from(&v.plate),
    },
    Column {
        title: "人数",
        width: 6.0,
        cell: |v| Cell::Int(v.party_size),
    },
    Column {
        title: "业主答复",
        width: 10.0,
        cell: |v| v.answer.map_or(Cell::Empty, |a| Cell::Label(a.zh())),
    },
    Column {
        title: "答复时间",
        width: 16.0,
        cell: |v| Cell::from(v.answered_at),
    },
    Column {
        title: "进入时间",
        width: 16.0,
        cell: |v| Cell::At(v.in_at),
    },
    Column {
        title: "登记人",
        width: 10.0,
        cell: |v| Cell::from(&v.in_by_name),
    },
    Column {
        title: "离开时间",
        width: 16.0,
        cell: |v| Cell::from(v.out_at),
    },
    Column {
        title: "仍在园区",
        width: 8.0,
        cell: |v| Cell::from(v.inside),
    },
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
    parcels::export_parcels(core, ctx, c, w, &sink).await?;
    sink.finish().await
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
    visitors::export_visits(core, ctx, c, w, &sink).await?;
    sink.finish().await
}
