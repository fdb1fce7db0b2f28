//! The VM's side of the GC heap: its registers as roots, allocation with
//! finalizers run after the pause, and the natives of `Gc`, `Weak`,
//! `RefCell`, `Cell` and `std::gc`.

// Every native has the one `NativeFn` signature, fallible or not.
#![allow(clippy::unnecessary_wraps)]

use std::rc::Rc;

use super::natives::{arg, err, make_error, none, ok, some, take};
use super::{Args, Fault, Frame, Func, Vm};
use crate::error::PanicKind;
use crate::heap::barrier::cell_write;
use crate::heap::{CellBox, GcMode, GcRef, Heap, Params, Roots};
use crate::value::Value;

type R = Result<Value, Fault>;

/// The registers of every live frame that can hold a GC pointer or a
/// reference: the precise root set (the register types say which).
struct StackRoots<'a> {
    regs: *mut Value,
    frames: &'a [Frame],
    funcs: &'a [Func],
}

impl Roots for StackRoots<'_> {
    fn each(&mut self, f: &mut dyn FnMut(*mut Value)) {
        for frame in self.frames {
            let func = &self.funcs[frame.func as usize];
            for &r in func.owning.iter().chain(func.refs.iter()) {
                // SAFETY: a verified register of a live frame, below the
                // stack's top and so initialised.
                f(unsafe { self.regs.add(frame.base + usize::from(r)) });
            }
        }
    }
}

impl Vm<'_> {
    /// Runs `f` with the heap and this VM's roots.
    pub fn with_roots<T>(&mut self, f: impl FnOnce(&mut Heap, &mut dyn Roots) -> T) -> T {
        let mut roots = StackRoots {
            regs: self.stack.ptr(),
            frames: &self.frames,
            funcs: &self.program.funcs,
        };
        f(&mut self.heap, &mut roots)
    }

    /// Moves `value` into the GC heap (with a finalizer, if given). Pending
    /// finalizers from earlier collections run first.
    ///
    /// # Errors
    /// A finalizer's panic, or the heap limit.
    pub fn gc_alloc(&mut self, value: Value, finalizer: Option<Value>) -> Result<GcRef, Fault> {
        if self.heap.has_pending() {
            self.heap.hold(value);
            let r = self.run_finalizers();
            let value = self.heap.unhold();
            r?;
            return self.gc_alloc_now(value, finalizer);
        }
        self.gc_alloc_now(value, finalizer)
    }

    fn gc_alloc_now(&mut self, value: Value, finalizer: Option<Value>) -> Result<GcRef, Fault> {
        // The allocation site: the instruction that called `Gc::new`.
        let site = self
            .frames
            .last()
            .map_or(0, |f| (u64::from(f.func) << 32 | f.pc as u64) + 1);
        let r = self.with_roots(|heap, roots| match finalizer {
            Some(f) => heap.alloc_finalizable(value, f, roots),
            None => heap.alloc_at(value, 0, site, roots),
        });
        r.map_err(|m| self.stop(PanicKind::HeapExhausted, &m))
    }

    /// Runs the finalizers of collected objects, oldest object first; a
    /// finalizer's panic stops the rest (their values are dropped).
    ///
    /// # Errors
    /// The first finalizer's panic.
    pub fn run_finalizers(&mut self) -> Result<(), Fault> {
        if self.in_finalizers {
            return Ok(());
        }
        self.in_finalizers = true;
        let mut result = Ok(());
        while let Some((mut finalizer, value)) = self.heap.pop_pending() {
            // The value goes straight into the callee's registers, where
            // the collector sees it; collections may run in a finalizer.
            if let Err(e) = self.call_callee(&mut finalizer, vec![value]) {
                result = Err(e);
                self.heap.drop_pending();
                break;
            }
        }
        self.in_finalizers = false;
        result
    }

    /// `gc::collect()`, then the finalizers it queued.
    ///
    /// # Errors
    /// A finalizer's panic.
    pub fn gc_collect(&mut self) -> Result<(), Fault> {
        self.with_roots(|heap, roots| heap.collect(roots));
        self.run_finalizers()
    }
}

/// The `Gc` pointer in argument `i` (a `Gc<T>` or a reference to one).
fn gc_arg(args: &Args, i: usize) -> Result<GcRef, Fault> {
    match arg(args, i)? {
        Value::Gc(g) => Ok(*g),
        _ => Err("internal error: expected a Gc pointer".into()),
    }
}

