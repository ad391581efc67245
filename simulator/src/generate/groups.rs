//! Groups: security and distribution, with user members and nested groups. Built in three
//! passes: a sequential plan of nesting and oversized groups (cheap, one RNG), then group
//! identities in parallel chunks, then members in parallel chunks. Member values are clones of
//! the members' own DN `Arc`s, never new text.

use super::users::pick;
use super::{Shared, USN_BASE, concat, fill, random_guid};
use crate::rng::{SimRng, rng_for};
use rand::RngExt;
use rayon::prelude::*;
use std::sync::Arc;
use upgrade_lab_model::attribute_flow::Field;
use upgrade_lab_model::constants::GROUP_MEMBER_LIMIT;
use upgrade_lab_model::{Attributes, DirectoryObject, ObjectKind, TextBuilder, Value};

/// Groups per chunk. Fixed: changing it changes every generated directory.
pub(crate) const GROUP_CHUNK: u32 = 4_096;
/// `groupType` of a global security group.
pub(crate) const GROUP_TYPE_GLOBAL_SECURITY: i32 = -2_147_483_646;
/// `groupType` of a universal distribution group.
pub(crate) const GROUP_TYPE_UNIVERSAL_DISTRIBUTION: i32 = 8;
/// Extra members an oversized group gets above the limit, at most.
const OVERSIZE_EXTRA_MAX: u32 = 100;

/// Which group is nested in which, and which groups are planted oversized.
pub(crate) struct GroupPlan {
    /// Child groups of each group, as offsets into `children` (CSR layout: one allocation).
    child_offsets: Vec<u32>,
    children: Vec<u32>,
    oversized: Vec<bool>,
}

impl GroupPlan {
    pub fn build(shared: &Shared) -> Self {
        let spec = shared.spec;
        let shape = &spec.group_shape;
        let count = spec.groups as usize;
        let mut rng = rng_for(spec.seed, "generate/groups/plan");
        let mut parent = vec![u32::MAX; count];
        let mut level = vec![0u32; count];
        let mut eligible: Vec<u32> = Vec::new();
        for g in 0..count {
            let nested = shape.nesting_depth > 0
                && !eligible.is_empty()
                && rng.random_range(0..1000u32) < u32::from(shape.nesting_per_mille);
            if nested {
                let p = eligible[pick(&mut rng, eligible.len())];
                parent[g] = p;
                level[g] = level[p as usize] + 1;
            }
            if level[g] < shape.nesting_depth {
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "group indices are below the spec's group count, a u32"
                )]
                eligible.push(g as u32);
            }
        }
        let mut child_offsets = vec![0u32; count + 1];
        for &p in parent.iter().filter(|p| **p != u32::MAX) {
            child_offsets[p as usize + 1] += 1;
        }
        for i in 0..count {
            child_offsets[i + 1] += child_offsets[i];
        }
        let mut fill = child_offsets.clone();
        let mut children = vec![0u32; child_offsets[count] as usize];
        for (g, &p) in parent.iter().enumerate() {
            if p != u32::MAX {
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "group indices are below the spec's group count, a u32"
                )]
                let g = g as u32;
                children[fill[p as usize] as usize] = g;
                fill[p as usize] += 1;
            }
        }
        let mut oversized = vec![false; count];
        for g in super::defects::distinct_picks(&mut rng, count, spec.defects.oversized_groups) {
            oversized[g] = true;
        }
        Self {
            child_offsets,
            children,
            oversized,
        }
    }

    fn children_of(&self, g: usize) -> &[u32] {
        &self.children[self.child_offsets[g] as usize..self.child_offsets[g + 1] as usize]
    }
}

