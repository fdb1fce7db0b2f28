//! Per-thread allocation accounting, for heap budgets and peak figures.
//!
//! A run executes on one thread and its values are owned boxes, so the bytes
//! a run holds are the bytes its thread allocated and has not freed. The
//! counting allocator ([`CountingAlloc`], installed as the global allocator
//! by the `counting-allocator` feature, on by default) keeps three counters
//! per thread: live bytes, the peak since the last reset, and a limit. When
//! an allocation takes live bytes past the limit it marks the thread over
//! budget (sticky, so a run cannot escape by freeing before the VM looks)
//! and pokes the VM's fuel cell so that the next backward jump or call
//! checks its limits. The allocation itself still succeeds: failing it would
//! abort the process, and the VM stops the run moments later.
//!
//! Underneath is mimalloc, not the system allocator: the collector frees
//! the boxes of a whole nursery of dead objects in a burst, and glibc's
//! allocator answers the next large request by folding all those small
//! chunks together first (`malloc_consolidate`: single stalls of 180 ms
//! were seen in the GC benchmarks). mimalloc frees into per-page lists.
//!
//! Frees on another thread than the allocating one skew both threads'
//! figures; a run's values never leave its thread.

use std::alloc::{GlobalAlloc, Layout};

use mimalloc::MiMalloc as System;
use std::cell::Cell;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
    static LIMIT: Cell<isize> = const { Cell::new(isize::MAX) };
    static EXCEEDED: Cell<bool> = const { Cell::new(false) };
    static PAUSED: Cell<bool> = const { Cell::new(false) };
    /// Allocations made and bytes they asked for (never decreases).
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
    static ALLOC_BYTES: Cell<u64> = const { Cell::new(0) };
    /// The running VM's fuel: set to 1 when the limit is passed.
    static FUEL: Cell<*const Cell<u32>> = const { Cell::new(std::ptr::null()) };
    /// The run this thread works for, when a run has several threads
    /// ([`RunAccount`]), and the bytes not yet added to it.
    static ACCOUNT: Cell<*const RunAccount> = const { Cell::new(std::ptr::null()) };
    static PENDING: Cell<isize> = const { Cell::new(0) };
}

/// How far a thread's unreported bytes may drift before it adds them to
/// its run's account: the account's figures are exact to within this
/// much per thread.
const FLUSH_EVERY: isize = 64 << 10;

/// The bytes a run with several threads holds (tasks on the scheduler's
/// workers): each thread adds what it allocates and frees, in batches of
/// up to [`FLUSH_EVERY`], so a value allocated by one task and freed by
/// another after a channel carried it nets out — per-thread counters alone
/// would see a producer's thread grow without end and its consumer's go
/// negative.
#[derive(Debug)]
pub struct RunAccount {
    live: std::sync::atomic::AtomicIsize,
    peak: std::sync::atomic::AtomicIsize,
    limit: isize,
    exceeded: std::sync::atomic::AtomicBool,
}

