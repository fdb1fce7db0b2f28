//! The generational collector of one task's heap.
//!
//! **Young generation**: two semi-spaces of equal-sized objects; allocation
//! bumps an index. When the nursery is full, live objects are copied
//! (Cheney's breadth-first scan, no recursion) into the other space, or
//! into the old space once they have survived `promote_after` young
//! collections. Dead objects are not traced; their values (which own
//! ordinary boxes) are moved to a garbage list that allocation drains a few
//! at a time, so freeing them is spread over the program instead of
//! lengthening the pause.
//!
//! **Moving and references**: `Gc` pointers in roots and objects are
//! *updated* when their object moves. A `&T` taken through a `Gc<T>`
//! points at the object's value slot; the roots include every
//! reference-typed register, and a reference into the evacuated space is
//! updated to the same offset in the object's new copy. (Nothing else can
//! point into an object: the value's own data lives in boxes that never
//! move, and GC objects hold no references, W0801.)
//!
//! **Old generation**: fixed-size slots in chunks with a free list,
//! never moved, collected by tri-colour mark-sweep. Marking is
//! incremental: slices bounded by the pause target, interleaved with the
//! program; the final mark is a young collection (which greys every old
//! object young data or roots point to) plus draining the grey stack.
//! Sweeping is incremental too, and drops dead values as it goes (each
//! slice stops at its deadline). Marks live in per-chunk tables
//! (`old_space.rs`); the start of marking only lists what roots point to. The barriers that make this sound are in
//! `barrier.rs`, with the invariants they keep.
//!
//! **Weak cells** are cleared when their target is found dead, before
//! finalizers resurrect anything. **Finalizers**: an unreachable object
//! with a finalizer is kept for one more cycle (with everything it points
//! to), its value moved to the pending queue and the object marked
//! finalized; the VM runs the queue after the pause, in allocation order.

// Byte counts and ratios between them (trigger = live × growth) are
// approximate by nature, and the runtime targets 64-bit machines.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::struct_excessive_bools
)]

use std::rc::Rc;
use std::time::{Duration, Instant};

use super::config::{GcMode, Params};
use super::evac::Evac;
use super::garbage::Garbage;
use super::nursery::{Nursery, Starts, within, young_cap, young_room};
use super::old_space::{
    CLASSES, OldSpace, PREFETCH_AHEAD, class_of, is_marked, mark, next_epoch, prefetch,
    prefetch_object,
};
use super::sites::{Placement, Sites};
use super::stats::{GcStats, PauseKind, Pauses};
use super::trace::{Visitor, Work, owned_bytes, walk};
use crate::value::gc_object::{
    CELL_IN_OLD, CELL_LOGGED, CELL_REMARK, CellBox, FINALIZABLE, FINALIZED, FORWARDED, FREE, GcObj,
    GcRef, HOLDS_CELL, OBJ_BYTES, OLD, REMEMBERED, WEAK, obj_at,
};
use crate::value::{Value, inline};

/// Clean epochs are unique in the process (see `value::list`): a list a
/// heap cleaned is never clean for another heap's epoch, and a counter of
/// 64 bits does not come round again.
fn next_clean_epoch() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Where the program keeps values: the VM's registers.
pub trait Roots {
    /// Calls `f` on every register that may hold a GC pointer (owned and
    /// `any` registers) or a reference (reference registers).
    fn each(&mut self, f: &mut dyn FnMut(*mut Value));
}

/// Roots of a heap with no program attached (tests, teardown).
#[derive(Debug, Clone, Copy)]
pub struct NoRoots;

impl Roots for NoRoots {
    fn each(&mut self, _: &mut dyn FnMut(*mut Value)) {}
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Idle,
    Marking,
    Sweeping { chunk: usize, slot: usize },
}

/// An object with a finalizer not yet run.
pub(crate) struct Finalizable {
    serial: u64,
    pub(crate) obj: *mut GcObj,
    pub(crate) finalizer: Value,
}

/// A finalizer due to run, with the value it receives.
struct Pending {
    serial: u64,
    finalizer: Value,
    value: Value,
}

/// One task's garbage-collected heap.
pub struct Heap {
    pub(crate) params: Params,
    pub(crate) nursery: Option<Nursery>,
    pub(crate) old: OldSpace,
    enabled: bool,
    stress: bool,
    verify: bool,
    /// `WARD_GC_TRACE=1`: one line on stderr per young collection.
    trace: bool,
    /// Natives that call back into the program hold values where the
    /// collector cannot see them: no collection runs while one does.
    pub(crate) no_gc: u32,
    pub(crate) phase: Phase,
    pub(crate) epoch: u8,
    pub(crate) mark_stack: Vec<*mut GcObj>,
    /// Old objects the roots pointed to when marking started, not yet
    /// marked: the start pause only lists them (marking them means a
    /// random access each), slices mark them after the grey stack.
    root_grey: Vec<*mut GcObj>,
    /// Old objects that may point into the nursery.
    pub(crate) remembered: Vec<*mut GcObj>,
    /// Cells written since the collector last looked inside them.
    pub(crate) logged: Vec<Rc<CellBox>>,
    /// Cells written during marking that only the final mark rescans.
    pub(crate) remark: Vec<Rc<CellBox>>,
    /// Young objects that own memory outside themselves (a string, a
    /// list, a cell): the only ones a young collection must look at when
    /// they die.
    pub(crate) young_owning: Vec<*mut GcObj>,
    /// Young objects by old-space size class (the free slots kept for
    /// their promotion).
    young_by_class: [usize; CLASSES],
    /// Weak cells that are young or whose target is young.
    pub(crate) weak_young: Vec<*mut GcObj>,
    /// Old weak cells the current (or last) marking reached. Other old
    /// weak cells need no list: marking finds every live one.
    pub(crate) weak_marked: Vec<*mut GcObj>,
    pub(crate) fin_young: Vec<Finalizable>,
    pub(crate) fin_old: Vec<Finalizable>,
    pending: Vec<Pending>,
    pending_sorted: bool,
    /// Values on their way into the heap while a collection runs.
    staged: Vec<Value>,
    /// Values of dead objects, dropped a few per allocation.
    garbage: Garbage,
    work: Work,
    /// Buffers a young collection fills and empties again, kept so that a
    /// pause never waits on the allocator for fresh memory.
    spare: Spare,
    serial: u64,
    until_slice: usize,
    old_bytes: usize,
    marked_bytes: usize,
    old_trigger: usize,
    verifications: u64,
    /// Inside a pause already being timed (a full collection's parts).
    in_pause: bool,
    /// At least three quarters of the last young collection's objects
    /// survived it.
    high_survival: bool,
    /// Allocation sites and whether their objects are made old.
    sites: Sites,
    /// Bytes of objects made straight in the old space since the last
    /// young collection.
    made_old_bytes: usize,
    /// The epoch in which a list the collector found clean stays clean
    /// (see `value::list`); a write through a reference of a value that
    /// may point into the nursery starts a new one.
    pub(crate) clean_epoch: u64,
    pauses: Pauses,
    young_collections: u64,
    old_collections: u64,
    bytes_allocated: u64,
    bytes_freed: u64,
    peak_heap_bytes: u64,
    finalized: u64,
}

impl std::fmt::Debug for Heap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Heap")
            .field("phase", &self.phase)
            .field("heap_bytes", &self.heap_bytes())
            .finish_non_exhaustive()
    }
}

/// Values of dead objects dropped per allocation.
const GARBAGE_PER_ALLOC: usize = 8;

impl Default for Heap {
    fn default() -> Heap {
        Heap::new(Params::default())
    }
}

