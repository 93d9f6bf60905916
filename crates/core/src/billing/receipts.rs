//! Receipts (收据): what a payment prints — the company and community, the unit, the charges
//! it settled, the amount in capitals, the prepaid balance after it — as data for the page and
//! as a PDF; and the cashier's list of a day's payments by receipt number.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Core;
use crate::db::Queries;
use crate::shared::ctx::Ctx;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::ledger::unit_label;
use super::model::*;
use super::payments::{Payment, SettledLine, payment_community, payment_in, settled_lines};
use super::setup::*;
use super::store;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Receipt {
    pub company: String,
    pub community: String,
    pub unit_label: String,
    pub payment: Payment,
    /// "NO.00000012".
    pub receipt_no: String,
    pub lines: Vec<SettledLine>,
    /// 大写: "贰佰壹拾元叁角叁分".
    pub amount_capitals: String,
    pub prepaid_after_fen: i64,
    /// What the unit still owes as the receipt is printed (charges and accrued late fees): a
    /// part payment's receipt says what is left.
    pub still_owed_fen: i64,
    /// When it was paid, in the community's time zone: "2026-12-02 09:05:17".
    pub paid_at_local: String,
}

pub fn receipt_no_text(n: i64) -> String {
    format!("NO.{n:08}")
}

pub async fn receipt(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Receipt> {
    let mut r = core.db.read();
    let c = payment_community(&mut r, ctx, id).await?;
    require_billing(ctx, c)?;
    receipt_in(&mut r, c, id).await
}

pub(crate) async fn receipt_in(
    r: &mut impl Queries,
    c: CommunityId,
    id: i64,
) -> CoreResult<Receipt> {
    let p = payment_in(r, c, id).await?;
    // Decoded strictly here, so the receipt's file can print their labels without a fallback.
    PayMethod::from_stored(&p.method)?;
    PaymentKind::from_stored(&p.kind)?;
    let (company, community, tz) = community_header(r, c).await?;
    let lines = settled_lines(r, c, id).await?;
    let acc = account_in(r, c, p.unit_id).await?;
    let owed = super::ledger::owed_in(r, c, p.unit_id).await?;
    let paid_at_local = p
        .paid_at
        .with_timezone(&tz)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    Ok(Receipt {
        company,
        community,
        unit_label: unit_label(r, c, p.unit_id).await?,
        receipt_no: receipt_no_text(p.receipt_no),
        amount_capitals: capitals(p.amount_fen),
        payment: p,
        lines,
        prepaid_after_fen: acc.prepaid_fen,
        still_owed_fen: owed.total_fen + owed.late_fee_fen,
        paid_at_local,
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentFilter {
    pub community_id: CommunityId,
    /// One business day (default: today).
    pub date: Option<NaiveDate>,
    /// Only this cashier's.
    pub cashier_id: Option<i64>,
}

/// Payments of a business day (the cashier's list).
pub async fn list_payments(core: &Core, ctx: &Ctx, f: PaymentFilter) -> CoreResult<Vec<Payment>> {
    require_billing(ctx, f.community_id)?;
    let mut r = core.db.read();
    let tz = community_tz(&mut r, ctx, f.community_id).await?;
    let day = f.date.unwrap_or_else(|| today_in(tz));
    store::payments::of_day(&mut r, f.community_id, day, f.cashier_id).await
}

/// The receipt as a PDF file (Chinese text): (file name, bytes). `receipt_in` has decoded the
/// payment's method and kind strictly, so the fallbacks below never apply to a stored receipt.
pub fn receipt_file(core: &Core, r: &Receipt) -> CoreResult<(String, Vec<u8>)> {
    let method = PayMethod::parse("", &r.payment.method)
        .map(|m| m.zh())
        .unwrap_or("");
    let kind = PaymentKind::parse("", &r.payment.kind)
        .ok()
        .filter(|k| *k != PaymentKind::Payment)
        .map(|k| k.zh())
        .unwrap_or("");
    let font = super::pdf::font(&core.settings.pdf_font)?;
    Ok((
        format!("receipt-{}.pdf", r.receipt_no),
        super::pdf::receipt_pdf(r, method, kind, &font)?,
    ))
}

/// A batch of reminder notices as a PDF file, one page each.
pub fn notices_file(core: &Core, b: &super::arrears::NoticeBatch) -> CoreResult<Vec<u8>> {
    let font = super::pdf::font(&core.settings.pdf_font)?;
    super::pdf::notices_pdf(b, &font)
}