fn cell_arg(args: &Args, i: usize) -> Result<Rc<CellBox>, Fault> {
    match arg(args, i)? {
        Value::Cell(c) => Ok(Rc::clone(c)),
        _ => Err("internal error: expected a cell".into()),
    }
}

pub(crate) fn gc_new(vm: &mut Vm, a: &mut Args) -> R {
    let v = take(a, 0);
    vm.gc_alloc(v, None).map(Value::Gc)
}

pub(crate) fn gc_with_finalizer(vm: &mut Vm, a: &mut Args) -> R {
    let v = take(a, 0);
    let f = take(a, 1);
    vm.gc_alloc(v, Some(f)).map(Value::Gc)
}

pub(crate) fn gc_downgrade(vm: &mut Vm, a: &mut Args) -> R {
    let target = gc_arg(a, 0)?;
    let r = vm.with_roots(|heap, roots| heap.alloc_weak(target, roots));
    r.map(Value::Weak)
        .map_err(|m| vm.stop(PanicKind::HeapExhausted, &m))
}

pub(crate) fn weak_upgrade(_: &mut Vm, a: &mut Args) -> R {
    let Value::Weak(w) = arg(a, 0)? else {
        return Err("internal error: expected a weak pointer".into());
    };
    // SAFETY: the `Weak` argument is in a register, a root.
    let cell = unsafe { w.value_ptr() }
        .ok_or_else(|| Fault::from("internal error: a finalized weak cell"))?;
    // SAFETY: the weak cell is live (the `Weak` value keeps it so); its
    // value is the target or `()` once the target was collected.
    Ok(match unsafe { &*cell } {
        Value::Gc(t) => some(Value::Gc(*t)),
        _ => none(),
    })
}

pub(crate) fn refcell_new(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Cell(CellBox::new(take(a, 0), true)))
}

pub(crate) fn cell_new(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Cell(CellBox::new(take(a, 0), false)))
}

pub(crate) fn cell_get(_: &mut Vm, a: &mut Args) -> R {
    let c = cell_arg(a, 0)?;
    // SAFETY: a read of the cell's (Copy) value; no write is in progress.
    Ok(unsafe { &*c.value_ptr() }.clone())
}

pub(crate) fn cell_set(vm: &mut Vm, a: &mut Args) -> R {
    let c = cell_arg(a, 0)?;
    let v = take(a, 1);
    cell_write(&mut vm.heap, &c);
    // SAFETY: the barrier ran; the old value is dropped in place.
    unsafe { *c.value_ptr() = v };
    Ok(Value::Unit)
}

pub(crate) fn cell_replace(vm: &mut Vm, a: &mut Args) -> R {
    let c = cell_arg(a, 0)?;
    let v = take(a, 1);
    cell_write(&mut vm.heap, &c);
    // SAFETY: the barrier ran; the old value moves out to the caller.
    Ok(unsafe { std::ptr::replace(c.value_ptr(), v) })
}

/// A live `RefCell` borrow: the frame that made it, the borrow site the
/// compiler numbered (`UNTAGGED` until the `cell_borrow_site` after the
/// call), and where it was made.
pub(super) struct CellBorrow {
    depth: usize,
    site: u16,
    cell: Rc<CellBox>,
    /// Where it was taken: function and instruction, made text only if a
    /// conflicting borrow needs to name it (a borrow is taken far more
    /// often than it is reported).
    at: Option<(u32, usize)>,
}

const UNTAGGED: u16 = u16::MAX;

/// Why `cell` cannot be borrowed (`mutable`: uniquely) now, naming where
/// the borrow in the way was made; `None` if it can.
fn borrow_conflict(vm: &Vm, cell: &Rc<CellBox>, mutable: bool) -> Option<String> {
    let state = cell.borrow.get();
    if state == 0 || (state > 0 && !mutable) {
        return None;
    }
    let held = vm
        .cell_borrows
        .iter()
        .rev()
        .find(|b| Rc::ptr_eq(&b.cell, cell))
        .and_then(|b| b.at)
        .map_or_else(
            || "an unknown place".to_string(),
            |(f, pc)| vm.place_of(f, pc),
        );
    let (what, first) = if state < 0 {
        ("mutably borrowed", "`borrow_mut`")
    } else {
        ("borrowed", "`borrow`")
    };
    let second = if mutable { "`borrow_mut`" } else { "`borrow`" };
    Some(format!(
        "RefCell already {what}: the {first} at {held} is still live when {second} is called at {}",
        vm.here()
    ))
}

