//! AD churn: adds, updates, deletes, moves and password changes at a rate over a period, drawn from
//! the world's seed (stream "churn"). The default mix follows the typical delta of
//! docs/real-systems.md, "Timing figures": about 1 % adds, 1 % deletes and 5 % modifies, i.e.
//! weights 1 : 1 : 5.
//!
//! It must not know servers or the tenant: it only calls AD's change API.

use crate::ad::ActiveDirectory;
use rand::RngExt;
use serde::Deserialize;

use std::sync::Arc;
use upgrade_lab_model::attribute_flow::Field;
use upgrade_lab_model::{
    Attributes, DirectoryObject, ObjectGuid, ObjectKind, SimDuration, SimTime, dn,
    object::UAC_NORMAL_ENABLED,
};

/// How much AD changes and how.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChurnSpec {
    /// Changes per simulated hour.
    pub changes_per_hour: u64,
    /// How long churn lasts.
    pub duration: SimDuration,
    /// Relative weights of each change kind.
    pub adds: u32,
    /// Relative weight of deletes.
    pub deletes: u32,
    /// Relative weight of attribute updates.
    pub updates: u32,
    /// Relative weight of moves to another OU.
    pub moves: u32,
    /// Relative weight of password changes (users only).
    pub password_changes: u32,
    /// Changes are applied in batches this far apart.
    pub batch_interval: SimDuration,
}

impl Default for ChurnSpec {
    fn default() -> Self {
        Self {
            changes_per_hour: 100,
            duration: SimDuration::from_hours(24),
            adds: 1,
            deletes: 1,
            updates: 5,
            moves: 0,
            password_changes: 1,
            batch_interval: SimDuration::from_mins(5),
        }
    }
}

/// Applies `count` changes drawn from `rng` at `now`. Returns how many were applied.
pub(crate) fn apply_batch(
    ad: &mut ActiveDirectory,
    spec: &ChurnSpec,
    rng: &mut crate::rng::SimRng,
    now: SimTime,
    count: u64,
    serial: &mut u64,
) -> u64 {
    let weights = [
        spec.adds,
        spec.deletes,
        spec.updates,
        spec.moves,
        spec.password_changes,
    ];
    let total: u32 = weights.iter().sum();
    if total == 0 {
        return 0;
    }
    let mut applied = 0;
    for _ in 0..count {
        let mut pick = rng.random_range(0..total);
        let mut kind = 0;
        while pick >= weights[kind] {
            pick -= weights[kind];
            kind += 1;
        }
        let target = pick_live(ad, rng);
        let ok = match (kind, target) {
            (0, Some(t)) => {
                *serial += 1;
                ad.add(now, new_user(ad, &t, rng, *serial)).is_ok()
            }
            (1, Some(t)) => ad.delete(now, &t.guid).is_ok(),
            (2, Some(t)) => {
                let title = format!("Title {}", rng.random_range(0..50u32));
                ad.update(now, &t.guid, |a| a.set_text(Field::Title, Some(&title)))
                    .is_ok()
            }
            (3, Some(t)) => {
                match pick_live(ad, rng).and_then(|o| dn::parent(&o.dn).map(str::to_string)) {
                    Some(parent) => ad.move_to(now, &t.guid, &parent).is_ok(),
                    None => false,
                }
            }
            (4, Some(t)) => ad.change_password(now, &t.guid).is_ok(),
            _ => false,
        };
        if ok {
            applied += 1;
        }
    }
    applied
}

/// A random live object (a few tries over slots; tombstones are skipped).
/// What `apply_exact` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ExactChurn {
    pub(crate) adds: u64,
    pub(crate) updates: u64,
    pub(crate) deletes: u64,
}

