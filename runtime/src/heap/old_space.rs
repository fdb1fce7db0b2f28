//! The old generation's memory: chunks of equal-sized slots with a free
//! list, and the mark bytes of the objects in them.
//!
//! A chunk is 64 KiB, aligned to its size, so the chunk of any old object
//! is found by masking its address. Its first [`MARK_SLOTS`] slots are not
//! objects: they hold the chunk's *mark table*, one byte per slot (the
//! marking epoch the object was last marked in). Keeping marks apart from
//! the objects is what keeps marking cheap when roots point at many old
//! objects the collector has no other reason to touch (a list of 400 000
//! `Gc`s is checked against 400 KB of mark tables, not 12 MB of objects).

use std::alloc::Layout;
use std::cell::Cell;

use crate::value::Value;
use crate::value::gc_object::{FREE, GcObj, OBJ_BYTES};

/// Bytes of one chunk (also its alignment).
const CHUNK_BYTES: usize = 64 << 10;
/// Slots per chunk, the mark table's included.
pub(crate) const CHUNK_OBJS: usize = CHUNK_BYTES / OBJ_BYTES;
/// Slots taken by the mark table at the start of each chunk.
const MARK_SLOTS: usize = CHUNK_OBJS / OBJ_BYTES;
/// The slot index of a chunk's first object.
pub(crate) const FIRST_SLOT: usize = MARK_SLOTS;

const _: () = assert!(
    MARK_SLOTS * OBJ_BYTES == CHUNK_OBJS,
    "the mark table fills its slots exactly"
);

fn chunk_layout() -> Layout {
    Layout::from_size_align(CHUNK_BYTES, CHUNK_BYTES).expect("a power-of-two chunk")
}

/// The mark byte of old object `p`.
///
/// # Safety
/// `p` is an object slot of a chunk that is still allocated.
pub(crate) unsafe fn mark_of<'a>(p: *const GcObj) -> &'a Cell<u8> {
    let offset = p as usize & (CHUNK_BYTES - 1);
    let slot = offset / OBJ_BYTES;
    // SAFETY: chunks are aligned to their size, so `p - offset` is the
    // chunk's start, where the table of `CHUNK_OBJS` bytes lives (written
    // when the chunk was made); `Cell<u8>` has the layout of `u8`.
    unsafe { &*p.cast::<u8>().sub(offset).add(slot).cast::<Cell<u8>>() }
}

/// Whether old object `p` is marked in `epoch`.
///
/// # Safety
/// As [`mark_of`].
pub(crate) unsafe fn is_marked(p: *const GcObj, epoch: u8) -> bool {
    // SAFETY: the caller's promise.
    unsafe { mark_of(p) }.get() == epoch
}

/// Marks old object `p` in `epoch`; whether it was unmarked before.
///
/// # Safety
/// As [`mark_of`].
pub(crate) unsafe fn mark(p: *const GcObj, epoch: u8) -> bool {
    // SAFETY: the caller's promise.
    let m = unsafe { mark_of(p) };
    m.replace(epoch) != epoch
}

/// The old generation's slots.
pub(crate) struct OldSpace {
    pub(crate) chunks: Vec<*mut GcObj>,
    free: *mut GcObj,
    pub(crate) free_count: usize,
}

impl OldSpace {
    pub(crate) fn new() -> OldSpace {
        OldSpace {
            chunks: Vec::new(),
            free: std::ptr::null_mut(),
            free_count: 0,
        }
    }

    pub(crate) fn alloc(&mut self) -> *mut GcObj {
        if self.free.is_null() {
            self.grow();
        }
        let o = self.free;
        // SAFETY: `o` is a free slot of one of our chunks (the free list
        // only links those).
        self.free = unsafe { (*o).link.get() };
        self.free_count -= 1;
        o
    }

    /// Adds a chunk of free slots.
    pub(crate) fn grow(&mut self) {
        let layout = chunk_layout();
        // SAFETY: the layout has a non-zero size.
        let raw = unsafe { std::alloc::alloc(layout) };
        if raw.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        // SAFETY: the mark table: the chunk's first `CHUNK_OBJS` bytes.
        unsafe { std::ptr::write_bytes(raw, 0, CHUNK_OBJS) };
        // The chunk is aligned to 64 KiB, more than `GcObj` needs.
        #[allow(clippy::cast_ptr_alignment)]
        let chunk = raw.cast::<GcObj>();
        for i in (FIRST_SLOT..CHUNK_OBJS).rev() {
            // SAFETY: `i` is inside the chunk just allocated; the slot is
            // written before it is linked or read.
            unsafe {
                let slot = chunk.add(i);
                std::ptr::write(slot, GcObj::new(Value::Unit, FREE, 0));
                (*slot).link.set(self.free);
                self.free = slot;
            }
        }
        self.chunks.push(chunk);
        self.free_count += CHUNK_OBJS - FIRST_SLOT;
    }

    /// Puts a slot whose value has been taken back on the free list.
    pub(crate) fn release(&mut self, o: &GcObj) {
        o.flags.set(FREE);
        o.size.set(0);
        o.link.set(self.free);
        self.free = std::ptr::from_ref(o).cast_mut();
        self.free_count += 1;
    }

    /// Object slots in all chunks.
    pub(crate) fn slots(&self) -> usize {
        self.chunks.len() * (CHUNK_OBJS - FIRST_SLOT)
    }

    /// The object at slot `i` (`FIRST_SLOT..CHUNK_OBJS`) of chunk `c`.
    pub(crate) fn slot(&self, c: usize, i: usize) -> &GcObj {
        debug_assert!((FIRST_SLOT..CHUNK_OBJS).contains(&i));
        // SAFETY: chunks hold initialised slots from `FIRST_SLOT` on.
        unsafe { &*self.chunks[c].add(i) }
    }

    /// Every slot, free or not.
    pub(crate) fn each_slot(&self) -> impl Iterator<Item = &GcObj> {
        (0..self.chunks.len())
            .flat_map(move |c| (FIRST_SLOT..CHUNK_OBJS).map(move |i| self.slot(c, i)))
    }

    /// Whether `p` is the start of one of our object slots.
    pub(crate) fn owns(&self, p: *const u8) -> bool {
        let offset = p as usize & (CHUNK_BYTES - 1);
        offset.is_multiple_of(OBJ_BYTES)
            && offset / OBJ_BYTES >= FIRST_SLOT
            && self
                .chunks
                .iter()
                .any(|&c| c.cast::<u8>().cast_const() == p.wrapping_sub(offset))
    }
}

impl Drop for OldSpace {
    fn drop(&mut self) {
        for &c in &self.chunks {
            // SAFETY: `c` came from `grow` with this layout.
            unsafe { std::alloc::dealloc(c.cast(), chunk_layout()) };
        }
    }
}