/// Takes the borrow (the flag and the list entry; the op after the call
/// tags it with its site).
fn acquire(vm: &mut Vm, cell: &Rc<CellBox>, mutable: bool) {
    cell.borrow
        .set(if mutable { -1 } else { cell.borrow.get() + 1 });
    vm.cell_borrows.push(CellBorrow {
        depth: vm.frames.len(),
        site: UNTAGGED,
        cell: Rc::clone(cell),
        at: vm.frames.last().map(|f| (f.func, f.pc)),
    });
}

fn release(b: &CellBorrow) {
    let state = b.cell.borrow.get();
    b.cell
        .borrow
        .set(if state < 0 { 0 } else { (state - 1).max(0) });
}

/// `cell_borrow_site`: the newest untagged borrow of the frame at `depth`
/// belongs to `site`. A borrow still held from an earlier run of the same
/// site (a loop) ends first: its reference was overwritten.
pub(super) fn tag_cell_borrow(
    list: &mut Vec<CellBorrow>,
    held: &mut Vec<Rc<CellBox>>,
    depth: usize,
    site: u16,
) {
    let Some(new) = list
        .iter()
        .rposition(|b| b.depth == depth && b.site == UNTAGGED)
    else {
        return;
    };
    list[new].site = site;
    if let Some(old) = list[..new]
        .iter()
        .rposition(|b| b.depth == depth && b.site == site)
    {
        end_borrow(&list.remove(old), held, depth);
    }
}

/// Ends borrow `b` of the frame at `depth`. When it was a `borrow_mut`,
/// the borrow checker says the `&mut` it returned, and everything made
/// from it, is dead: the barrier's log need not keep the cell for this
/// frame any longer (kept, it would keep the cell's contents alive after
/// the cell itself has died).
fn end_borrow(b: &CellBorrow, held: &mut Vec<Rc<CellBox>>, depth: usize) {
    let was_mut = b.cell.borrow.get() < 0;
    release(b);
    if was_mut && usize::try_from(b.cell.held_at.get()).is_ok_and(|h| h == depth) {
        b.cell.held_at.set(0);
        if let Some(k) = held.iter().rposition(|c| Rc::ptr_eq(c, &b.cell)) {
            held.remove(k);
        }
    }
}

/// `cell_release`: ends the borrow of `site` in the frame at `depth`, if
/// it is still held.
pub(super) fn release_cell_borrow(
    list: &mut Vec<CellBorrow>,
    held: &mut Vec<Rc<CellBox>>,
    depth: usize,
    site: u16,
) {
    if let Some(i) = list
        .iter()
        .rposition(|b| b.depth == depth && b.site == site)
    {
        end_borrow(&list.remove(i), held, depth);
    }
}

/// Frames deeper than `depth` are gone: their borrows end.
pub(super) fn release_cell_borrows(list: &mut Vec<CellBorrow>, depth: usize) {
    while list.last().is_some_and(|b| b.depth > depth) {
        if let Some(b) = list.pop() {
            release(&b);
        }
    }
}

pub(crate) fn refcell_borrow(vm: &mut Vm, a: &mut Args) -> R {
    let c = cell_arg(a, 0)?;
    if let Some(m) = borrow_conflict(vm, &c, false) {
        return Err(m.into());
    }
    acquire(vm, &c, false);
    Ok(Value::Ref(c.value_ptr()))
}

pub(crate) fn refcell_borrow_mut(vm: &mut Vm, a: &mut Args) -> R {
    let c = cell_arg(a, 0)?;
    if let Some(m) = borrow_conflict(vm, &c, true) {
        return Err(m.into());
    }
    acquire(vm, &c, true);
    cell_write(&mut vm.heap, &c);
    hold_mut_borrow(vm, c.clone());
    Ok(Value::Ref(c.value_ptr()))
}

pub(crate) fn refcell_try_borrow_mut(vm: &mut Vm, a: &mut Args) -> R {
    let c = cell_arg(a, 0)?;
    if let Some(m) = borrow_conflict(vm, &c, true) {
        return Ok(err(make_error(vm, "BorrowError", &m)));
    }
    acquire(vm, &c, true);
    cell_write(&mut vm.heap, &c);
    hold_mut_borrow(vm, c.clone());
    Ok(ok(Value::Ref(c.value_ptr())))
}

pub(crate) fn refcell_replace(vm: &mut Vm, a: &mut Args) -> R {
    let c = cell_arg(a, 0)?;
    if let Some(m) = borrow_conflict(vm, &c, true) {
        return Err(m.into());
    }
    cell_replace(vm, a)
}

