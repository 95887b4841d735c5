//! What the benches share: a counting allocator over tdkt's own (mimalloc),
//! so a report can tell live heap from what the allocator keeps, and the
//! process's peak resident memory.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: forwards every call to mimalloc (tdkt's allocator) unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let moved = unsafe { mimalloc::MiMalloc.realloc(ptr, layout, size) };
        if !moved.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(size);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Heap bytes live now.
pub fn live_heap() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// The most heap bytes live at once since [`reset_peak_heap`].
pub fn peak_heap() -> usize {
    PEAK.load(Ordering::Relaxed)
}

pub fn reset_peak_heap() {
    PEAK.store(live_heap(), Ordering::Relaxed);
}

pub fn mib(bytes: usize) -> f64 {
    bytes as f64 / 1048576.0
}

/// Peak resident memory of this process so far, in MiB (Linux).
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The process set up as `tdkt`'s `main` sets itself up (transparent huge
/// pages off), so that what is measured in-process is what the binary does.
pub fn as_the_binary_runs() {
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}
