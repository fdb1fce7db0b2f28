//! Values laid out inside their GC object.
//!
//! `Gc::new(Node { left: Some(a), right: None })` makes one GC object: its
//! header, the root value, and after it, one after another, the header and
//! fields of every record, variant and closure the value owns through
//! other records, variants and closures (pre-order), and the strings among
//! their fields that fit in the room left. Lists, maps and cells keep
//! their own allocations. So a dead young object with no list in it (and
//! no string too long to lay out) costs nothing to reclaim, a dead old one
//! frees nothing when it is swept, and tracing one reads a single block of
//! memory.
//!
//! Records, variants and closures go inline all or none: the value's
//! layout is one block or the old one. Strings then go inline greedily, in
//! the same pre-order, each when it fits in what the records left of
//! [`MAX_INLINE_BYTES`]; [`plan`] and [`lay_out`] make the same decisions
//! because they walk the same order with the same room.
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

use super::object::Obj;
use super::{Text, Value};

/// Most bytes of records, variants, closures and strings one GC object
/// holds inline; a value whose records alone take more keeps its own
/// allocations (and its object is a header and a value, as a list's is).
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

/// How a value moved into `Gc::new` is laid out inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Bytes of the inline block after the value.
    pub bytes: usize,
    /// What the parts moving inline take in allocations of their own now
    /// (what the object no longer owns outside itself).
    pub replaces: usize,
    /// Room the records leave for strings.
    string_room: usize,
}

/// How `v`'s records, variants, closures and strings are laid out inline,
/// or `None` when its records, variants and closures alone take more than
/// [`MAX_INLINE_BYTES`] (or some part is already inline elsewhere, which
/// a value moved into `Gc::new` never is). The recursion is at most
/// `MAX_INLINE_BYTES / 16` deep: each level adds a header.
pub(crate) fn plan(v: &Value) -> Option<Plan> {
    fn add_objects(v: &Value, total: &mut usize, replaces: &mut usize) -> bool {
        if let Value::Str(t) = v {
            return !t.is_inline();
        }
        if v.compact_parts().is_some() {
            // Laid out as an inline variant, so that a reference to its
            // field never has to expand it inside the object.
            *total += Obj::bytes_for(1);
            return *total <= MAX_INLINE_BYTES;
        }
        let Some(o) = obj(v) else {
            return true;
        };
        if o.is_inline() {
            return false;
        }
        *total += o.layout_bytes();
        *replaces += o.heap_bytes();
        *total <= MAX_INLINE_BYTES && o.fields().iter().all(|f| add_objects(f, total, replaces))
    }
    fn add_strings(v: &Value, room: &mut usize, used: &mut usize, replaces: &mut usize) {
        if let Value::Str(t) = v {
            if takes(t, room) {
                *used += t.inline_bytes();
                *replaces += t.heap_bytes();
            }
        } else if let Some(o) = obj(v) {
            for f in o.fields() {
                add_strings(f, room, used, replaces);
            }
        }
    }
    let (mut records, mut replaces) = (0, 0);
    if !add_objects(v, &mut records, &mut replaces) {
        return None;
    }
    let string_room = MAX_INLINE_BYTES - records;
    let (mut room, mut strings) = (string_room, 0);
    add_strings(v, &mut room, &mut strings, &mut replaces);
    Some(Plan {
        bytes: records + strings,
        replaces,
        string_room,
    })
}

/// Whether string `t` goes inline with `room` bytes left for strings
/// (taking its bytes from `room` if so).
fn takes(t: &Text, room: &mut usize) -> bool {
    let b = t.inline_bytes();
    b > 0 && b <= *room && {
        *room -= b;
        true
    }
}

/// Moves `v`'s records, variants and closures, and the strings `plan`
/// counted, to `dst`, in the order [`plan`] counted them.
///
/// # Safety
/// `plan` is `plan(v)`, and `dst` is 16-byte aligned with room for
/// `plan.bytes` bytes that nothing else uses.
pub(crate) unsafe fn lay_out(v: &mut Value, dst: *mut u8, plan: Plan) {
    // Records first, as `plan` counted them; the strings after them.
    unsafe fn objects(v: &mut Value, dst: *mut u8) -> usize {
        if let Some((ty, tag, field)) = v.compact_parts() {
            // SAFETY: `plan` counted an object of one field here.
            let o = unsafe { Obj::write_inline(dst, ty, tag, field) };
            *v = Value::Variant(super::Variant(o));
            return Obj::bytes_for(1);
        }
        let Some(o) = obj_mut(v) else {
            return 0;
        };
        let mut used = o.layout_bytes();
        // SAFETY: the caller's promise covers this object's bytes first.
        unsafe { o.move_inline(dst) };
        for f in o.fields_mut() {
            // SAFETY: the bytes after this object's, counted the same way.
            used += unsafe { objects(f, dst.add(used)) };
        }
        used
    }
    unsafe fn strings(v: &mut Value, dst: *mut u8, room: &mut usize) -> usize {
        if let Value::Str(t) = v {
            let b = t.inline_bytes();
            if !takes(t, room) {
                return 0;
            }
            // SAFETY: `plan` counted these bytes for this string.
            unsafe { t.move_inline(dst) };
            return b;
        }
        let mut used = 0;
        if let Some(o) = obj_mut(v) {
            for f in o.fields_mut() {
                // SAFETY: the bytes after the strings before it.
                used += unsafe { strings(f, dst.add(used), room) };
            }
        }
        used
    }
    // SAFETY: the caller's promise: room for the records' bytes first.
    let records = unsafe { objects(v, dst) };
    let mut room = plan.string_room;
    // SAFETY: and for the strings' after them.
    let used = records + unsafe { strings(v, dst.add(records), &mut room) };
    debug_assert_eq!(used, plan.bytes);
}

