//! `List`: the box behind `Value::List`, which remembers where it may
//! point into the nursery.
//!
//! A young collection must find every pointer into the nursery. A list a
//! register owns is a root, and walking a list of 400 000 `Gc`s at every
//! young collection costs a millisecond — the whole pause budget — though
//! almost all of them point at old objects. So a list whose elements are
//! all *flat* (scalars, strings, `Gc` and `Weak` pointers: nothing that
//! owns further values) can be **clean**: the collector has seen it and
//! it points into the nursery only at the indices it lists (`young`).
//! A young collection then visits just those indices.
//!
//! What keeps the list honest, every way an element can change:
//!
//! 1. Any `&mut Vec` taken from it (every native that changes a list:
//!    `push`, `insert`, `swap`, `sort`, …) goes through `DerefMut`, which
//!    makes it dirty: the next young collection walks it whole.
//! 2. `list[i] = v` (the VM's `store_index`) writes through
//!    [`List::slot_ptr`] and then calls [`List::note_store`]: a young `Gc`
//!    adds `i` to the list, anything that is not flat makes it dirty;
//!    `push` does the same ([`List::push_noted`]).
//! 3. A write through a reference to an element (`*r = v` with `r` from
//!    `&mut list[i]`, `iter_mut`, `for r in &mut list`) cannot name the
//!    list: the VM's `store`/`store_field` call `Heap::note_store`, which
//!    for a young `Gc` or a non-flat value ends every list's clean state
//!    at once (the heap's clean epoch moves on; a list is clean only for
//!    the epoch it was cleaned in).
//!
//! `heap::barrier::check_heap` verifies, after collections under
//! `WARD_GC_STRESS=1`, that a clean list points into the nursery nowhere
//! but at the indices it lists.

use std::cell::Cell;

use super::Value;

/// A list keeps at most an eighth of its length (and at least this many)
/// young indices; with more, walking it whole costs about as much.
const MIN_YOUNG_LIMIT: usize = 16;

#[derive(Default)]
struct ListBox {
    items: Vec<Value>,
    /// The heap's clean epoch when the collector last found the list flat
    /// (0: dirty).
    clean: Cell<u64>,
    /// While clean: the indices that may point into the nursery.
    young: Vec<u32>,
}

/// `List<T>`: a growable array of values.
#[derive(Default)]
pub struct List(Box<ListBox>);

/// The bytes of a list's box (its elements are a second allocation).
pub const BOX_BYTES: usize = size_of::<ListBox>();

impl List {
    /// The address of its box (not of its elements).
    pub(crate) fn box_addr(&self) -> usize {
        std::ptr::from_ref::<ListBox>(&self.0) as usize
    }

    pub fn new(items: Vec<Value>) -> List {
        List(Box::new(ListBox {
            items,
            clean: Cell::new(0),
            young: Vec::new(),
        }))
    }

    /// The elements, moved out.
    pub fn into_vec(self) -> Vec<Value> {
        self.0.items
    }

    /// A pointer to element `i`, without making the list dirty: a caller
    /// that writes through it calls [`List::note_store`] (or the write
    /// goes through a reference, see the module comment).
    pub fn slot_ptr(&mut self, i: usize) -> Option<*mut Value> {
        self.0.items.get_mut(i).map(std::ptr::from_mut)
    }

    /// The first element, for a borrowing iterator (see
    /// [`List::slot_ptr`]).
    pub fn start_ptr(&mut self) -> *mut Value {
        self.0.items.as_mut_ptr()
    }

    /// Records that element `i` was just written (see the module
    /// comment); `young` says whether a value is a GC pointer into the
    /// nursery.
    pub fn note_store(&mut self, i: usize, young: impl FnOnce(&Value) -> bool) {
        if self.0.clean.get() == 0 {
            return;
        }
        let limit = self.young_limit();
        let b = &mut *self.0;
        let Some(v) = b.items.get(i) else { return };
        if !v.is_flat() {
            b.clean.set(0);
        } else if young(v) {
            match u32::try_from(i) {
                Ok(i) if b.young.len() < limit => b.young.push(i),
                _ => b.clean.set(0),
            }
        }
    }

