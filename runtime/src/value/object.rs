//! Records, variants and closures: one allocation each, a header and the
//! fields inline after it. A [`Value`] holds the thin pointer (8 bytes,
//! so `Value` stays 16), and a field is one load from it: before, a record
//! was a `Box` holding a `Vec`, two allocations and two dependent loads.
//!
//! ```text
//! ┌──────────┬──────────┬──────────┬──────────┬────────┬────────┬───
//! │ ty  u32  │ tag  u32 │ len  u32 │ cap  u32 │ field0 │ field1 │ …
//! └──────────┴──────────┴──────────┴──────────┴────────┴────────┴───
//! ```
//!
//! `cap` fields were allocated; the first `len` are initialised (only
//! [`Obj::take_fields`], the non-recursive drop, makes `len` smaller).
//!
//! An object moved into `Gc::new` is laid out *inline*, inside the GC
//! object, with the records and variants it owns (see `inline.rs`): its
//! header then has the [`INLINE`] bit of `cap` set, and dropping it drops
//! its fields but frees nothing (the GC object's memory is the
//! collector's).
//!
//! Objects of one or two fields — `Some(x)`, `Ok(v)`, a map entry, a
//! pair — are made and dropped at a high rate (`map.get(&k)` returns a
//! `Some`), so a dropped one's allocation goes to a small per-thread spare
//! list that the next one of its size takes first, as an allocator's size
//! class would, without the allocator's bookkeeping.

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::cell::RefCell;
use std::ptr::NonNull;

use super::Value;

// Aligned as the fields that follow it, so they start right after it.
#[repr(C, align(8))]
struct Header {
    ty: u32,
    tag: u32,
    len: u32,
    cap: u32,
}

/// The bit of a header's `cap` that says the object lives inside a GC
/// object rather than in its own allocation.
pub(crate) const INLINE: u32 = 1 << 31;

/// An owned header-and-fields allocation (or, [`INLINE`], a header and
/// fields inside a GC object).
pub struct Obj {
    ptr: NonNull<Header>,
}

const _: () = assert!(std::mem::size_of::<Obj>() == 8);
// The fields start right after the header, suitably aligned.
const _: () = assert!(std::mem::size_of::<Header>().is_multiple_of(std::mem::align_of::<Value>()));
const _: () = assert!(std::mem::align_of::<Header>() >= std::mem::align_of::<Value>());

fn layout(cap: usize) -> Layout {
    Layout::new::<Header>()
        .extend(Layout::array::<Value>(cap).unwrap_or_else(|_| capacity_overflow()))
        .unwrap_or_else(|_| capacity_overflow())
        .0
        .pad_to_align()
}

/// The bytes of the allocation of an object with `fields` fields.
pub fn alloc_bytes(fields: usize) -> usize {
    size_of::<Header>().saturating_add(fields.saturating_mul(size_of::<Value>()))
}

#[cold]
fn capacity_overflow() -> ! {
    panic!("object too large")
}

/// How many spare allocations a thread keeps of each recycled size.
const SPARE_OBJECTS: usize = 32;
/// Objects with up to this many fields are recycled.
const RECYCLED_CAP: usize = 2;

/// Spare allocations by capacity (`lists[cap - 1]`), uninitialised.
struct Spares {
    lists: [Vec<NonNull<Header>>; RECYCLED_CAP],
}

impl Drop for Spares {
    fn drop(&mut self) {
        for (i, list) in self.lists.iter_mut().enumerate() {
            for p in list.drain(..) {
                // SAFETY: a spare allocation made with `layout(i + 1)` and
                // owned by this list alone.
                unsafe { dealloc(p.as_ptr().cast::<u8>(), layout(i + 1)) };
            }
        }
    }
}

thread_local! {
    static SPARES: RefCell<Spares> = const {
        RefCell::new(Spares { lists: [Vec::new(), Vec::new()] })
    };
}

/// A spare allocation for `cap` fields, if the thread keeps one.
fn take_spare(cap: usize) -> Option<NonNull<Header>> {
    if cap == 0 || cap > RECYCLED_CAP {
        return None;
    }
    SPARES
        .try_with(|s| {
            s.try_borrow_mut()
                .ok()
                .and_then(|mut s| s.lists[cap - 1].pop())
        })
        .ok()
        .flatten()
}

