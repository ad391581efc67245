//! Users, generated in fixed-size chunks, each from its own child seed, so the result does not
//! depend on how many threads run them. Regular users come first; service accounts (`MSOL_…`)
//! take the last indices. Managers form a tree inside each chunk (span of control 8), so a
//! user's `manager` shares the manager's DN allocation.

use super::{Shared, USN_BASE, concat, fill, random_guid};
use crate::rng::{SimRng, rng_for};
use rand::{Rng, RngExt};
use std::sync::Arc;
use upgrade_lab_model::attribute_flow::Field;
use upgrade_lab_model::object::{UAC_NORMAL_DISABLED, UAC_NORMAL_ENABLED};
use upgrade_lab_model::{Attributes, DirectoryObject, ObjectKind, TextBuilder, Value};

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
    let mut texts = TextBuilder::default();
    let start = chunk * USER_CHUNK;
    let end = spec.users.min(start + USER_CHUNK);
    let mut rng = rng_for(spec.seed, &format!("users/{chunk}"));
    let mut out: Vec<DirectoryObject> = Vec::with_capacity((end - start) as usize);
    let regular = spec.regular_users();
    for n in start..end {
        let (dn, attrs) = if n < regular {
            let local = out.len();
            let manager = (local > 0).then(|| &out[(local - 1) / SPAN_OF_CONTROL].dn);
            regular_user(shared, &mut rng, (&mut scratch, &mut texts), n, manager)
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

/// Text buffers one chunk reuses from user to user: values are written here without the
/// formatting machinery and copied once into what keeps them.
#[derive(Default)]
struct Scratch {
    /// The DN being written.
    dn: String,
    /// The mail prefix (`first.last123`).
    local: String,
    /// The user principal name.
    upn: String,
    /// The user's number in decimal.
    number: String,
}

/// One regular user: its DN and attributes. `scratch` and `texts` are reused from user to
/// user.
fn regular_user(
    shared: &Shared,
    rng: &mut SimRng,
    (scratch, texts): (&mut Scratch, &mut TextBuilder),
    n: u32,
    manager: Option<&Value>,
) -> (Value, Attributes) {
    let t = shared.tables;
    let first = &t.first_names[pick(rng, t.first_names.len())];
    let last = &t.last_names[pick(rng, t.last_names.len())];
    let container = &shared.layout.containers[pick(rng, shared.layout.containers.len())];
    let domain = &shared.layout.domains[container.domain].dns_name;
    let Scratch {
        dn,
        local,
        upn,
        number,
    } = scratch;
    // The number's text from here on: every value below writes it as it is.
    let n = super::decimal(number, n);
    let dn = concat(
        dn,
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
    let local = fill(local, &[&first.slug, ".", &last.slug, n]);
    let upn = fill(upn, &[local, "@", domain]);
    // Slugs are ASCII, so ten bytes are ten characters.
    let sam_last = &last.slug[..last.slug.len().min(10)];
    let initial = first.slug.chars().next().unwrap_or('u');
    let disabled = rng.random_range(0..1000u32) < u32::from(shared.spec.disabled_per_mille);
    let area = t.area_codes[pick(rng, t.area_codes.len())];
    let line = rng.random_range(0..10_000u32);
    // The draws stay in this order (department, title, city, the two extension attributes):
    // changing it changes every generated directory.
    let department = &t.departments[pick(rng, t.departments.len())].shown;
    let title = &t.titles[pick(rng, t.titles.len())];
    let city = &t.cities[pick(rng, t.cities.len())];
    let employee_type = &t.employee_types[pick(rng, t.employee_types.len())];
    let cost_centre = &t.cost_centres[pick(rng, t.cost_centres.len())];
    let b = &mut *texts;
    b.set_fmt(Field::Cn, format_args!("{} {}{n}", first.shown, last.shown))
        .set_fmt(
            Field::SamAccountName,
            format_args!("{initial}{sam_last}{n}"),
        )
        .set(Field::UserPrincipalName, upn)
        .set(Field::Mail, upn)
        .set_fmt(Field::ProxyAddresses, format_args!("SMTP:{upn}"))
        .set_fmt(
            Field::ProxyAddresses,
            format_args!("smtp:{local}@{}", shared.alias_domain),
        )
        .set_fmt(
            Field::DisplayName,
            format_args!("{} {}", first.shown, last.shown),
        )
        .set(Field::GivenName, &first.shown)
        .set(Field::Sn, &last.shown)
        .set(Field::Department, department)
        .set(Field::Title, title)
        .set(Field::City, city)
        .set_fmt(
            Field::TelephoneNumber,
            format_args!("+1 {area} 555 {line:04}"),
        )
        .set(Field::Extension(1), employee_type)
        .set(Field::Extension(2), cost_centre);
    let mut attrs = Attributes::with_texts(b.finish());
    attrs.set_manager(manager.cloned());
    attrs.set_user_account_control(Some(if disabled {
        UAC_NORMAL_DISABLED
    } else {
        UAC_NORMAL_ENABLED
    }));
    (dn, attrs)
}

fn service_account(shared: &Shared, rng: &mut SimRng) -> (Value, Attributes) {
    let sam = format!("MSOL_{:012x}", rng.next_u64() & 0xffff_ffff_ffff);
    let root = &shared.layout.domains[0].dns_name;
    let dn: Value = Arc::from(format!("CN={sam},{}", shared.layout.root_users));
    let upn = format!("{sam}@{root}");
    let mut attrs = Attributes::from_texts(&[
        (Field::Cn, &sam),
        (Field::UserPrincipalName, &upn),
        (Field::Description, &shared.service_account_description),
        (Field::SamAccountName, &sam),
    ]);
    attrs.set_user_account_control(Some(UAC_SERVICE_ACCOUNT));
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

#[cfg(test)]
mod tests {
    use super::super::{DirectorySpec, generate};
    use std::sync::Arc;

    /// A user's `manager` is its manager's own DN allocation, not a copy of the text.
    #[test]
    fn a_manager_shares_the_dn_of_the_user_it_names() {
        let d = generate(&DirectorySpec::large_customer(3_000, 5)).unwrap();
        let by_dn: std::collections::HashMap<&str, &upgrade_lab_model::Value> =
            d.objects.iter().map(|o| (&*o.dn, &o.dn)).collect();
        let mut managed = 0;
        for o in &d.objects {
            if let Some(m) = o.attrs.manager_value() {
                assert!(
                    Arc::ptr_eq(m, by_dn[&**m]),
                    "{} copies its manager's DN",
                    o.dn
                );
                managed += 1;
            }
        }
        assert!(managed > 2_000, "{managed} users with a manager");
    }
}
