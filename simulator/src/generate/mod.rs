//! The seeded directory generator: a `DirectorySpec` in, a realistic `Directory` out (users with
//! names, titles, managers and mail addresses; security and distribution groups with nested
//! members; mail-enabled contacts; an OU tree per domain), with defects planted at exact counts.
//!
//! Deterministic: the same spec gives the same directory byte for byte on every machine and at
//! every thread count. Objects are made in fixed-size chunks, each from its own child seed
//! (`users/{chunk}`, `groups/{chunk}`, …), and sampling is integer only. Values repeated across
//! objects (names, titles, DNs referenced by `manager` and `member`) share one `Arc<str>`.
//!
//! It must not know files, formats (JSON, LDIF) or the command line.
//!
//! ```
//! use upgrade_lab_simulator::generate::{DirectorySpec, generate};
//! let spec = DirectorySpec { users: 50, groups: 5, contacts: 3, ..DirectorySpec::default() };
//! let directory = generate(&spec).unwrap();
//! assert_eq!(directory.counts().users, 50);
//! assert_eq!(directory, generate(&spec).unwrap());
//! ```

mod contacts;
mod defects;
mod groups;
mod layout;
mod spec;
mod tables;
mod users;

pub use spec::{DirectorySpec, GroupShape, MAX_OBJECTS, PlantedDefects, SpecError};

use crate::rng::SimRng;
use layout::Layout;
use rand::Rng;
use rayon::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tables::Tables;
use upgrade_lab_model::{Directory, DirectoryObject, ObjectGuid, Value};

/// The `uSNChanged` of the first generated object; later objects count up from it, as a
/// domain controller's USNs do after the domain's own objects were created.
pub(crate) const USN_BASE: u64 = 12_000;

/// How far a generation has come, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GenerateProgress {
    /// Objects generated so far.
    pub objects_done: u64,
    pub(crate) objects_total: u64,
}

/// Generates the directory `spec` describes.
pub fn generate(spec: &DirectorySpec) -> Result<Directory, SpecError> {
    generate_with_progress(spec, &|_| {})
}

/// Generates the directory `spec` describes, calling `progress` (from any thread) as chunks of
/// objects finish.
pub fn generate_with_progress(
    spec: &DirectorySpec,
    progress: &(dyn Fn(GenerateProgress) + Sync),
) -> Result<Directory, SpecError> {
    spec.validate()?;
    let tables = Tables::build(spec.seed, &spec.domains);
    let layout = Layout::build(spec, &tables);
    let root = layout.domains[0].dns_name.clone();
    let tenant = root.split('.').next().unwrap_or_default();
    let shared = Shared {
        spec,
        tables: &tables,
        layout: &layout,
        alias_domain: format!("{tenant}.mail.onmicrosoft.com"),
        service_account_description: Arc::from(format!(
            "Account created by Microsoft Azure Active Directory Sync on computer DIRSYNC01 \
             configured to synchronize to tenant {tenant}.onmicrosoft.com. This account must \
             have directory replication permissions in the local Active Directory."
        )),
    };
    let done = AtomicU64::new(0);
    let objects_total = spec.objects_count();
    let report = |finished: u64| {
        let objects_done = done.fetch_add(finished, Ordering::Relaxed) + finished;
        progress(GenerateProgress {
            objects_done,
            objects_total,
        });
    };

    // Sized once for every object: users, then groups, then contacts are moved in.
    let mut objects = Vec::with_capacity(usize::try_from(objects_total).unwrap_or(0));
    collect_chunks(
        spec.users.div_ceil(users::USER_CHUNK),
        &report,
        |c| users::user_chunk(&shared, c),
        &mut objects,
    );
    defects::plant(&shared, &mut objects);
    let groups = groups::groups(&shared, &objects, &report);
    objects.extend(groups);
    collect_chunks(
        spec.contacts.div_ceil(contacts::CONTACT_CHUNK),
        &report,
        |c| contacts::contact_chunk(&shared, c),
        &mut objects,
    );
    Ok(Directory {
        forest: root,
        domains: layout.domains,
        organizational_units: layout.organizational_units,
        objects,
    })
}

/// What every chunk reads: the spec, the value tables and the forest layout.
pub(crate) struct Shared<'a> {
    pub(crate) spec: &'a DirectorySpec,
    pub(crate) tables: &'a Tables,
    pub(crate) layout: &'a Layout,
    /// The tenant's routing domain, for users' secondary `smtp:` addresses.
    pub(crate) alias_domain: String,
    pub(crate) service_account_description: Value,
}

/// Runs `make` for chunks `0..chunks` in parallel and appends the results to `all` in chunk
/// order.
fn collect_chunks(
    chunks: u32,
    report: &(dyn Fn(u64) + Sync),
    make: impl Fn(u32) -> Vec<DirectoryObject> + Sync,
    all: &mut Vec<DirectoryObject>,
) {
    let parts: Vec<Vec<DirectoryObject>> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let part = make(c);
            report(part.len() as u64);
            part
        })
        .collect();
    all.reserve(parts.iter().map(Vec::len).sum());
    for part in parts {
        all.extend(part);
    }
}

/// `parts` written one after the other into the reused `buf`, then copied once into a shared
/// value: the values every object has, built without the formatting machinery.
pub(crate) fn concat(buf: &mut String, parts: &[&str]) -> Value {
    Arc::from(fill(buf, parts))
}

/// `parts` written one after the other into the reused `buf`, which is returned.
pub(crate) fn fill<'a>(buf: &'a mut String, parts: &[&str]) -> &'a str {
    buf.clear();
    for part in parts {
        buf.push_str(part);
    }
    buf
}

/// `n` in decimal, written into the reused `buf`: the number an object's names end with,
/// formatted once for all of them.
pub(crate) fn decimal(buf: &mut String, n: u32) -> &str {
    use std::fmt::Write as _;
    buf.clear();
    let _ = write!(buf, "{n}");
    buf
}

/// A random (version 4, RFC 4122 variant) GUID from the seeded stream.
pub(crate) fn random_guid(rng: &mut SimRng) -> ObjectGuid {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    ObjectGuid::from_bytes(bytes)
}
