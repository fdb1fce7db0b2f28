//! The young collection's visitor: it copies what it finds out of the
//! evacuated semi-space (into the other one, or the old space once an
//! object is old enough), updates the pointers to it, and notes where a
//! walk still finds young pointers (remembered objects, clean lists).

// Byte counts are approximate by nature; the runtime targets 64-bit
// machines.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::struct_excessive_bools
)]

use std::rc::Rc;

use super::nursery::{Starts, within};
use super::old_space::{CLASSES, OldSpace, PREFETCH_AHEAD, class_of, mark, prefetch};
use super::sites::Sites;
use super::trace::{Visitor, Work, walk};
use crate::value::gc_object::{
    CELL_IN_OLD, CELL_LOGGED, CellBox, FORWARDED, GcObj, GcRef, OLD, REMEMBERED, WEAK, obj_at,
};
use crate::value::{List, Value, inline};

/// The young collection's visitor: evacuates what it finds.
pub(super) struct Evac<'a> {
    pub(super) from: *mut GcObj,
    /// Bytes of the evacuated space in use.
    pub(super) from_top: usize,
    pub(super) to: *mut GcObj,
    /// Bytes of to-space filled.
    pub(super) to_top: usize,
    /// Where objects start in to-space.
    pub(super) to_starts: &'a mut Starts,
    /// Objects copied to to-space.
    pub(super) to_count: usize,
    /// Objects copied to to-space, by old-space size class.
    pub(super) to_by_class: [usize; CLASSES],
    pub(super) old: &'a mut OldSpace,
    pub(super) promote_after: u8,
    pub(super) tenure_all: bool,
    pub(super) marking: bool,
    /// Grey the old objects pointers lead to (the final mark).
    pub(super) grey_old: bool,
    pub(super) epoch: u8,
    pub(super) mark_stack: &'a mut Vec<*mut GcObj>,
    pub(super) remembered: &'a mut Vec<*mut GcObj>,
    /// Promoted objects still to scan.
    pub(super) promoted: Vec<*mut GcObj>,
    pub(super) interior: Vec<*mut Value>,
    /// Whether the walk in progress found a pointer that stays young.
    pub(super) has_young: bool,
    /// Whether the walk in progress is inside an old object or cell.
    pub(super) in_old: bool,
    pub(super) promoted_bytes: usize,
    /// Objects copied (to the other semi-space or the old space).
    pub(super) copied: usize,
    /// Their bytes.
    pub(super) copied_bytes: usize,
    pub(super) resized: i64,
    /// Cells found held mutably as they entered the old space.
    pub(super) newly_logged: Vec<Rc<CellBox>>,
    /// The heap's clean epoch (see `value::list`).
    pub(super) clean_epoch: u64,
    /// Promotions are counted for the objects' allocation sites.
    pub(super) sites: &'a mut Sites,
}

