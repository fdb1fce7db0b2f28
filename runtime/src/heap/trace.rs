//! Walking the data a value owns, to find the GC pointers in it.
//!
//! A GC object's value owns ordinary boxes (a struct's fields, a list's
//! buffer, a cell), and those may hold `Gc` pointers. The walk visits every
//! `Gc`/`Weak` slot in that owned tree, stopping at GC pointers (the objects
//! behind them are the collector's business), and measures the bytes the
//! tree owns. It uses an explicit work list, never recursion, so that a
//! million-element chain marks as safely as a pair.

use std::rc::Rc;

use crate::value::gc_object::{CELL_LOGGED, CellBox};
use crate::value::{Iter, Key, List, Value};

/// What a walk reports.
pub(crate) trait Visitor {
    /// Whether the walk counts the bytes of strings (reading each string's
    /// header, a cache miss apiece). A young collection does not: a
    /// string's size was counted when its object was made, and only the
    /// marker re-measures objects exactly.
    const MEASURES_STRINGS: bool = true;

    /// A slot holding `Value::Gc` or `Value::Weak`. `covered`: a logged
    /// cell lies on the path from the walk's root (see `barrier.rs`).
    fn edge(&mut self, slot: *mut Value, covered: bool);

    /// A slot holding `Value::Ref` (only roots hold references).
    fn interior(&mut self, _slot: *mut Value) {}

    /// A cell on the way down; what is inside is covered from here on when
    /// the cell is logged.
    fn cell(&mut self, cell: &Rc<CellBox>, covered: bool) -> bool {
        covered || cell.has(CELL_LOGGED)
    }

    /// A list on the way down: `Some(bytes its elements own, as far as
    /// the visitor measures)` when the visitor walked it itself (a young
    /// collection visits only where a clean list may point into the
    /// nursery, see `value::list`); `None` for the plain walk of every
    /// element.
    fn list(&mut self, _list: &mut List, _covered: bool, _work: &mut Work) -> Option<usize> {
        None
    }
}

/// Reusable work list of a walk.
pub(crate) type Work = Vec<(*mut Value, bool)>;

const VALUE: usize = size_of::<Value>();

/// Visits the GC slots in the tree `root` owns and returns the bytes of
/// the boxes in it.
///
/// # Safety
/// `root` points at a live value that nothing else reads or writes during
/// the walk (the collector runs with the program stopped).
pub(crate) unsafe fn walk<V: Visitor>(
    root: *mut Value,
    covered: bool,
    v: &mut V,
    work: &mut Work,
) -> usize {
    let mut bytes = 0usize;
    work.push((root, covered));
    while let Some((p, covered)) = work.pop() {
        // SAFETY: `p` is the root or a slot inside a box the root owns,
        // pushed below while that box was being looked at; nothing frees
        // boxes during a walk.
        let value = unsafe { &mut *p };
        match value {
            Value::Gc(_) | Value::Weak(_) => v.edge(p, covered),
            Value::Ref(_) | Value::SomeRef(_) => v.interior(p),
            Value::Str(s) => {
                if V::MEASURES_STRINGS {
                    bytes += s.heap_bytes();
                }
            }
            Value::Record(r) => {
                bytes += r.heap_bytes();
                push_all(v, work, r.fields_mut(), covered);
            }
            Value::Variant(r) => {
                bytes += r.heap_bytes();
                push_all(v, work, r.fields_mut(), covered);
            }
            Value::List(l) => {
                bytes += l.heap_bytes();
                match v.list(l, covered, work) {
                    Some(owned) => bytes += owned,
                    None => push_all(v, work, l.parts_mut().0, covered),
                }
            }
            Value::Map(m) => {
                bytes += size_of::<crate::value::Map>()
                    + m.capacity() * (size_of::<Key>() + VALUE + 2 * size_of::<usize>());
                for e in m.values_mut() {
                    work.push((e, covered));
                }
            }
            Value::Closure(c) => {
                bytes += c.heap_bytes();
                push_all(v, work, c.captures_mut(), covered);
            }
            Value::Iter(it) => {
                bytes += size_of::<Iter>();
                match &mut **it {
                    Iter::Owned(rest) => {
                        bytes += rest.len() * VALUE;
                        push_all(v, work, rest.as_mut_slice(), covered);
                    }
                    Iter::Chars { text, .. } => bytes += text.capacity(),
                    _ => {}
                }
            }
            Value::Cell(c) => {
                bytes += size_of::<CellBox>() + 2 * size_of::<usize>();
                let inside = v.cell(c, covered);
                work.push((c.value_ptr(), inside));
            }
            Value::Unit
            | Value::Int(_)
            | Value::Float(_)
            | Value::Bool(_)
            | Value::Char(_)
            | Value::Tag(..)
            | Value::SomeInt(_)
            | Value::OkUnit
            | Value::Func(_) => {}
            // A task's handle or a channel's end: what it reaches is
            // `Send`, so holds no GC pointer.
            Value::Host(_) => bytes += 2 * size_of::<usize>(),
            // A pool's occupied slots are each owned by one handle, which
            // is what reaches the value (the pool itself is only memory).
            Value::Pool(p) => bytes += p.capacity() * crate::zone::pool::SLOT_BYTES,
            Value::Pooled(h) => work.push((h.value_ptr(), covered)),
            // Rust data: no GC pointer inside (see `value::std_value`).
            Value::Std(d) => bytes += d.shallow_bytes(),
        }
    }
    bytes
}

pub(crate) fn push_all<V: Visitor>(v: &mut V, work: &mut Work, items: &mut [Value], covered: bool) {
    for item in items {
        match item {
            // Scalars cannot hold anything: skip them here rather than pop
            // them later (most fields are numbers).
            Value::Unit | Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Char(_) => {}
            Value::Str(_) if !V::MEASURES_STRINGS => {}
            // GC pointers are visited at once: a list of a million `Gc`s
            // (a root the young collection walks each time) never goes
            // through the work list.
            Value::Gc(_) | Value::Weak(_) => v.edge(item, covered),
            _ => work.push((item, covered)),
        }
    }
}

/// The bytes `value` owns (what `Gc::new` charges besides the object),
/// and whether it holds a cell (the only way what an object owns can
/// change after it is made).
pub(crate) fn owned_bytes(value: &mut Value, work: &mut Work) -> (usize, bool) {
    struct Measure {
        cells: bool,
    }
    impl Visitor for Measure {
        fn edge(&mut self, _: *mut Value, _: bool) {}
        fn cell(&mut self, cell: &Rc<CellBox>, covered: bool) -> bool {
            self.cells = true;
            covered || cell.has(CELL_LOGGED)
        }
    }
    let mut m = Measure { cells: false };
    // SAFETY: `value` is an exclusive reference, so nothing else touches
    // it during the walk.
    let bytes = unsafe { walk(value, false, &mut m, work) };
    (bytes, m.cells)
}