/// Keeps the allocation `p` (for `cap` fields, its fields already
/// dropped) for the next object of its size; false when there is no room
/// (or the thread's list is gone), and the caller frees it.
fn keep_spare(p: NonNull<Header>, cap: usize) -> bool {
    // A zone's block goes back to the zone, never to a cache that outlives
    // it; and the list's own growth must not come from a zone.
    if cap == 0 || cap > RECYCLED_CAP || crate::zone::is_zone_memory(p.as_ptr().cast()) {
        return false;
    }
    let _unrouted = crate::zone::Unrouted::new();
    SPARES
        .try_with(|s| {
            s.try_borrow_mut().is_ok_and(|mut s| {
                let list = &mut s.lists[cap - 1];
                list.len() < SPARE_OBJECTS && {
                    list.push(p);
                    true
                }
            })
        })
        .unwrap_or(false)
}

impl Obj {
    /// A new object with the values `fields` yields (at most `len()` of
    /// them, the iterator's promise).
    pub fn new(ty: u32, tag: u32, fields: impl ExactSizeIterator<Item = Value>) -> Obj {
        let cap = fields.len();
        let cap32 = u32::try_from(cap)
            .ok()
            .filter(|&c| c < INLINE)
            .unwrap_or_else(|| capacity_overflow());
        let ptr = take_spare(cap).unwrap_or_else(|| {
            let layout = layout(cap);
            // SAFETY: the layout has a non-zero size (the header).
            let raw = unsafe { alloc(layout) };
            // The layout is aligned for `Header` (it starts with one).
            #[allow(clippy::cast_ptr_alignment)]
            let raw = raw.cast::<Header>();
            NonNull::new(raw).unwrap_or_else(|| handle_alloc_error(layout))
        });
        // SAFETY: `ptr` is a fresh (or spare, uninitialised) allocation for
        // a header and `cap` values.
        unsafe {
            ptr.as_ptr().write(Header {
                ty,
                tag,
                len: 0,
                cap: cap32,
            });
        }
        let mut obj = Obj { ptr };
        for v in fields.take(cap) {
            let len = obj.header().len as usize;
            // SAFETY: `len < cap` (at most `cap` values are taken); the slot
            // is allocated and not yet initialised.
            unsafe { obj.fields_ptr().add(len).write(v) };
            obj.header_mut().len += 1;
        }
        obj
    }

    /// Bytes of an object of `cap` fields, wherever it lives.
    pub(crate) fn bytes_for(cap: usize) -> usize {
        layout(cap).size()
    }

    /// Writes a new inline object (see [`INLINE`]) of one field at `dst`.
    ///
    /// # Safety
    /// `dst` has room for `Obj::bytes_for(1)` bytes, 16-byte aligned, that
    /// nothing else uses; the object is then dropped only as an inline
    /// object (its memory is its GC object's).
    pub(crate) unsafe fn write_inline(dst: *mut u8, ty: u32, tag: u32, field: Value) -> Obj {
        // Headers are written at 16-byte offsets of 16-byte-aligned GC
        // objects, so `dst` is aligned for one.
        #[allow(clippy::cast_ptr_alignment)]
        let ptr = dst.cast::<Header>();
        // SAFETY: the caller's promise: room for a header and one field.
        unsafe {
            ptr.write(Header {
                ty,
                tag,
                len: 1,
                cap: 1 | INLINE,
            });
            ptr.add(1).cast::<Value>().write(field);
            Obj {
                ptr: NonNull::new_unchecked(ptr),
            }
        }
    }

    fn header(&self) -> &Header {
        // SAFETY: `ptr` points to an initialised header this object owns.
        unsafe { self.ptr.as_ref() }
    }

    fn header_mut(&mut self) -> &mut Header {
        // SAFETY: as `header`, and `&mut self` makes the access unique.
        unsafe { self.ptr.as_mut() }
    }

