//! Mail-enabled contacts (partners and suppliers), so the default scope rule "contacts must be
//! mail-enabled" keeps them. Numbered after the users and groups, so their common names never
//! collide with a user's in the same OU.

use super::users::{USER_CHUNK, pick};
use super::{Shared, USN_BASE, concat, random_guid};
use crate::rng::rng_for;
use std::sync::Arc;
use upgrade_lab_model::{Attributes, DirectoryObject, ObjectKind};

/// Contacts per chunk (the users' chunk size). Fixed: changing it changes every directory.
pub(crate) const CONTACT_CHUNK: u32 = USER_CHUNK;

/// The contacts of chunk `chunk`, in index order.
pub(crate) fn contact_chunk(shared: &Shared, chunk: u32) -> Vec<DirectoryObject> {
    let spec = shared.spec;
    let t = shared.tables;
    let start = chunk * CONTACT_CHUNK;
    let end = spec.contacts.min(start + CONTACT_CHUNK);
    let mut rng = rng_for(spec.seed, &format!("contacts/{chunk}"));
    let (mut buf, mut digits) = (String::with_capacity(128), String::new());
    (start..end)
        .map(|c| {
            let index = spec.users + spec.groups + c;
            let first = &t.first_names[pick(&mut rng, t.first_names.len())];
            let last = &t.last_names[pick(&mut rng, t.last_names.len())];
            let partner = &t.partner_domains[pick(&mut rng, t.partner_domains.len())];
            let container =
                &shared.layout.containers[pick(&mut rng, shared.layout.containers.len())];
            // The number's text from here on: every value below writes it as it is.
            let n = super::decimal(&mut digits, index);
            let dn = concat(
                &mut buf,
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
            let mail = concat(&mut buf, &[&first.slug, ".", &last.slug, n, "@", partner]);
            let attrs = Attributes {
                cn: Some(Arc::from(format!("{} {}{n}", first.shown, last.shown))),
                proxy_addresses: Box::new([Arc::from(format!("SMTP:{mail}"))]),
                mail: Some(mail),
                display_name: Some(Arc::from(format!("{} {}", first.shown, last.shown))),
                given_name: Some(first.shown.clone()),
                sn: Some(last.shown.clone()),
                city: Some(t.cities[pick(&mut rng, t.cities.len())].clone()),
                ..Attributes::default()
            };
            DirectoryObject {
                guid: random_guid(&mut rng),
                kind: ObjectKind::Contact,
                dn,
                attrs: Arc::new(attrs),
                usn_changed: USN_BASE + u64::from(index),
                when_changed_ms: 0,
            }
        })
        .collect()
}