impl Heap {
    pub fn new(params: Params) -> Heap {
        let trigger = params.min_old_trigger;
        Heap {
            params,
            nursery: None,
            old: OldSpace::new(),
            enabled: true,
            stress: false,
            verify: cfg!(debug_assertions),
            trace: false,
            no_gc: 0,
            phase: Phase::Idle,
            epoch: 0,
            mark_stack: Vec::new(),
            root_grey: Vec::new(),
            remembered: Vec::new(),
            logged: Vec::new(),
            remark: Vec::new(),
            young_owning: Vec::new(),
            young_by_class: [0; CLASSES],
            weak_young: Vec::new(),
            weak_marked: Vec::new(),
            fin_young: Vec::new(),
            fin_old: Vec::new(),
            pending: Vec::new(),
            pending_sorted: true,
            staged: Vec::new(),
            garbage: Garbage::default(),
            work: Vec::new(),
            spare: Spare::default(),
            serial: 0,
            until_slice: 0,
            old_bytes: 0,
            marked_bytes: 0,
            old_trigger: trigger,
            verifications: 0,
            in_pause: false,
            high_survival: false,
            sites: Sites::default(),
            made_old_bytes: 0,
            clean_epoch: next_clean_epoch(),
            pauses: Pauses::default(),
            young_collections: 0,
            old_collections: 0,
            bytes_allocated: 0,
            bytes_freed: 0,
            peak_heap_bytes: 0,
            finalized: 0,
        }
    }

    /// A heap configured from the environment: `WARD_GC_STRESS=1` collects
    /// on every allocation (with incremental marking always running) and
    /// verifies the heap after every collection; `WARD_GC_VERIFY=1`
    /// verifies without the stress; `WARD_GC_DISABLE=1` starts with
    /// automatic collection off (benchmarks compare against it);
    /// `WARD_GC_TRACE=1` prints a line per pause on stderr (what it did
    /// and where the time went).
    pub fn from_env() -> Heap {
        // `WARD_GC_MODE=Throughput` (any mode's name): the mode a program
        // starts in, as if its first statement were `gc::configure`.
        let mode = std::env::var("WARD_GC_MODE")
            .ok()
            .and_then(|m| GcMode::from_name(&m))
            .unwrap_or_default();
        let mut h = Heap::new(Params::for_mode(mode));
        let on = |k: &str| std::env::var(k).is_ok_and(|v| v == "1");
        if on("WARD_GC_STRESS") {
            h.stress = true;
            h.verify = true;
        }
        if on("WARD_GC_VERIFY") {
            h.verify = true;
        }
        h.trace = on("WARD_GC_TRACE");
        // For measuring what collection costs: the same run, never collecting.
        if on("WARD_GC_DISABLE") {
            h.enabled = false;
        }
        h
    }

    /// An empty heap for a new task, collecting as this one does (its
    /// mode's parameters, stress, verification, tracing).
    #[must_use]
    pub fn for_task(&self) -> Heap {
        let mut h = Heap::new(self.params.clone());
        h.enabled = self.enabled;
        h.stress = self.stress;
        h.verify = self.verify;
        h.trace = self.trace;
        h
    }

    pub fn set_stress(&mut self, on: bool) {
        self.stress = on;
        self.verify |= on;
    }

