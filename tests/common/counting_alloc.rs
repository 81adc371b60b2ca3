//! A global allocator that counts the bytes live on the heap, for the tests
//! that measure what a run holds. Each such test file is its own test binary
//! with a single test, so nothing else allocates meanwhile.

use kubesim::metrics::stream::StreamWriters;
use kubesim::scenario::decode::load_str;
use kubesim::sim::{simulate, simulate_streaming, RunOptions};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicIsize, Ordering};

pub struct Counting;
static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);
static PEAK_BYTES: AtomicIsize = AtomicIsize::new(0);

/// Bytes allocated and not yet freed.
pub fn live_bytes() -> isize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

/// The most bytes live at once since the last [`reset_peak`].
#[allow(dead_code)] // not every memory test looks at the peak
pub fn peak_bytes() -> isize {
    PEAK_BYTES.load(Ordering::Relaxed)
}

/// Starts measuring the peak from the bytes live now.
#[allow(dead_code)]
pub fn reset_peak() {
    PEAK_BYTES.store(live_bytes(), Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        PEAK_BYTES.fetch_max(live + layout.size() as isize, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let grow = new_size as isize - layout.size() as isize;
        let live = LIVE_BYTES.fetch_add(grow, Ordering::Relaxed);
        PEAK_BYTES.fetch_max(live + grow, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs the scenario in `yaml`, streamed or in memory, and returns the bytes
/// the finished run still holds and how many pods it created.
#[allow(dead_code)] // not every memory test runs an inline scenario
pub fn held_by_run(yaml: &str, streaming: bool) -> (isize, usize) {
    let s = load_str("memory.yaml", yaml, Path::new("."), "memory")
        .expect("valid")
        .scenario;
    let before = live_bytes();
    let report = if streaming {
        simulate_streaming(&s, s.seed, &RunOptions::default(), StreamWriters::discard())
    } else {
        simulate(&s, s.seed, &RunOptions::default())
    };
    let held = live_bytes() - before;
    let pods = report.state.pods().len();
    drop(report);
    (held, pods)
}
