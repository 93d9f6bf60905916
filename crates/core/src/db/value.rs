//! Bind arguments that keep their SQL type, NULLs included.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo};
use sqlx::{Database, Encode, Postgres, Sqlite, Type};

/// One bound argument.
#[derive(Debug, Clone)]
pub enum Value {
    I64(Option<i64>),
    Str(Option<String>),
    Bool(Option<bool>),
    Time(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
    Bytes(Option<Vec<u8>>),
    /// PostgreSQL only: one column of a bulk write's rows (`UNNEST($n::BIGINT[], …)`).
    Array(Array),
}

/// A column of values bound as one PostgreSQL array, so a bulk write's rows travel in a few
/// arguments instead of one per value. SQLite has no arrays: binding one there is an error.
#[derive(Debug, Clone)]
pub enum Array {
    I64(Vec<Option<i64>>),
    Str(Vec<String>),
    /// Bound in PostgreSQL's binary form: no text to parse per row.
    Time(Vec<DateTime<Utc>>),
    Date(Vec<NaiveDate>),
}

impl Array {
    /// The array as PostgreSQL's text form (`{1,NULL}`, `{"a","b"}`), for a plan's literals.
    pub fn literal(&self) -> String {
        let items: Vec<String> = match self {
            Array::I64(v) => v
                .iter()
                .map(|x| x.map_or("NULL".into(), |x| x.to_string()))
                .collect(),
            Array::Str(v) => v
                .iter()
                .map(|t| format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect(),
            Array::Time(v) => v
                .iter()
                .map(|t| format!("\"{}\"", t.to_rfc3339()))
                .collect(),
            Array::Date(v) => v.iter().map(|d| d.to_string()).collect(),
        };
        format!("{{{}}}", items.join(","))
    }
}

impl Type<Postgres> for Array {
    fn type_info() -> PgTypeInfo {
        <Vec<String> as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for Array {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        match self {
            Array::I64(v) => <Vec<Option<i64>> as Encode<Postgres>>::encode_by_ref(v, buf),
            Array::Str(v) => <Vec<String> as Encode<Postgres>>::encode_by_ref(v, buf),
            Array::Time(v) => <Vec<DateTime<Utc>> as Encode<Postgres>>::encode_by_ref(v, buf),
            Array::Date(v) => <Vec<NaiveDate> as Encode<Postgres>>::encode_by_ref(v, buf),
        }
    }
    fn produces(&self) -> Option<PgTypeInfo> {
        Some(match self {
            Array::I64(_) => <Vec<Option<i64>> as Type<Postgres>>::type_info(),
            Array::Str(_) => <Vec<String> as Type<Postgres>>::type_info(),
            Array::Time(_) => <Vec<DateTime<Utc>> as Type<Postgres>>::type_info(),
            Array::Date(_) => <Vec<NaiveDate> as Type<Postgres>>::type_info(),
        })
    }
}

impl Type<Sqlite> for Array {
    fn type_info() -> <Sqlite as Database>::TypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
}

impl Encode<'_, Sqlite> for Array {
    fn encode_by_ref(
        &self,
        _: &mut <Sqlite as Database>::ArgumentBuffer,
    ) -> Result<IsNull, BoxDynError> {
        Err("an array is bound on PostgreSQL only".into())
    }
}

impl From<Vec<Option<i64>>> for Value {
    fn from(v: Vec<Option<i64>>) -> Self {
        Value::Array(Array::I64(v))
    }
}

impl From<Vec<String>> for Value {
    fn from(v: Vec<String>) -> Self {
        Value::Array(Array::Str(v))
    }
}

impl From<Vec<DateTime<Utc>>> for Value {
    fn from(v: Vec<DateTime<Utc>>) -> Self {
        Value::Array(Array::Time(v))
    }
}

impl From<Vec<NaiveDate>> for Value {
    fn from(v: Vec<NaiveDate>) -> Self {
        Value::Array(Array::Date(v))
    }
}

/// The arguments of one statement, in placeholder order.
#[derive(Debug, Clone, Default)]
pub struct Args(pub Vec<Value>);

impl Args {
    pub fn new() -> Self {
        Self(Vec::new())
    }
    pub fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }
    /// Appends a value and returns its placeholder (`$n`), for SQL built piece by piece.
    pub fn push(&mut self, v: impl Into<Value>) -> String {
        self.0.push(v.into());
        format!("${}", self.0.len())
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `args![a, b, c]` builds [`Args`] from anything convertible into a [`Value`].
#[macro_export]
macro_rules! args {
    () => { $crate::db::Args::new() };
    ($($v:expr),+ $(,)?) => {
        $crate::db::Args(vec![$($crate::db::Value::from($v)),+])
    };
}

macro_rules! value_from {
    ($variant:ident, $t:ty) => {
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(Some(v.into()))
            }
        }
        impl From<Option<$t>> for Value {
            fn from(v: Option<$t>) -> Self {
                Value::$variant(v.map(Into::into))
            }
        }
    };
}

value_from!(I64, i64);
value_from!(I64, i32);
value_from!(Str, String);
value_from!(Str, &str);
value_from!(Bool, bool);
value_from!(Time, DateTime<Utc>);
value_from!(Date, NaiveDate);
value_from!(Bytes, Vec<u8>);

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Str(Some(v.clone()))
    }
}
impl From<Option<&String>> for Value {
    fn from(v: Option<&String>) -> Self {
        Value::Str(v.cloned())
    }
}

/// `col IN ($…)` over the given values, pushed onto `a`; an empty list matches nothing (`1 = 0`,
/// which both databases accept where `IN ()` is a syntax error).
pub fn in_list<T: Copy + Into<Value>>(a: &mut Args, col: &str, values: &[T]) -> String {
    if values.is_empty() {
        return "1 = 0".into();
    }
    let ph: Vec<String> = values.iter().map(|v| a.push(*v)).collect();
    format!("{col} IN ({})", ph.join(","))
}