    pub fn set_verify(&mut self, on: bool) {
        self.verify = on;
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    /// `gc::configure`: applies `params`. A new nursery size takes effect
    /// after the nursery is emptied (everything in it is promoted).
    pub fn configure(&mut self, params: Params, roots: &mut dyn Roots) {
        let resize = self
            .nursery
            .as_ref()
            .is_some_and(|n| n.cap != young_cap(&params));
        self.params = params;
        self.sites.reset();
        self.old_trigger = self.params.min_old_trigger.max(
            self.old_trigger
                .min((self.marked_bytes as f64 * self.params.growth) as usize),
        );
        if resize {
            self.young(roots, true, false);
            self.nursery = None;
        }
    }

    pub fn enable(&mut self) {
        self.enabled = true;
    }

    /// Stops automatic collections: allocation goes on (to the old space
    /// once the nursery is full) until `enable`.
    pub fn disable(&mut self) {
        self.enabled = false;
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    pub fn heap_bytes(&self) -> u64 {
        self.bytes_allocated.saturating_sub(self.bytes_freed)
    }

    fn young_cap(&self) -> usize {
        young_cap(&self.params)
    }

    fn note_allocated(&mut self, bytes: usize) {
        self.bytes_allocated += bytes as u64;
        self.peak_heap_bytes = self.peak_heap_bytes.max(self.heap_bytes());
    }

    fn note_resized(&mut self, delta: i64) {
        if delta > 0 {
            self.note_allocated(delta.unsigned_abs() as usize);
        } else {
            self.bytes_freed += delta.unsigned_abs();
        }
    }

    /// Whether `v` is a GC pointer into the nursery.
    #[inline]
    pub fn is_young(&self, v: &Value) -> bool {
        match v {
            Value::Gc(r) | Value::Weak(r) => self
                .nursery
                .as_ref()
                .is_some_and(|n| n.holds(r.as_ptr().cast())),
            _ => false,
        }
    }

    /// The write barrier of a store through a reference (`*r = v`): the
    /// place may be an element of a clean list (see `value::list`), which
    /// cannot be named from it, so a value that may point into the nursery
    /// ends every list's clean state.
    #[inline]
    pub fn note_store(&mut self, v: &Value) {
        if !v.is_flat() || self.is_young(v) {
            self.clean_epoch = next_clean_epoch();
        }
    }

    /// Drops a few dead values (or all, with `all`).
    pub fn drain_garbage(&mut self, all: bool) {
        if all {
            self.garbage.drop_all();
        } else {
            // More when a backlog builds up, so it never outgrows a nursery.
            self.garbage
                .drop_some(GARBAGE_PER_ALLOC.max(self.garbage.len() / 64));
        }
    }

    /// Moves `value` into a new object (its records, variants and
    /// closures laid out inside it when they fit; see `value::inline`).
    ///
    /// # Errors
    /// When the heap limit (`max_heap_bytes`) is reached and a full
    /// collection does not bring the heap under it.
    pub fn alloc(
        &mut self,
        value: Value,
        flags: u16,
        roots: &mut dyn Roots,
    ) -> Result<GcRef, String> {
        self.alloc_at(value, flags, 0, roots)
    }

    /// Moves `value` into a new object made at allocation site `site` (a
    /// non-zero key naming the instruction; 0: no site): where the site's
    /// objects have mostly lived to be promoted, it is made old at once
    /// (see `heap::sites`).
    ///
    /// # Errors
    /// As [`Heap::alloc`].
    pub fn alloc_at(
        &mut self,
        mut value: Value,
        flags: u16,
        site: u64,
        roots: &mut dyn Roots,
    ) -> Result<GcRef, String> {
        if !self.garbage.is_empty() {
            self.drain_garbage(false);
        }
        let inline = inline::plan(&value);
        let bytes = OBJ_BYTES + inline.map_or(0, |p| p.bytes);
        let class = class_of(bytes);
        let cap = self.young_cap();
        // Keep free old slots for every young object of the class, made a
        // chunk at a time here rather than all at once when a young
        // collection promotes (fresh memory costs page faults, which
        // belong in no pause).
        if self.old.free_count[class] <= self.young_by_class[class] {
            self.old.grow(class);
        }
        let nursery = self.nursery.get_or_insert_with(|| Nursery::new(cap));
        // Objects made old count toward the nursery's fill as if made
        // young: young cycles (and so the probes that judge the sites,
        // and the old generation's trigger checks) keep their pace.
        let full = nursery.top + self.made_old_bytes + bytes > nursery.trigger;
        if self.no_gc == 0 && self.enabled && self.params.automatic {
            if full || self.stress {
                self.staged.push(value);
                self.on_full(roots);
                value = self.staged.pop().unwrap_or_default();
            } else if self.phase != Phase::Idle {
                self.until_slice = self.until_slice.saturating_sub(1);
                if self.until_slice == 0 {
                    self.staged.push(value);
                    self.slice(roots);
                    value = self.staged.pop().unwrap_or_default();
                }
            }
        }
        // What it owns outside the object: the walk counts the records it
        // will hold inline as the allocations they are now.
        let (owned, holds_cell) = owned_bytes(&mut value, &mut self.work);
        let size = owned.saturating_sub(inline.map_or(0, |p| p.replaces));
        // Only plain objects may be made old: weak cells and finalizable
        // objects are tracked from their youth, and the cells of an old
        // object log every write, which the stores that fill a new
        // object's cells (`n.children.borrow_mut().push(c)`) would pay.
        let placement = if site != 0 && flags == 0 && !holds_cell {
            self.sites.place(site)
        } else {
            Placement::Young(0)
        };
        let flags = if holds_cell {
            flags | HOLDS_CELL
        } else {
            flags
        };
        if self.no_gc == 0 && self.enabled {
            let limit = self.params.max_heap_bytes as u64;
            if limit > 0 && self.heap_bytes() + (bytes + size) as u64 > limit {
                self.staged.push(value);
                self.collect(roots);
                value = self.staged.pop().unwrap_or_default();
                if self.heap_bytes() + (bytes + size) as u64 > limit {
                    return Err(format!(
                        "the GC heap limit of {limit} bytes is exhausted ({} bytes live)",
                        self.heap_bytes()
                    ));
                }
            }
        }
        let size32 = u32::try_from(size).unwrap_or(u32::MAX);
        // `configure` may have dropped the nursery during the collection.
        let nursery = self.nursery.get_or_insert_with(|| Nursery::new(cap));
        let young = placement != Placement::Old && nursery.top + bytes <= nursery.cap;
        let p = if young {
            // SAFETY: `top + bytes <= cap`, inside the current space.
            let p = unsafe { obj_at(nursery.base(), nursery.top) };
            nursery.starts[nursery.cur].set(nursery.top);
            nursery.top += bytes;
            nursery.count += 1;
            p
        } else {
            self.old.alloc(class)
        };
        // SAFETY: `p` is the start of `bytes` unused bytes (past the used
        // part of the nursery, or a free old slot of a class that holds
        // them), granule-aligned; nothing there needs dropping.
        unsafe { place(p, value, flags, size32, bytes, inline) };
        if young {
            if let Placement::Young(tag) = placement {
                // The site's tag rides in the unused forwarding word until
                // the object is copied (see `heap::sites`).
                // SAFETY: just written.
                unsafe { (*p).link.set(std::ptr::without_provenance_mut(tag)) };
            }
            self.young_by_class[class] += 1;
            if size > 0 {
                self.young_owning.push(p);
            }
        } else {
            self.made_old_bytes += bytes;
            self.made_old(p, size);
        }
        self.note_allocated(bytes + size);
        Ok(GcRef::new(p).expect("allocation gives a non-null slot"))
    }

    /// An object made straight in the old space (its site is pretenured,
    /// or the nursery is full and collecting is off). It is marked, so
    /// this cycle's sweep keeps it, and remembered if its value may point
    /// into the nursery.
    fn made_old(&mut self, p: *mut GcObj, size: usize) {
        // SAFETY: just written.
        let o = unsafe { &*p };
        o.set(OLD);
        // SAFETY: an old slot.
        unsafe { mark(p, self.epoch) };
        let marking = self.phase == Phase::Marking;
        if o.has(WEAK | HOLDS_CELL) {
            // A weak edge or a cell's contents: left to the marking and
            // young collections that know how to read them.
            if marking {
                self.mark_stack.push(p);
            }
            o.set(REMEMBERED);
            self.remembered.push(p);
            // SAFETY: the object was just made; nothing else refers to it.
            unsafe { walk(o.value_ptr(), false, &mut InOld, &mut self.work) };
        } else {
            // Immutable: what it points to now is all it ever will. It is
            // remembered only if that includes young objects, and while
            // marking it is made black, its old referents grey (the
            // initialising stores pass the barrier at once), so marking
            // never waits for objects made faster than it scans them.
            let mut v = MadeOld {
                nursery: self.nursery.as_ref().map(|n| (n.base(), n.top)),
                has_young: false,
                epoch: self.epoch,
                grey: marking.then_some(&mut self.mark_stack),
            };
            // SAFETY: the object was just made; nothing else refers to it.
            unsafe { walk(o.value_ptr(), false, &mut v, &mut self.work) };
            if v.has_young {
                o.set(REMEMBERED);
                self.remembered.push(p);
            }
            if marking {
                self.marked_bytes += o.bytes() + size;
            }
        }
        self.old_bytes += o.bytes() + size;
    }

    /// A weak cell pointing at `target`.
    ///
    /// # Errors
    /// As [`Heap::alloc`].
    pub fn alloc_weak(&mut self, target: GcRef, roots: &mut dyn Roots) -> Result<GcRef, String> {
        let w = self.alloc(Value::Gc(target), WEAK, roots)?;
        self.weak_young.push(w.as_ptr());
        Ok(w)
    }

    /// An object whose value `finalizer` receives once it is unreachable.
    ///
    /// # Errors
    /// As [`Heap::alloc`].
    pub fn alloc_finalizable(
        &mut self,
        value: Value,
        finalizer: Value,
        roots: &mut dyn Roots,
    ) -> Result<GcRef, String> {
        self.staged.push(finalizer);
        let r = self.alloc(value, FINALIZABLE, roots);
        let finalizer = self.staged.pop().unwrap_or_default();
        let r = r?;
        self.serial += 1;
        let f = Finalizable {
            serial: self.serial,
            obj: r.as_ptr(),
            finalizer,
        };
        // SAFETY: the object was just allocated (no collection since).
        if unsafe { r.obj() }.has(OLD) {
            self.fin_old.push(f);
        } else {
            self.fin_young.push(f);
        }
        Ok(r)
    }

    /// The next finalizer due to run and its value: the one whose object
    /// was made first.
    pub fn pop_pending(&mut self) -> Option<(Value, Value)> {
        if !self.pending_sorted {
            self.pending.sort_by_key(|p| std::cmp::Reverse(p.serial));
            self.pending_sorted = true;
        }
        let p = self.pending.pop()?;
        self.finalized += 1;
        Some((p.finalizer, p.value))
    }

    /// Drops the queued finalizers and their values without running them.
    pub fn drop_pending(&mut self) {
        let p = std::mem::take(&mut self.pending);
        self.garbage
            .extend(p.into_iter().flat_map(|p| [p.finalizer, p.value]));
    }

    /// Keeps `v` as a root until [`Heap::unhold`] (a value the host holds
    /// while the program runs, such as a result waiting for finalizers).
    pub fn hold(&mut self, v: Value) {
        self.staged.push(v);
    }

    pub fn unhold(&mut self) -> Value {
        self.staged.pop().unwrap_or_default()
    }

    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    fn slice_interval(&self) -> usize {
        if self.stress {
            1
        } else {
            // Allocations between slices: an eighth of what a nursery
            // of the smallest objects holds.
            (self.young_cap() / OBJ_BYTES / 8).max(1)
        }
    }

    /// The nursery is full (or stress mode wants a collection).
    fn on_full(&mut self, roots: &mut dyn Roots) {
        self.young(roots, false, false);
        match self.phase {
            Phase::Idle
                if self.stress || (self.params.automatic && self.old_bytes >= self.old_trigger) =>
            {
                self.timed(PauseKind::Old, |h| h.start_marking(roots));
            }
            Phase::Marking
                if self.stress || self.old_bytes > self.old_trigger.saturating_mul(2) =>
            {
                // Marking fell behind allocation: finish it now rather
                // than let the heap run away.
                if self.stress {
                    self.slice(roots);
                } else {
                    self.timed(PauseKind::Old, |h| {
                        h.drain(None);
                        h.finish_marking(roots);
                    });
                }
            }
            Phase::Sweeping { .. } if self.stress => self.slice(roots),
            _ => {}
        }
    }

    fn timed(&mut self, kind: PauseKind, f: impl FnOnce(&mut Heap)) {
        if self.in_pause {
            f(self);
            return;
        }
        let t0 = Instant::now();
        let before = self.phase;
        self.in_pause = true;
        f(self);
        self.in_pause = false;
        self.pauses.record(kind, t0.elapsed());
        if self.trace {
            eprintln!(
                "gc {kind:?}: {:.3} ms ({before:?} -> {:?}), {} grey",
                t0.elapsed().as_secs_f64() * 1e3,
                self.phase,
                self.mark_stack.len()
            );
        }
    }

    /// One increment of old-generation work, bounded by the pause target.
    fn slice(&mut self, roots: &mut dyn Roots) {
        self.until_slice = self.slice_interval();
        let budget = Duration::from_micros(self.params.pause_target_us);
        let limit = if self.stress { 16 } else { usize::MAX };
        self.timed(PauseKind::Old, |h| {
            let deadline = Instant::now() + budget;
            match h.phase {
                Phase::Idle => {}
                Phase::Marking => {
                    if h.grey_empty() {
                        h.finish_marking(roots);
                    } else {
                        h.mark_slice(Some(deadline), limit);
                    }
                }
                Phase::Sweeping { .. } => h.sweep(Some(deadline), limit),
            }
        });
        self.verify_now(roots);
    }

    /// `gc::collect_young`.
    pub fn collect_young(&mut self, roots: &mut dyn Roots) {
        self.young(roots, false, false);
    }

    /// `gc::collect`: a full, blocking collection. When it returns, every
    /// object unreachable before the call is reclaimed (its weak cells
    /// cleared, its finalizer queued) and the dead values are freed.
    pub fn collect(&mut self, roots: &mut dyn Roots) {
        self.timed(PauseKind::Old, |h| {
            // Finish a cycle in progress: what it marked may have died since.
            if h.phase == Phase::Marking {
                h.drain(None);
                h.finish_marking(roots);
            }
            h.sweep(None, usize::MAX);
            h.young(roots, true, false);
            h.start_marking(roots);
            h.drain(None);
            h.finish_marking(roots);
            h.sweep(None, usize::MAX);
            h.drain_garbage(true);
        });
        self.verify_now(roots);
    }

    fn verify_now(&mut self, roots: &mut dyn Roots) {
        if !self.verify {
            return;
        }
        // Checking walks the whole heap: after every collection while the
        // heap is small, then less often as it grows, so that stress mode
        // (a collection per allocation) stays linear in the allocations.
        self.verifications += 1;
        let objects =
            self.nursery.as_ref().map_or(0, |n| n.count) + self.old.slots() - self.old.free_slots();
        let every = (objects / 128).max(1) as u64;
        if objects > 4096 && !self.verifications.is_multiple_of(every) {
            return;
        }
        if let Err(e) = super::barrier::check_heap(self, roots) {
            panic!("GC heap verification failed: {e}");
        }
    }

    // ---------------------------------------------------------------
    // Young collection

    #[allow(clippy::too_many_lines)]
    /// A young collection. `final_mark`: it begins the final mark, so old
    /// objects that roots and young objects point to are greyed. (Young
    /// collections during marking need not grey them: the final mark
    /// rescans the same places, and greying everything a big root list
    /// points to at every young collection would lengthen each pause.)
    fn young(&mut self, roots: &mut dyn Roots, tenure_all: bool, final_mark: bool) {
        let Some(nursery) = self.nursery.as_ref() else {
            return;
        };
        let t0 = Instant::now();
        let marking = self.phase == Phase::Marking;
        let mut work = std::mem::take(&mut self.work);
        let from = nursery.base();
        let from_top = nursery.top;
        let from_count = nursery.count;
        let to_space = 1 - nursery.cur;
        let to = nursery.spaces[to_space];
        let mut to_starts = std::mem::replace(
            &mut self.nursery.as_mut().expect("checked above").starts[to_space],
            Starts(Vec::new()),
        );
        to_starts.clear(self.young_cap());
        let mut ev = Evac {
            from,
            from_top,
            to,
            to_top: 0,
            to_starts: &mut to_starts,
            to_count: 0,
            to_by_class: [0; CLASSES],
            old: &mut self.old,
            // When most of the last nursery survived, what survives now is
            // most likely long-lived too: promoted at once, it is copied
            // once instead of once per young collection it waits through.
            promote_after: if self.high_survival {
                1
            } else {
                self.params.promote_after.max(1)
            },
            tenure_all,
            marking,
            grey_old: marking && final_mark,
            epoch: self.epoch,
            mark_stack: &mut self.mark_stack,
            remembered: &mut self.remembered,
            promoted: std::mem::take(&mut self.spare.promoted),
            interior: std::mem::take(&mut self.spare.interior),
            has_young: false,
            in_old: false,
            promoted_bytes: 0,
            copied: 0,
            copied_bytes: 0,
            resized: 0,
            newly_logged: std::mem::take(&mut self.spare.cells),
            clean_epoch: self.clean_epoch,
            sites: &mut self.sites,
        };
        let mut root_count = 0usize;
        roots.each(&mut |slot| {
            root_count += 1;
            ev.in_old = false;
            // SAFETY: (this and the walks below) the program is stopped;
            // roots and heap values are only touched by this collection.
            unsafe { walk(slot, false, &mut ev, &mut work) };
        });
        for v in own_roots(
            &mut self.staged,
            &mut self.pending,
            &mut self.fin_young,
            &mut self.fin_old,
        ) {
            // SAFETY: as above.
            unsafe { walk(v, false, &mut ev, &mut work) };
        }
        let t_roots = t0.elapsed();
        let (n_logged, n_remembered) = (self.logged.len(), ev.remembered.len());
        // The barrier's log: cells written since the collector last looked.
        let mut kept = std::mem::take(&mut self.spare.kept);
        let mut logged = std::mem::take(&mut self.logged);
        for cell in logged.drain(..) {
            if Rc::strong_count(&cell) == 1 {
                // The program dropped it; only the log held it.
                if let Ok(c) = Rc::try_unwrap(cell) {
                    // SAFETY: the only owner.
                    let v = unsafe { std::ptr::replace(c.value_ptr(), Value::Unit) };
                    self.garbage.push(v);
                }
                continue;
            }
            ev.in_old = true;
            ev.has_young = false;
            // SAFETY: as above.
            unsafe { walk(cell.value_ptr(), true, &mut ev, &mut work) };
            if ev.has_young || cell.held_at.get() != 0 {
                kept.push(cell);
            } else if marking {
                // Written during marking: the final mark must rescan it,
                // but young collections need not.
                cell.clear(CELL_LOGGED);
                if !cell.has(CELL_REMARK) {
                    cell.set(CELL_REMARK);
                    self.remark.push(cell);
                }
            } else {
                cell.clear(CELL_LOGGED);
            }
        }
        self.logged = kept;
        self.spare.kept = logged;
        let mut remembered = std::mem::replace(ev.remembered, std::mem::take(&mut self.spare.objs));
        for o in remembered.drain(..) {
            // SAFETY: remembered objects are live old objects (the sweep
            // prunes the set first).
            let obj = unsafe { &*o };
            ev.in_old = true;
            ev.has_young = false;
            // SAFETY: as above.
            let size = unsafe { walk(obj.value_ptr(), false, &mut ev, &mut work) };
            ev.grow_to(obj, size);
            if ev.has_young {
                ev.remembered.push(o);
            } else {
                obj.clear(REMEMBERED);
            }
        }
        let t_barrier = t0.elapsed();
        self.spare.objs = remembered;
        ev.scan(&mut work);
        let t_scan = t0.elapsed();

        // Weak cells whose young target died are cleared before any
        // finalizer brings the target back.
        for &w in &self.weak_young {
            let Some(cell) = ev.current(w) else { continue };
            // SAFETY: a live weak cell.
            let slot = unsafe { &mut *(*cell).value_ptr() };
            if let Value::Gc(t) = *slot
                && ev.in_from(t.as_ptr().cast())
                // SAFETY: an object of the evacuated space.
                && !unsafe { (*t.as_ptr()).has(FORWARDED) }
            {
                *slot = Value::Unit;
            }
        }
        // Unreachable young objects with finalizers: kept for their
        // finalizer, with everything they point to.
        let mut resurrected = Vec::new();
        let mut still_young = Vec::new();
        for mut f in std::mem::take(&mut self.fin_young) {
            // SAFETY: finalizable objects stay allocated until finalized.
            let o = unsafe { &*f.obj };
            if o.has(FORWARDED) {
                f.obj = o.link.get();
                // SAFETY: the copy just made.
                if unsafe { (*f.obj).has(OLD) } {
                    self.fin_old.push(f);
                } else {
                    still_young.push(f);
                }
            } else {
                // SAFETY: an unforwarded object of the evacuated space.
                let n = unsafe { ev.evacuate(f.obj) };
                resurrected.push((f, n));
            }
        }
        self.fin_young = still_young;
        if !resurrected.is_empty() {
            ev.scan(&mut work);
        }
        for (f, n) in resurrected {
            // SAFETY: the copy just made.
            let o = unsafe { &*n };
            o.clear(FINALIZABLE);
            o.set(FINALIZED);
            // SAFETY: its value moves to the queue; the object stays as an
            // empty shell that panics when dereferenced.
            let mut value = unsafe { std::ptr::replace(o.value_ptr(), Value::Unit) };
            inline::to_heap(&mut value);
            ev.resize(o, 0);
            self.pending.push(Pending {
                serial: f.serial,
                finalizer: f.finalizer,
                value,
            });
            self.pending_sorted = false;
        }
        // Weak cells: follow moved cells and targets; drop dead cells.
        let mut young_weak = std::mem::take(&mut self.spare.objs);
        let mut weak_young = std::mem::take(&mut self.weak_young);
        for w in weak_young.drain(..) {
            let Some(cell) = ev.current(w) else { continue };
            // SAFETY: a live weak cell.
            let slot = unsafe { &mut *(*cell).value_ptr() };
            let mut target_young = false;
            if let Value::Gc(t) = *slot {
                match ev.current(t.as_ptr()) {
                    Some(n) => {
                        *slot = Value::Gc(GcRef::new(n).expect("non-null"));
                        target_young = ev.in_to(n.cast());
                    }
                    None => *slot = Value::Unit,
                }
            }
            if ev.in_to(cell.cast()) || target_young {
                young_weak.push(cell);
            }
        }
        self.weak_young = young_weak;
        self.spare.objs = weak_young;
        // References into moved objects follow them.
        let from_starts = &self.nursery.as_ref().expect("checked above").starts[1 - to_space];
        let mut interior = std::mem::take(&mut ev.interior);
        for slot in interior.drain(..) {
            // SAFETY: a root register holding a reference.
            let v = unsafe { &mut *slot };
            if let Some(slot) = v.ref_slot()
                && let r = *slot
                && ev.in_from(r.cast())
                && let Some(start) = from_starts.object_at(r as usize - from as usize)
            {
                let offset = r as usize - from as usize - start;
                // SAFETY: an object of the evacuated space starts there.
                let obj = unsafe { &*obj_at(from, start) };
                if obj.has(FORWARDED) {
                    // SAFETY: same offset inside the object's new copy.
                    *slot = unsafe { obj.link.get().cast::<u8>().add(offset).cast() };
                }
            }
        }
        self.logged.append(&mut ev.newly_logged);
        self.spare.promoted = std::mem::take(&mut ev.promoted);
        self.spare.interior = interior;
        self.spare.cells = std::mem::take(&mut ev.newly_logged);
        let to_top = ev.to_top;
        let to_count = ev.to_count;
        let to_by_class = ev.to_by_class;
        let copied = ev.copied;
        let copied_bytes = ev.copied_bytes;
        let promoted_bytes = ev.promoted_bytes;
        let resized = ev.resized;
        let t_fixup = t0.elapsed();
        // Dead objects cost nothing, but for what they own outside
        // themselves: that goes to the garbage list.
        let mut freed = from_top - copied_bytes;
        let mut owning = std::mem::take(&mut self.spare.objs);
        for p in self.young_owning.drain(..) {
            // SAFETY: an object of the evacuated space.
            let o = unsafe { &*p };
            if o.has(FORWARDED) {
                let n = o.link.get();
                if within(to, to_top, n.cast()) {
                    owning.push(n);
                }
                continue;
            }
            freed += o.size.get() as usize;
            // SAFETY: the object is dead and never read as an object again
            // (the space is reused by bumping): what it owns moves out
            // exactly once.
            let v = unsafe { &mut *o.value_ptr() };
            let garbage = &mut self.garbage;
            inline::take_owned(v, &mut |x| garbage.push(x));
        }
        self.spare.objs = std::mem::replace(&mut self.young_owning, owning);
        if let Some(n) = self.nursery.as_mut() {
            n.starts[to_space] = to_starts;
        }
        self.work = work;
        if self.trace {
            let ms = |from: Duration, to: Duration| to.saturating_sub(from).as_secs_f64() * 1e3;
            let end = t0.elapsed();
            eprintln!(
                "gc young: {:.3} ms (roots {:.3}, barrier {:.3}, scan {:.3}, weak and finalizers {:.3}, dead {:.3}); {root_count} roots, {n_logged} logged, {n_remembered} remembered, {to_top} survived, {} B promoted, {} garbage, marking {marking}",
                ms(Duration::ZERO, end),
                ms(Duration::ZERO, t_roots),
                ms(t_roots, t_barrier),
                ms(t_barrier, t_scan),
                ms(t_scan, t_fixup),
                ms(t_fixup, end),
                promoted_bytes,
                self.garbage.len(),
            );
        }
        self.old_bytes += promoted_bytes;
        self.note_resized(resized);
        self.bytes_freed += freed as u64;
        let room = young_room(
            copied,
            from_top,
            self.young_cap(),
            self.params.pause_target_us,
        );
        self.high_survival = from_count > 0 && copied * 4 >= from_count * 3;
        self.young_by_class = to_by_class;
        if let Some(n) = self.nursery.as_mut() {
            n.cur = to_space;
            n.top = to_top;
            n.count = to_count;
            n.trigger = (to_top + room).min(n.cap);
        }
        self.young_collections += 1;
        self.made_old_bytes = 0;
        if !tenure_all {
            self.sites.decide();
        }
        if !self.in_pause {
            self.pauses.record(PauseKind::Young, t0.elapsed());
            self.verify_now(roots);
        }
    }

    // ---------------------------------------------------------------
    // Old generation: marking

    fn start_marking(&mut self, roots: &mut dyn Roots) {
        self.sweep(None, usize::MAX);
        self.epoch = next_epoch(self.epoch);
        self.phase = Phase::Marking;
        self.marked_bytes = 0;
        self.weak_marked.clear();
        self.until_slice = self.slice_interval();
        let mut work = std::mem::take(&mut self.work);
        let mut m = ListOld {
            out: &mut self.root_grey,
            nursery: self.nursery.as_ref().map(|n| (n.base(), n.top)),
        };
        roots.each(&mut |slot| {
            // SAFETY: (this and the walks below) the program is stopped.
            unsafe { walk(slot, false, &mut m, &mut work) };
        });
        for v in own_roots(
            &mut self.staged,
            &mut self.pending,
            &mut self.fin_young,
            &mut self.fin_old,
        ) {
            // SAFETY: as above.
            unsafe { walk(v, false, &mut m, &mut work) };
        }
        self.work = work;
    }

    /// Greys and scans until the grey stack is empty, `deadline` passes or
    /// `limit` objects are done.
    fn mark_slice(&mut self, deadline: Option<Instant>, limit: usize) {
        let mut work = std::mem::take(&mut self.work);
        let nursery = self.nursery.as_ref().map(|n| (n.base(), n.top));
        let mut done = 0usize;
        let mut resized = 0i64;
        let mut marked = 0usize;
        loop {
            let p = if let Some(p) = self.mark_stack.pop() {
                p
            } else if let Some(p) = self.root_grey.pop() {
                if let Some(&ahead) = self
                    .root_grey
                    .len()
                    .checked_sub(PREFETCH_AHEAD)
                    .and_then(|i| self.root_grey.get(i))
                {
                    prefetch_object(ahead);
                }
                // SAFETY: old objects roots pointed to stay allocated
                // until this cycle's sweep.
                if !unsafe { mark(p, self.epoch) } {
                    continue;
                }
                p
            } else {
                break;
            };
            // SAFETY: grey objects are live old objects.
            let o = unsafe { &*p };
            if o.has(WEAK) {
                self.weak_marked.push(p);
            } else {
                let mut m = Marker {
                    epoch: self.epoch,
                    mark_stack: &mut self.mark_stack,
                    nursery,
                    in_old: true,
                };
                if o.has(HOLDS_CELL) {
                    // What it owns may have changed since it was counted.
                    // SAFETY: the program is stopped.
                    let size = unsafe { walk(o.value_ptr(), false, &mut m, &mut work) };
                    let size = u32::try_from(size).unwrap_or(u32::MAX);
                    resized += i64::from(size) - i64::from(o.size.get());
                    o.size.set(size);
                } else {
                    // Its size is as `Gc::new` counted it: the walk need
                    // not read each string's header (a cache miss apiece).
                    let mut m = Unmeasured(m);
                    // SAFETY: the program is stopped.
                    unsafe { walk(o.value_ptr(), false, &mut m, &mut work) };
                }
            }
            marked += o.bytes() + o.size.get() as usize;
            done += 1;
            if done >= limit {
                break;
            }
            if done.is_multiple_of(64) && deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
        }
        self.work = work;
        self.marked_bytes += marked;
        self.old_bytes = self.old_bytes.saturating_add_signed(resized as isize);
        self.note_resized(resized);
    }

    /// Whether marking has nothing left to do but the final mark.
    fn grey_empty(&self) -> bool {
        self.mark_stack.is_empty() && self.root_grey.is_empty()
    }

    fn drain(&mut self, deadline: Option<Instant>) {
        while !self.grey_empty() {
            self.mark_slice(deadline, usize::MAX);
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
        }
    }

    fn marked(&self, p: *mut GcObj) -> bool {
        if self.nursery.as_ref().is_some_and(|n| n.holds(p.cast())) {
            return true;
        }
        // SAFETY: an old object pointer from a live weak cell, finalizer
        // entry or remembered set.
        unsafe { is_marked(p, self.epoch) }
    }

    /// The final mark: a young collection greys everything roots, young
    /// objects and logged cells point to; then the grey stack is drained,
    /// weak cells to dead objects cleared and finalizers queued.
    fn finish_marking(&mut self, roots: &mut dyn Roots) {
        self.young(roots, false, true);
        let mut work = std::mem::take(&mut self.work);
        for cell in std::mem::take(&mut self.remark) {
            cell.clear(CELL_REMARK);
            let mut m = Marker {
                epoch: self.epoch,
                mark_stack: &mut self.mark_stack,
                nursery: self.nursery.as_ref().map(|n| (n.base(), n.top)),
                in_old: true,
            };
            // SAFETY: the program is stopped; the cell is alive (held).
            unsafe { walk(cell.value_ptr(), true, &mut m, &mut work) };
        }
        self.work = work;
        self.drain(None);
        for &w in self.weak_marked.iter().chain(self.weak_young.iter()) {
            if !self.marked(w) {
                continue;
            }
            // SAFETY: a live weak cell.
            let slot = unsafe { &mut *(*w).value_ptr() };
            if let Value::Gc(t) = *slot
                && !self.marked(t.as_ptr())
            {
                *slot = Value::Unit;
            }
        }
        let mut resurrected = Vec::new();
        let mut live = Vec::new();
        for f in std::mem::take(&mut self.fin_old) {
            if self.marked(f.obj) {
                live.push(f);
            } else {
                // SAFETY: an old object awaiting finalization.
                unsafe { mark(f.obj, self.epoch) };
                self.mark_stack.push(f.obj);
                resurrected.push(f);
            }
        }
        self.fin_old = live;
        self.drain(None);
        for f in resurrected {
            // SAFETY: as above.
            let o = unsafe { &*f.obj };
            o.clear(FINALIZABLE);
            o.set(FINALIZED);
            // SAFETY: the value moves to the queue; the object remains an
            // empty shell.
            let mut value = unsafe { std::ptr::replace(o.value_ptr(), Value::Unit) };
            inline::to_heap(&mut value);
            let size = o.size.replace(0);
            self.note_resized(-i64::from(size));
            self.old_bytes = self.old_bytes.saturating_sub(size as usize);
            self.pending.push(Pending {
                serial: f.serial,
                finalizer: f.finalizer,
                value,
            });
            self.pending_sorted = false;
        }
        let epoch = self.epoch;
        let nursery = self.nursery.as_ref().map(|n| (n.base(), n.top));
        let alive = |p: *mut GcObj| {
            nursery.is_some_and(|(b, t)| within(b, t, p.cast()))
                // SAFETY: entries point at allocated slots until swept.
                || unsafe { is_marked(p, epoch) }
        };
        self.weak_young.retain(|&w| alive(w));
        self.remembered.retain(|&o| alive(o));
        self.old_collections += 1;
        self.old_trigger = self
            .params
            .min_old_trigger
            .max((self.marked_bytes as f64 * self.params.growth) as usize);
        self.phase = Phase::Sweeping { chunk: 0, slot: 0 };
    }

    // ---------------------------------------------------------------
    // Old generation: sweeping

    /// Frees unmarked old objects until done, `deadline` passes or `limit`
    /// slots are looked at.
    fn sweep(&mut self, deadline: Option<Instant>, limit: usize) {
        let Phase::Sweeping {
            mut chunk,
            mut slot,
        } = self.phase
        else {
            return;
        };
        let mut seen = 0usize;
        let mut freed = 0usize;
        while chunk < self.old.chunks.len() {
            // What dead objects a few slots on own outside themselves
            // starts loading now, a level at a time: their cells' and
            // lists' boxes, then (those loaded by now) what the cells hold.
            for (distance, below) in [(2 * PREFETCH_AHEAD, false), (PREFETCH_AHEAD, true)] {
                let ahead = slot + distance;
                if ahead < self.old.slots_in(chunk) && self.old.is_garbage(chunk, ahead, self.epoch)
                {
                    let o = self.old.slot(chunk, ahead);
                    if o.size.get() > 0 {
                        // SAFETY: a dead object's value, intact until the
                        // sweep reaches it; the program is stopped, so
                        // nothing writes its cells.
                        let v = unsafe { &*o.value_ptr() };
                        if below {
                            // SAFETY: as above.
                            unsafe { v.each_owned_addr_below(prefetch) };
                        } else {
                            v.each_owned_addr(prefetch);
                        }
                    }
                }
            }
            // The mark table says which slots hold dead objects: live and
            // free ones are not touched.
            if self.old.is_garbage(chunk, slot, self.epoch) {
                let o = self.old.slot(chunk, slot);
                let owned = o.size.get();
                freed += o.bytes() + owned as usize;
                // An object that owns nothing outside itself (its records
                // and strings inline, or scalars and `Gc`s only) frees
                // nothing when dropped: its value is not read at all.
                if owned > 0 {
                    // SAFETY: an unmarked object is unreachable: nothing
                    // reads its value again. It is dropped here: a slice
                    // stops at its deadline anyway, and memory freed now is
                    // what the program allocates next (deferring it made
                    // pauses fault in fresh pages for the garbage list).
                    drop(unsafe { std::ptr::replace(o.value_ptr(), Value::Unit) });
                } else {
                    // SAFETY: as above; forgetting a value that owns
                    // nothing outside the slot leaks nothing.
                    unsafe { std::ptr::write(o.value_ptr(), Value::Unit) };
                }
                let p: *const GcObj = o;
                // SAFETY: the slot belongs to the old space.
                self.old.release(unsafe { &*p });
            }
            slot += 1;
            if slot == self.old.slots_in(chunk) {
                slot = 0;
                chunk += 1;
            }
            seen += 1;
            if seen >= limit
                || (seen.is_multiple_of(64) && deadline.is_some_and(|d| Instant::now() >= d))
            {
                break;
            }
        }
        self.bytes_freed += freed as u64;
        self.old_bytes = self.old_bytes.saturating_sub(freed);
        self.phase = if chunk >= self.old.chunks.len() {
            Phase::Idle
        } else {
            Phase::Sweeping { chunk, slot }
        };
    }

    /// What the collector has done so far.
    pub fn stats(&self) -> GcStats {
        let mut s = GcStats {
            young_collections: self.young_collections,
            old_collections: self.old_collections,
            bytes_allocated: self.bytes_allocated,
            bytes_freed: self.bytes_freed,
            heap_bytes: self.heap_bytes(),
            peak_heap_bytes: self.peak_heap_bytes,
            finalized: self.finalized,
            pretenured: self.sites.pretenured_objects,
            fragmentation: if self.old.slots() == 0 {
                0.0
            } else {
                self.old.free_slots() as f64 / self.old.slots() as f64
            },
            ..GcStats::default()
        };
        s.fill_pauses(&self.pauses);
        s
    }

    pub fn mode(&self) -> GcMode {
        self.params.mode
    }

    /// What `p` points at, for verification messages.
    pub(crate) fn describe(&self, p: *mut GcObj) -> &'static str {
        if let Some(n) = &self.nursery {
            if n.holds(p.cast()) {
                if !n.starts_at(p.cast()) {
                    return "inside a nursery object, not at its start";
                }
                // SAFETY: an object of the current space starts there.
                return if unsafe { (*p).has(FORWARDED) } {
                    "a forwarded nursery object"
                } else {
                    "a live nursery object"
                };
            }
            if n.anywhere(p.cast()) {
                return "in the nursery but outside the current space's objects";
            }
        }
        if self.old.owns(p.cast()) {
            "a free old slot"
        } else {
            "outside the heap"
        }
    }

    /// Whether `p` is an object of this heap that is allocated (for
    /// verification).
    pub(crate) fn is_live_object(&self, p: *mut GcObj) -> bool {
        if let Some(n) = &self.nursery {
            if n.holds(p.cast()) {
                return n.starts_at(p.cast())
                    // SAFETY: an object of the current space starts there.
                    && !unsafe { (*p).has(FORWARDED) };
            }
            if n.anywhere(p.cast()) {
                return false;
            }
        }
        // SAFETY: `owns` checks that `p` is one of our slots first.
        self.old.owns(p.cast()) && !unsafe { (*p).has(FREE) }
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        // Values owned by objects are freed; finalizers do not run at exit.
        // Young objects owning nothing outside themselves need no drop.
        for &p in &self.young_owning {
            // SAFETY: objects of the current space, each dropped once; an
            // inline object's drop frees nothing of the space.
            unsafe { std::ptr::drop_in_place((*p).value_ptr()) };
        }
        for o in self.old.each_slot() {
            // SAFETY: every old slot holds a value (`()` when free).
            unsafe { std::ptr::drop_in_place(o.value_ptr()) };
        }
        for cell in &self.logged {
            cell.clear(CELL_LOGGED);
        }
    }
}

/// Writes an object of `bytes` bytes holding `value` at `p`, laying out
/// its records and strings inline by `inline` (see `value::inline`).
///
/// # Safety
/// `p` is the granule-aligned start of `bytes` unused bytes, `bytes` is
/// `OBJ_BYTES` plus `inline`'s bytes, and `inline` is
/// `inline::plan(&value)`.
unsafe fn place(
    p: *mut GcObj,
    mut value: Value,
    flags: u16,
    size: u32,
    bytes: usize,
    inline: Option<inline::Plan>,
) {
    if let Some(plan) = inline {
        // SAFETY: the caller's promise: the bytes after the header and
        // value are ours, as many as the plan needs.
        unsafe { inline::lay_out(&mut value, p.cast::<u8>().add(OBJ_BYTES), plan) };
    }
    // SAFETY: the caller's promise; the value's inline objects point
    // past the header just laid out.
    unsafe { std::ptr::write(p, GcObj::new(value, flags, size, bytes)) };
}

/// The values the heap itself keeps alive: values being allocated,
/// finalizers due to run with their values, and the finalizers of objects
/// not yet collected.
fn own_roots<'a>(
    staged: &'a mut [Value],
    pending: &'a mut [Pending],
    fin_young: &'a mut [Finalizable],
    fin_old: &'a mut [Finalizable],
) -> impl Iterator<Item = &'a mut Value> {
    staged
        .iter_mut()
        .chain(
            pending
                .iter_mut()
                .flat_map(|p| [&mut p.finalizer, &mut p.value]),
        )
        .chain(
            fin_young
                .iter_mut()
                .chain(fin_old.iter_mut())
                .map(|f| &mut f.finalizer),
        )
}

