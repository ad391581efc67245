//! upgrade-lab-simulator: the simulated backend — on-premises AD, a DirSync server, an Azure AD
//! Connect server and an Azure AD tenant on a virtual clock, implementing the upgrade engine's
//! ports — plus the seeded directory generator and the LDIF reader and writer.
//!
//! It must not know scenario files, reports or the command line; it never reads the wall clock
//! or the OS random source.

mod ad;
pub mod churn;
mod connect_server;
pub mod dirsync_server;
pub mod faults;
pub mod generate;
pub mod ldif;
pub mod oracle;
pub mod rng;
pub mod sync;
pub mod tenant;
pub mod timing;
pub mod world;

pub use world::World;