/// Records that the running frame holds a `&mut` into `cell`, which the
/// program may write through without passing the barrier again: the
/// barrier's log keeps the cell until that frame is gone (or, when it
/// returns a value that may carry the reference, its caller).
fn hold_mut_borrow(vm: &mut Vm, cell: Rc<CellBox>) {
    let depth = u32::try_from(vm.frames.len()).unwrap_or(u32::MAX);
    let held = cell.held_at.get();
    if held == 0 {
        cell.held_at.set(depth);
        vm.mut_borrows.push(cell);
    } else if depth < held {
        cell.held_at.set(depth);
    }
}

/// Frames above `depth` are gone: cells only they held are free again.
pub(super) fn release_mut_borrows(held: &mut Vec<Rc<CellBox>>, depth: usize) {
    let depth = u32::try_from(depth).unwrap_or(u32::MAX);
    while let Some(c) = held.last() {
        if c.held_at.get() <= depth {
            break;
        }
        c.held_at.set(0);
        held.pop();
    }
}

pub(crate) fn cell_into_inner(_: &mut Vm, a: &mut Args) -> R {
    match take(a, 0) {
        // SAFETY: the cell was moved in, so this is its only owner besides
        // possibly the barrier's log, which only reads it at collections.
        Value::Cell(c) => Ok(unsafe { std::ptr::replace(c.value_ptr(), Value::Unit) }),
        _ => Err("internal error: expected a cell".into()),
    }
}

pub(crate) fn gc_collect(vm: &mut Vm, _: &mut Args) -> R {
    vm.gc_collect()?;
    Ok(Value::Unit)
}

pub(crate) fn gc_collect_young(vm: &mut Vm, _: &mut Args) -> R {
    vm.with_roots(|heap, roots| heap.collect_young(roots));
    vm.run_finalizers()?;
    Ok(Value::Unit)
}

pub(crate) fn gc_disable(vm: &mut Vm, _: &mut Args) -> R {
    vm.heap.disable();
    Ok(Value::Unit)
}

pub(crate) fn gc_enable(vm: &mut Vm, _: &mut Args) -> R {
    vm.heap.enable();
    Ok(Value::Unit)
}

/// The largest nursery `gc::configure` accepts: the semi-space is
/// allocated whole, and a request past what the machine has would abort.
const MAX_YOUNG_BYTES: i64 = 1 << 30;

/// `gc::configure(GcConfig { mode, pause_target_us, young_bytes,
/// max_heap_bytes })`: the mode's preset, then every field given as a
/// positive number overrides it.
pub(crate) fn gc_configure(vm: &mut Vm, a: &mut Args) -> R {
    let Value::Record(r) = arg(a, 0)? else {
        return Err("internal error: expected a GcConfig".into());
    };
    let field = |i: usize| r.fields().get(i).and_then(Value::as_int).unwrap_or(0);
    let mode = r
        .fields()
        .first()
        .and_then(Value::tag)
        .and_then(GcMode::from_index)
        .unwrap_or_default();
    let mut p = Params::for_mode(mode);
    let (pause, young, max) = (field(1), field(2), field(3));
    if pause > 0 {
        p.pause_target_us = pause.unsigned_abs();
    }
    if young > MAX_YOUNG_BYTES {
        return Err(format!(
            "gc::configure: young_bytes of {young} is more than the largest nursery ({MAX_YOUNG_BYTES} bytes, 1 GiB)"
        )
        .into());
    }
    if young > 0 {
        p.young_bytes = usize::try_from(young).unwrap_or(usize::MAX).max(64 << 10);
    }
    if max > 0 {
        p.max_heap_bytes = usize::try_from(max).unwrap_or(usize::MAX);
    }
    vm.with_roots(|heap, roots| heap.configure(p, roots));
    Ok(Value::Unit)
}

/// `gc::stats()`: the `GcStats` fields in declaration order.
pub(crate) fn gc_stats(vm: &mut Vm, _: &mut Args) -> R {
    let s = vm.heap.stats();
    let int = |n: u64| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
    let us = |x: f64| Value::Int(x.round() as i64);
    Ok(Value::record(
        vm.program.record_type("GcStats"),
        vec![
            int(s.young_collections + s.old_collections),
            int(s.young_collections),
            int(s.old_collections),
            us(s.total_pause_us),
            us(s.all.max_us),
            us(s.all.p99_us),
            int(s.bytes_allocated),
            int(s.bytes_freed),
            int(s.heap_bytes),
            Value::Float(s.fragmentation),
        ],
    ))
}

/// A finalized object's value is gone: dereferencing it is a panic.
pub(super) const FINALIZED_DEREF: &str =
    "use of a `Gc` whose finalizer has run (its value was moved to the finalizer)";