    fn fields_ptr(&self) -> *mut Value {
        // SAFETY: the fields start right after the header, inside the
        // allocation (the header's size is a multiple of `Value`'s
        // alignment, asserted above).
        unsafe { self.ptr.as_ptr().add(1).cast::<Value>() }
    }

    pub fn ty(&self) -> u32 {
        self.header().ty
    }

    /// Fields allocated.
    fn cap(&self) -> usize {
        (self.header().cap & !INLINE) as usize
    }

    /// Whether it lives inside a GC object (see the module comment).
    pub(crate) fn is_inline(&self) -> bool {
        self.header().cap & INLINE != 0
    }

    /// The address of its header.
    pub(crate) fn addr(&self) -> *mut u8 {
        self.ptr.as_ptr().cast()
    }

    /// Bytes of its header and fields, wherever they live.
    pub(crate) fn layout_bytes(&self) -> usize {
        layout(self.cap()).size()
    }

    /// Points this handle at another copy of its header and fields (the
    /// GC object holding it moved, or it was laid out inline).
    ///
    /// # Safety
    /// `to` holds a header and fields equal to this object's, and the
    /// memory this handle pointed to is not freed through it.
    pub(crate) unsafe fn repoint(&mut self, to: *mut u8) {
        // Headers are written at 16-byte offsets of 16-byte-aligned GC
        // objects (or by `new`), so `to` is aligned for one.
        #[allow(clippy::cast_ptr_alignment)]
        let to = to.cast::<Header>();
        // SAFETY: the caller's promise: a non-null copy.
        self.ptr = unsafe { NonNull::new_unchecked(to) };
    }

    /// Copies the header and fields (bitwise: the fields now belong to
    /// the copy) to `dst`, marked inline, repoints this handle there and
    /// frees the old allocation without dropping anything.
    ///
    /// # Safety
    /// The object is not inline; `dst` has room for
    /// `Obj::bytes_for(cap)` bytes, 16-byte aligned, and is not read as a
    /// value before this returns.
    pub(crate) unsafe fn move_inline(&mut self, dst: *mut u8) {
        debug_assert!(!self.is_inline());
        let cap = self.cap();
        let bytes = layout(cap).size();
        // SAFETY: the caller's promise: `dst` has room; the source is
        // this allocation, `bytes` long.
        unsafe { std::ptr::copy_nonoverlapping(self.addr(), dst, bytes) };
        let old = self.ptr;
        // SAFETY: just copied there.
        unsafe { self.repoint(dst) };
        self.header_mut().cap |= INLINE;
        if !keep_spare(old, cap) {
            // SAFETY: the old allocation, made with this layout; its
            // fields moved to `dst`, so nothing is dropped here.
            unsafe { dealloc(old.as_ptr().cast::<u8>(), layout(cap)) };
        }
    }

    /// Moves an inline object's header and fields into an allocation of
    /// its own (its fields move with it, bitwise).
    pub(crate) fn move_to_heap(&mut self) {
        if !self.is_inline() {
            return;
        }
        let cap = self.cap();
        let l = layout(cap);
        let ptr = take_spare(cap).unwrap_or_else(|| {
            // SAFETY: the layout has a non-zero size (the header).
            let raw = unsafe { alloc(l) };
            // The layout is aligned for `Header` (it starts with one).
            #[allow(clippy::cast_ptr_alignment)]
            let raw = raw.cast::<Header>();
            NonNull::new(raw).unwrap_or_else(|| handle_alloc_error(l))
        });
        // SAFETY: a fresh allocation of the same layout; the inline copy
        // is never dropped as an object again (its GC object's value
        // leaves it).
        unsafe { std::ptr::copy_nonoverlapping(self.addr(), ptr.as_ptr().cast::<u8>(), l.size()) };
        self.ptr = ptr;
        self.header_mut().cap &= !INLINE;
    }

    pub fn tag(&self) -> u32 {
        self.header().tag
    }

    pub fn fields(&self) -> &[Value] {
        // SAFETY: the first `len` fields are initialised and owned by this
        // object; the borrow of `self` keeps them alive.
        unsafe { std::slice::from_raw_parts(self.fields_ptr(), self.header().len as usize) }
    }