/// Empty buffers kept between young collections (see `Heap::spare`).
#[derive(Default)]
struct Spare {
    promoted: Vec<*mut GcObj>,
    interior: Vec<*mut Value>,
    objs: Vec<*mut GcObj>,
    cells: Vec<Rc<CellBox>>,
    kept: Vec<Rc<CellBox>>,
}

/// Flags every cell it passes as living in the old space.
struct InOld;

impl Visitor for InOld {
    fn edge(&mut self, _: *mut Value, _: bool) {}

    fn cell(&mut self, c: &Rc<CellBox>, covered: bool) -> bool {
        c.set(CELL_IN_OLD);
        covered
    }
}

/// The object a walk's `Gc`/`Weak` slot points to, and whether it lies
/// in the nursery (`nursery`: its base and used bytes); `None` for another
/// value.
///
/// # Safety
/// `slot` is a slot a walk handed out: valid for reads.
unsafe fn edge_target(
    slot: *mut Value,
    nursery: Option<(*mut GcObj, usize)>,
) -> Option<(*mut GcObj, bool)> {
    // SAFETY: the caller's promise.
    let (Value::Gc(r) | Value::Weak(r)) = (unsafe { &*slot }) else {
        return None;
    };
    let p = r.as_ptr();
    Some((
        p,
        nursery.is_some_and(|(base, top)| within(base, top, p.cast())),
    ))
}

