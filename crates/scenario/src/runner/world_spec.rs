//! The generator's spec for a scenario's `[world]` keys: read by the runner when it builds the
//! world and by the validator (which checks the generator accepts it) alike. It imports neither
//! the loader nor the validator, so they can both use it without a circle.

use crate::format::WorldSection;
use upgrade_lab_simulator::generate::DirectorySpec;

/// The generator's spec for the `[world]` keys; unset keys keep the generator's defaults.
pub fn directory_spec(w: &WorldSection, seed: u64) -> DirectorySpec {
    let mut spec = DirectorySpec {
        seed: w.seed.unwrap_or(seed),
        ..DirectorySpec::default()
    };
    let get = |v: &Option<toml::Spanned<u32>>| v.as_ref().map(|s| *s.get_ref());
    if let Some(n) = get(&w.users) {
        spec.users = n;
    }
    if let Some(n) = get(&w.groups) {
        spec.groups = n;
    }
    if let Some(n) = get(&w.contacts) {
        spec.contacts = n;
    }
    if let Some(d) = &w.domains {
        spec.domains.clone_from(d.get_ref());
    }
    if let Some(n) = get(&w.ou_depth) {
        spec.ou_depth = n;
    }
    if let Some(n) = get(&w.ou_fan_out) {
        spec.ou_fan_out = n;
    }
    if let Some(n) = &w.disabled_per_mille {
        spec.disabled_per_mille = *n.get_ref();
    }
    spec.no_sync_users = w.no_sync_users.unwrap_or(spec.no_sync_users);
    spec.service_accounts = w.service_accounts.unwrap_or(spec.service_accounts);
    if let Some(g) = &w.group_shape {
        let s = &mut spec.group_shape;
        s.min_members = g.min_members.unwrap_or(s.min_members);
        s.mean_members = g.mean_members.unwrap_or(s.mean_members);
        s.max_members = g.max_members.unwrap_or(s.max_members);
        s.distribution_per_mille = g.distribution_per_mille.unwrap_or(s.distribution_per_mille);
        s.nesting_per_mille = g.nesting_per_mille.unwrap_or(s.nesting_per_mille);
        s.nesting_depth = g.nesting_depth.unwrap_or(s.nesting_depth);
    }
    if let Some(d) = &w.defects {
        spec.defects.duplicate_upns = d.duplicate_upns;
        spec.defects.duplicate_proxy_addresses = d.duplicate_proxy_addresses;
        spec.defects.invalid_upns = d.invalid_upns;
        spec.defects.oversized_groups = d.oversized_groups;
        spec.defects.too_many_proxy_addresses = d.too_many_proxy_addresses;
    }
    spec
}
