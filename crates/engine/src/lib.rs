//! upgrade-engine: the logic of the DirSync → Azure AD Connect upgrade wizard — prerequisite
//! checks, analysis, estimate and recommendation, settings export and import, the in-place and
//! parallel plans, staging verification, cutover and every guard rail of the upgrade document.
//!
//! It must not know the simulator, `fake`, `rand` or any clock: the servers it drives and time
//! itself come through the traits in [`ports`]; every decision is a pure function of what the
//! ports reported.

pub mod ports;