impl RunAccount {
    /// An account with `limit` bytes (none: only counting).
    pub fn new(limit: Option<usize>) -> RunAccount {
        RunAccount {
            live: std::sync::atomic::AtomicIsize::new(0),
            peak: std::sync::atomic::AtomicIsize::new(0),
            limit: limit.map_or(isize::MAX, |l| isize::try_from(l).unwrap_or(isize::MAX)),
            exceeded: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Whether the run went past its limit at any moment (sticky).
    pub fn exceeded(&self) -> bool {
        self.exceeded.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The most bytes the run held at once (as reported so far).
    pub fn peak(&self) -> usize {
        usize::try_from(self.peak.load(std::sync::atomic::Ordering::Relaxed)).unwrap_or(0)
    }

    fn add(&self, delta: isize) {
        use std::sync::atomic::Ordering::Relaxed;
        let live = self.live.fetch_add(delta, Relaxed).saturating_add(delta);
        self.peak.fetch_max(live, Relaxed);
        if live > self.limit && !self.exceeded.swap(true, Relaxed) {
            let fuel = FUEL.get();
            if !fuel.is_null() {
                // SAFETY: as in `add` below: `FUEL` points at the running
                // VM's fuel cell on this thread, or is null.
                unsafe { (*fuel).set(1) };
            }
        }
    }
}

/// This thread works for `account` until the guard drops: what it
/// allocates and frees from now on is the run's.
#[derive(Debug)]
pub struct AccountGuard {
    saved: *const RunAccount,
    saved_pending: isize,
}

/// Joins this thread to `account` (which must outlive the guard).
pub fn join_account(account: &RunAccount) -> AccountGuard {
    let guard = AccountGuard {
        saved: ACCOUNT.get(),
        saved_pending: PENDING.replace(0),
    };
    ACCOUNT.set(std::ptr::from_ref(account));
    guard
}

impl Drop for AccountGuard {
    fn drop(&mut self) {
        flush_pending();
        ACCOUNT.set(self.saved);
        PENDING.set(self.saved_pending);
    }
}

/// Adds this thread's unreported bytes to its run's account.
fn flush_pending() {
    let account = ACCOUNT.get();
    let pending = PENDING.replace(0);
    if !account.is_null() && pending != 0 {
        // SAFETY: `ACCOUNT` is set only by `join_account`, whose guard
        // resets it before the account can go (the caller's promise).
        unsafe { (*account).add(pending) };
    }
}

/// Points the budget's poke at the fuel of the VM this thread runs now
/// (the scheduler switching tasks); the cell must stay valid until the
/// next call, or null.
pub fn set_fuel(fuel: *const Cell<u32>) {
    FUEL.set(fuel);
}

fn add_to_account(delta: isize) {
    if ACCOUNT.get().is_null() {
        return;
    }
    let pending = PENDING.get().saturating_add(delta);
    PENDING.set(pending);
    if !(-FLUSH_EVERY..=FLUSH_EVERY).contains(&pending) {
        flush_pending();
    }
}

/// Whether this build counts allocations (the global allocator is
/// [`CountingAlloc`]). Without it there is nothing to enforce a heap
/// budget with.
pub const ENABLED: bool = cfg!(feature = "counting-allocator");

/// mimalloc plus this thread's byte counters.
#[derive(Debug, Default, Clone, Copy)]
pub struct CountingAlloc;

fn add(bytes: usize) {
    // `try_with`: the thread's locals may already be gone while it exits.
    let _ = PAUSED.try_with(|paused| {
        if paused.get() {
            return;
        }
        let delta = isize::try_from(bytes).unwrap_or(isize::MAX);
        add_to_account(delta);
        let live = LIVE.get().saturating_add(delta);
        LIVE.set(live);
        if live > PEAK.get() {
            PEAK.set(live);
        }
        if live > LIMIT.get() && !EXCEEDED.get() {
            EXCEEDED.set(true);
            let fuel = FUEL.get();
            if !fuel.is_null() {
                // SAFETY: `FUEL` is only set by `BudgetGuard::new` to a cell
                // that outlives the guard, and the guard clears it on drop;
                // the cell belongs to this thread (thread-local storage).
                unsafe { (*fuel).set(1) };
            }
        }
    });
}

/// Gives this thread's freed memory back to the operating system, and
/// takes over what exited threads left: mimalloc keeps freed pages in the
/// heap of the thread that allocated them until that thread allocates
/// again, so a host whose threads go idle after freeing a large structure
/// (the language server after `didClose`) calls this on them.
pub fn release_free_memory() {
    #[cfg(feature = "counting-allocator")]
    // SAFETY: `mi_collect` only walks this thread's heap and abandoned
    // segments; it may be called at any time from any thread.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}

/// The malloc family over the mimalloc underneath [`CountingAlloc`], for C
/// libraries that take an allocator (tree-sitter): their memory then lives
/// in the same heaps as the Rust side's and is released with it by
/// [`release_free_memory`], instead of staying in the C library's
/// per-thread arenas (a closed 2 MB document left 270 MB there). Like C's
/// own, these abort rather than return null for a non-zero size.
#[derive(Debug, Clone, Copy)]
pub struct CHeap {
    pub malloc: unsafe extern "C" fn(usize) -> *mut std::ffi::c_void,
    pub calloc: unsafe extern "C" fn(usize, usize) -> *mut std::ffi::c_void,
    pub realloc: unsafe extern "C" fn(*mut std::ffi::c_void, usize) -> *mut std::ffi::c_void,
    pub free: unsafe extern "C" fn(*mut std::ffi::c_void),
}

/// [`CHeap`] when this build has mimalloc underneath.
pub fn c_heap() -> Option<CHeap> {
    #[cfg(feature = "counting-allocator")]
    {
        Some(c_heap::FUNCTIONS)
    }
    #[cfg(not(feature = "counting-allocator"))]
    {
        None
    }
}

#[cfg(feature = "counting-allocator")]
mod c_heap {
    use std::ffi::c_void;

    pub(super) const FUNCTIONS: super::CHeap = super::CHeap {
        malloc,
        calloc,
        realloc,
        free,
    };

    fn non_null(p: *mut c_void, size: usize) -> *mut c_void {
        if p.is_null() && size != 0 {
            // What tree-sitter's own allocator does when malloc fails.
            std::process::abort();
        }
        p
    }

    /// # Safety
    /// As C's `malloc`.
    unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
        // SAFETY: `mi_malloc` has no preconditions.
        non_null(unsafe { libmimalloc_sys::mi_malloc(size) }, size)
    }

    /// # Safety
    /// As C's `calloc`.
    unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
        // SAFETY: `mi_calloc` has no preconditions (it checks the product).
        non_null(
            unsafe { libmimalloc_sys::mi_calloc(count, size) },
            count.saturating_mul(size),
        )
    }

    /// # Safety
    /// As C's `realloc`: `p` is null or came from these functions.
    unsafe extern "C" fn realloc(p: *mut c_void, size: usize) -> *mut c_void {
        // SAFETY: the caller passes a pointer from this family (or null).
        non_null(unsafe { libmimalloc_sys::mi_realloc(p, size) }, size)
    }

    /// # Safety
    /// As C's `free`: `p` is null or came from these functions.
    unsafe extern "C" fn free(p: *mut c_void) {
        // SAFETY: the caller passes a pointer from this family (or null).
        unsafe { libmimalloc_sys::mi_free(p) }
    }
}

/// One new allocation (for the profiler's per-function counts).
fn count(bytes: usize) {
    let _ = PAUSED.try_with(|paused| {
        if !paused.get() {
            ALLOCS.set(ALLOCS.get() + 1);
            ALLOC_BYTES.set(ALLOC_BYTES.get() + bytes as u64);
        }
    });
}

/// Allocations this thread has made, and their bytes, since it started
/// (both zero without the counting allocator).
pub fn allocations() -> (u64, u64) {
    (ALLOCS.get(), ALLOC_BYTES.get())
}

fn sub(bytes: usize) {
    let _ = PAUSED.try_with(|paused| {
        if !paused.get() {
            let delta = isize::try_from(bytes).unwrap_or(isize::MAX);
            add_to_account(-delta);
            LIVE.set(LIVE.get().saturating_sub(delta));
        }
    });
}

// SAFETY: every method forwards to mimalloc with the same layout and only
// adds bookkeeping in thread-local `Cell`s, which never allocate (const
// initialisers, no destructors), so the allocator does not recurse —
// except blocks a zone serves or owns (`crate::zone`): those come from the
// zone's reservation, aligned as asked, and are never passed to mimalloc.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if let Some(p) = crate::zone::routed_alloc(layout) {
            return p.as_ptr();
        }
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(layout.size());
            count(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if let Some(p) = crate::zone::routed_alloc(layout) {
            // SAFETY: a fresh zone block of `layout.size()` bytes.
            unsafe { p.as_ptr().write_bytes(0, layout.size()) };
            return p.as_ptr();
        }
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size());
            count(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if crate::zone::owned_dealloc(ptr, layout) {
            return;
        }
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) };
        sub(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's guarantees, passed on.
        match unsafe { crate::zone::owned_realloc(ptr, layout, new_size) } {
            crate::zone::Resized::NotOwned => {}
            crate::zone::Resized::Done(p) => return p.as_ptr(),
            crate::zone::Resized::Elsewhere { copy } => {
                // SAFETY: `new_size` is non-zero and, with the old
                // alignment, a valid layout (the caller's guarantee).
                let q = unsafe {
                    System.alloc(Layout::from_size_align_unchecked(new_size, layout.align()))
                };
                if !q.is_null() {
                    // SAFETY: the old block has `copy` readable bytes, the
                    // new one room for them; they are distinct.
                    unsafe { std::ptr::copy_nonoverlapping(ptr, q, copy) };
                    crate::zone::forget_moved(ptr, layout);
                    add(new_size);
                    count(new_size);
                }
                return q;
            }
        }
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            sub(layout.size());
            add(new_size);
        }
        p
    }
}

