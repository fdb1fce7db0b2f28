//! Real-time zones and pools (LANGUAGE.md §7).
//!
//! A zone is a region of a task's memory: `zone(N) { … }` reserves `N`
//! bytes, every value built inside comes from it by bumping a pointer, and
//! the closing brace releases them all at once. Nothing is searched and
//! nothing is freed one by one, so entering, allocating and leaving are a
//! few instructions each, with no worst case hiding behind them.
//!
//! How it fits the rest of the runtime:
//!
//! 1. Each task (each VM) owns an [`Arena`]: one chunk that outermost zones
//!    reserve from, kept for the next zone, so that a loop entering a zone
//!    each iteration allocates its chunk once (and touches its pages then,
//!    so the zone's code takes no page fault). A nested zone carves its
//!    reservation out of the zone around it: the outermost reservation is
//!    the task's whole real-time footprint.
//! 2. Which allocations go to the zone is the VM's decision, instruction by
//!    instruction: it *routes* the allocations of the instructions that
//!    build values (strings, records, variants, closures, lists, ranges,
//!    iterators) and of the std functions fit for real time (`List::push`,
//!    `Pool::alloc`, …) by setting this thread's route flag around them
//!    ([`Route`]). The global allocator ([`crate::heap::accounting`]) asks
//!    [`routed_alloc`] first while the flag is up. Everything else the VM
//!    allocates — frames, errors, panics, output — never comes from a
//!    zone, so it cannot dangle when the zone is released.
//! 3. Freeing a pointer the arena owns ([`owned_dealloc`]) costs nothing
//!    (the last allocation is given back to the bump pointer). A run's
//!    arena is this thread's current one ([`Installed`]) while its VM runs,
//!    which is when its values are dropped.
//! 4. Leaving a zone checks that every allocation made in it was freed (the
//!    checker's W0803 says none escapes; `return` and `?` values are copied
//!    out by the VM first). If one was not, the zone's memory is kept, never
//!    reused, and counted in [`ZoneStats::leaked`]: a bug elsewhere costs
//!    memory, never safety.
//! 5. Going past the reservation does not fail the allocation (the global
//!    allocator cannot): it is served by the ordinary heap, the zone is
//!    marked, and the VM raises `ZoneExhausted` right after the
//!    instruction, naming the zone's source location.
//!
//! [`pool`] holds `Pool<T>`: fixed slots with a free list.

pub mod cost;
pub mod pool;

use std::alloc::Layout;
use std::cell::{Cell, UnsafeCell};
use std::ptr::NonNull;

/// The smallest chunk an arena allocates (zones smaller than this share it).
const MIN_CHUNK: usize = 4096;

/// Every zone allocation is aligned to this: a `Value` is two words.
const ALIGN: usize = 16;

/// The largest reservation a zone may ask for (the size an allocation may
/// have on this platform).
pub const MAX_RESERVATION: usize = isize::MAX as usize / 2;

thread_local! {
    /// The arena of the VM running on this thread (null: none).
    static CURRENT: Cell<*const Arena> = const { Cell::new(std::ptr::null()) };
    /// Allocations go to the innermost zone of `CURRENT`.
    static ROUTE: Cell<bool> = const { Cell::new(false) };
}

/// Where a zone was entered: a function and the instruction's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    pub func: u32,
    pub pc: u32,
}

/// One zone being executed.
#[derive(Debug, Clone, Copy)]
struct Zone {
    /// The reservation: `start..end` (addresses).
    start: usize,
    end: usize,
    /// The next free byte.
    bump: usize,
    /// The arena's count of live allocations when the zone was entered.
    live_at_entry: u64,
    /// The most bytes it held at once.
    high_water: usize,
    site: Site,
    /// The VM's frame count when it was entered (its frame is the last).
    frame_depth: usize,
}

/// A block of memory zones reserve from.
#[derive(Debug)]
struct Chunk {
    base: NonNull<u8>,
    size: usize,
    /// Bytes reserved by the active outermost zone (or kept because a
    /// value escaped: see [`ZoneStats::leaked`]).
    top: usize,
}

impl Chunk {
    fn layout(size: usize) -> Layout {
        // The size is at most `MAX_RESERVATION` rounded up to `MIN_CHUNK`,
        // far below `isize::MAX`.
        Layout::from_size_align(size, ALIGN).unwrap_or(Layout::new::<u128>())
    }

