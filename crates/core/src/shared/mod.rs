//! Types every module uses: errors, typed ids, the acting user's context, personal-data
//! encryption, validated values (areas, phones, ID numbers) and the clock.

pub mod backdate;
pub mod calendar;
pub mod crypto;
pub mod ctx;
pub mod error;
pub mod export;
pub mod files;
pub mod ids;
pub mod jobs;
pub mod money;
pub mod resolve;
pub mod store;
pub mod values;
pub mod xlsx;

/// An enum of stored codes, each with a Chinese and an English label: `ALL` lists them (for
/// selects and label lookups), `code()` is what is stored, `parse` accepts the code or the
/// Chinese label (as typed in a spreadsheet) and names `field` with `$err` otherwise;
/// `from_stored` decodes what the database holds, strictly.
macro_rules! code_enum {
    ($name:ident, $err:expr, { $($variant:ident = $code:literal, $zh:literal, $en:literal;)+ }) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [($name, &'static str, &'static str, &'static str)] =
                &[$(($name::$variant, $code, $zh, $en)),+];
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }
            pub fn parse(
                field: &str,
                raw: &str,
            ) -> Result<$name, $crate::shared::error::FieldError> {
                let s = raw.trim();
                if s.is_empty() {
                    return Err($crate::shared::error::FieldError::new(
                        field,
                        $crate::shared::error::CommonCode::Choose,
                    ));
                }
                Self::ALL
                    .iter()
                    .find(|(_, c, zh, _)| *c == s || *zh == s)
                    .map(|(v, ..)| *v)
                    .ok_or_else(|| $crate::shared::error::FieldError::new(field, $err))
            }
            /// A code read back from the database: only the exact stored code is accepted (not
            /// a Chinese label), and an unknown one is an internal error — a value this build
            /// never writes means the data or the build is wrong, which a default would hide.
            pub fn from_stored(raw: &str) -> $crate::shared::error::CoreResult<$name> {
                Self::ALL
                    .iter()
                    .find(|(_, c, ..)| *c == raw)
                    .map(|(v, ..)| *v)
                    .ok_or_else(|| {
                        $crate::shared::error::CoreError::internal(format!(
                            "unknown stored {}: {raw:?}",
                            stringify!($name)
                        ))
                    })
            }
        }
    };
}
pub(crate) use code_enum;
