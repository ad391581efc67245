//! Planting defects at exact counts on regular users: duplicate UPNs and proxyAddresses, UPNs
//! with refused characters, too many proxyAddresses, and `extensionAttribute15 = NoSync`.
//! Every planted user is distinct, so each defect is counted once by
//! `model::validate::find_defects`. Oversized groups are planted by the group plan.

use super::Shared;
use super::spec::TOO_MANY_PROXY_ADDRESSES;
use crate::rng::{SimRng, rng_for};
use rand::RngExt;
use rustc_hash::FxHashSet;
use upgrade_lab_model::DirectoryObject;
use upgrade_lab_model::attribute_flow::Field;

/// Characters Azure AD refuses in a UPN prefix, cycled through by the invalid-UPN defect.
const REFUSED_UPN_CHARACTERS: &[char] = &[' ', ',', '(', 'é', '*', '"'];

/// Plants the spec's user defects on `users` (regular users first, as generated).
pub(crate) fn plant(shared: &Shared, users: &mut [DirectoryObject]) {
    let spec = shared.spec;
    let d = &spec.defects;
    let mut rng = rng_for(spec.seed, "generate/defects");
    let wanted = 2 * d.duplicate_upns
        + 2 * d.duplicate_proxy_addresses
        + d.invalid_upns
        + d.too_many_proxy_addresses
        + spec.no_sync_users;
    let picks = distinct_picks(&mut rng, spec.regular_users() as usize, wanted);
    let mut next = picks.into_iter();
    let mut take = |count: u32| -> Vec<usize> { next.by_ref().take(count as usize).collect() };
    for pair in take(2 * d.duplicate_upns).chunks_exact(2) {
        let upn = users[pair[0]]
            .attrs
            .user_principal_name()
            .map(str::to_string);
        users[pair[1]]
            .attrs_mut()
            .set_text(Field::UserPrincipalName, upn.as_deref());
    }
    for pair in take(2 * d.duplicate_proxy_addresses).chunks_exact(2) {
        let shared_alias = users[pair[0]]
            .attrs
            .proxy_addresses()
            .last()
            .map(str::to_string);
        let attrs = users[pair[1]].attrs_mut();
        let mut proxies: Vec<String> = attrs.proxy_addresses().map(str::to_string).collect();
        proxies.extend(shared_alias);
        attrs.set_proxy_addresses(proxies);
    }
    for (k, u) in take(d.invalid_upns).into_iter().enumerate() {
        let attrs = users[u].attrs_mut();
        if let Some(upn) = attrs.user_principal_name() {
            let bad = REFUSED_UPN_CHARACTERS[k % REFUSED_UPN_CHARACTERS.len()];
            let broken = match upn.split_once('.') {
                Some((first, rest)) => format!("{first}{bad}{rest}"),
                None => format!("{bad}{upn}"),
            };
            attrs.set_text(Field::UserPrincipalName, Some(&broken));
        }
    }
    for u in take(d.too_many_proxy_addresses) {
        let attrs = users[u].attrs_mut();
        let Some((local, domain)) = attrs.primary_smtp().and_then(|p| p.split_once('@')) else {
            continue;
        };
        let mut proxies: Vec<String> = attrs.proxy_addresses().map(str::to_string).collect();
        let extra = TOO_MANY_PROXY_ADDRESSES.saturating_sub(proxies.len());
        // `.a{i}` gives a second dot, which no generated address has, so these never collide.
        proxies.extend((0..extra).map(|i| format!("smtp:{local}.a{i}@{domain}")));
        attrs.set_proxy_addresses(proxies);
    }
    for u in take(spec.no_sync_users) {
        users[u]
            .attrs_mut()
            .set_text(Field::Extension(15), Some(&shared.tables.no_sync));
    }
}

/// `count` distinct indices below `len` in a seeded order (Floyd's algorithm: no array of
/// `len` entries, one draw per pick). `count` must not exceed `len`.
pub(crate) fn distinct_picks(rng: &mut SimRng, len: usize, count: u32) -> Vec<usize> {
    let count = (count as usize).min(len);
    let mut seen: FxHashSet<usize> = FxHashSet::default();
    let mut order = Vec::with_capacity(count);
    for j in len - count..len {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "the draw is at most j, itself a usize"
        )]
        let t = rng.random_range(0..=j as u64) as usize;
        let chosen = if seen.contains(&t) { j } else { t };
        seen.insert(chosen);
        order.push(chosen);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_are_distinct_and_in_range() {
        let mut rng = rng_for(9, "t");
        for (len, count) in [(10usize, 10u32), (1_000, 37), (5, 0), (0, 0)] {
            let picks = distinct_picks(&mut rng, len, count);
            assert_eq!(picks.len(), count as usize);
            let set: FxHashSet<usize> = picks.iter().copied().collect();
            assert_eq!(set.len(), picks.len());
            assert!(picks.iter().all(|&p| p < len));
        }
    }
}