    pub fn fields_mut(&mut self) -> &mut [Value] {
        let len = self.header().len as usize;
        // SAFETY: as `fields`, and `&mut self` makes the access unique.
        unsafe { std::slice::from_raw_parts_mut(self.fields_ptr(), len) }
    }

    /// Moves every field out onto `out`, leaving the object without fields
    /// (so that dropping it frees only its allocation).
    pub fn take_fields(&mut self, out: &mut Vec<Value>) {
        let len = self.header().len as usize;
        out.reserve(len);
        for i in 0..len {
            // SAFETY: field `i < len` is initialised; `len` is set to 0
            // below, so it is never read or dropped again here.
            out.push(unsafe { self.fields_ptr().add(i).read() });
        }
        self.header_mut().len = 0;
    }

    /// The bytes of its own allocation (none when inline: they are the
    /// GC object's).
    pub fn heap_bytes(&self) -> usize {
        if self.is_inline() {
            0
        } else {
            layout(self.cap()).size()
        }
    }
}

impl Drop for Obj {
    fn drop(&mut self) {
        let inline = self.is_inline();
        let cap = self.cap();
        // SAFETY: the first `len` fields are initialised and owned here;
        // they are dropped once.
        unsafe { std::ptr::drop_in_place(self.fields_mut()) };
        if !inline && !keep_spare(self.ptr, cap) {
            // SAFETY: the allocation was made with this layout (by `new`,
            // or by an earlier `new` whose spare it is) and is not used
            // again.
            unsafe { dealloc(self.ptr.as_ptr().cast::<u8>(), layout(cap)) };
        }
    }
}

impl Clone for Obj {
    /// A deep copy (each field cloned).
    fn clone(&self) -> Obj {
        Obj::new(self.ty(), self.tag(), self.fields().iter().cloned())
    }
}

impl std::fmt::Debug for Obj {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Obj")
            .field("ty", &self.ty())
            .field("tag", &self.tag())
            .field("fields", &self.fields())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(n: i32) -> impl ExactSizeIterator<Item = Value> {
        (0..n).map(|i| Value::Int(i64::from(i)))
    }

    #[test]
    fn fields_are_stored_inline_and_read_back() {
        let mut o = Obj::new(7, 2, ints(3));
        assert_eq!((o.ty(), o.tag()), (7, 2));
        assert_eq!(o.fields().len(), 3);
        assert!(matches!(o.fields()[2], Value::Int(2)));
        o.fields_mut()[1] = Value::str("owned");
        let copy = o.clone();
        assert_eq!(copy.fields().len(), 3);
        assert_eq!(copy.fields()[1].as_str(), Some("owned"));
        assert_eq!(o.heap_bytes(), 16 + 3 * std::mem::size_of::<Value>());
    }

    #[test]
    fn no_fields_is_a_header_alone() {
        let o = Obj::new(1, 0, std::iter::empty());
        assert!(o.fields().is_empty());
        assert_eq!(o.heap_bytes(), 16);
    }

    /// An iterator that promises more than it yields leaves the rest
    /// unused; the object holds (and later drops) only what it got.
    #[test]
    fn a_short_iterator_fills_only_what_it_yields() {
        struct Liar(i64);
        impl Iterator for Liar {
            type Item = Value;
            fn next(&mut self) -> Option<Value> {
                self.0 -= 1;
                (self.0 >= 0).then(|| Value::str("x"))
            }
        }
        impl ExactSizeIterator for Liar {
            fn len(&self) -> usize {
                5
            }
        }
        let o = Obj::new(0, 0, Liar(2));
        assert_eq!(o.fields().len(), 2);
    }

    #[test]
    fn taking_the_fields_leaves_an_empty_object() {
        let mut o = Obj::new(0, 0, (0..4u8).map(|i| Value::str(format!("s{i}"))));
        let mut out = Vec::new();
        o.take_fields(&mut out);
        assert_eq!(out.len(), 4);
        assert!(o.fields().is_empty());
        assert_eq!(out[3].as_str(), Some("s3"));
    }
}