/// Bytes this thread holds now (allocated and not freed since it started).
pub fn live_bytes() -> isize {
    LIVE.get()
}

/// Runs `f` without counting what it allocates or frees (the host's own
/// buffers, such as captured output, which are not the program's heap).
pub fn uncounted<T>(f: impl FnOnce() -> T) -> T {
    let was = PAUSED.replace(true);
    let r = f();
    PAUSED.set(was);
    r
}

/// A run's heap budget on this thread, from creation to drop.
#[derive(Debug)]
pub struct BudgetGuard {
    base: isize,
    saved_limit: isize,
    saved_peak: isize,
    saved_exceeded: bool,
    saved_fuel: *const Cell<u32>,
}

impl BudgetGuard {
    /// Starts measuring from the bytes live now; with `limit`, a run that
    /// holds more than `limit` further bytes is over budget, and `fuel` (the
    /// VM's check counter, which must outlive the guard) is set to 1.
    pub fn new(limit: Option<usize>, fuel: *const Cell<u32>) -> BudgetGuard {
        let base = LIVE.get();
        let mut guard = BudgetGuard {
            base,
            saved_limit: LIMIT.get(),
            saved_peak: PEAK.get(),
            saved_exceeded: EXCEEDED.get(),
            saved_fuel: FUEL.get(),
        };
        PEAK.set(base);
        EXCEEDED.set(false);
        guard.set_limit(limit, fuel);
        guard
    }