/// Walks a plain object made straight in the old space: notes whether it
/// points into the nursery and, while marking, greys the unmarked old
/// objects it points to.
struct MadeOld<'a> {
    nursery: Option<(*mut GcObj, usize)>,
    has_young: bool,
    epoch: u8,
    grey: Option<&'a mut Vec<*mut GcObj>>,
}

impl Visitor for MadeOld<'_> {
    fn edge(&mut self, slot: *mut Value, _covered: bool) {
        // SAFETY: the walk hands out slots holding `Gc`/`Weak`.
        let Some((p, young)) = (unsafe { edge_target(slot, self.nursery) }) else {
            return;
        };
        if young {
            self.has_young = true;
        } else if let Some(grey) = self.grey.as_deref_mut()
            // SAFETY: an old object (reachable, so allocated).
            && unsafe { mark(p, self.epoch) }
        {
            grey.push(p);
        }
    }

    fn cell(&mut self, c: &Rc<CellBox>, covered: bool) -> bool {
        c.set(CELL_IN_OLD);
        covered
    }
}

/// Lists the old objects a walk finds, marking nothing.
struct ListOld<'a> {
    out: &'a mut Vec<*mut GcObj>,
    nursery: Option<(*mut GcObj, usize)>,
}

impl Visitor for ListOld<'_> {
    fn edge(&mut self, slot: *mut Value, _covered: bool) {
        // SAFETY: the walk hands out slots holding `Gc`/`Weak`.
        let Some((p, young)) = (unsafe { edge_target(slot, self.nursery) }) else {
            return;
        };
        if !young {
            self.out.push(p);
        }
    }
}

