//! Every SQL text of the dashboard: its own two tables of figures per community (what other
//! modules' tables hold is read through their `for_dashboard` stores).

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Args, Bulk, Db, Tx, Value, in_list};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::model::{ArrearsAgeing, AuditGrade, CommunityFigures, MonthFigures};

const MONTH_COLS: &str = "period, requests, resolved, complaints, rated, rating_sum, on_time, late, \
    overdue, billed_fen, collected_fen, rounds, rounds_done, maintenance_due, maintenance_on_time";

/// The month columns summed, named as [`MonthFigures`] reads them.
const MONTH_SUMS: &str = "CAST(SUM(requests) AS BIGINT) AS requests, \
    CAST(SUM(resolved) AS BIGINT) AS resolved, CAST(SUM(complaints) AS BIGINT) AS complaints, \
    CAST(SUM(rated) AS BIGINT) AS rated, CAST(SUM(rating_sum) AS BIGINT) AS rating_sum, \
    CAST(SUM(on_time) AS BIGINT) AS on_time, CAST(SUM(late) AS BIGINT) AS late, \
    CAST(SUM(overdue) AS BIGINT) AS overdue, CAST(SUM(billed_fen) AS BIGINT) AS billed_fen, \
    CAST(SUM(collected_fen) AS BIGINT) AS collected_fen, CAST(SUM(rounds) AS BIGINT) AS rounds, \
    CAST(SUM(rounds_done) AS BIGINT) AS rounds_done, \
    CAST(SUM(maintenance_due) AS BIGINT) AS maintenance_due, \
    CAST(SUM(maintenance_on_time) AS BIGINT) AS maintenance_on_time";

/// A community's stored standing: when its figures were computed, and what they were that day.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct Standing {
    pub community_id: CommunityId,
    pub started_at: DateTime<Utc>,
    pub day: NaiveDate,
    pub arrears_units: i64,
    pub d0_30_fen: i64,
    pub d31_90_fen: i64,
    pub d91_180_fen: i64,
    pub over_180_fen: i64,
    pub maintenance_overdue: i64,
    pub rect_open: i64,
    pub rect_overdue: i64,
    pub audit_id: Option<AuditId>,
    pub audit_number: Option<String>,
    pub audit_total_cp: Option<i64>,
    pub audit_grade: Option<String>,
    pub audit_signed_at: Option<DateTime<Utc>>,
}

impl Standing {
    pub fn arrears(&self) -> ArrearsAgeing {
        ArrearsAgeing {
            units: self.arrears_units,
            d0_30_fen: self.d0_30_fen,
            d31_90_fen: self.d31_90_fen,
            d91_180_fen: self.d91_180_fen,
            over_180_fen: self.over_180_fen,
        }
    }

    pub fn audit(&self) -> Option<AuditGrade> {
        Some(AuditGrade {
            audit_id: self.audit_id?,
            number: self.audit_number.clone()?,
            total_cp: self.audit_total_cp?,
            grade: self.audit_grade.clone()?,
            signed_at: self.audit_signed_at?,
        })
    }
}

/// The stored standings of the communities.
pub(super) async fn standings(db: &Db, communities: &[CommunityId]) -> CoreResult<Vec<Standing>> {
    let mut a = Args::new();
    let w = in_list(&mut a, "community_id", communities);
    db.read()
        .fetch_all(
            &format!(
                "SELECT community_id, started_at, day, arrears_units, d0_30_fen, d31_90_fen, \
                 d91_180_fen, over_180_fen, maintenance_overdue, rect_open, rect_overdue, audit_id, \
                 audit_number, audit_total_cp, audit_grade, audit_signed_at \
                 FROM dashboard_communities WHERE {w}"
            ),
            a,
        )
        .await
}

/// A community's months of `from`..=`to` added up.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct CommunityWindow {
    pub community_id: CommunityId,
    #[sqlx(flatten)]
    pub figures: MonthFigures,
}

/// Each community's months of `from`..=`to` added up (the period column left empty).
pub(super) async fn window_by_community(
    db: &Db,
    communities: &[CommunityId],
    from: &str,
    to: &str,
) -> CoreResult<Vec<CommunityWindow>> {
    window(
        db,
        communities,
        from,
        to,
        "community_id, '' AS period",
        "community_id",
    )
    .await
}