impl Evac<'_> {
    pub(super) fn in_from(&self, p: *const u8) -> bool {
        within(self.from, self.from_top, p)
    }

    pub(super) fn in_to(&self, p: *const u8) -> bool {
        within(self.to, self.to_top, p)
    }

    /// Where object `p` is after this collection: `None` if it was in the
    /// evacuated space and has not been copied (dead).
    pub(super) fn current(&self, p: *mut GcObj) -> Option<*mut GcObj> {
        if !self.in_from(p.cast()) {
            return Some(p);
        }
        // SAFETY: an object of the evacuated space.
        let o = unsafe { &*p };
        o.has(FORWARDED).then(|| o.link.get())
    }

    /// `o` owns at least `size` bytes, as this walk (which leaves out
    /// strings) measured: its recorded size grows to that, never shrinks.
    pub(super) fn grow_to(&mut self, o: &GcObj, size: usize) {
        if size > o.size.get() as usize {
            self.resize(o, size);
        }
    }

    pub(super) fn resize(&mut self, o: &GcObj, size: usize) {
        let size = u32::try_from(size).unwrap_or(u32::MAX);
        let delta = i64::from(size) - i64::from(o.size.get());
        o.size.set(size);
        self.resized += delta;
        if o.has(OLD) {
            self.promoted_bytes = self.promoted_bytes.saturating_add_signed(delta as isize);
        }
    }

    /// Copies `p` out of the evacuated space (once) and returns the copy.
    ///
    /// # Safety
    /// `p` is an object of the evacuated space.
    pub(super) unsafe fn evacuate(&mut self, p: *mut GcObj) -> *mut GcObj {
        // SAFETY: the caller's promise.
        let o = unsafe { &*p };
        if o.has(FORWARDED) {
            return o.link.get();
        }
        let age = o.age.get().saturating_add(1);
        if age == 1 && !self.tenure_all {
            // Its first survival: the allocation site's feedback.
            self.sites.survived(o.link.get().addr());
        }
        let bytes = o.bytes();
        self.copied += 1;
        self.copied_bytes += bytes;
        let dst = if self.tenure_all || age >= self.promote_after {
            let n = self.old.alloc(class_of(bytes));
            // SAFETY: `n` is a free old slot (holding `()`) of a class
            // that holds `bytes`, `p` a whole object; the bits move and
            // the original is never dropped (it is marked forwarded).
            unsafe { std::ptr::copy_nonoverlapping(p.cast::<u8>(), n.cast::<u8>(), bytes) };
            // SAFETY: just written.
            let no = unsafe { &*n };
            no.set(OLD);
            no.clear(REMEMBERED);
            no.link.set(std::ptr::null_mut());
            // SAFETY: an old slot.
            unsafe { mark(n, self.epoch) };
            if self.marking {
                self.mark_stack.push(n);
            }
            self.promoted.push(n);
            self.promoted_bytes += bytes + o.size.get() as usize;
            n
        } else {
            // SAFETY: to-space has room for every object of from-space.
            let n = unsafe { obj_at(self.to, self.to_top) };
            self.to_starts.set(self.to_top);
            self.to_top += bytes;
            self.to_count += 1;
            self.to_by_class[class_of(bytes)] += 1;
            // SAFETY: as above, into the unused part of to-space.
            unsafe { std::ptr::copy_nonoverlapping(p.cast::<u8>(), n.cast::<u8>(), bytes) };
            n
        };
        // SAFETY: `dst` is the copy just made of the object at `p`, which
        // stays readable until the collection ends.
        unsafe {
            (*dst).age.set(age);
            inline::relocate(
                &mut *(*dst).value_ptr(),
                p.cast::<u8>(),
                bytes,
                dst.cast::<u8>(),
            );
        }
        o.set(FORWARDED);
        o.link.set(dst);
        dst
    }

    /// Scans copied objects until none are left (breadth-first).
    pub(super) fn scan(&mut self, work: &mut Work) {
        let mut scan = 0usize;
        loop {
            if scan < self.to_top {
                // SAFETY: below `to_top`, copied objects lie end to end.
                let o = unsafe { &*obj_at(self.to, scan) };
                scan += o.bytes();
                if !o.has(WEAK) {
                    self.in_old = false;
                    // SAFETY: the program is stopped.
                    let size = unsafe { walk(o.value_ptr(), false, self, work) };
                    self.grow_to(o, size);
                }
                continue;
            }
            if let Some(p) = self.promoted.pop() {
                // SAFETY: a promoted copy.
                let o = unsafe { &*p };
                if !o.has(WEAK) {
                    self.in_old = true;
                    self.has_young = false;
                    // SAFETY: the program is stopped.
                    let size = unsafe { walk(o.value_ptr(), false, self, work) };
                    self.grow_to(o, size);
                    if self.has_young && !o.has(REMEMBERED) {
                        o.set(REMEMBERED);
                        self.remembered.push(p);
                    }
                }
                continue;
            }
            break;
        }
    }
}