    fn contains(&self, p: usize) -> bool {
        let base = self.base.as_ptr() as usize;
        p >= base && p < base + self.size
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        // SAFETY: allocated in `Arena::new_chunk` with this layout; the
        // arena drops a chunk only when no value points into it (its VM's
        // registers are gone) or, on reuse, when nothing in it is live.
        unsafe { std::alloc::dealloc(self.base.as_ptr(), Chunk::layout(self.size)) };
    }
}

/// What a task's zones did, for the profile and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ZoneStats {
    /// Zones entered.
    pub entered: u64,
    /// Allocations served by zones.
    pub allocations: u64,
    /// The most bytes any zone held at once.
    pub peak_bytes: usize,
    /// Zones left with an allocation still live (its memory kept).
    pub leaked: u64,
}

/// Why a zone cannot be entered or an allocation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneError {
    /// The reservation is not a size a process can have.
    BadSize(i64),
    /// A nested zone's reservation does not fit in the zone around it.
    Exhausted {
        site: Site,
        capacity: usize,
        used: usize,
        asked: usize,
    },
    /// The memory for an outermost zone could not be had.
    OutOfMemory(usize),
}

/// A task's zones: the chunk they reserve from and the zones active now.
///
/// All state is behind cells, reached through `&self`: the global
/// allocator reaches the arena through this thread's [`CURRENT`] pointer
/// while the VM holds its `Box`, so neither may hold a `&mut` to it. No
/// method keeps a borrow of one cell across an allocation that could come
/// back into the arena through another.
#[derive(Debug, Default)]
pub struct Arena {
    chunk: UnsafeCell<Option<Chunk>>,
    /// Chunks with a leaked allocation: kept until the arena goes.
    retired: UnsafeCell<Vec<Chunk>>,
    zones: UnsafeCell<Vec<Zone>>,
    /// Zone allocations not yet freed.
    live: Cell<u64>,
    /// An allocation went past the innermost zone's reservation: the bytes
    /// it asked for.
    exhausted: Cell<Option<usize>>,
    stats: Cell<ZoneStats>,
    /// The most bytes each zone (by where it is entered) held at once.
    site_peaks: UnsafeCell<Vec<(Site, usize, usize)>>,
}

fn align_up(p: usize) -> usize {
    (p + ALIGN - 1) & !(ALIGN - 1)
}

impl Arena {
    pub fn new() -> Arena {
        Arena::default()
    }

    fn zones(&self) -> &[Zone] {
        // SAFETY: see the type's comment: no `&mut` to the list outlives
        // the method that made it, and none is live while this is read.
        unsafe { &*self.zones.get() }
    }

    /// Whether a zone is active.
    pub fn active(&self) -> bool {
        !self.zones().is_empty()
    }

    /// Zones active now.
    pub fn depth(&self) -> usize {
        self.zones().len()
    }

    /// The innermost zone's bytes in use and reservation (`(0, 0)` outside
    /// any zone).
    pub fn innermost(&self) -> (usize, usize) {
        self.zones()
            .last()
            .map_or((0, 0), |z| (z.bump - z.start, z.end - z.start))
    }

    /// The innermost zone's site.
    pub fn innermost_site(&self) -> Option<Site> {
        self.zones().last().map(|z| z.site)
    }

    pub fn stats(&self) -> ZoneStats {
        self.stats.get()
    }

    /// Each zone entered so far, by site: the most bytes it held at once
    /// and its reservation.
    pub fn site_peaks(&self) -> Vec<(Site, usize, usize)> {
        // SAFETY: see the type's comment; the copy allocates with the list
        // only read.
        unsafe { (*self.site_peaks.get()).clone() }
    }

    fn update_stats(&self, f: impl FnOnce(&mut ZoneStats)) {
        let mut s = self.stats.get();
        f(&mut s);
        self.stats.set(s);
    }

    /// Enters a zone reserving `size` bytes, entered at `site` by the frame
    /// that makes the VM's frame count `frame_depth`.
    pub fn enter(&self, size: i64, site: Site, frame_depth: usize) -> Result<(), ZoneError> {
        let asked = usize::try_from(size)
            .ok()
            .filter(|&n| n <= MAX_RESERVATION)
            .ok_or(ZoneError::BadSize(size))?;
        let asked = align_up(asked);
        let start = if let Some(parent) = self.zones().last().copied() {
            let start = align_up(parent.bump);
            if start + asked > parent.end {
                return Err(ZoneError::Exhausted {
                    site: parent.site,
                    capacity: parent.end - parent.start,
                    used: parent.bump - parent.start,
                    asked,
                });
            }
            self.set_top_bump(start + asked);
            start
        } else {
            self.reserve_outermost(asked)?
        };
        let zone = Zone {
            start,
            end: start + asked,
            bump: start,
            live_at_entry: self.live.get(),
            high_water: 0,
            site,
            frame_depth,
        };
        // SAFETY: see the type's comment. The push may allocate (through
        // the global allocator, not routed: the VM routes only around
        // value-building instructions), and freeing the old buffer asks
        // `owns`, which reads the chunks, not this list.
        unsafe { (*self.zones.get()).push(zone) };
        self.update_stats(|s| s.entered += 1);
        Ok(())
    }

