//! A counting global allocator: the bytes each thread holds, and the most it held since it last
//! asked, so the harness can flag an input whose parse needs far more memory than its size.
//! A binary opts in with `#[global_allocator] static A: CountingAlloc = CountingAlloc;`.
//!
//! Above [`HARD_CAP`] bytes held by one armed thread the allocation fails (the process aborts
//! with Rust's "memory allocation failed" message) after this module has printed which input
//! it was, so a runaway parse cannot take the machine's memory with it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The most one armed parse may hold before its allocation is refused.
pub const HARD_CAP: usize = 1 << 30;

/// Counts every allocation of the process per thread; delegates to the system allocator.
pub struct CountingAlloc;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
    /// `Some(baseline)` while a parse runs on this thread.
    static ARMED_AT: Cell<Option<isize>> = const { Cell::new(None) };
}

static INSTALLED: AtomicBool = AtomicBool::new(false);
/// Which input is running, for the message printed when the hard cap strikes.
static CURRENT_TARGET: AtomicU64 = AtomicU64::new(0);
static CURRENT_EXEC: AtomicU64 = AtomicU64::new(0);
static CURRENT_SEED: AtomicU64 = AtomicU64::new(0);

/// Whether the counting allocator is the global allocator of this process.
pub fn is_installed() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}

/// Records which input runs next (target index, exec number, seed) for the hard-cap message.
pub fn note_current(target: u64, exec: u64, seed: u64) {
    CURRENT_TARGET.store(target, Ordering::Relaxed);
    CURRENT_EXEC.store(exec, Ordering::Relaxed);
    CURRENT_SEED.store(seed, Ordering::Relaxed);
}

/// Starts measuring this thread: the peak is reset to what it holds now.
pub fn arm() {
    let live = LIVE.try_with(Cell::get).unwrap_or(0);
    let _ = PEAK.try_with(|p| p.set(live));
    let _ = ARMED_AT.try_with(|a| a.set(Some(live)));
}

/// Stops measuring; returns the most this thread held above what it held at `arm`.
pub fn disarm() -> usize {
    let base = ARMED_AT
        .try_with(|a| a.replace(None))
        .ok()
        .flatten()
        .unwrap_or(0);
    let peak = PEAK.try_with(Cell::get).unwrap_or(0);
    usize::try_from(peak - base).unwrap_or(0)
}

fn grew(size: usize) -> bool {
    let size = isize::try_from(size).unwrap_or(isize::MAX);
    let live = LIVE
        .try_with(|l| {
            let v = l.get().saturating_add(size);
            l.set(v);
            v
        })
        .unwrap_or(0);
    let _ = PEAK.try_with(|p| {
        if live > p.get() {
            p.set(live);
        }
    });
    match ARMED_AT.try_with(Cell::get).ok().flatten() {
        Some(base) if live.saturating_sub(base) > HARD_CAP.cast_signed() => {
            report_hard_cap();
            false
        }
        _ => true,
    }
}

fn shrank(size: usize) {
    let size = isize::try_from(size).unwrap_or(isize::MAX);
    let _ = LIVE.try_with(|l| l.set(l.get().saturating_sub(size)));
}

/// Writes which input broke the cap, without allocating.
fn report_hard_cap() {
    let mut buf = [0u8; 256];
    let mut w = &mut buf[..];
    let _ = writeln!(
        w,
        "upgrade-lab-fuzz: exec {} (seed {}, target #{} of scenario, ldif, settings) exceeded \
         the {} MiB memory cap; replay it with `--seed {} --exec {}`",
        CURRENT_EXEC.load(Ordering::Relaxed),
        CURRENT_SEED.load(Ordering::Relaxed),
        CURRENT_TARGET.load(Ordering::Relaxed),
        HARD_CAP >> 20,
        CURRENT_SEED.load(Ordering::Relaxed),
        CURRENT_EXEC.load(Ordering::Relaxed),
    );
    let left = w.len();
    let used = buf.len() - left;
    let _ = std::io::stderr().write_all(&buf[..used]);
}

// SAFETY: every method delegates to `System` with the caller's layout; the counting around it
// touches only const-initialised thread-locals without destructors, which never allocate.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        INSTALLED.store(true, Ordering::Relaxed);
        if !grew(layout.size()) {
            shrank(layout.size());
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded unchanged.
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            shrank(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        INSTALLED.store(true, Ordering::Relaxed);
        if !grew(layout.size()) {
            shrank(layout.size());
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded unchanged.
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            shrank(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrank(layout.size());
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            if !grew(new_size - layout.size()) {
                shrank(new_size - layout.size());
                return std::ptr::null_mut();
            }
        } else {
            shrank(layout.size() - new_size);
        }
        // SAFETY: forwarded unchanged.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() && new_size > layout.size() {
            shrank(new_size - layout.size());
        }
        p
    }
}