    /// Appends `v` (`young`: a GC pointer into the nursery), keeping a
    /// clean list clean where [`List::note_store`] would.
    pub fn push_noted(&mut self, v: Value, young: bool) {
        let i = self.0.items.len();
        self.0.items.push(v);
        self.note_store(i, |_| young);
    }

    /// Whether the list is clean in `epoch` (see the module comment).
    pub(crate) fn is_clean(&self, epoch: u64) -> bool {
        epoch != 0 && self.0.clean.get() == epoch
    }

    /// The elements and, while clean, the indices that may be young.
    pub(crate) fn parts_mut(&mut self) -> (&mut Vec<Value>, &mut Vec<u32>) {
        let b = &mut *self.0;
        (&mut b.items, &mut b.young)
    }

    /// Marks the list clean in `epoch`: `young` (see
    /// [`List::parts_mut`]) lists every index that may point into the
    /// nursery.
    pub(crate) fn set_clean(&mut self, epoch: u64) {
        self.0.clean.set(epoch);
    }

    /// How many young indices a clean list may keep.
    pub(crate) fn young_limit(&self) -> usize {
        (self.0.items.len() / 8).max(MIN_YOUNG_LIMIT)
    }

    pub(crate) fn set_dirty(&mut self) {
        self.0.clean.set(0);
        self.0.young.clear();
    }

    /// The young indices a clean list keeps, for verification.
    pub(crate) fn young_indices(&self) -> &[u32] {
        &self.0.young
    }

    /// The bytes the list's buffers take.
    pub fn heap_bytes(&self) -> usize {
        size_of::<ListBox>()
            + self.0.items.capacity() * size_of::<Value>()
            + self.0.young.capacity() * size_of::<u32>()
    }
}

impl std::ops::Deref for List {
    type Target = Vec<Value>;

    fn deref(&self) -> &Vec<Value> {
        &self.0.items
    }
}

impl std::ops::DerefMut for List {
    /// Any change through a `&mut Vec` makes the list dirty.
    fn deref_mut(&mut self) -> &mut Vec<Value> {
        self.0.clean.set(0);
        &mut self.0.items
    }
}

impl Clone for List {
    fn clone(&self) -> List {
        List::new(self.0.items.clone())
    }
}

impl std::fmt::Debug for List {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.items.fmt(f)
    }
}

impl From<Vec<Value>> for List {
    fn from(items: Vec<Value>) -> List {
        List::new(items)
    }
}

impl FromIterator<Value> for List {
    fn from_iter<I: IntoIterator<Item = Value>>(iter: I) -> List {
        List::new(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_through_deref_mut_makes_it_dirty() {
        let mut l = List::new(vec![Value::Int(1), Value::Int(2)]);
        l.set_clean(3);
        assert!(l.is_clean(3));
        assert!(!l.is_clean(4), "clean only in its epoch");
        let _ = l.len();
        assert!(l.is_clean(3), "reading keeps it clean");
        l.push(Value::Int(3));
        assert!(!l.is_clean(3));
    }

    #[test]
    fn stores_are_noted() {
        let mut l = List::new(vec![Value::Int(0); 64]);
        l.set_clean(1);
        l.note_store(5, |_| false);
        assert!(l.is_clean(1) && l.young_indices().is_empty());
        l.note_store(9, |_| true);
        assert_eq!(l.young_indices(), &[9]);
        l.parts_mut().0[2] = Value::str("owned text is flat");
        l.note_store(2, |_| false);
        assert!(l.is_clean(1));
        l.parts_mut().0[3] = Value::List(List::default());
        l.note_store(3, |_| false);
        assert!(!l.is_clean(1), "a value that owns values makes it dirty");
    }
}