/// Exactly `adds` new users, `updates` value changes and `deletes` deletions, on distinct
/// objects that existed before the batch (fewer when AD holds fewer live objects): what a
/// scenario's churn step asks for, so that pending exports can be counted against it. Each update
/// writes a value the object never had (a user's or contact's `title`, a group's
/// `description`: attributes both products flow).
pub(crate) fn apply_exact(
    ad: &mut ActiveDirectory,
    rng: &mut crate::rng::SimRng,
    now: SimTime,
    wanted: ExactChurn,
    serial: &mut u64,
) -> ExactChurn {
    let targets = distinct_live(ad, rng, wanted.updates + wanted.deletes);
    let split = usize::try_from(wanted.updates).map_or(targets.len(), |u| u.min(targets.len()));
    let (to_update, to_delete) = targets.split_at(split);
    let mut done = ExactChurn::default();
    for t in to_update {
        *serial += 1;
        let value = format!("Changed {serial}");
        let ok = ad.update(now, &t.guid, |a| match t.kind {
            ObjectKind::Group => a.set_text(Field::Description, Some(&value)),
            _ => a.set_text(Field::Title, Some(&value)),
        });
        done.updates += u64::from(ok.is_ok());
    }
    for t in to_delete {
        done.deletes += u64::from(ad.delete(now, &t.guid).is_ok());
    }
    let Some(sibling) = pick_live(ad, rng) else {
        return done;
    };
    for _ in 0..wanted.adds {
        *serial += 1;
        done.adds += u64::from(ad.add(now, new_user(ad, &sibling, rng, *serial)).is_ok());
    }
    done
}

/// Up to `n` distinct live objects in random order (all of them when AD holds fewer).
fn distinct_live(
    ad: &ActiveDirectory,
    rng: &mut crate::rng::SimRng,
    n: u64,
) -> Vec<DirectoryObject> {
    let live: Vec<usize> = (0..ad.slot_count())
        .filter(|&i| ad.live_at(i).is_some())
        .collect();
    let n = usize::try_from(n).map_or(live.len(), |n| n.min(live.len()));
    let mut order = live;
    // A partial Fisher–Yates shuffle: the first `n` slots are a uniform sample.
    for i in 0..n {
        let j = rng.random_range(i..order.len());
        order.swap(i, j);
    }
    order[..n]
        .iter()
        .filter_map(|&i| ad.live_at(i).cloned())
        .collect()
}

fn pick_live(ad: &ActiveDirectory, rng: &mut crate::rng::SimRng) -> Option<DirectoryObject> {
    let slots = ad.slot_count();
    if slots == 0 {
        return None;
    }
    for _ in 0..32 {
        if let Some(o) = ad.live_at(rng.random_range(0..slots)) {
            return Some(o.clone());
        }
    }
    ad.live_objects().next().cloned()
}

fn new_user(
    ad: &ActiveDirectory,
    sibling: &DirectoryObject,
    rng: &mut crate::rng::SimRng,
    serial: u64,
) -> DirectoryObject {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes);
    let parent = dn::parent(&sibling.dn)
        .unwrap_or("DC=contoso,DC=com")
        .to_string();
    let name = format!("churn{serial:06}");
    let domain = dn::domain_of(&parent);
    let domain = if domain.is_empty() {
        ad.forest.to_string()
    } else {
        domain
    };
    let upn = format!("{name}@{domain}");
    let proxy = format!("SMTP:{upn}");
    let display = format!("Churn User {serial}");
    DirectoryObject {
        guid: ObjectGuid::from_bytes(bytes),
        kind: ObjectKind::User,
        dn: Arc::from(format!("CN={name},{parent}")),
        attrs: Arc::new({
            let mut a = Attributes::from_texts(&[
                (Field::Cn, &name),
                (Field::SamAccountName, &name),
                (Field::UserPrincipalName, &upn),
                (Field::Mail, &upn),
                (Field::ProxyAddresses, &proxy),
                (Field::DisplayName, &display),
            ]);
            a.set_user_account_control(Some(UAC_NORMAL_ENABLED));
            a
        }),
        usn_changed: 0,
        when_changed_ms: 0,
    }
}