/// All groups, in index order. `users` are the directory's users (regular ones first).
pub(crate) fn groups(
    shared: &Shared,
    users: &[DirectoryObject],
    report: &(dyn Fn(u64) + Sync),
) -> Vec<DirectoryObject> {
    let spec = shared.spec;
    let plan = GroupPlan::build(shared);
    let chunks = spec.groups.div_ceil(GROUP_CHUNK);
    let heads: Vec<Vec<(DirectoryObject, Attributes)>> = (0..chunks)
        .into_par_iter()
        .map(|chunk| group_heads(shared, chunk))
        .collect();
    let dns: Vec<Value> = heads.iter().flatten().map(|(o, _)| o.dn.clone()).collect();
    let regular = &users[..spec.regular_users() as usize];
    // Members chunk by chunk, each chunk's groups finished where they were made.
    let parts: Vec<Vec<DirectoryObject>> = heads
        .into_par_iter()
        .enumerate()
        .map(|(chunk, heads)| {
            let mut rng = rng_for(spec.seed, &format!("group-members/{chunk}"));
            let done = heads.len() as u64;
            let part = heads
                .into_iter()
                .enumerate()
                .map(|(i, (mut object, mut attrs))| {
                    let g = chunk * GROUP_CHUNK as usize + i;
                    attrs.member = members(shared, &plan, g, &mut rng, regular, &dns);
                    object.attrs = Arc::new(attrs);
                    object
                })
                .collect();
            report(done);
            part
        })
        .collect();
    let mut all = Vec::with_capacity(dns.len());
    for part in parts {
        all.extend(part);
    }
    all
}

/// Names, kind and placement of the groups of one chunk; members come later.
fn group_heads(shared: &Shared, chunk: u32) -> Vec<(DirectoryObject, Attributes)> {
    let spec = shared.spec;
    let t = shared.tables;
    let start = chunk * GROUP_CHUNK;
    let end = spec.groups.min(start + GROUP_CHUNK);
    let mut rng = rng_for(spec.seed, &format!("groups/{chunk}"));
    let mut texts = TextBuilder::default();
    // Reused from group to group: the texts are written here, then copied once.
    let [
        mut dn_buf,
        mut cn_buf,
        mut sam_buf,
        mut mail_buf,
        mut digits,
    ] = std::array::from_fn::<String, 5, _>(|_| String::new());
    (start..end)
        .map(|g| {
            let department = &t.departments[pick(&mut rng, t.departments.len())];
            let purpose = &t.group_purposes[pick(&mut rng, t.group_purposes.len())];
            let container =
                &shared.layout.containers[pick(&mut rng, shared.layout.containers.len())];
            let domain = &shared.layout.domains[container.domain].dns_name;
            let distribution =
                rng.random_range(0..1000u32) < u32::from(spec.group_shape.distribution_per_mille);
            let n = spec.users + g;
            let number = super::decimal(&mut digits, n);
            let cn = fill(
                &mut cn_buf,
                &[&department.shown, " ", &purpose.shown, " ", number],
            );
            let dn = concat(
                &mut dn_buf,
                &[
                    "CN=",
                    &department.escaped,
                    " ",
                    &purpose.escaped,
                    " ",
                    number,
                    ",",
                    &container.dn,
                ],
            );
            let sam = fill(
                &mut sam_buf,
                &[&department.slug, "-", &purpose.slug, "-", number],
            );
            let texts = &mut texts;
            texts
                .set(Field::Cn, cn)
                .set(Field::DisplayName, cn)
                .set(Field::Department, &department.shown);
            if distribution {
                let mail = fill(&mut mail_buf, &[sam, "@", domain]);
                texts
                    .set_fmt(Field::ProxyAddresses, format_args!("SMTP:{mail}"))
                    .set(Field::Mail, mail);
            }
            texts.set(Field::SamAccountName, sam);
            let mut attrs = Attributes::with_texts(texts.finish());
            attrs.set_group_type(Some(if distribution {
                GROUP_TYPE_UNIVERSAL_DISTRIBUTION
            } else {
                GROUP_TYPE_GLOBAL_SECURITY
            }));
            let object = DirectoryObject {
                guid: random_guid(&mut rng),
                kind: ObjectKind::Group,
                dn,
                attrs: Arc::default(),
                usn_changed: USN_BASE + u64::from(n),
                when_changed_ms: 0,
            };
            (object, attrs)
        })
        .collect()
}

