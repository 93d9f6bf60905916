//! What a backup holds, told in numbers: every table's row count and, for each table that holds
//! money, its row count, the sum of each money column and a SHA-256 over its rows' keys and
//! amounts. The manifest is taken in the same snapshot as the copy, so a restore can prove it
//! brought back exactly what was copied — not merely that a file was read without error.
//!
//! The copy itself is the engine's: SQLite's `VACUUM INTO` from a read transaction
//! ([`crate::db::Db::backup_sqlite`]), and `pg_dump --snapshot` of the snapshot
//! [`export_snapshot`] exports, which the `wuye` binary runs.

mod store;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::{Backend, Db, Tx};
use crate::shared::error::CoreResult;

/// The manifest's own format, so a later wuye can read an older backup.
pub const FORMAT: u32 = 1;

/// Money columns are integers named by their unit: `…_fen` (分), `…_e4` and `…_e6` (a price or a
/// late fee in ten-thousandths or millionths of a yuan).
fn is_money(column: &str) -> bool {
    column.ends_with("_fen") || column.ends_with("_e4") || column.ends_with("_e6")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// `sqlite` or `postgres`: a backup restores into the engine it came from.
    pub engine: String,
    pub taken_at: DateTime<Utc>,
    /// The newest migration applied when the copy was taken.
    pub migration: i64,
    /// Every table's rows.
    pub tables: BTreeMap<String, i64>,
    pub money: BTreeMap<String, MoneyDigest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyDigest {
    pub rows: u64,
    /// Each money column's sum, in its own unit.
    pub sums: BTreeMap<String, String>,
    /// SHA-256 of the rows' primary key and money columns, one `|`-joined line per row in key
    /// order.
    pub sha256: String,
}

impl Manifest {
    pub fn rows(&self) -> i64 {
        self.tables.values().sum()
    }

    /// What `restored` lacks or has otherwise than `self`, one line each (empty: the same).
    /// Tables `restored` has beyond `self` are ignored: a newer wuye migrates on restore.
    pub fn differences(&self, restored: &Manifest) -> Vec<String> {
        let mut out = Vec::new();
        for (t, n) in &self.tables {
            match restored.tables.get(t) {
                None => out.push(format!("table {t} is missing")),
                Some(m) if m != n => {
                    out.push(format!("table {t}: {n} rows backed up, {m} restored"))
                }
                Some(_) => {}
            }
        }
        for (t, d) in &self.money {
            match restored.money.get(t) {
                None => out.push(format!("money table {t} is missing")),
                Some(r) if r != d => {
                    for (c, s) in &d.sums {
                        let got = r.sums.get(c).map(String::as_str).unwrap_or("-");
                        if got != s {
                            out.push(format!("{t}.{c}: sum {s} backed up, {got} restored"));
                        }
                    }
                    if r.sha256 != d.sha256 {
                        out.push(format!("{t}: checksum of keys and amounts differs"));
                    }
                }
                Some(_) => {}
            }
        }
        out
    }
}

/// The manifest of the database as it is now, in one snapshot.
pub async fn manifest(db: &Db) -> CoreResult<Manifest> {
    let mut tx = db.begin_snapshot().await?;
    let m = manifest_in(&mut tx).await?;
    tx.commit().await?;
    Ok(m)
}

/// The manifest of what `tx` sees (a snapshot from [`Db::begin_snapshot`]).
pub async fn manifest_in(tx: &mut Tx) -> CoreResult<Manifest> {
    let engine = match tx.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let mut tables = BTreeMap::new();
    let mut money = BTreeMap::new();
    for table in store::tables(tx).await? {
        tables.insert(table.clone(), store::count(tx, &table).await?);
        let columns = store::columns(tx, &table).await?;
        let amounts: Vec<String> = columns
            .iter()
            .filter(|(c, _)| is_money(c))
            .map(|(c, _)| c.clone())
            .collect();
        if amounts.is_empty() {
            continue;
        }
        let mut key: Vec<(i64, String)> = columns
            .iter()
            .filter(|(_, pk)| *pk > 0)
            .map(|(c, pk)| (*pk, c.clone()))
            .collect();
        key.sort();
        let key: Vec<String> = key.into_iter().map(|(_, c)| c).collect();
        // A table without a primary key is ordered by all it hashes.
        let order = if key.is_empty() {
            amounts.clone()
        } else {
            key.clone()
        };
        let hashed: Vec<String> = key.iter().chain(amounts.iter()).cloned().collect();
        let mut hasher = Sha256::new();
        let rows = store::each_line(tx, &table, &hashed, &order, |line| {
            hasher.update(line.as_bytes());
            hasher.update(b"\n");
        })
        .await?;
        let mut sums = BTreeMap::new();
        for c in &amounts {
            sums.insert(c.clone(), store::sum(tx, &table, c).await?);
        }
        money.insert(
            table,
            MoneyDigest {
                rows,
                sums,
                sha256: hex::encode(hasher.finalize()),
            },
        );
    }
    Ok(Manifest {
        format: FORMAT,
        engine: engine.into(),
        taken_at: Utc::now(),
        migration: store::migration(tx).await?,
        tables,
        money,
    })
}

/// Exports `tx`'s snapshot (PostgreSQL, a transaction from [`Db::begin_snapshot`]) for
/// `pg_dump --snapshot`, which then dumps exactly what the manifest describes. Valid until `tx`
/// ends.
pub async fn export_snapshot(tx: &mut Tx) -> CoreResult<String> {
    store::export_snapshot(tx).await
}

/// Whether the database has no tables yet (a restore's target must be empty).
pub async fn is_empty(db: &Db) -> CoreResult<bool> {
    let mut tx = db.begin_snapshot().await?;
    let empty = store::tables(&mut tx).await?.is_empty();
    tx.commit().await?;
    Ok(empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(sha: &str, sum: &str) -> MoneyDigest {
        MoneyDigest {
            rows: 2,
            sums: BTreeMap::from([("amount_fen".to_string(), sum.to_string())]),
            sha256: sha.into(),
        }
    }

    fn manifest(charges: i64, d: MoneyDigest) -> Manifest {
        Manifest {
            format: FORMAT,
            engine: "sqlite".into(),
            taken_at: Utc::now(),
            migration: 9,
            tables: BTreeMap::from([("charges".to_string(), charges), ("units".to_string(), 5)]),
            money: BTreeMap::from([("charges".to_string(), d)]),
        }
    }

    #[test]
    fn differences_name_the_table_the_column_and_the_figures() {
        let backed = manifest(2, digest("aa", "12345"));
        assert!(backed.differences(&backed.clone()).is_empty());
        let mut restored = manifest(1, digest("bb", "12000"));
        restored.tables.insert("new_table".into(), 3);
        assert_eq!(
            backed.differences(&restored),
            vec![
                "table charges: 2 rows backed up, 1 restored".to_string(),
                "charges.amount_fen: sum 12345 backed up, 12000 restored".to_string(),
                "charges: checksum of keys and amounts differs".to_string(),
            ]
        );
        restored.tables.remove("units");
        assert!(
            backed
                .differences(&restored)
                .contains(&"table units is missing".to_string())
        );
    }

    #[test]
    fn money_columns_are_told_by_their_unit() {
        assert!(is_money("amount_fen"));
        assert!(is_money("accrued_e6"));
        assert!(is_money("price_e4"));
        assert!(!is_money("fee_item_id"));
        assert!(!is_money("charges"));
    }
}