impl Visitor for Evac<'_> {
    const MEASURES_STRINGS: bool = false;

    fn edge(&mut self, slot: *mut Value, _covered: bool) {
        // SAFETY: the walk hands out slots holding `Gc`/`Weak`.
        let v = unsafe { &mut *slot };
        let (weak, r) = match *v {
            Value::Gc(r) => (false, r),
            Value::Weak(r) => (true, r),
            _ => return,
        };
        let p = r.as_ptr();
        if self.in_from(p.cast()) {
            // SAFETY: `p` is in the evacuated space.
            let n = unsafe { self.evacuate(p) };
            let n = GcRef::new(n).expect("non-null");
            *v = if weak { Value::Weak(n) } else { Value::Gc(n) };
            if self.in_to(n.as_ptr().cast()) {
                self.has_young = true;
            }
        } else if self.in_to(p.cast()) {
            self.has_young = true;
        } else if self.grey_old {
            // SAFETY: an old object (reachable, so allocated).
            if unsafe { mark(p, self.epoch) } {
                self.mark_stack.push(p);
            }
        }
    }

    fn interior(&mut self, slot: *mut Value) {
        // SAFETY: the walk hands out slots holding `Ref` or `Some(&T)`.
        if let Some(&mut r) = unsafe { &mut *slot }.ref_slot()
            && self.in_from(r.cast())
        {
            self.interior.push(slot);
        }
    }

    /// A clean list: only the indices that may point into the nursery.
    /// Any other list: every element, and if all are flat the list
    /// becomes clean with the indices still young after this collection.
    /// (The final mark walks everything: it greys the old objects roots
    /// point to.)
    fn list(&mut self, l: &mut List, covered: bool, work: &mut Work) -> Option<usize> {
        if self.grey_old {
            l.set_dirty();
            return None;
        }
        let outer = self.has_young;
        if l.is_clean(self.clean_epoch) {
            let (items, young) = l.parts_mut();
            young.sort_unstable();
            young.dedup();
            let mut kept = 0;
            for k in 0..young.len() {
                // The indices are in order but far apart: load the slot a
                // few steps ahead of its turn.
                if let Some(&ahead) = young.get(k + PREFETCH_AHEAD) {
                    prefetch(items.as_ptr().wrapping_add(ahead as usize).cast());
                }
                let i = young[k];
                let Some(slot) = items.get_mut(i as usize) else {
                    continue;
                };
                self.has_young = false;
                self.edge(slot, covered);
                if self.has_young {
                    young[kept] = i;
                    kept += 1;
                }
            }
            young.truncate(kept);
            self.has_young = outer || kept > 0;
            return Some(0);
        }
        let limit = l.young_limit();
        let (items, young) = l.parts_mut();
        young.clear();
        let mut flat = true;
        for (i, item) in items.iter_mut().enumerate() {
            match item {
                Value::Gc(_) | Value::Weak(_) => {
                    self.has_young = false;
                    self.edge(item, covered);
                    if self.has_young {
                        young.push(u32::try_from(i).unwrap_or(u32::MAX));
                    }
                }
                v if v.is_flat() => {}
                _ => {
                    flat = false;
                    work.push((item, covered));
                }
            }
        }
        let young_left = young.len();
        self.has_young = outer || young_left > 0;
        if flat && young_left <= limit && u32::try_from(items.len()).is_ok() {
            l.set_clean(self.clean_epoch);
        } else {
            l.set_dirty();
        }
        // Strings are not measured here (see `MEASURES_STRINGS`).
        Some(0)
    }

    fn cell(&mut self, cell: &Rc<CellBox>, covered: bool) -> bool {
        if self.in_old {
            cell.set(CELL_IN_OLD);
            // A `&mut` into it taken while it was young is still held:
            // writes through it will not pass the barrier, so log it now.
            if cell.held_at.get() != 0 && !cell.has(CELL_LOGGED) {
                cell.set(CELL_LOGGED);
                self.newly_logged.push(Rc::clone(cell));
            }
        }
        covered
    }
}