    fn set_top_bump(&self, bump: usize) {
        // SAFETY: see the type's comment; nothing allocates here.
        if let Some(z) = unsafe { (*self.zones.get()).last_mut() } {
            z.bump = bump;
            z.high_water = z.high_water.max(bump - z.start);
        }
    }

    /// Reserves `asked` bytes for an outermost zone: from the kept chunk
    /// when it has room, else from a new one.
    fn reserve_outermost(&self, asked: usize) -> Result<usize, ZoneError> {
        // SAFETY: see the type's comment; `new_chunk` allocates with the
        // route flag down (no zone is active), so the allocator does not
        // read this cell meanwhile.
        let chunk = unsafe { &mut *self.chunk.get() };
        if let Some(c) = chunk.as_mut()
            && c.size - c.top >= asked
        {
            let start = c.base.as_ptr() as usize + c.top;
            c.top += asked;
            return Ok(start);
        }
        let mut fresh = Arena::new_chunk(asked)?;
        if let Some(old) = chunk.take() {
            if old.top > 0 {
                // SAFETY: see the type's comment.
                unsafe { (*self.retired.get()).push(old) };
            } else {
                drop(old);
            }
        }
        let start = fresh.base.as_ptr() as usize;
        fresh.top = asked;
        *chunk = Some(fresh);
        Ok(start)
    }

    fn new_chunk(asked: usize) -> Result<Chunk, ZoneError> {
        let size = asked.max(MIN_CHUNK).next_multiple_of(MIN_CHUNK);
        let _unrouted = Unrouted::new();
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { std::alloc::alloc(Chunk::layout(size)) };
        let base = NonNull::new(p).ok_or(ZoneError::OutOfMemory(size))?;
        // Touch every page now, so that the real-time code the zone serves
        // never takes a page fault on first use of its memory.
        for offset in (0..size).step_by(4096) {
            // SAFETY: within the block just allocated, `size` bytes long.
            unsafe { base.as_ptr().add(offset).write_volatile(0) };
        }
        Ok(Chunk { base, size, top: 0 })
    }

    /// Leaves the innermost zone. Its memory is released unless an
    /// allocation made in it is still live; returns whether it was.
    pub fn exit(&self) -> bool {
        // SAFETY: see the type's comment; nothing allocates here.
        let Some(zone) = (unsafe { (*self.zones.get()).pop() }) else {
            return true;
        };
        let clean = self.live.get() == zone.live_at_entry;
        let keep_to = if clean { zone.start } else { zone.end };
        {
            // SAFETY: see the type's comment; the push may allocate (not
            // routed: zones are left by the VM outside routed sections),
            // and freeing the old buffer reads only the chunk cells.
            let peaks = unsafe { &mut *self.site_peaks.get() };
            let reserved = zone.end - zone.start;
            match peaks.iter_mut().find(|p| p.0 == zone.site) {
                Some(p) => p.1 = p.1.max(zone.high_water),
                None => peaks.push((zone.site, zone.high_water, reserved)),
            }
        }
        self.update_stats(|s| {
            s.peak_bytes = s.peak_bytes.max(zone.high_water);
            if !clean {
                s.leaked += 1;
            }
        });
        if self.zones().is_empty() {
            // SAFETY: see the type's comment; nothing allocates here.
            if let Some(c) = unsafe { (*self.chunk.get()).as_mut() } {
                c.top = keep_to - c.base.as_ptr() as usize;
            }
        } else {
            self.set_top_bump(keep_to);
        }
        self.exhausted.set(None);
        clean
    }

    /// Whether leaving the innermost zone now would find an allocation made
    /// in it still live.
    pub fn has_live_allocations(&self) -> bool {
        self.zones()
            .last()
            .is_some_and(|z| self.live.get() != z.live_at_entry)
    }

