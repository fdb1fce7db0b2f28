//! Values laid out inside their GC object.
//!
//! `Gc::new(Node { left: Some(a), right: None })` makes one GC object: its
//! header, the root value, and after it, one after another, the header and
//! fields of every record, variant and closure the value owns through
//! other records, variants and closures (pre-order). Strings, lists, maps
//! and cells keep their own allocations. So a dead young object with no
//! string or list in it costs nothing to reclaim, and tracing one reads a
//! single block of memory.
//!
//! It is sound because what a `Gc` holds never changes after `Gc::new`:
//! a `Gc` gives shared access only, every mutation goes through a cell,
//! and a cell's value lives in the cell's own box. Copies that leave the
//! object (`let l = node.left;`, `.clone()`) are deep copies with
//! allocations of their own. Only the collector moves a value out of an
//! object (a finalizer's argument, the owned parts of a dead one), and it
//! does so through [`to_heap`] and [`take_owned`].
//!
//! Pointers to the inline headers are absolute: when the collector copies
//! an object it calls [`relocate`] on the copy.

use super::Value;
use super::object::Obj;

/// Most bytes of records, variants and closures one GC object holds
/// inline; a value owning more keeps its own allocations (and its object
/// is a header and a value, as a string's or a list's is).
pub const MAX_INLINE_BYTES: usize = 480;

fn obj(v: &Value) -> Option<&Obj> {
    match v {
        Value::Record(r) => Some(&r.0),
        Value::Variant(r) => Some(&r.0),
        Value::Closure(c) => Some(&c.0),
        _ => None,
    }
}

fn obj_mut(v: &mut Value) -> Option<&mut Obj> {
    match v {
        Value::Record(r) => Some(&mut r.0),
        Value::Variant(r) => Some(&mut r.0),
        Value::Closure(c) => Some(&mut c.0),
        _ => None,
    }
}

/// The bytes `v`'s records, variants and closures take laid out inline,
/// or `None` when that is more than [`MAX_INLINE_BYTES`] (or some of them
/// already are inline elsewhere, which a value moved into `Gc::new` never
/// is). The recursion is at most `MAX_INLINE_BYTES / 16` deep: each level
/// adds a header.
pub(crate) fn inline_bytes(v: &Value) -> Option<usize> {
    fn add(v: &Value, total: &mut usize) -> bool {
        let Some(o) = obj(v) else {
            return true;
        };
        if o.is_inline() {
            return false;
        }
        *total += o.layout_bytes();
        *total <= MAX_INLINE_BYTES && o.fields().iter().all(|f| add(f, total))
    }
    let mut total = 0;
    add(v, &mut total).then_some(total)
}

/// Moves `v`'s records, variants and closures to `dst`, in the order
/// [`inline_bytes`] counted them; returns the bytes used.
///
/// # Safety
/// `inline_bytes(v)` is `Some(n)`, and `dst` is 16-byte aligned with room
/// for `n` bytes that nothing else uses.
pub(crate) unsafe fn lay_out(v: &mut Value, dst: *mut u8) -> usize {
    let Some(o) = obj_mut(v) else {
        return 0;
    };
    let mut used = o.layout_bytes();
    // SAFETY: the caller's promise covers this object's bytes first.
    unsafe { o.move_inline(dst) };
    for f in o.fields_mut() {
        // SAFETY: the bytes after this object's, counted the same way.
        used += unsafe { lay_out(f, dst.add(used)) };
    }
    used
}

/// After the GC object holding `v` was copied bitwise from `from` (`len`
/// bytes) to `to`: points `v`'s inline objects at their new copies.
///
/// # Safety
/// `v` is the root value of the copy at `to`, and the original at `from`
/// is still readable (the collection that moves it is in progress).
pub(crate) unsafe fn relocate(v: &mut Value, from: *const u8, len: usize, to: *mut u8) {
    let Some(o) = obj_mut(v) else {
        return;
    };
    let offset = (o.addr() as usize).wrapping_sub(from as usize);
    if offset >= len {
        return;
    }
    // SAFETY: the same offset in the copy holds the same bytes.
    unsafe { o.repoint(to.add(offset)) };
    for f in o.fields_mut() {
        // SAFETY: the fields of the copy, as above.
        unsafe { relocate(f, from, len, to) };
    }
}

