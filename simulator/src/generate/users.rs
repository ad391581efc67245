//! Users, generated in fixed-size chunks, each from its own child seed, so the result does not
//! depend on how many threads run them. Regular users come first; service accounts (`MSOL_…`)
//! take the last indices. Managers form a tree inside each chunk (span of control 8), so a
//! user's `manager` shares the manager's DN allocation.

use super::{Shared, USN_BASE, concat, random_guid};
use crate::rng::{SimRng, rng_for};
use rand::{Rng, RngExt};
use std::sync::Arc;
use upgrade_lab_model::object::{UAC_NORMAL_DISABLED, UAC_NORMAL_ENABLED};
use upgrade_lab_model::{Attributes, DirectoryObject, ObjectKind, Value};

/// Users per chunk. Fixed: changing it changes every generated directory.
pub(crate) const USER_CHUNK: u32 = 16_384;
/// Direct reports per manager inside a chunk.
const SPAN_OF_CONTROL: usize = 8;
/// `userAccountControl` of DirSync's service account: normal account, password never expires.
const UAC_SERVICE_ACCOUNT: u32 = 66_048;

/// The users of chunk `chunk` (indices `chunk * USER_CHUNK ..`), in index order.
pub(crate) fn user_chunk(shared: &Shared, chunk: u32) -> Vec<DirectoryObject> {
    let spec = shared.spec;
    let mut scratch = Scratch::default();
    let start = chunk * USER_CHUNK;
    let end = spec.users.min(start + USER_CHUNK);
    let mut rng = rng_for(spec.seed, &format!("users/{chunk}"));
    let mut out: Vec<DirectoryObject> = Vec::with_capacity((end - start) as usize);
    let regular = spec.regular_users();
    for n in start..end {
        let (dn, attrs) = if n < regular {
            let local = out.len();
            let manager = (local > 0).then(|| out[(local - 1) / SPAN_OF_CONTROL].dn.clone());
            regular_user(shared, &mut rng, &mut scratch, n, manager)
        } else {
            service_account(shared, &mut rng)
        };
        out.push(DirectoryObject {
            guid: random_guid(&mut rng),
            kind: ObjectKind::User,
            dn,
            attrs: Arc::new(attrs),
            usn_changed: USN_BASE + u64::from(n),
            when_changed_ms: 0,
        });
    }
    out
}

/// Text buffers one chunk reuses for every user: the values are formatted here and copied
/// once into their shared allocation.
#[derive(Default)]
struct Scratch {
    /// The value being formatted.
    text: String,
    /// The mail prefix (`first.last123`).
    local: String,
    /// The user's number in decimal.
    number: String,
}

fn regular_user(
    shared: &Shared,
    rng: &mut SimRng,
    scratch: &mut Scratch,
    n: u32,
    manager: Option<Value>,
) -> (Value, Attributes) {
    let t = shared.tables;
    let first = &t.first_names[pick(rng, t.first_names.len())];
    let last = &t.last_names[pick(rng, t.last_names.len())];
    let container = &shared.layout.containers[pick(rng, shared.layout.containers.len())];
    let domain = &shared.layout.domains[container.domain].dns_name;
    let Scratch {
        text: buf,
        local,
        number,
    } = scratch;
    // The number's text from here on: every value below writes it as it is.
    let n = super::decimal(number, n);
    let dn = concat(
        buf,
        &[
            "CN=",
            &first.escaped,
            " ",
            &last.escaped,
            n,
            ",",
            &container.dn,
        ],
    );
    local.clear();
    for part in [&*first.slug, ".", &last.slug, n] {
        local.push_str(part);
    }
    let local = local.as_str();
    let upn = concat(buf, &[local, "@", domain]);
    // Slugs are ASCII, so ten bytes are ten characters.
    let sam_last = &last.slug[..last.slug.len().min(10)];
    let initial = first.slug.chars().next().unwrap_or('u');
    let mut text = |args: std::fmt::Arguments| super::shared_text(buf, args);
    let disabled = rng.random_range(0..1000u32) < u32::from(shared.spec.disabled_per_mille);
    let area = t.area_codes[pick(rng, t.area_codes.len())];
    let line = rng.random_range(0..10_000u32);
    let attrs = Attributes {
        cn: Some(text(format_args!("{} {}{n}", first.shown, last.shown))),
        sam_account_name: Some(text(format_args!("{initial}{sam_last}{n}"))),
        mail: Some(upn.clone()),
        proxy_addresses: Box::new([
            text(format_args!("SMTP:{upn}")),
            text(format_args!("smtp:{local}@{}", shared.alias_domain)),
        ]),
        user_principal_name: Some(upn),
        display_name: Some(text(format_args!("{} {}", first.shown, last.shown))),
        given_name: Some(first.shown.clone()),
        sn: Some(last.shown.clone()),
        department: Some(t.departments[pick(rng, t.departments.len())].shown.clone()),
        title: Some(t.titles[pick(rng, t.titles.len())].clone()),
        city: Some(t.cities[pick(rng, t.cities.len())].clone()),
        manager,
        telephone_number: Some(text(format_args!("+1 {area} 555 {line:04}"))),
        user_account_control: Some(if disabled {
            UAC_NORMAL_DISABLED
        } else {
            UAC_NORMAL_ENABLED
        }),
        extension_attributes: Box::new([
            (
                1,
                t.employee_types[pick(rng, t.employee_types.len())].clone(),
            ),
            (2, t.cost_centres[pick(rng, t.cost_centres.len())].clone()),
        ]),
        ..Attributes::default()
    };
    (dn, attrs)
}

fn service_account(shared: &Shared, rng: &mut SimRng) -> (Value, Attributes) {
    let sam = format!("MSOL_{:012x}", rng.next_u64() & 0xffff_ffff_ffff);
    let root = &shared.layout.domains[0].dns_name;
    let dn: Value = Arc::from(format!("CN={sam},{}", shared.layout.root_users));
    let attrs = Attributes {
        cn: Some(Arc::from(sam.as_str())),
        user_principal_name: Some(Arc::from(format!("{sam}@{root}"))),
        description: Some(shared.service_account_description.clone()),
        user_account_control: Some(UAC_SERVICE_ACCOUNT),
        sam_account_name: Some(Arc::from(sam)),
        ..Attributes::default()
    };
    (dn, attrs)
}

/// A uniform index below `len` (`len` > 0), drawn as u32 so every platform draws the same.
pub(crate) fn pick(rng: &mut SimRng, len: usize) -> usize {
    debug_assert!(len > 0 && u32::try_from(len).is_ok());
    #[expect(
        clippy::cast_possible_truncation,
        reason = "len fits a u32 (debug-asserted above): callers pass table and group counts"
    )]
    let draw = rng.random_range(0..len as u32);
    draw as usize
}
