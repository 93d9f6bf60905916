//! The one builder of multi-row `INSERT … VALUES (…), (…)` statements.
//!
//! Many rows in one statement is what makes a bulk write fast on SQLite (one statement parsed
//! and stepped instead of one per row: see ARCHITECTURE.md's measured limits) and saves round
//! trips on PostgreSQL. Each row's values are bound in order, so the placeholders run
//! `$1, $2, …` without a gap, the form `to_sqlite_sql` turns into plain `?` (no quadratic
//! parameter lookup on statements with thousands of parameters).
//!
//! Values every row shares can be bound once ahead of the rows ([`Bulk::after`]): the head
//! then names them (`INSERT … SELECT $1, $2, column1, column2 FROM (` with the tail `) AS v`;
//! SQLite and PostgreSQL both name a VALUES list's columns `column1`, `column2`, …), which
//! keeps a wide row with few varying values cheap to bind.
//!
//! Its users are ticket registrations, audit batches and the registry import. The shape:
//! ```ignore
//! let mut b = Bulk::with_capacity(rows.len(), 3);
//! for r in rows {
//!     b.row([Value::from(r.a), Value::from(r.b), Value::from(r.c)]);
//! }
//! if !b.is_empty() {
//!     // HEAD: the statement up to its column list, e.g. `INSERT INTO t (a, b, c)`.
//!     let (sql, args) = b.finish(HEAD, "");
//!     tx.execute(&sql, args).await?;
//! }
//! ```
//! The statement is the head, ` VALUES `, the rows joined by `, ` (each `($1, $2, …)`), then
//! the tail (e.g. ` RETURNING id`). Keep a batch under the backend's parameter limit
//! (PostgreSQL: 65,535; chunk the rows when they could be more).

use std::fmt::Write;

use super::{Args, Value};

/// Rows of values for one multi-row INSERT.
#[derive(Debug, Default)]
pub struct Bulk {
    args: Args,
    /// The rows' placeholder groups, already joined: `($1, $2), ($3, $4)`.
    rows: String,
    n: usize,
}

impl Bulk {
    pub fn new() -> Self {
        Self::default()
    }

    /// Room for `rows` rows of `cols` values each.
    pub fn with_capacity(rows: usize, cols: usize) -> Self {
        Self {
            args: Args::with_capacity(rows * cols),
            rows: String::with_capacity(rows * cols * 5),
            n: 0,
        }
    }

    /// Rows numbered after `shared`, the values the head binds once (`$1` … `$k`).
    pub fn after(shared: Args, rows: usize, cols: usize) -> Self {
        let mut args = shared;
        args.0.reserve(rows * cols);
        Self {
            args,
            rows: String::with_capacity(rows * cols * 5),
            n: 0,
        }
    }

    /// Appends one row; its values bind in the order given.
    pub fn row(&mut self, values: impl IntoIterator<Item = Value>) {
        if self.n > 0 {
            self.rows.push_str(", ");
        }
        self.rows.push('(');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.rows.push_str(", ");
            }
            self.args.0.push(v);
            // Writing to a String cannot fail.
            let _ = write!(self.rows, "${}", self.args.0.len());
        }
        self.rows.push(')');
        self.n += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Rows added so far.
    pub fn len(&self) -> usize {
        self.n
    }

    /// The statement `{head} VALUES {rows}{tail}` and its arguments.
    pub fn finish(self, head: &str, tail: &str) -> (String, Args) {
        (format!("{head} VALUES {}{tail}", self.rows), self.args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_number_their_placeholders_in_order() {
        let mut b = Bulk::new();
        b.row([Value::from(1i64), Value::from("a")]);
        b.row([Value::from(2i64), Value::from("b")]);
        assert_eq!(b.len(), 2);
        let (sql, args) = b.finish("INSERT INTO t (x, y)", " RETURNING id");
        assert_eq!(
            sql,
            "INSERT INTO t (x, y) VALUES ($1, $2), ($3, $4) RETURNING id"
        );
        assert_eq!(args.len(), 4);
        assert_eq!(
            super::super::to_sqlite_sql(&sql),
            "INSERT INTO t (x, y) VALUES (?, ?), (?, ?) RETURNING id"
        );
    }

    #[test]
    fn rows_after_shared_values_number_on_from_them() {
        let mut shared = Args::new();
        shared.push(7i64);
        let mut b = Bulk::after(shared, 1, 2);
        b.row([Value::from(1i64), Value::from("a")]);
        let (sql, args) = b.finish(
            "INSERT INTO t (k, x, y) SELECT $1, column1, column2 FROM (",
            ") AS v",
        );
        assert_eq!(
            sql,
            "INSERT INTO t (k, x, y) SELECT $1, column1, column2 FROM ( VALUES ($2, $3)) AS v"
        );
        assert_eq!(args.len(), 3);
    }
}
