//! Every SQL text of rosters and handovers: shift patterns (`duty_shifts`), the month grids,
//! leave and swaps (`duty_assignments`, `duty_leaves`, `duty_swaps`), and handovers with their
//! items (`handovers`, `handover_items`). Other modules reach these tables only through the
//! functions here (patrols: [`roster::people_on_shift`], [`roster::on_leave`],
//! [`shifts::picker`]).

pub(crate) mod handovers;
pub(crate) mod roster;
pub(crate) mod shifts;
