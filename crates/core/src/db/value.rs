//! Bind arguments that keep their SQL type, NULLs included.

use chrono::{DateTime, NaiveDate, Utc};

/// One bound argument.
#[derive(Debug, Clone)]
pub enum Value {
    I64(Option<i64>),
    Str(Option<String>),
    Bool(Option<bool>),
    Time(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
    Bytes(Option<Vec<u8>>),
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