/// The `member` values of group `g`: distinct users (evenly strided through the users from a
/// random start, which needs no set to stay distinct) followed by its nested groups.
fn members(
    shared: &Shared,
    plan: &GroupPlan,
    g: usize,
    rng: &mut SimRng,
    regular: &[DirectoryObject],
    group_dns: &[Value],
) -> Box<[Value]> {
    let shape = &shared.spec.group_shape;
    let children = plan.children_of(g);
    #[expect(
        clippy::cast_possible_truncation,
        reason = "GROUP_MEMBER_LIMIT is 50,000 and a group has fewer child groups than the spec's u32 group count"
    )]
    let wanted = if plan.oversized[g] {
        GROUP_MEMBER_LIMIT as u32 + 1 + rng.random_range(0..OVERSIZE_EXTRA_MAX)
    } else {
        // Regular groups stay under the member limit (fewer than its members are exported).
        let room = (GROUP_MEMBER_LIMIT as u32 - 1).saturating_sub(children.len() as u32);
        sample_size(
            rng,
            shape.min_members,
            shape.mean_members,
            shape.max_members,
        )
        .min(room)
    };
    let available = regular.len() as u64;
    let count = u64::from(wanted).min(available);
    #[expect(
        clippy::cast_possible_truncation,
        reason = "count is at most regular.len(), a usize"
    )]
    let mut out: Vec<Value> = Vec::with_capacity(count as usize + children.len());
    if count > 0 {
        let start = rng.random_range(0..available);
        let stride = coprime_stride(rng, available);
        for i in 0..count {
            let index = (start + i * stride) % available;
            #[expect(
                clippy::cast_possible_truncation,
                reason = "index is below regular.len(), a usize"
            )]
            out.push(regular[index as usize].dn.clone());
        }
    }
    out.extend(children.iter().map(|&c| group_dns[c as usize].clone()));
    out.into_boxed_slice()
}

/// A group size between `min` and `max` with mean `mean`: a mix of a uniform draw in
/// `min..=mean` and one in `mean..=max`, weighted so the mean is exact. Integer only, so every
/// machine draws the same; most groups come out small and a few large, as in real directories.
pub(crate) fn sample_size(rng: &mut SimRng, min: u32, mean: u32, max: u32) -> u32 {
    if max <= min {
        return min;
    }
    let large_ppm = u64::from(mean - min) * 1_000_000 / u64::from(max - min);
    if rng.random_range(0..1_000_000u64) < large_ppm {
        rng.random_range(mean..=max)
    } else {
        rng.random_range(min..=mean)
    }
}

/// A step in `1..modulus` sharing no factor with `modulus`, so `start + i * step` visits
/// `modulus` distinct residues before repeating.
fn coprime_stride(rng: &mut SimRng, modulus: u64) -> u64 {
    if modulus <= 2 {
        return 1;
    }
    let mut step = rng.random_range(1..modulus);
    while gcd(step, modulus) != 1 {
        step = step % (modulus - 1) + 1;
    }
    step
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_sizes_stay_in_bounds_and_average_to_the_mean() {
        let mut rng = rng_for(3, "t");
        let draws: Vec<u32> = (0..200_000)
            .map(|_| sample_size(&mut rng, 1, 12, 2_000))
            .collect();
        assert!(draws.iter().all(|d| (1..=2_000).contains(d)));
        let mean = draws.iter().map(|&d| u64::from(d)).sum::<u64>() / draws.len() as u64;
        assert!((10..=14).contains(&mean), "mean {mean}");
        assert_eq!(sample_size(&mut rng, 5, 5, 5), 5);
    }

    #[test]
    fn a_coprime_stride_visits_distinct_members() {
        let mut rng = rng_for(4, "t");
        for modulus in [1u64, 2, 3, 12, 97, 1_000] {
            let step = coprime_stride(&mut rng, modulus);
            let mut seen: Vec<u64> = (0..modulus).map(|i| (7 + i * step) % modulus).collect();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len() as u64, modulus);
        }
    }
}
