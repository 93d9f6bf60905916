//! The partitioning variant (PostgreSQL only): `requests` and `charges` of the benchmark's
//! schema re-created as declaratively hash-partitioned by `community_id`, the unpartitioned
//! tables kept beside them as `requests_flat` and `charges_flat` so both layouts answer the same
//! queries on the same rows; and the hot queries' shapes, copied from the core's stores (their
//! WHERE, ORDER BY and LIMIT), to EXPLAIN and time on either layout.

use chrono::NaiveDate;
use wuye_core::db::{Args, Value};
use wuye_core::shared::ids::{CompanyId, UserId};
use wuye_core::{Core, args};

use super::super::AnyResult;

/// The two tables the variant partitions.
pub(crate) const TABLES: [&str; 2] = ["requests", "charges"];

/// One fee item per community, so the bulk-loaded charges have one to point at.
pub(crate) async fn insert_fee_items(core: &Core, company: CompanyId) -> AnyResult<()> {
    let mut tx = core.db.begin().await?;
    tx.execute(
        "INSERT INTO fee_items (community_id, code, name, kind, late_fee_ppm, late_fee_grace_days, \
         late_fee_cap_pct, active, created_at, updated_at) \
         SELECT id, 'WYF', '物业费', 'property', 500, 10, 100, TRUE, NOW(), NOW() \
         FROM communities WHERE company_id = $1",
        args![company],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `months` monthly bills of `items` lines for every unit of the company, in month order (as
/// bill runs write them), one in ten still open.
pub(crate) async fn insert_charges(
    core: &Core,
    company: CompanyId,
    months: i64,
    items: i64,
) -> AnyResult<u64> {
    let mut tx = core.db.begin().await?;
    let n = tx
        .execute(
            "INSERT INTO charges (community_id, unit_id, fee_item_id, kind, period, period_from, \
             period_to, description, basis, amount_fen, settled_fen, due_date, created_at) \
             SELECT u.community_id, u.id, f.id, 'bill', to_char(d, 'YYYY-MM'), d::date, \
             (d + INTERVAL '1 month - 1 day')::date, '物业费', '2.35 × 100.00 m²', 23500 + k, \
             CASE WHEN (u.id + m) % 10 = 0 THEN 0 ELSE 23500 + k END, (d + INTERVAL '14 days')::date, NOW() \
             FROM generate_series(0, $2 - 1) AS m \
             CROSS JOIN LATERAL (SELECT DATE '2025-01-01' + make_interval(months => m::int) AS d) AS p \
             CROSS JOIN generate_series(1, $3) AS k \
             JOIN units u ON TRUE \
             JOIN communities c ON c.id = u.community_id AND c.company_id = $1 \
             JOIN fee_items f ON f.community_id = u.community_id \
             ORDER BY m, u.community_id, u.id, k",
            args![company, months, items],
        )
        .await?;
    tx.commit().await?;
    Ok(n)
}

/// `per_community` requests in every community of the company, registered by `agent`,
/// interleaved over time as a company's desks register them; one in twenty still open.
pub(crate) async fn insert_requests(
    core: &Core,
    company: CompanyId,
    agent: UserId,
    per_community: i64,
) -> AnyResult<u64> {
    let mut tx = core.db.begin().await?;
    let n = tx
        .execute(
            "INSERT INTO requests (community_id, number, kind, category, channel, urgency, complex, \
             description, state, first_responder_id, promise_at, promise_postponed, escalations, \
             reopen_count, created_at, updated_at, created_day) \
             SELECT c.id, 'BX-' || lpad(g::text, 6, '0'), 'repair_unit', 'water', 'hotline', 'normal', \
             FALSE, '卫生间下水道堵塞，马桶冲水不畅', \
             CASE WHEN g % 20 = 0 THEN 'accepted' ELSE 'closed' END, $2, NOW(), FALSE, 0, 0, \
             NOW() - make_interval(mins => ($3 - g)::int), NOW(), '2026-01-01' \
             FROM generate_series(1, $3) AS g CROSS JOIN communities c WHERE c.company_id = $1 \
             ORDER BY g, c.id",
            args![company, agent, per_community],
        )
        .await?;
    tx.commit().await?;
    Ok(n)
}

/// A few (community, unit) pairs to look up, spread over the company.
pub(crate) async fn sample_units(core: &Core, every: i64) -> AnyResult<Vec<(i64, i64)>> {
    Ok(core
        .db
        .read()
        .fetch_all(
            "SELECT community_id, id FROM units WHERE id % $1 = 0 ORDER BY id",
            args![every],
        )
        .await?)
}

/// The tables `<table>_…` (the `_flat` twin and the partitions; autovacuum never analyzes a
/// partitioned parent) that autovacuum has not analyzed yet: the benchmark waits for the
/// statistics a server has rather than running an ANALYZE of its own.
pub(crate) async fn unanalyzed(core: &Core, table: &str) -> AnyResult<i64> {
    let like = format!("{table}\\_%");
    let (n,): (i64,) = core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM pg_stat_user_tables WHERE schemaname = current_schema() \
             AND relname LIKE $1 AND last_autoanalyze IS NULL AND last_analyze IS NULL",
            args![like],
        )
        .await?;
    Ok(n)
}

/// Re-creates `table` as hash-partitioned by community into `parts` partitions
/// (`<table>_p0` …), keeping the old one as `<table>_flat`: primary key `(community_id, id)`,
/// ids from a sequence of its own (PostgreSQL 15 has no identity column on a partitioned table),
/// every other index of the old table re-created on the new one, the rows copied. The foreign
/// keys that pointed at the old table are dropped (they would keep pointing at `_flat`; this
/// schema is a throwaway). Returns the rows copied.
pub(crate) async fn partition(core: &Core, table: &str, parts: usize) -> AnyResult<u64> {
    let flat = format!("{table}_flat");
    let indexes: Vec<(String,)> = core
        .db
        .read()
        .fetch_all(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i \
             JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = current_schema() AND t.relname = $1 AND NOT i.indisprimary",
            args![table],
        )
        .await?;
    let fks: Vec<(String, String)> = core
        .db
        .read()
        .fetch_all(
            "SELECT cl.relname::TEXT, co.conname::TEXT FROM pg_constraint co \
             JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_class t ON t.oid = co.confrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE co.contype = 'f' AND n.nspname = current_schema() AND t.relname = $1",
            args![table],
        )
        .await?;
    let mut tx = core.db.begin().await?;
    for (t, name) in &fks {
        tx.execute(
            &format!("ALTER TABLE {t} DROP CONSTRAINT \"{name}\""),
            args![],
        )
        .await?;
    }
    tx.execute(&format!("ALTER TABLE {table} RENAME TO {flat}"), args![])
        .await?;
    tx.execute(
        &format!(
            "CREATE TABLE {table} (LIKE {flat} INCLUDING DEFAULTS) PARTITION BY HASH (community_id)"
        ),
        args![],
    )
    .await?;
    tx.execute(&format!("CREATE SEQUENCE {table}_part_id_seq"), args![])
        .await?;
    tx.execute(
        &format!("ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_part_id_seq')"),
        args![],
    )
    .await?;
    tx.execute(
        &format!("ALTER TABLE {table} ADD PRIMARY KEY (community_id, id)"),
        args![],
    )
    .await?;
    for (def,) in &indexes {
        tx.execute(&index_on(def, table), args![]).await?;
    }
    for p in 0..parts {
        tx.execute(
            &format!(
                "CREATE TABLE {table}_p{p} PARTITION OF {table} FOR VALUES WITH (MODULUS {parts}, REMAINDER {p})"
            ),
            args![],
        )
        .await?;
    }
    let n = tx
        .execute(
            &format!("INSERT INTO {table} SELECT * FROM {flat} ORDER BY id"),
            args![],
        )
        .await?;
    tx.execute(
        &format!(
            "SELECT setval('{table}_part_id_seq', (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        ),
        args![],
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// `CREATE [UNIQUE] INDEX name ON schema.table USING …` of the old table, as an unnamed index
/// of the same columns on the partitioned one (PostgreSQL names it and each partition's).
fn index_on(def: &str, table: &str) -> String {
    let unique = def.starts_with("CREATE UNIQUE INDEX");
    let rest = def.split_once(" USING ").map_or("", |(_, r)| r);
    format!(
        "CREATE {}INDEX ON {table} USING {rest}",
        if unique { "UNIQUE " } else { "" }
    )
}

/// A hot query, copied in shape from the core's store, on the partitioned table or on its
/// `_flat` twin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hot {
    /// The desk's "my open requests" (tickets `page`: Seen::Mine, open only).
    DeskList,
    /// What a unit owes (billing `charges::open`).
    Owed,
    /// A unit's statement (billing `charges::of_unit`).
    Statement,
    /// A community's arrears (billing `reminders::arrears_units`, without its joins).
    Arrears,
}

impl Hot {
    pub(crate) const ALL: [Hot; 4] = [Hot::DeskList, Hot::Owed, Hot::Statement, Hot::Arrears];

    pub(crate) fn label(self) -> &'static str {
        match self {
            Hot::DeskList => "desk list (my open requests)",
            Hot::Owed => "what a unit owes",
            Hot::Statement => "a unit's statement",
            Hot::Arrears => "a community's arrears",
        }
    }

    pub(crate) fn table(self) -> &'static str {
        match self {
            Hot::DeskList => "requests",
            _ => "charges",
        }
    }

    /// The statement on `table` (`requests`/`charges` or their `_flat` twins), binding the
    /// community and then the agent (desk list), the unit (owed, statement) or the day
    /// (arrears).
    fn sql(self, table: &str) -> String {
        match self {
            Hot::DeskList => format!(
                "SELECT r.id, r.community_id FROM {table} r WHERE r.community_id = $1 \
                 AND r.first_responder_id = $2 AND r.state NOT IN ('closed', 'cancelled') \
                 ORDER BY r.id DESC LIMIT 20"
            ),
            Hot::Owed => format!(
                "SELECT id, amount_fen - settled_fen FROM {table} WHERE community_id = $1 AND unit_id = $2 \
                 AND reversed_by IS NULL AND kind <> 'reversal' AND settled_fen < amount_fen \
                 ORDER BY due_date, id"
            ),
            Hot::Statement => format!(
                "SELECT id, amount_fen - settled_fen FROM {table} WHERE community_id = $1 AND unit_id = $2 \
                 ORDER BY due_date, id"
            ),
            Hot::Arrears => format!(
                "SELECT ch.unit_id, CAST(SUM(ch.amount_fen - ch.settled_fen) AS BIGINT) AS owed \
                 FROM {table} ch WHERE ch.community_id = $1 AND ch.reversed_by IS NULL \
                 AND ch.kind <> 'reversal' AND ch.settled_fen < ch.amount_fen AND ch.due_date < $2 \
                 GROUP BY ch.community_id, ch.unit_id ORDER BY owed DESC LIMIT 2000"
            ),
        }
    }

    /// The second value: the key (agent or unit), or the day for the arrears.
    fn second(self, key: i64, as_of: NaiveDate) -> (Value, String) {
        match self {
            Hot::Arrears => (as_of.into(), format!("DATE '{as_of}'")),
            _ => (key.into(), key.to_string()),
        }
    }

    /// Runs the query; the rows it returned.
    pub(crate) async fn run(
        self,
        core: &Core,
        table: &str,
        community: i64,
        key: i64,
        as_of: NaiveDate,
    ) -> AnyResult<usize> {
        let mut a = Args::with_capacity(2);
        a.0.push(community.into());
        a.0.push(self.second(key, as_of).0);
        let rows: Vec<(i64, i64)> = core.db.read().fetch_all(&self.sql(table), a).await?;
        Ok(rows.len())
    }

    /// `EXPLAIN` of the query with its values written in (the plan a custom plan gets, as
    /// the first executions of a prepared statement do): the plan's lines.
    pub(crate) async fn explain(
        self,
        core: &Core,
        table: &str,
        community: i64,
        key: i64,
        as_of: NaiveDate,
    ) -> AnyResult<Vec<String>> {
        let sql = self
            .sql(table)
            .replace("$1", &community.to_string())
            .replace("$2", &self.second(key, as_of).1);
        let lines: Vec<(String,)> = core
            .db
            .read()
            .fetch_all(&format!("EXPLAIN (COSTS OFF) {sql}"), args![])
            .await?;
        Ok(lines.into_iter().map(|l| l.0).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::index_on;

    #[test]
    fn an_index_moves_to_the_partitioned_table_unnamed() {
        assert_eq!(
            index_on(
                "CREATE UNIQUE INDEX requests_community_id_number_key ON wuye_bench_partition_1.requests USING btree (community_id, number)",
                "requests"
            ),
            "CREATE UNIQUE INDEX ON requests USING btree (community_id, number)"
        );
        assert_eq!(
            index_on(
                "CREATE INDEX charges_open ON s.charges USING btree (community_id, unit_id) WHERE (settled_fen < amount_fen)",
                "charges"
            ),
            "CREATE INDEX ON charges USING btree (community_id, unit_id) WHERE (settled_fen < amount_fen)"
        );
    }
}