/// After the GC object holding `v` was copied bitwise from `from` (`len`
/// bytes) to `to`: points `v`'s inline objects and strings at their new
/// copies.
///
/// # Safety
/// `v` is the root value of the copy at `to`, and the original at `from`
/// is still readable (the collection that moves it is in progress).
pub(crate) unsafe fn relocate(v: &mut Value, from: *const u8, len: usize, to: *mut u8) {
    if let Value::Str(t) = v {
        let offset = (t.addr() as usize).wrapping_sub(from as usize);
        if offset < len {
            // SAFETY: the same offset in the copy holds the same bytes.
            unsafe { t.repoint(to.add(offset)) };
        }
        return;
    }
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

/// Moves `v`'s inline objects and strings into allocations of their own:
/// the value is leaving its GC object (a finalizer receives it).
pub(crate) fn to_heap(v: &mut Value) {
    if let Value::Str(t) = v {
        t.move_to_heap();
    } else if let Some(o) = obj_mut(v)
        && o.is_inline()
    {
        o.move_to_heap();
        for f in o.fields_mut() {
            to_heap(f);
        }
    }
}

/// Hands `out` every value under `v`'s inline objects that owns memory of
/// its own (a string not laid out inline, a list, a cell...), leaving `()`
/// in its place: the GC object holding `v` is dead, and what is left
/// needs no drop.
pub(crate) fn take_owned(v: &mut Value, out: &mut impl FnMut(Value)) {
    match obj_mut(v) {
        Some(o) if o.is_inline() => {
            for f in o.fields_mut() {
                take_owned(f, out);
            }
        }
        _ => match v {
            Value::Str(t) if t.is_inline() => {}
            _ if v.owns_heap() => out(std::mem::take(v)),
            _ => {}
        },
    }
}

/// Whether every inline object and string under `v` lies in
/// `base..base + len` (verification).
pub(crate) fn inline_within(v: &Value, base: *const u8, len: usize) -> bool {
    let within = |addr: *mut u8| (addr as usize).wrapping_sub(base as usize) < len;
    match v {
        Value::Str(t) if t.is_inline() => within(t.addr()),
        _ => match obj(v) {
            Some(o) if o.is_inline() => {
                within(o.addr()) && o.fields().iter().all(|f| inline_within(f, base, len))
            }
            _ => true,
        },
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
        let laid = plan(&v).expect("small enough");
        // Three records, then the string (a header and 5 bytes, rounded).
        let n = (16 + 32) + 2 * (16 + 16) + 32;
        assert_eq!(laid.bytes, n);
        let mut space = Space([0; 512]);
        let dst = space.0.as_mut_ptr();
        // SAFETY: room for `n` bytes, aligned.
        unsafe { lay_out(&mut v, dst, laid) };
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
        let p = plan(&v).expect("small enough");
        let mut space = Space([0; 512]);
        // SAFETY: room for the bytes counted, aligned.
        unsafe { lay_out(&mut v, space.0.as_mut_ptr(), p) };
        let mut taken = Vec::new();
        take_owned(&mut v, &mut |x| taken.push(x));
        // The string went inline with the records: nothing owns memory
        // outside the space.
        assert!(taken.is_empty());
        // What is left owns nothing outside the space: dropping it in
        // place only drops `()`s and frees nothing.
        drop(v);
    }

    #[test]
    fn too_much_stays_out_of_line() {
        let fields = (0..40).map(Value::Int).collect::<Vec<_>>();
        let v = Value::Record(Record::new(1, fields.into_iter()));
        assert!(plan(&v).is_none());
    }

    #[test]
    fn strings_go_inline_while_they_fit() {
        let long = "x".repeat(400);
        let mut v = node(some(Value::str(long.as_str())), some(Value::str("short")));
        let p = plan(&v).expect("records fit");
        let records = (16 + 32) + 2 * (16 + 16);
        // The 400-byte string does not fit beside the records; the short
        // one after it still does.
        assert_eq!(p.bytes, records + 32);
        // Its own allocation was a header and 16 bytes (rounded up).
        assert_eq!(p.replaces, records + 16 + 16);
        let mut space = Space([0; 512]);
        let dst = space.0.as_mut_ptr();
        // SAFETY: room for the bytes counted, aligned.
        unsafe { lay_out(&mut v, dst, p) };
        assert!(inline_within(&v, dst, p.bytes));
        let mut taken = Vec::new();
        take_owned(&mut v, &mut |x| taken.push(x));
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].as_str(), Some(long.as_str()));
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
