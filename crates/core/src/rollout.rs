//! Staged rollout: a release may declare the share of desks that take it
//! (`"rollout": 10`, a percentage; `docs/manifest.md`). A desk's place for a
//! release is a number in [0, 100) drawn from a hash of the desk's id and the
//! release's id: stable, so a desk keeps its answer across reloads; its own
//! for each release, so one release's early desks are not always the next's;
//! and a desk takes the release when its place is below the percentage, so
//! raising the percentage never takes a desk out.
//!
//! A desk outside the share skips the release as if it were not yet
//! published, and never falls back onto it either: a release that fails on
//! the desks that have it must not reach the others through their fallbacks.
//! A pinned release is for every desk (the operator's pin overrides the
//! rollout).

use super::manifest::Release;

/// The desk's place for `release_id`, in [0, 100), to four decimals.
pub fn place(desk_id: &str, release_id: &str) -> f64 {
    // FNV-1a over both ids with a separator no id holds, then SplitMix64's
    // finalizer, so that ids differing in one character land far apart.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in desk_id.bytes().chain([0xff]).chain(release_id.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    (h % 1_000_000) as f64 / 10_000.0
}

/// Whether the desk `desk_id` takes `release`.
pub fn takes(desk_id: &str, release: &Release) -> bool {
    release.rollout.is_none_or(|share| place(desk_id, &release.id) < share)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_stable_spread_and_each_release_draws_its_own() {
        assert_eq!(place("agent-1", "2026.12.0"), place("agent-1", "2026.12.0"));
        assert_ne!(place("agent-1", "2026.12.0"), place("agent-1", "2026.12.1"));
        let below = (0..10_000).filter(|i| place(&format!("desk-{i}"), "2026.12.0") < 10.0).count();
        assert!((900..=1100).contains(&below), "{below} of 10,000 desks below 10");
    }
}