    /// Sets the limit, counted from the guard's start, and the fuel cell to
    /// poke (it must outlive the guard); `None` restores the outer limit.
    pub fn set_limit(&mut self, limit: Option<usize>, fuel: *const Cell<u32>) {
        if let Some(limit) = limit {
            let limit = isize::try_from(limit).unwrap_or(isize::MAX);
            LIMIT.set(self.base.saturating_add(limit));
            FUEL.set(fuel);
            if LIVE.get() > LIMIT.get() {
                EXCEEDED.set(true);
            }
        } else {
            LIMIT.set(self.saved_limit);
            FUEL.set(self.saved_fuel);
        }
    }

    /// Whether the run went past its limit at any moment.
    pub fn exceeded(&self) -> bool {
        EXCEEDED.get()
    }

    /// The most bytes the run held at once (above what was live before).
    pub fn peak(&self) -> usize {
        usize::try_from(PEAK.get().saturating_sub(self.base)).unwrap_or(0)
    }

    /// Whether allocating `bytes` more now would pass the limit (checked
    /// before one large allocation, which could otherwise fail outright).
    pub fn would_exceed(&self, bytes: usize) -> bool {
        let bytes = isize::try_from(bytes).unwrap_or(isize::MAX);
        LIVE.get().saturating_add(bytes) > LIMIT.get()
    }
}

impl Drop for BudgetGuard {
    fn drop(&mut self) {
        LIMIT.set(self.saved_limit);
        PEAK.set(self.saved_peak.max(PEAK.get()));
        EXCEEDED.set(self.saved_exceeded);
        FUEL.set(self.saved_fuel);
    }
}

#[cfg(all(test, feature = "counting-allocator"))]
mod tests {
    use super::*;

    #[test]
    fn counts_live_and_peak_bytes() {
        let guard = BudgetGuard::new(None, std::ptr::null());
        let before = live_bytes();
        let v: Vec<u8> = Vec::with_capacity(1 << 20);
        assert!(live_bytes() - before >= 1 << 20);
        drop(v);
        assert!(live_bytes() - before < 1 << 10);
        assert!(guard.peak() >= 1 << 20);
        assert!(!guard.exceeded());
    }

    #[test]
    fn passing_the_limit_marks_and_pokes_fuel() {
        let fuel = Cell::new(4000u32);
        let guard = BudgetGuard::new(Some(1 << 16), &raw const fuel);
        assert!(guard.would_exceed(1 << 17));
        let v: Vec<u8> = Vec::with_capacity(1 << 17);
        assert!(guard.exceeded());
        assert_eq!(fuel.get(), 1);
        drop(v);
        // Sticky: freeing does not undo it.
        assert!(guard.exceeded());
        drop(guard);
        assert!(!EXCEEDED.get());
    }

    #[test]
    fn uncounted_allocations_are_not_the_programs() {
        let before = live_bytes();
        let v = uncounted(|| vec![0u8; 1 << 20]);
        assert!(live_bytes() - before < 1 << 10);
        uncounted(|| drop(v));
    }
}
