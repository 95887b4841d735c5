//! Memory handed back to the system between stages.

/// Hands the memory freed on every thread back to the system. The binary
/// allocates with mimalloc, which keeps a thread's freed pages for that
/// thread (and those of threads that have ended, until some thread claims
/// them): without this, what one stage freed stays resident beside the
/// next stage's working set (at 80,000 proposals, the records set aside
/// before render and render's own pages after it, some 150 MiB each).
/// With another allocator (tests, benches) it finds nothing to do.
pub fn give_back_freed() {
    // SAFETY: mi_collect has no preconditions; any thread may call it at
    // any time.
    rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
    unsafe { libmimalloc_sys::mi_collect(true) };
    trim_c_heap();
}

/// SQLite allocates with the C library's malloc, which keeps what it freed
/// (a list's text, some megabytes, per statement) in its heap.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim_c_heap() {
    unsafe extern "C" {
        fn malloc_trim(pad: usize) -> i32;
    }
    // SAFETY: malloc_trim only returns free memory of glibc's heaps to the
    // system; it is thread-safe and has no preconditions.
    unsafe { malloc_trim(0) };
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim_c_heap() {}

/// What `make` returns, made on a thread of its own: mimalloc gives each
/// thread its own heap, so a copy made there lies on fresh pages rather
/// than in the holes of pages the earlier stages left. The few megabytes
/// that live through render (the lists' counts and tallies, the
/// submissions' names and files, the quotas) were made among a hundred
/// megabytes of records since freed; copied so, and the originals dropped,
/// those pages can go back to the system (at 80,000 proposals, some 30 MiB
/// that render's own pages would otherwise be added to). Made where it is
/// called when no thread can be started.
pub fn on_fresh_pages<T: Send>(make: impl Fn() -> T + Sync) -> T {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("tdkt-fresh-pages".into())
            .spawn_scoped(scope, &make)
            .ok()
            .and_then(|thread| thread.join().ok())
    })
    .unwrap_or_else(make)
}