/// The marker's visitor for an object whose size is known: strings are
/// not measured.
struct Unmeasured<'a>(Marker<'a>);

impl Visitor for Unmeasured<'_> {
    const MEASURES_STRINGS: bool = false;

    fn edge(&mut self, slot: *mut Value, covered: bool) {
        self.0.edge(slot, covered);
    }

    fn cell(&mut self, cell: &Rc<CellBox>, covered: bool) -> bool {
        self.0.cell(cell, covered)
    }
}

/// The marker's visitor: greys white old objects.
struct Marker<'a> {
    epoch: u8,
    mark_stack: &'a mut Vec<*mut GcObj>,
    nursery: Option<(*mut GcObj, usize)>,
    /// Walking an old object (not a root): its cells are in the old space.
    in_old: bool,
}

impl Visitor for Marker<'_> {
    fn edge(&mut self, slot: *mut Value, _covered: bool) {
        // SAFETY: the walk hands out slots holding `Gc`/`Weak`.
        let Some((p, young)) = (unsafe { edge_target(slot, self.nursery) }) else {
            return;
        };
        // SAFETY: an old object (reachable, so allocated).
        if !young && unsafe { mark(p, self.epoch) } {
            self.mark_stack.push(p);
        }
    }

    fn cell(&mut self, cell: &Rc<CellBox>, covered: bool) -> bool {
        if self.in_old {
            cell.set(CELL_IN_OLD);
        }
        covered || cell.has(CELL_LOGGED)
    }
}

