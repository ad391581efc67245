//! Mail-enabled contacts (partners and suppliers), so the default scope rule "contacts must be
//! mail-enabled" keeps them. Numbered after the users and groups, so their common names never
//! collide with a user's in the same OU.

use super::users::{USER_CHUNK, pick};
use super::{Shared, USN_BASE, random_guid};
use crate::rng::rng_for;
use std::sync::Arc;
use upgrade_lab_model::attribute_flow::Field;
use upgrade_lab_model::{Attributes, DirectoryObject, ObjectKind, TextBuilder, Value};

/// Contacts per chunk (the users' chunk size). Fixed: changing it changes every directory.
pub(crate) const CONTACT_CHUNK: u32 = USER_CHUNK;

/// The contacts of chunk `chunk`, in index order.
pub(crate) fn contact_chunk(shared: &Shared, chunk: u32) -> Vec<DirectoryObject> {
    let spec = shared.spec;
    let t = shared.tables;
    let start = chunk * CONTACT_CHUNK;
    let end = spec.contacts.min(start + CONTACT_CHUNK);
    let mut rng = rng_for(spec.seed, &format!("contacts/{chunk}"));
    let mut texts = TextBuilder::default();
    (start..end)
        .map(|c| {
            let n = spec.users + spec.groups + c;
            let first = &t.first_names[pick(&mut rng, t.first_names.len())];
            let last = &t.last_names[pick(&mut rng, t.last_names.len())];
            let partner = &t.partner_domains[pick(&mut rng, t.partner_domains.len())];
            let container =
                &shared.layout.containers[pick(&mut rng, shared.layout.containers.len())];
            let dn: Value = Arc::from(format!(
                "CN={} {}{n},{}",
                first.escaped, last.escaped, container.dn
            ));
            let mail = format!("{}.{}{n}@{partner}", first.slug, last.slug);
            let city = &t.cities[pick(&mut rng, t.cities.len())];
            texts
                .set_fmt(Field::Cn, format_args!("{} {}{n}", first.shown, last.shown))
                .set_fmt(Field::ProxyAddresses, format_args!("SMTP:{mail}"))
                .set(Field::Mail, &mail)
                .set_fmt(
                    Field::DisplayName,
                    format_args!("{} {}", first.shown, last.shown),
                )
                .set(Field::GivenName, &first.shown)
                .set(Field::Sn, &last.shown)
                .set(Field::City, city);
            let attrs = Attributes {
                texts: texts.finish(),
                ..Attributes::default()
            };
            DirectoryObject {
                guid: random_guid(&mut rng),
                kind: ObjectKind::Contact,
                dn,
                attrs: Arc::new(attrs),
                usn_changed: USN_BASE + u64::from(n),
                when_changed_ms: 0,
            }
        })
        .collect()
}
