//! Mail-enabled contacts (partners and suppliers), so the default scope rule "contacts must be
//! mail-enabled" keeps them. Numbered after the users and groups, so their common names never
//! collide with a user's in the same OU.

use super::users::{USER_CHUNK, pick};
use super::{Shared, USN_BASE, concat, fill, random_guid};
use crate::rng::rng_for;
use std::sync::Arc;
use upgrade_lab_model::attribute_flow::Field;
use upgrade_lab_model::{Attributes, DirectoryObject, ObjectKind, TextBuilder};

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
    // Reused from contact to contact: the texts are written here, then copied once.
    let (mut dn_buf, mut mail_buf, mut digits) = (String::new(), String::new(), String::new());
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
                &mut dn_buf,
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
            let mail = fill(
                &mut mail_buf,
                &[&first.slug, ".", &last.slug, n, "@", partner],
            );
            let city = &t.cities[pick(&mut rng, t.cities.len())];
            texts
                .set_fmt(Field::Cn, format_args!("{} {}{n}", first.shown, last.shown))
                .set_fmt(Field::ProxyAddresses, format_args!("SMTP:{mail}"))
                .set(Field::Mail, mail)
                .set_fmt(
                    Field::DisplayName,
                    format_args!("{} {}", first.shown, last.shown),
                )
                .set(Field::GivenName, &first.shown)
                .set(Field::Sn, &last.shown)
                .set(Field::City, city);
            let attrs = Attributes::with_texts(texts.finish());
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
