//! Helpers for the unit tests.

/// A seeded generator of numbers below a bound (a linear congruential
/// generator: the same seed, the same sequence, so a failure replays).
pub(crate) fn seeded(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |bound: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % bound
    }
}
