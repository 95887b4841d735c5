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

/// The files below `dir`, relative to it, in order.
pub(crate) fn files_below(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| Some(e.path().strip_prefix(dir).ok()?.to_path_buf()))
        .collect();
    files.sort();
    files
}
