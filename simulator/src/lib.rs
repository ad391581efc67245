//! upgrade-lab-simulator: the simulated backend — on-premises AD, a DirSync server, an Azure AD
//! Connect server and an Azure AD tenant on a virtual clock, implementing the upgrade engine's
//! ports — plus the seeded directory generator and the LDIF reader and writer.
//!
//! It must not know scenario files, reports or the command line; it never reads the wall clock
//! or the OS random source.

mod ad;
/// AD churn: changes made in the background at a rate (`ChurnSpec`), or an exact batch.
pub mod churn;
mod connect_server;
/// The DirSync server and how a world starts it (`DirSyncStart`).
pub mod dirsync_server;
/// Faults a scenario plans (`Fault`: what, on which host, when) and what each one hit.
pub mod faults;
/// The seeded directory generator: a `DirectorySpec` becomes a `Directory`.
pub mod generate;
/// The LDIF (RFC 2849) reader and writer of a directory.
pub mod ldif;
/// The expected tenant, judged from AD and DirSync's baseline without the system under test.
pub mod oracle;
/// Per-component random streams derived from one seed (`rng_for`); the only randomness.
pub mod rng;
/// The sync engine both products run: connector spaces, metaverse, rules, run profiles.
pub mod sync;
/// The Azure AD tenant: matching, duplicate attribute resiliency, throttle, export ledger.
pub mod tenant;
/// How long simulated operations take (`Timing`, milliseconds per object or change).
pub mod timing;
/// The simulated world (`World`), its builder, ports, queries and report.
pub mod world;

pub use world::World;