    /// Leaves every zone entered by a frame above `frames` (frames popped
    /// by a panic that no handler in them caught).
    pub fn exit_frames_above(&self, frames: usize) {
        while self.zones().last().is_some_and(|z| z.frame_depth > frames) {
            self.exit();
        }
    }

    /// The bytes an allocation went past the innermost zone with, if one
    /// did since the last call.
    pub fn take_exhausted(&self) -> Option<usize> {
        self.exhausted.take()
    }

    /// Whether an outermost zone of `n` bytes fits in the kept chunk
    /// (else entering it allocates a new one).
    pub fn has_room(&self, n: usize) -> bool {
        // SAFETY: see the type's comment; nothing allocates here.
        unsafe { (*self.chunk.get()).as_ref() }.is_some_and(|c| c.size - c.top >= align_up(n))
    }

    /// Whether address `p` lies in memory this arena owns.
    pub fn contains(&self, p: usize) -> bool {
        self.owns(p)
    }

    /// Whether `p` lies in memory this arena owns.
    fn owns(&self, p: usize) -> bool {
        // SAFETY: see the type's comment: the chunk cells are changed only
        // by `enter` (which allocates a chunk with the route flag down and
        // frees one that holds nothing) and `exit`, never while another
        // reference to them is live.
        unsafe {
            (*self.chunk.get()).as_ref().is_some_and(|c| c.contains(p))
                || (*self.retired.get()).iter().any(|c| c.contains(p))
        }
    }

    fn alloc(&self, layout: Layout) -> Option<NonNull<u8>> {
        // SAFETY: see the type's comment; nothing allocates here.
        let zone = unsafe { (*self.zones.get()).last_mut() }?;
        if layout.align() > ALIGN {
            return None;
        }
        let at = align_up(zone.bump);
        let size = layout.size().max(1);
        if at.checked_add(size).is_none_or(|e| e > zone.end) {
            self.exhausted.set(Some(size));
            return None;
        }
        zone.bump = at + size;
        zone.high_water = zone.high_water.max(zone.bump - zone.start);
        self.live.set(self.live.get() + 1);
        self.update_stats(|s| s.allocations += 1);
        NonNull::new(at as *mut u8)
    }

    fn free(&self, p: usize, size: usize) {
        self.live.set(self.live.get().saturating_sub(1));
        // SAFETY: see the type's comment; nothing allocates here.
        if let Some(zone) = unsafe { (*self.zones.get()).last_mut() }
            && p >= zone.start
            && p + size.max(1) == zone.bump
        {
            // The last allocation: its bytes go back to the bump pointer.
            zone.bump = p;
        }
    }

    /// Grows or shrinks zone allocation `p` in place when it is the
    /// innermost zone's last and the zone has room.
    fn resize_in_place(&self, p: usize, old: usize, new: usize) -> bool {
        // SAFETY: see the type's comment; nothing allocates here.
        let Some(zone) = (unsafe { (*self.zones.get()).last_mut() }) else {
            return false;
        };
        if p < zone.start || p + old.max(1) != zone.bump {
            return false;
        }
        let Some(end) = p.checked_add(new.max(1)).filter(|&e| e <= zone.end) else {
            return false;
        };
        zone.bump = end;
        zone.high_water = zone.high_water.max(end - zone.start);
        true
    }
}

/// Makes `arena` this thread's current one until the guard drops (the
/// previous one is restored): a VM installs its arena while it runs.
#[derive(Debug)]
pub struct Installed {
    saved: *const Arena,
    saved_route: bool,
}

impl Installed {
    /// # Safety
    /// `arena` must stay valid (not moved or dropped) until the guard
    /// drops, and guards must drop in the reverse order of their making.
    pub unsafe fn new(arena: *const Arena) -> Installed {
        Installed {
            saved: CURRENT.replace(arena),
            saved_route: ROUTE.replace(false),
        }
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        CURRENT.set(self.saved);
        ROUTE.set(self.saved_route);
    }
}

/// Makes `arena` this thread's current one, without a guard: for a VM
/// that makes its arena while it runs (its `Installed` guard, made with
/// none, restores the previous one when the run returns).
///
/// # Safety
/// As [`Installed::new`]: `arena` stays valid until that guard drops.
pub unsafe fn set_current(arena: *const Arena) {
    CURRENT.set(arena);
}

/// Routes this thread's allocations to the current arena's innermost zone
/// until dropped (see the module's step 2).
#[derive(Debug)]
pub struct Route {
    saved: bool,
}

