//! The write barrier, and the heap invariants it keeps.
//!
//! A `Gc<T>` gives shared access only, so every change to data inside a GC
//! object goes through a `RefCell` or `Cell` in it (`borrow_mut`,
//! `try_borrow_mut`, `replace`, `set`). That is where the one barrier sits:
//! [`cell_write`], called before the write. It serves both collectors.
//!
//! Invariants (checked by [`check_heap`] after every collection in debug
//! builds, in stress mode and with `WARD_GC_VERIFY=1`):
//!
//! 1. **No dangling pointers.** Every `Gc`/`Weak` pointer in a root or a
//!    live object points at an allocated object: in the nursery's current
//!    space below its top and not forwarded, or an old slot that is not
//!    free. A weak cell holds a live target or `()`; one in the nursery, or
//!    pointing into it, is in the heap's young weak list.
//! 2. **Generational (remembered set).** Every pointer from an old object
//!    into the nursery is covered: the object is remembered (it was
//!    promoted or made old with young referents), or the pointer lies
//!    inside a *logged* cell of it. The barrier logs a cell that lives in
//!    the old space (`CELL_IN_OLD`) before its first write; a young
//!    collection scans logged cells and remembered objects as roots and
//!    forgets those left with no young referents — but never a cell that
//!    is borrowed mutably (a frame still holds a `&mut` from `borrow_mut`),
//!    whose writer will not pass the barrier again; a cell found held
//!    while its object is promoted is logged then.
//! 3. **Cells know where they live.** A cell inside an old object (and not
//!    inside a logged cell) has `CELL_IN_OLD`: the collector sets it on
//!    every cell it walks inside an old object (promotion, marking, the
//!    log), and a cell put into an old object later arrives through a
//!    logged cell, which covers it until then.
//! 4. **Incremental marking (strong tri-colour).** While marking, a black
//!    old object (marked and off the grey stack) never points to a white
//!    old object, except from inside a logged cell or one on the remark
//!    list (written during marking, no young referents) — such a cell
//!    counts as grey: the final mark rescans it. This holds because an object's
//!    value changes only through cells (logged on write), objects promoted
//!    or made during marking start grey, and roots and young objects are
//!    rescanned by the young collection that begins the final mark.

use std::collections::HashSet;
use std::rc::Rc;

use super::collector::{Heap, Phase, Roots};
use super::old_space::is_marked;
use super::trace::{Visitor, Work, walk};
use crate::value::gc_object::{
    CELL_IN_OLD, CELL_LOGGED, CELL_REMARK, CellBox, FINALIZABLE, GcObj, GcRef, OLD, REMEMBERED,
    WEAK,
};
use crate::value::{List, Value};

/// The barrier: call before writing into `cell`'s value.
pub fn cell_write(heap: &mut Heap, cell: &Rc<CellBox>) {
    if cell.has(CELL_IN_OLD) && !cell.has(CELL_LOGGED) {
        cell.set(CELL_LOGGED);
        heap.logged.push(Rc::clone(cell));
    }
}

/// Checks the invariants above; the first violation found is the error.
///
/// # Errors
/// A description of the first broken invariant.
pub fn check_heap(heap: &Heap, roots: &mut dyn Roots) -> Result<(), String> {
    let grey: HashSet<*mut GcObj> = heap.mark_stack.iter().copied().collect();
    let mut c = Checker {
        heap,
        grey: &grey,
        owner: None,
        error: None,
        marking: heap.phase == Phase::Marking,
    };
    let mut work = Vec::new();
    roots.each(&mut |slot| {
        // SAFETY: (this and every walk below) the program is stopped and
        // the walk only reads; the values are live (roots, allocated
        // objects).
        unsafe { walk(slot, false, &mut c, &mut work) };
    });
    if let Some(e) = c.error.take() {
        return Err(format!("root: {e}"));
    }
    let weak: HashSet<*mut GcObj> = heap.weak_young.iter().copied().collect();
    let mut objects: Vec<*mut GcObj> = Vec::new();
    if let Some(n) = &heap.nursery {
        objects.extend(n.objects());
        let owning: HashSet<*mut GcObj> = heap.young_owning.iter().copied().collect();
        for p in n.objects() {
            // SAFETY: an object of the current space.
            let o = unsafe { &*p };
            if o.size.get() > 0 && !o.has(WEAK) && !owning.contains(&p) {
                return Err(format!(
                    "young object {p:p} owns {} bytes but is not in the young owning list",
                    o.size.get()
                ));
            }
        }
    }
    let sweeping = matches!(heap.phase, Phase::Sweeping { .. });
    for o in heap.old.each_slot() {
        // While the sweep runs, an unmarked object is garbage it has not
        // reached yet (what it points to may be freed already): every
        // live old object is marked, those promoted since included.
        // SAFETY: a slot of the old space.
        if sweeping && !unsafe { is_marked(o, heap.epoch) } {
            continue;
        }
        if !o.has(crate::value::gc_object::FREE) {
            objects.push(std::ptr::from_ref(o).cast_mut());
        }
    }
    for &p in &objects {
        // SAFETY: an allocated object (listed just above).
        let o = unsafe { &*p };
        let old = o.has(OLD);
        if old != heap.nursery.as_ref().is_none_or(|n| !n.holds(p.cast())) {
            return Err(format!("{p:p}: the OLD flag disagrees with where it lives"));
        }
        if o.has(WEAK) {
            let young = |q: *mut GcObj| heap.nursery.as_ref().is_some_and(|n| n.holds(q.cast()));
            // SAFETY: a live object's value.
            let target = match unsafe { &*o.value_ptr() } {
                Value::Unit => None,
                Value::Gc(t) if heap.is_live_object(t.as_ptr()) => Some(t.as_ptr()),
                Value::Gc(t) => {
                    return Err(format!(
                        "weak cell {p:p} holds {t:?}, {}",
                        heap.describe(t.as_ptr())
                    ));
                }
                other => return Err(format!("weak cell {p:p} holds {other:?}")),
            };
            if (young(p) || target.is_some_and(young)) && !weak.contains(&p) {
                return Err(format!(
                    "weak cell {p:p} is young or points into the nursery but is not in the young weak list"
                ));
            }
            continue;
        }
        // SAFETY: a live object's value.
        if !crate::value::inline::inline_within(unsafe { &*o.value_ptr() }, p.cast(), o.bytes()) {
            return Err(format!(
                "object {p:p}: an inline record lies outside the object"
            ));
        }
        c.owner = old.then(|| Owner {
            remembered: o.has(REMEMBERED),
            // SAFETY: an old object (checked just above).
            black: unsafe { is_marked(p, heap.epoch) } && !grey.contains(&p),
        });
        // SAFETY: as above.
        unsafe { walk(o.value_ptr(), false, &mut c, &mut work) };
        if let Some(e) = c.error.take() {
            return Err(format!("object {p:p}: {e}"));
        }
    }
    for &w in weak.iter().chain(heap.weak_marked.iter()) {
        if !heap.is_live_object(w) {
            return Err(format!("weak list entry {w:p} is not a live object"));
        }
    }
    for f in heap.fin_young.iter().chain(heap.fin_old.iter()) {
        // SAFETY: checked live first.
        if !heap.is_live_object(f.obj) || !unsafe { (*f.obj).has(FINALIZABLE) } {
            return Err(format!(
                "finalizer entry {:p} is not a live finalizable object",
                f.obj
            ));
        }
    }
    for &r in &heap.remembered {
        // SAFETY: checked live first.
        if !heap.is_live_object(r) || !unsafe { (*r).has(REMEMBERED) } {
            return Err(format!(
                "remembered entry {r:p} is not a remembered old object"
            ));
        }
    }
    for cell in &heap.logged {
        if !cell.has(CELL_LOGGED) {
            return Err("a cell in the log is not flagged as logged".into());
        }
    }
    Ok(())
}

