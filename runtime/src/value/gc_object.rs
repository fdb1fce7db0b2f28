//! What lives in the GC heap, and the cells that make it mutable.
//!
//! A GC object is a 16-byte header, one [`Value`] (16 bytes) and, after
//! it, the records, variants and closures that value owns laid out inline
//! (see `value::inline`): `Gc::new(Node { .. })` is one block of memory,
//! a multiple of [`GRANULE`] bytes long, its length in the header. The
//! nursery bumps a pointer by that length; the old space keeps objects in
//! size classes (see `heap/old_space.rs`). A value that owns more than
//! `inline::MAX_INLINE_BYTES` of records keeps them in their own
//! allocations, as strings, lists and cells always do.
//!
//! A *weak cell* is an object with the [`WEAK`] flag whose value is the
//! `Value::Gc` of its target (or `()` once the target is collected). A
//! `Weak<T>` value points at its weak cell strongly; the collector treats
//! the cell's own value as a weak edge.

use std::cell::{Cell, UnsafeCell};
use std::ptr::NonNull;
use std::rc::Rc;

use super::Value;

/// Header flags.
pub const OLD: u16 = 1 << 0;
/// Copied out of the nursery during the collection in progress: `link` is
/// the new address.
pub const FORWARDED: u16 = 1 << 1;
/// Registered with a finalizer that has not run yet.
pub const FINALIZABLE: u16 = 1 << 2;
/// Its finalizer took the value: dereferencing it panics.
pub const FINALIZED: u16 = 1 << 3;
/// A weak cell (see the module comment).
pub const WEAK: u16 = 1 << 4;
/// In the remembered set of old objects that may point into the nursery.
pub const REMEMBERED: u16 = 1 << 5;
/// An old-space slot that holds no object.
pub const FREE: u16 = 1 << 6;
/// Its value holds a cell, so the bytes it owns can change after it is
/// made (without one, what a `Gc` owns is immutable and its `size` stays
/// as counted by `Gc::new`).
pub const HOLDS_CELL: u16 = 1 << 7;

/// A GC object: header and value (and the value's inline objects after
/// it, `granules` in all).
#[repr(C)]
pub struct GcObj {
    /// The forwarding address (nursery, during a collection) or the next
    /// free slot (old space, free slots).
    pub(crate) link: Cell<*mut GcObj>,
    pub(crate) flags: Cell<u16>,
    /// Young collections survived.
    pub(crate) age: Cell<u8>,
    /// Its length in [`GRANULE`]s, inline objects included.
    pub(crate) granules: Cell<u8>,
    /// Bytes the value owns outside the object (counted when the object
    /// is made; re-measured when it holds a cell).
    pub(crate) size: Cell<u32>,
    pub(crate) value: UnsafeCell<Value>,
}

/// Bytes of the header and value: the smallest object.
pub const OBJ_BYTES: usize = size_of::<GcObj>();

/// The unit of object lengths (and of the heap's object-start and mark
/// tables).
pub const GRANULE: usize = 16;

/// The longest object, in granules.
pub const MAX_GRANULES: usize = u8::MAX as usize;

const _: () = assert!(
    OBJ_BYTES == 32,
    "a GC object is a 16-byte header and a Value"
);
const _: () = assert!(
    OBJ_BYTES + super::inline::MAX_INLINE_BYTES <= MAX_GRANULES * GRANULE,
    "an object's length fits its header"
);

impl std::fmt::Debug for GcObj {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GcObj")
            .field("flags", &self.flags.get())
            .field("age", &self.age.get())
            .finish_non_exhaustive()
    }
}

impl GcObj {
    /// A header and value for an object of `bytes` bytes (a multiple of
    /// [`GRANULE`], at most `MAX_GRANULES` of them).
    pub(crate) fn new(value: Value, flags: u16, size: u32, bytes: usize) -> GcObj {
        debug_assert!(bytes.is_multiple_of(GRANULE) && bytes / GRANULE <= MAX_GRANULES);
        GcObj {
            link: Cell::new(std::ptr::null_mut()),
            flags: Cell::new(flags),
            age: Cell::new(0),
            granules: Cell::new(u8::try_from(bytes / GRANULE).unwrap_or(u8::MAX)),
            size: Cell::new(size),
            value: UnsafeCell::new(value),
        }
    }

    /// Its length in bytes, inline objects included.
    pub(crate) fn bytes(&self) -> usize {
        self.granules.get() as usize * GRANULE
    }

    pub(crate) fn has(&self, flag: u16) -> bool {
        self.flags.get() & flag != 0
    }

    pub(crate) fn set(&self, flag: u16) {
        self.flags.set(self.flags.get() | flag);
    }

    pub(crate) fn clear(&self, flag: u16) {
        self.flags.set(self.flags.get() & !flag);
    }

    pub(crate) fn value_ptr(&self) -> *mut Value {
        self.value.get()
    }
}