impl Route {
    pub fn on() -> Route {
        Route {
            saved: ROUTE.replace(true),
        }
    }
}

impl Drop for Route {
    fn drop(&mut self) {
        ROUTE.set(self.saved);
    }
}

/// Lowers the route flag until dropped: what a routed native allocates
/// for itself or for a value that leaves the zone (an `Error`).
#[derive(Debug)]
pub struct Unrouted {
    saved: bool,
}

impl Unrouted {
    pub fn new() -> Unrouted {
        Unrouted {
            saved: ROUTE.replace(false),
        }
    }
}

impl Default for Unrouted {
    fn default() -> Self {
        Unrouted::new()
    }
}

impl Drop for Unrouted {
    fn drop(&mut self) {
        ROUTE.set(self.saved);
    }
}

/// Runs `f` with routing off.
pub fn unrouted<T>(f: impl FnOnce() -> T) -> T {
    let _guard = Unrouted::new();
    f()
}

fn current() -> Option<&'static Arena> {
    // `try_with`: the allocator runs while the thread's locals are torn
    // down, too.
    let p = CURRENT.try_with(Cell::get).ok()?;
    // SAFETY: `CURRENT` is set only by `Installed::new`, whose caller
    // keeps the arena valid until the guard restores the previous value.
    // The `'static` never leaves this module's allocator hooks, which use
    // it for the duration of one call.
    unsafe { p.as_ref() }
}

/// Whether `p` lies in the current arena's memory: a per-thread cache of
/// spare allocations must not keep such a block (the zone reuses it).
pub fn is_zone_memory(p: *const u8) -> bool {
    current().is_some_and(|a| a.owns(p as usize))
}

/// Whether allocations are being routed to a zone now.
pub fn routing() -> bool {
    ROUTE.try_with(Cell::get).unwrap_or(false)
}

/// An allocation from the innermost zone, when routing is on and it fits
/// (else the caller uses the ordinary heap).
pub fn routed_alloc(layout: Layout) -> Option<NonNull<u8>> {
    if !routing() {
        return None;
    }
    current()?.alloc(layout)
}

/// Whether `p` belongs to the current arena (then freeing it is done).
pub fn owned_dealloc(p: *mut u8, layout: Layout) -> bool {
    let Some(arena) = current() else {
        return false;
    };
    let at = p as usize;
    if !arena.owns(at) {
        return false;
    }
    arena.free(at, layout.size());
    true
}

/// What resizing a zone allocation comes to.
#[derive(Debug)]
pub enum Resized {
    /// Not a zone allocation: the ordinary heap resizes it.
    NotOwned,
    /// Resized where it is, or moved within the zone.
    Done(NonNull<u8>),
    /// A zone allocation the zone has no room to grow: the caller moves it
    /// to the ordinary heap (copying `copy` bytes) and calls
    /// [`forget_moved`] for the old one.
    Elsewhere { copy: usize },
}

/// Resizes `p` if the current arena owns it.
///
/// # Safety
/// As `GlobalAlloc::realloc`: `p` was allocated with `layout` by the
/// global allocator and is not used again unless this returns `NotOwned`.
pub unsafe fn owned_realloc(p: *mut u8, layout: Layout, new_size: usize) -> Resized {
    let Some(arena) = current() else {
        return Resized::NotOwned;
    };
    let at = p as usize;
    if !arena.owns(at) {
        return Resized::NotOwned;
    }
    if arena.resize_in_place(at, layout.size(), new_size) {
        return NonNull::new(p).map_or(Resized::NotOwned, Resized::Done);
    }
    let copy = layout.size().min(new_size);
    if let Ok(new_layout) = Layout::from_size_align(new_size, layout.align())
        && routing()
        && let Some(q) = arena.alloc(new_layout)
    {
        // SAFETY: both blocks are zone memory of at least `copy` bytes and
        // distinct (the new one was bumped past the old).
        unsafe { std::ptr::copy_nonoverlapping(p, q.as_ptr(), copy) };
        arena.free(at, layout.size());
        return Resized::Done(q);
    }
    Resized::Elsewhere { copy }
}

/// The zone allocation `p` was moved to the ordinary heap.
pub fn forget_moved(p: *mut u8, layout: Layout) {
    let _ = owned_dealloc(p, layout);
}

/// The current arena's innermost zone: bytes used and reserved.
pub fn innermost() -> (usize, usize) {
    current().map_or((0, 0), Arena::innermost)
}

#[cfg(test)]
mod tests;
