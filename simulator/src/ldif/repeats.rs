//! The keys that occur more than once among many sorted lists (one per part of a file: DN
//! hashes, objectGUIDs, the hashes of UPNs and proxy addresses), found on all cores: each
//! part sorts its own list where it is read, and here the keys are split by their top bits
//! into buckets, each bucket's keys from all lists sorted together on one core (a few
//! thousand keys that stay in its cache) instead of all keys in one sort after the parts.

use rayon::prelude::*;

/// Buckets by the top bits of a key: 64.
const BUCKET_BITS: u32 = 6;

/// A key the lists hold, ordered so that its bucket (its top bits) never falls as it rises.
pub(super) trait Key: Copy + Ord + Send + Sync {
    /// The key's top `BUCKET_BITS` bits.
    fn bucket(self) -> usize;
}

impl Key for u64 {
    fn bucket(self) -> usize {
        usize::try_from(self >> (u64::BITS - BUCKET_BITS)).unwrap_or(0)
    }
}

impl Key for u128 {
    fn bucket(self) -> usize {
        usize::try_from(self >> (u128::BITS - BUCKET_BITS)).unwrap_or(0)
    }
}

/// The keys that occur more than once among `lists` (each sorted ascending), in ascending
/// order, each once.
pub(super) fn repeated<K: Key>(lists: &[&[K]]) -> Vec<K> {
    let buckets: Vec<Vec<K>> = (0..1usize << BUCKET_BITS)
        .into_par_iter()
        .map(|b| {
            let slices: Vec<&[K]> = lists.iter().map(|list| in_bucket(list, b)).collect();
            let mut keys: Vec<K> = Vec::with_capacity(slices.iter().map(|s| s.len()).sum());
            for slice in slices {
                keys.extend_from_slice(slice);
            }
            keys.sort_unstable();
            keys.chunk_by(|x, y| x == y)
                .filter(|run| run.len() > 1)
                .map(|run| run[0])
                .collect()
        })
        .collect();
    buckets.concat()
}

/// The keys of sorted `list` in bucket `b`.
fn in_bucket<K: Key>(list: &[K], b: usize) -> &[K] {
    let start = list.partition_point(|k| k.bucket() < b);
    let end = start + list[start..].partition_point(|k| k.bucket() <= b);
    &list[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::proptest_cases;
    use proptest::prelude::*;

    /// Repeats found by one sort of all keys.
    fn by_one_sort<K: Key>(lists: &[Vec<K>]) -> Vec<K> {
        let mut all: Vec<K> = lists.concat();
        all.sort_unstable();
        let mut out: Vec<K> = all
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        out.dedup();
        out
    }

    fn sorted<K: Key>(mut lists: Vec<Vec<K>>) -> Vec<Vec<K>> {
        for list in &mut lists {
            list.sort_unstable();
        }
        lists
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(proptest_cases(256)))]

        /// Keys anywhere in the range (so in every bucket and at bucket edges), few enough
        /// distinct ones that they repeat within and across lists.
        #[test]
        fn repeats_are_those_one_sort_finds(
            lists in prop::collection::vec(
                prop::collection::vec((0u64..64, 0u64..4).prop_map(|(top, low)| {
                    (top << 58) | low | if low == 3 { (1 << 58) - 1 } else { 0 }
                }), 0..40),
                0..12,
            ),
        ) {
            let lists = sorted(lists);
            let refs: Vec<&[u64]> = lists.iter().map(Vec::as_slice).collect();
            prop_assert_eq!(repeated(&refs), by_one_sort(&lists));
        }

        #[test]
        fn repeats_of_wide_keys_are_those_one_sort_finds(
            lists in prop::collection::vec(
                prop::collection::vec((0u128..64, 0u128..3).prop_map(|(top, low)| (top << 122) | low), 0..30),
                0..8,
            ),
        ) {
            let lists = sorted(lists);
            let refs: Vec<&[u128]> = lists.iter().map(Vec::as_slice).collect();
            prop_assert_eq!(repeated(&refs), by_one_sort(&lists));
        }
    }

    #[test]
    fn a_key_in_two_lists_or_twice_in_one_repeats() {
        let a = [1u64, 5, u64::MAX];
        let b = [2u64, 5, 7, 7];
        assert_eq!(repeated(&[&a[..], &b[..]]), vec![5, 7]);
        assert_eq!(repeated(&[&a[..], &[u64::MAX][..]]), vec![u64::MAX]);
        assert!(repeated::<u64>(&[&a[..], &[3][..]]).is_empty());
        assert!(repeated::<u64>(&[]).is_empty());
    }
}
