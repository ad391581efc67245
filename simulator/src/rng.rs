//! Seeded randomness. Every component draws from its own child stream derived from (world seed,
//! component name), so adding a component never shifts another's draws
//! (docs/decisions.md, "Seeds").
//! The generator is ChaCha8, a named algorithm whose output does not change between releases.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

/// The RNG type of the whole simulator.
pub type SimRng = ChaCha8Rng;

/// A child seed for `component`, mixed from the parent seed with FNV-1a and SplitMix64.
pub(crate) fn child_seed(seed: u64, component: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in component.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    splitmix64(seed ^ h)
}

/// How many cases a property test runs: `PROPTEST_CASES` when set (CI sets it), else
/// `default`. Every property test of the workspace reads its count here, so one variable
/// scales them all; an unparsable value is an error, not a silent default.
pub fn proptest_cases(default: u32) -> u32 {
    match std::env::var("PROPTEST_CASES") {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("PROPTEST_CASES={v:?} is not a number of cases")),
        Err(_) => default,
    }
}

/// The RNG of `component` under `seed`.
pub fn rng_for(seed: u64, component: &str) -> SimRng {
    SimRng::seed_from_u64(child_seed(seed, component))
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_stable_and_independent() {
        let a: u64 = rng_for(7, "generator").next_u64();
        assert_eq!(a, rng_for(7, "generator").next_u64());
        assert_ne!(a, rng_for(7, "churn").next_u64());
        assert_ne!(a, rng_for(8, "generator").next_u64());
        // Pinned: a change here changes every generated directory and must be deliberate.
        assert_eq!(child_seed(1, "generator"), 14_714_107_793_356_219_909);
    }
}