/// The object `offset` bytes past `base` in a space of objects laid end
/// to end.
///
/// # Safety
/// `base` is the granule-aligned start of a space and `offset` (a
/// multiple of [`GRANULE`]) lies inside it.
pub(crate) unsafe fn obj_at(base: *mut GcObj, offset: usize) -> *mut GcObj {
    debug_assert!(offset.is_multiple_of(GRANULE));
    // Granule offsets from a granule-aligned base are aligned for `GcObj`.
    #[allow(clippy::cast_ptr_alignment)]
    // SAFETY: the caller's promise: inside the same allocation.
    unsafe {
        base.cast::<u8>().add(offset).cast::<GcObj>()
    }
}

/// A pointer to a GC object, as `Gc<T>` and `Weak<T>` values hold it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct GcRef(NonNull<GcObj>);

impl GcRef {
    pub(crate) fn new(p: *mut GcObj) -> Option<GcRef> {
        NonNull::new(p).map(GcRef)
    }

    pub fn as_ptr(self) -> *mut GcObj {
        self.0.as_ptr()
    }

    /// The object.
    ///
    /// # Safety
    ///
    /// The pointer must be reachable from a root of its heap (the
    /// collector keeps such objects alive and updates pointers it moves),
    /// and the reference is used only until the next collection, which is
    /// the only thing that moves or frees objects.
    pub(crate) unsafe fn obj<'a>(self) -> &'a GcObj {
        // SAFETY: the caller's promise.
        unsafe { &*self.0.as_ptr() }
    }

    /// The object's value, for reading through `Gc<T>`'s deref; `None`
    /// once a finalizer has taken it.
    ///
    /// # Safety
    ///
    /// As [`GcRef::obj`]: a `Gc` or `Weak` value in a register, a live
    /// object or a cell qualifies until the next collection.
    pub unsafe fn value_ptr(self) -> Option<*mut Value> {
        // SAFETY: the caller's promise.
        let o = unsafe { self.obj() };
        (!o.has(FINALIZED)).then(|| o.value_ptr())
    }
}

impl std::fmt::Debug for GcRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gc({:p})", self.0)
    }
}

/// Cell flags.
pub const CELL_IN_OLD: u8 = 1 << 0;
/// In the heap's log of mutated cells (see `barrier.rs`).
pub const CELL_LOGGED: u8 = 1 << 1;
/// Written during marking and waiting for the final mark to rescan it
/// (in the heap's remark list).
pub const CELL_REMARK: u8 = 1 << 3;
/// A `RefCell` (else a `Cell`), for `{:?}`.
pub const CELL_REFCELL: u8 = 1 << 2;

/// The box behind a `RefCell<T>` or `Cell<T>` value. Every mutation of data
/// inside a GC object goes through one (a `Gc` gives shared access only),
/// which is where the write barrier sits. Reference counted only so that
/// the barrier's log can keep a cell alive until the collector has looked
/// at it; the language sees one owner.
pub struct CellBox {
    pub(crate) flags: Cell<u8>,
    /// 0 free, n > 0 shared borrows, -1 borrowed mutably (the run-time
    /// borrow flag of a `RefCell`; the VM's borrow list says where).
    pub(crate) borrow: Cell<i32>,
    /// The shallowest frame depth (plus one) that may still hold a `&mut`
    /// from `borrow_mut`, 0 if none: the write barrier's log keeps the
    /// cell while that frame lives, since writes through that reference
    /// pass no barrier.
    pub(crate) held_at: Cell<u32>,
    value: UnsafeCell<Value>,
}

impl CellBox {
    pub fn new(value: Value, refcell: bool) -> Rc<CellBox> {
        Rc::new(CellBox {
            flags: Cell::new(if refcell { CELL_REFCELL } else { 0 }),
            borrow: Cell::new(0),
            held_at: Cell::new(0),
            value: UnsafeCell::new(value),
        })
    }

    /// Moves the value out (leaving `()`), for a last owner taking the
    /// cell apart.
    pub(crate) fn take_value(&mut self) -> Value {
        std::mem::take(self.value.get_mut())
    }

    pub fn is_refcell(&self) -> bool {
        self.flags.get() & CELL_REFCELL != 0
    }

    /// The value inside. Writes through it must be preceded by the write
    /// barrier (`barrier::cell_write`).
    pub fn value_ptr(&self) -> *mut Value {
        self.value.get()
    }

    pub fn has(&self, flag: u8) -> bool {
        self.flags.get() & flag != 0
    }

    pub(crate) fn set(&self, flag: u8) {
        self.flags.set(self.flags.get() | flag);
    }

    pub(crate) fn clear(&self, flag: u8) {
        self.flags.set(self.flags.get() & !flag);
    }

    /// The run-time borrow state: 0 free, n > 0 shared, -1 mutable.
    pub fn borrow_state(&self) -> i32 {
        self.borrow.get()
    }
}

impl std::fmt::Debug for CellBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CellBox")
            .field("flags", &self.flags.get())
            .field("borrow", &self.borrow.get())
            .finish_non_exhaustive()
    }
}