/// The communities' months of `from`..=`to`, each month added up over them.
pub(super) async fn window_by_month(
    db: &Db,
    communities: &[CommunityId],
    from: &str,
    to: &str,
) -> CoreResult<Vec<MonthFigures>> {
    window(db, communities, from, to, "period", "period").await
}

/// The kept months of `from`..=`to` summed, grouped by `key`.
async fn window<T: crate::db::FromBothRows>(
    db: &Db,
    communities: &[CommunityId],
    from: &str,
    to: &str,
    select: &str,
    key: &str,
) -> CoreResult<Vec<T>> {
    let mut a = Args::new();
    let w = in_list(&mut a, "community_id", communities);
    let (f, t) = (a.push(from), a.push(to));
    db.read()
        .fetch_all(
            &format!(
                "SELECT {select}, {MONTH_SUMS} FROM dashboard_months \
                 WHERE {w} AND period >= {f} AND period <= {t} GROUP BY {key}"
            ),
            a,
        )
        .await
}

/// Replaces a community's stored figures, unless figures computed later are stored already.
pub(super) async fn save(
    tx: &mut Tx,
    c: CommunityId,
    started_at: DateTime<Utc>,
    day: NaiveDate,
    f: &CommunityFigures,
) -> CoreResult<bool> {
    let a = &f.arrears;
    let audit = f.audit.as_ref();
    let n = tx
        .execute(
            "INSERT INTO dashboard_communities (community_id, started_at, day, arrears_units, \
             d0_30_fen, d31_90_fen, d91_180_fen, over_180_fen, maintenance_overdue, rect_open, \
             rect_overdue, audit_id, audit_number, audit_total_cp, audit_grade, audit_signed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             ON CONFLICT (community_id) DO UPDATE SET started_at = excluded.started_at, \
             day = excluded.day, arrears_units = excluded.arrears_units, \
             d0_30_fen = excluded.d0_30_fen, d31_90_fen = excluded.d31_90_fen, \
             d91_180_fen = excluded.d91_180_fen, over_180_fen = excluded.over_180_fen, \
             maintenance_overdue = excluded.maintenance_overdue, rect_open = excluded.rect_open, \
             rect_overdue = excluded.rect_overdue, audit_id = excluded.audit_id, \
             audit_number = excluded.audit_number, audit_total_cp = excluded.audit_total_cp, \
             audit_grade = excluded.audit_grade, audit_signed_at = excluded.audit_signed_at \
             WHERE dashboard_communities.started_at <= excluded.started_at",
            args![
                c,
                started_at,
                day,
                a.units,
                a.d0_30_fen,
                a.d31_90_fen,
                a.d91_180_fen,
                a.over_180_fen,
                f.maintenance_overdue,
                f.rect_open,
                f.rect_overdue,
                audit.map(|g| g.audit_id),
                audit.map(|g| g.number.clone()),
                audit.map(|g| g.total_cp),
                audit.map(|g| g.grade.clone()),
                audit.map(|g| g.signed_at)
            ],
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    tx.execute(
        "DELETE FROM dashboard_months WHERE community_id = $1",
        args![c],
    )
    .await?;
    if f.months.is_empty() {
        return Ok(true);
    }
    let mut b = Bulk::with_capacity(f.months.len(), 16);
    for m in &f.months {
        b.row([
            Value::from(c),
            Value::from(m.period.clone()),
            Value::from(m.requests),
            Value::from(m.resolved),
            Value::from(m.complaints),
            Value::from(m.rated),
            Value::from(m.rating_sum),
            Value::from(m.on_time),
            Value::from(m.late),
            Value::from(m.overdue),
            Value::from(m.billed_fen),
            Value::from(m.collected_fen),
            Value::from(m.rounds),
            Value::from(m.rounds_done),
            Value::from(m.maintenance_due),
            Value::from(m.maintenance_on_time),
        ]);
    }
    let (sql, a) = b.finish(
        &format!("INSERT INTO dashboard_months (community_id, {MONTH_COLS})"),
        "",
    );
    tx.execute(&sql, a).await?;
    Ok(true)
}