struct Owner {
    remembered: bool,
    black: bool,
}

struct Checker<'a> {
    heap: &'a Heap,
    grey: &'a HashSet<*mut GcObj>,
    /// The old object being walked (`None`: a root or young object).
    owner: Option<Owner>,
    error: Option<String>,
    marking: bool,
}

impl Checker<'_> {
    fn fail(&mut self, e: String) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }
}

impl Visitor for Checker<'_> {
    fn edge(&mut self, slot: *mut Value, covered: bool) {
        // SAFETY: the walk hands out slots holding `Gc`/`Weak`.
        let (Value::Gc(r) | Value::Weak(r)) = (unsafe { &*slot }) else {
            return;
        };
        let r: GcRef = *r;
        let p = r.as_ptr();
        if !self.heap.is_live_object(p) {
            let what = self.heap.describe(p);
            let from = if self.owner.is_some() {
                "old"
            } else {
                "young or root"
            };
            self.fail(format!("({from}) points at {p:p}, which is {what}"));
            return;
        }
        let Some((remembered, black)) = self.owner.as_ref().map(|o| (o.remembered, o.black)) else {
            return;
        };
        let young = self
            .heap
            .nursery
            .as_ref()
            .is_some_and(|n| n.holds(p.cast()));
        if young && !remembered && !covered {
            self.fail(format!(
                "an old object points into the nursery ({p:p}) but is not remembered and the pointer is in no logged cell"
            ));
        }
        if self.marking
            && black
            && !young
            && !covered
            // SAFETY: live (checked above).
            && !unsafe { is_marked(p, self.heap.epoch) }
            && !self.grey.contains(&p)
        {
            self.fail(format!("a black object points at white {p:p}"));
        }
    }

    /// A clean list points into the nursery only at the indices it keeps
    /// (see `value::list`), and holds flat values only.
    fn list(&mut self, l: &mut List, _covered: bool, _work: &mut Work) -> Option<usize> {
        if !l.is_clean(self.heap.clean_epoch) {
            return None;
        }
        let listed: HashSet<u32> = l.young_indices().iter().copied().collect();
        for (i, v) in l.iter().enumerate() {
            if !v.is_flat() {
                self.fail(format!("a clean list holds {v:?} at {i}"));
            } else if self.heap.is_young(v)
                && !listed.contains(&u32::try_from(i).unwrap_or(u32::MAX))
            {
                self.fail(format!(
                    "a clean list points into the nursery at {i}, which it does not list"
                ));
            }
        }
        None
    }

    fn cell(&mut self, cell: &Rc<CellBox>, covered: bool) -> bool {
        if self.owner.is_some() && !covered && !cell.has(CELL_IN_OLD) {
            self.fail("a cell inside an old object is not flagged as old".into());
        }
        if self.owner.is_some() && !covered && cell.held_at.get() != 0 && !cell.has(CELL_LOGGED) {
            self.fail("a cell inside an old object is borrowed mutably but not logged".into());
        }
        covered || cell.has(CELL_LOGGED) || (self.marking && cell.has(CELL_REMARK))
    }
}
