//! Decoration (二次装修, SPEC §6, issue 15 point 6; seed 000's 客户二次装修办理程序 and 装修缴费清单,
//! the rules of 《住宅室内装饰装修管理办法》). An owner applies in the portal, or the desk records
//! his application: the contractor and its licence, the foreman, the workers, the scope, the
//! period, drawings and the signed fire-safety responsibility letter (防火责任书) as files. A
//! manager approves it once (or refuses it, with why): approval posts the management fee
//! (装修管理费, the building area × the community's fee per m²) and the rubbish removal fee
//! (垃圾清运费) as charges of the unit under the community's decoration fee item, collected at the
//! cashier like any charge, and fixes the deposit (装修押金) the cashier takes into billing's
//! deposits — a deposit is not income, so it is never a charge. The permit (the application's
//! number, ZX-000001) is issued once the fees are paid and the deposit taken; the unit is 装修中
//! until acceptance. Construction workers' passes are issued for it, within its period.
//!
//! While the works go on the desk inspects on a phone: notes, photos, and violations (working
//! outside the allowed hours, load-bearing walls, …), each with a rectification deadline and the
//! deduction from the deposit it documents; a violation is rectified once. The period is
//! extended with a reason. Acceptance (竣工验收) fails with a note, or passes once every violation
//! is rectified: the unit's state is set back and the workers' passes revoked. The deposit is
//! refunded after acceptance only, less the documented deductions (the violations' and any named
//! at refund), as a billing deposit refund: only what is paid back leaves the cashier's drawer.

pub mod error;
pub mod model;
mod service;
pub(crate) mod store;

pub use service::*;