/// Moves `v`'s inline objects into allocations of their own: the value
/// is leaving its GC object (a finalizer receives it).
pub(crate) fn to_heap(v: &mut Value) {
    if let Some(o) = obj_mut(v)
        && o.is_inline()
    {
        o.move_to_heap();
        for f in o.fields_mut() {
            to_heap(f);
        }
    }
}

/// Hands `out` every value under `v`'s inline objects that owns memory of
/// its own (a string, a list, a cell...), leaving `()` in its place: the
/// GC object holding `v` is dead, and what is left needs no drop.
pub(crate) fn take_owned(v: &mut Value, out: &mut impl FnMut(Value)) {
    match obj_mut(v) {
        Some(o) if o.is_inline() => {
            for f in o.fields_mut() {
                take_owned(f, out);
            }
        }
        _ => {
            if v.owns_heap() {
                out(std::mem::take(v));
            }
        }
    }
}

/// Whether every inline object under `v` lies in `base..base + len`
/// (verification).
pub(crate) fn inline_within(v: &Value, base: *const u8, len: usize) -> bool {
    match obj(v) {
        Some(o) if o.is_inline() => {
            (o.addr() as usize).wrapping_sub(base as usize) < len
                && o.fields().iter().all(|f| inline_within(f, base, len))
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Record, Variant};

    fn node(left: Value, right: Value) -> Value {
        Value::Record(Record::new(9, [left, right].into_iter()))
    }

    fn some(v: Value) -> Value {
        Value::Variant(Variant::new(0, 1, std::iter::once(v)))
    }

    #[repr(C, align(16))]
    struct Space([u8; 512]);

    #[test]
    fn a_tree_of_records_moves_inline_and_back() {
        let mut v = node(some(Value::Int(1)), some(Value::str("owned")));
        let n = inline_bytes(&v).expect("small enough");
        assert_eq!(n, (16 + 32) + 2 * (16 + 16));
        let mut space = Space([0; 512]);
        let dst = space.0.as_mut_ptr();
        // SAFETY: room for `n` bytes, aligned.
        let used = unsafe { lay_out(&mut v, dst) };
        assert_eq!(used, n);
        assert!(inline_within(&v, dst, n));
        assert_eq!(v.clone().fields_ints(), vec![1]);
        // Copy the block and relocate: the copy reads the same.
        let mut copy = Space([0; 512]);
        let to = copy.0.as_mut_ptr();
        // SAFETY: `n` bytes of each space.
        unsafe { std::ptr::copy_nonoverlapping(dst, to, n) };
        // SAFETY: the handle is moved to the copy; the original is
        // forgotten below, never dropped.
        let mut moved = unsafe { std::ptr::read(&raw const v) };
        std::mem::forget(v);
        // SAFETY: `moved` is the root of the copy at `to`.
        unsafe { relocate(&mut moved, dst, n, to) };
        assert!(inline_within(&moved, to, n));
        to_heap(&mut moved);
        assert!(inline_within(&moved, std::ptr::null(), 0));
        let s = match &moved {
            Value::Record(r) => match &r.fields()[1] {
                Value::Variant(x) => x.fields()[0].as_str().map(str::to_owned),
                _ => None,
            },
            _ => None,
        };
        assert_eq!(s.as_deref(), Some("owned"));
    }

    #[test]
    fn a_dead_objects_owned_parts_are_taken_out() {
        let mut v = node(some(Value::str("a")), Value::Int(3));
        assert!(inline_bytes(&v).is_some());
        let mut space = Space([0; 512]);
        // SAFETY: room for the bytes counted, aligned.
        unsafe { lay_out(&mut v, space.0.as_mut_ptr()) };
        let mut taken = Vec::new();
        take_owned(&mut v, &mut |x| taken.push(x));
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].as_str(), Some("a"));
        // What is left owns nothing outside the space: dropping it in
        // place only drops `()`s and frees nothing.
        drop(v);
    }

    #[test]
    fn too_much_stays_out_of_line() {
        let fields = (0..40).map(Value::Int).collect::<Vec<_>>();
        let v = Value::Record(Record::new(1, fields.into_iter()));
        assert!(inline_bytes(&v).is_none());
    }

    impl Value {
        fn fields_ints(&self) -> Vec<i64> {
            let Value::Record(r) = self else {
                return vec![];
            };
            r.fields()
                .iter()
                .filter_map(|f| match f {
                    Value::Variant(x) => match x.fields()[0] {
                        Value::Int(i) => Some(i),
                        _ => None,
                    },
                    _ => None,
                })
                .collect()
        }
    }
}
