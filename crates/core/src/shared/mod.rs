//! Types every module uses: errors, typed ids, the acting user's context, personal-data
//! encryption, validated values (areas, phones, ID numbers) and the clock.

pub mod crypto;
pub mod ctx;
pub mod error;
pub mod ids;
pub mod values;