#[cfg(test)]
mod tests {
    use super::{Heap, NoRoots, Roots};
    use crate::heap::Params;
    use crate::heap::barrier::check_heap;
    use crate::value::{Record, Value, Variant};

    /// Roots held in a vector, as registers would hold them.
    struct Held(Vec<Value>);

    impl Roots for Held {
        fn each(&mut self, f: &mut dyn FnMut(*mut Value)) {
            for v in &mut self.0 {
                f(v);
            }
        }
    }

    /// Field `i` of the record in object `g`.
    fn field(v: &Value, i: usize) -> Value {
        let Value::Gc(g) = v else {
            panic!("not a Gc: {v:?}")
        };
        // SAFETY: a live object (the caller holds it as a root).
        let Value::Record(r) = (unsafe { &*g.obj().value_ptr() }) else {
            panic!("not a record")
        };
        r.fields()[i].clone()
    }

    /// A site whose objects all live is pretenured; one whose objects die
    /// young is not, also while the other is; what was made old is
    /// intact after a full collection.
    #[test]
    fn long_lived_sites_are_made_old_and_short_lived_ones_young() {
        let mut h = Heap::new(Params::default());
        let mut held = Held(Vec::new());
        let n = 40_000;
        for i in 0..n {
            let g = h.alloc_at(point(i), 0, 1, &mut held).expect("room");
            held.0.push(Value::Gc(g));
            let t = h.alloc_at(point(i), 0, 2, &mut held).expect("room");
            assert!(h.is_young(&Value::Gc(t)), "a dying site's object made old");
        }
        let made_old = h.stats().pretenured;
        assert!(
            made_old > 30_000,
            "{made_old} of {n} long-lived objects made old"
        );
        h.collect(&mut held);
        for (i, v) in (0..n).zip(&held.0) {
            assert_eq!(field(v, 0).as_int(), Some(i));
        }
        check_heap(&h, &mut held).expect("a sound heap");
    }

    /// An object made old while marking runs may hold the only pointer to
    /// an old object that marking has not reached (at its start it was
    /// reachable only through a young object, which marking does not
    /// follow): that object survives the cycle.
    #[test]
    fn objects_made_old_during_marking_keep_what_they_point_to() {
        let mut h = Heap::new(Params::default());
        let mut held = Held(Vec::new());
        let n = 3000;
        for i in 0..n {
            let g = h.alloc_at(point(i), 0, 1, &mut held).expect("room");
            held.0.push(Value::Gc(g));
        }
        // Site 3 learns that its objects live.
        let warm: Vec<Value> = (0..300)
            .map(|i| Value::Gc(h.alloc_at(point(i), 0, 3, &mut NoRoots).expect("room")))
            .collect();
        held.0.extend(warm);
        h.collect_young(&mut held);
        // Each old object is now reachable only through a young one.
        for i in 0..n {
            let a = std::mem::take(&mut held.0[i as usize]);
            let y = Value::Record(Record::new(9, [Value::Int(i), a].into_iter()));
            let y = h.alloc_at(y, 0, 2, &mut held).expect("room");
            assert!(h.is_young(&Value::Gc(y)));
            held.0[i as usize] = Value::Gc(y);
        }
        h.start_marking(&mut held);
        let mut made_old = 0;
        for i in 0..n {
            let target = field(&held.0[i as usize], 1);
            let holder = Value::Record(Record::new(9, [Value::Int(-i), target].into_iter()));
            let g = h.alloc_at(holder, 0, 3, &mut held).expect("room");
            made_old += usize::from(!h.is_young(&Value::Gc(g)));
            held.0[i as usize] = Value::Gc(g);
        }
        assert_eq!(made_old, n as usize, "site 3 is pretenured");
        h.drain(None);
        h.finish_marking(&mut held);
        h.sweep(None, usize::MAX);
        check_heap(&h, &mut held).expect("a sound heap");
        for (i, v) in (0..n).zip(&held.0) {
            assert_eq!(field(v, 0).as_int(), Some(-i));
            assert_eq!(field(&field(v, 1), 0).as_int(), Some(i));
        }
    }

    fn point(i: i64) -> Value {
        let some = Value::Variant(Variant::new(0, 1, std::iter::once(Value::Int(i))));
        Value::Record(Record::new(9, [Value::Int(i), some].into_iter()))
    }

    /// Records laid out inline that own nothing outside their object die
    /// without the collector touching them, also with a short string
    /// (laid out inline too); one holding a list leaves only the list to
    /// drop.
    #[test]
    fn dead_young_objects_owning_nothing_outside_leave_no_garbage() {
        let mut h = Heap::new(Params::default());
        for i in 0..1000 {
            let g = h.alloc(point(i), 0, &mut NoRoots).expect("room");
            // SAFETY: just allocated, no collection since.
            let o = unsafe { g.obj() };
            assert_eq!(o.bytes(), 32 + (16 + 32) + (16 + 16), "one block");
            assert_eq!(o.size.get(), 0, "nothing outside");
        }
        let named = Value::Record(Record::new(9, std::iter::once(Value::str("bed 12"))));
        let g = h.alloc(named, 0, &mut NoRoots).expect("room");
        // SAFETY: just allocated, no collection since.
        let o = unsafe { g.obj() };
        assert_eq!(o.bytes(), 32 + (16 + 16) + (16 + 16), "the string inline");
        assert_eq!(o.size.get(), 0, "nothing outside");
        assert!(h.young_owning.is_empty());
        let list = Value::List(crate::value::List::new(vec![Value::Int(1)]));
        let listed = Value::Record(Record::new(9, std::iter::once(list)));
        h.alloc(listed, 0, &mut NoRoots).expect("room");
        assert_eq!(h.young_owning.len(), 1);
        h.collect_young(&mut NoRoots);
        assert_eq!(h.garbage.len(), 1, "only the list");
        assert!(h.young_owning.is_empty());
    }
}
