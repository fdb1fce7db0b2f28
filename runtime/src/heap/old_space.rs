//! The old generation's memory: chunks of equal-sized slots, one size
//! class per chunk, a free list per class, and the mark bytes of the
//! objects in them.
//!
//! A chunk is 64 KiB, aligned to its size, so the chunk of any old object
//! is found by masking its address. Its first [`TABLE_BYTES`] are not
//! objects: they hold the chunk's *mark table*, one byte per granule (the
//! marking epoch the object starting there was last marked in), and, in
//! the first byte (a granule of the table itself, where no object
//! starts), the chunk's size class. Keeping marks apart from the objects
//! is what keeps marking cheap when roots point at many old objects the
//! collector has no other reason to touch (a list of 400 000 `Gc`s is
//! checked against mark tables, not against the objects), and what lets
//! the sweep find the dead without reading the live: a free slot's mark
//! is [`FREE_MARK`], which no marking epoch uses.
//!
//! An object's slot is the smallest class that holds it; classes grow by
//! a granule up to 8, then by about a fifth, so at most a sixth of a slot
//! is left over, and a chunk of one class never fragments the others.

use std::alloc::Layout;
use std::cell::Cell;

use crate::value::Value;
use crate::value::gc_object::{FREE, GRANULE, GcObj, OBJ_BYTES};
use crate::value::inline::MAX_INLINE_BYTES;

/// Bytes of one chunk (also its alignment).
const CHUNK_BYTES: usize = 64 << 10;
/// Bytes of the mark table at the start of each chunk.
const TABLE_BYTES: usize = CHUNK_BYTES / GRANULE;

/// The size classes, in granules.
const CLASS_GRANULES: [usize; 15] = [2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32];
/// How many size classes there are.
pub(crate) const CLASSES: usize = CLASS_GRANULES.len();

const _: () = assert!(
    CLASS_GRANULES[CLASSES - 1] * GRANULE >= OBJ_BYTES + MAX_INLINE_BYTES,
    "the largest class holds the largest object"
);
const _: () = assert!(
    CLASSES < TABLE_BYTES,
    "a class index fits the table's first byte"
);

/// The class of an object of `bytes` bytes.
pub(crate) fn class_of(bytes: usize) -> usize {
    let g = bytes.div_ceil(GRANULE);
    CLASS_GRANULES
        .iter()
        .position(|&c| c >= g)
        .unwrap_or(CLASSES - 1)
}

/// Bytes of a slot of class `class`.
fn slot_bytes(class: usize) -> usize {
    CLASS_GRANULES[class] * GRANULE
}

/// Slots in a chunk of class `class`.
fn slots_per_chunk(class: usize) -> usize {
    (CHUNK_BYTES - TABLE_BYTES) / slot_bytes(class)
}

fn chunk_layout() -> Layout {
    Layout::from_size_align(CHUNK_BYTES, CHUNK_BYTES).expect("a power-of-two chunk")
}

/// The mark of a free slot (never a marking epoch; see [`next_epoch`]).
const FREE_MARK: u8 = u8::MAX;

/// The marking epoch after `epoch`.
pub(crate) fn next_epoch(epoch: u8) -> u8 {
    match epoch.wrapping_add(1) {
        FREE_MARK => 0,
        e => e,
    }
}

/// The mark byte of old object `p`.
///
/// # Safety
/// `p` is an object slot of a chunk that is still allocated.
pub(crate) unsafe fn mark_of<'a>(p: *const GcObj) -> &'a Cell<u8> {
    let offset = p as usize & (CHUNK_BYTES - 1);
    // SAFETY: chunks are aligned to their size, so `p - offset` is the
    // chunk's start, where the table of one byte per granule lives
    // (written when the chunk was made); `Cell<u8>` has the layout of `u8`.
    unsafe {
        &*p.cast::<u8>()
            .sub(offset)
            .add(offset / GRANULE)
            .cast::<Cell<u8>>()
    }
}

/// How many steps ahead of a random-order walk (a root list's objects, a
/// list's young indices) the collector prefetches: about as many as it
/// takes to cover a miss.
pub(crate) const PREFETCH_AHEAD: usize = 8;

/// Asks the CPU to start loading the cache line at `p`. Any address is
/// fine: a prefetch reads nothing architecturally and never faults.
#[inline]
pub(crate) fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it cannot fault, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Starts loading old object `p`'s header and mark byte: marking visits
/// objects in the order a root list holds them, which is random in
/// memory, and without this waits for a miss or two per object.
#[inline]
pub(crate) fn prefetch_object(p: *const GcObj) {
    let offset = p as usize & (CHUNK_BYTES - 1);
    prefetch(p.cast());
    prefetch(
        p.cast::<u8>()
            .wrapping_sub(offset)
            .wrapping_add(offset / GRANULE),
    );
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
    pub(crate) chunks: Vec<*mut u8>,
    free: [*mut GcObj; CLASSES],
    /// Free slots, by class.
    pub(crate) free_count: [usize; CLASSES],
}

impl OldSpace {
    pub(crate) fn new() -> OldSpace {
        OldSpace {
            chunks: Vec::new(),
            free: [std::ptr::null_mut(); CLASSES],
            free_count: [0; CLASSES],
        }
    }

    /// A free slot of class `class`.
    pub(crate) fn alloc(&mut self, class: usize) -> *mut GcObj {
        if self.free[class].is_null() {
            self.grow(class);
        }
        let o = self.free[class];
        // SAFETY: `o` is a free slot of one of our chunks (the free list
        // only links those).
        self.free[class] = unsafe { (*o).link.get() };
        self.free_count[class] -= 1;
        o
    }

    /// Adds a chunk of free slots of class `class`.
    pub(crate) fn grow(&mut self, class: usize) {
        let layout = chunk_layout();
        // SAFETY: the layout has a non-zero size.
        let raw = unsafe { std::alloc::alloc(layout) };
        if raw.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        // SAFETY: the mark table: the chunk's first `TABLE_BYTES` bytes;
        // its first byte is the class (no object starts in the table).
        unsafe {
            std::ptr::write_bytes(raw, 0, TABLE_BYTES);
            *raw = u8::try_from(class).unwrap_or(u8::MAX);
        }
        let bytes = slot_bytes(class);
        for i in 0..slots_per_chunk(class) {
            // SAFETY: the table byte of slot `i`, inside the table.
            unsafe { *raw.add((TABLE_BYTES + i * bytes) / GRANULE) = FREE_MARK };
        }
        for i in (0..slots_per_chunk(class)).rev() {
            // Slots are at multiples of a granule past the table, in a
            // chunk aligned to 64 KiB: aligned for `GcObj`.
            #[allow(clippy::cast_ptr_alignment)]
            // SAFETY: slot `i` lies inside the chunk just allocated; it is
            // written before it is linked or read.
            unsafe {
                let slot = raw.add(TABLE_BYTES + i * bytes).cast::<GcObj>();
                std::ptr::write(slot, GcObj::new(Value::Unit, FREE, 0, OBJ_BYTES));
                (*slot).link.set(self.free[class]);
                self.free[class] = slot;
            }
        }
        self.chunks.push(raw);
        self.free_count[class] += slots_per_chunk(class);
    }

    /// The class of chunk `c`.
    fn class(&self, c: usize) -> usize {
        // SAFETY: the first byte of a chunk of ours, written by `grow`.
        usize::from(unsafe { *self.chunks[c] })
    }

    /// Puts a slot whose value has been taken back on its class's free
    /// list.
    pub(crate) fn release(&mut self, o: &GcObj) {
        let p = std::ptr::from_ref(o).cast_mut();
        let chunk = (p as usize & !(CHUNK_BYTES - 1)) as *const u8;
        // SAFETY: `o` is a slot of one of our chunks, whose first byte is
        // its class.
        let class = usize::from(unsafe { *chunk });
        o.flags.set(FREE);
        // SAFETY: `o` is a slot of one of our chunks.
        unsafe { mark_of(o) }.set(FREE_MARK);
        o.size.set(0);
        o.granules.set(2);
        o.link.set(self.free[class]);
        self.free[class] = p;
        self.free_count[class] += 1;
    }

    /// Whether slot `i` of chunk `c` holds an object not marked in
    /// `epoch` (garbage, once marking is over). Reads the mark table only.
    pub(crate) fn is_garbage(&self, c: usize, i: usize, epoch: u8) -> bool {
        let offset = TABLE_BYTES + i * slot_bytes(self.class(c));
        debug_assert!(offset < CHUNK_BYTES);
        // SAFETY: the table byte of a slot of chunk `c`.
        let m = unsafe { *self.chunks[c].add(offset / GRANULE) };
        m != epoch && m != FREE_MARK
    }

    /// Object slots in all chunks.
    pub(crate) fn slots(&self) -> usize {
        (0..self.chunks.len())
            .map(|c| slots_per_chunk(self.class(c)))
            .sum()
    }

    /// Free slots in all classes.
    pub(crate) fn free_slots(&self) -> usize {
        self.free_count.iter().sum()
    }

    /// How many slots chunk `c` has.
    pub(crate) fn slots_in(&self, c: usize) -> usize {
        slots_per_chunk(self.class(c))
    }

    /// Slot `i` (`0..slots_in(c)`) of chunk `c`.
    pub(crate) fn slot(&self, c: usize, i: usize) -> &GcObj {
        let class = self.class(c);
        debug_assert!(i < slots_per_chunk(class));
        // Slots are granule-aligned in a 64 KiB-aligned chunk.
        #[allow(clippy::cast_ptr_alignment)]
        // SAFETY: chunks hold initialised slots from the table on.
        unsafe {
            &*self.chunks[c]
                .add(TABLE_BYTES + i * slot_bytes(class))
                .cast::<GcObj>()
        }
    }

    /// Every slot, free or not.
    pub(crate) fn each_slot(&self) -> impl Iterator<Item = &GcObj> {
        (0..self.chunks.len())
            .flat_map(move |c| (0..self.slots_in(c)).map(move |i| self.slot(c, i)))
    }

    /// Whether `p` is the start of one of our object slots.
    pub(crate) fn owns(&self, p: *const u8) -> bool {
        let offset = p as usize & (CHUNK_BYTES - 1);
        let start = p.wrapping_sub(offset);
        let Some(c) = self.chunks.iter().position(|&c| c.cast_const() == start) else {
            return false;
        };
        let bytes = slot_bytes(self.class(c));
        offset >= TABLE_BYTES
            && (offset - TABLE_BYTES).is_multiple_of(bytes)
            && (offset - TABLE_BYTES) / bytes < slots_per_chunk(self.class(c))
    }
}

impl Drop for OldSpace {
    fn drop(&mut self) {
        for &c in &self.chunks {
            // SAFETY: `c` came from `grow` with this layout.
            unsafe { std::alloc::dealloc(c, chunk_layout()) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_object_length_has_a_class_that_holds_it() {
        for g in 2..=CLASS_GRANULES[CLASSES - 1] {
            let c = class_of(g * GRANULE);
            assert!(CLASS_GRANULES[c] >= g);
            assert!(
                c == 0 || CLASS_GRANULES[c - 1] < g,
                "the smallest that fits"
            );
            // At most a sixth of a slot is left over past 8 granules.
            assert!(CLASS_GRANULES[c] <= 8 || (CLASS_GRANULES[c] - g) * 6 <= CLASS_GRANULES[c]);
        }
    }

    #[test]
    fn slots_of_a_class_are_found_and_marked_apart() {
        let mut old = OldSpace::new();
        let a = old.alloc(class_of(80));
        let b = old.alloc(class_of(80));
        let c = old.alloc(class_of(32));
        assert_ne!(a, b);
        assert!(old.owns(a.cast()) && old.owns(b.cast()) && old.owns(c.cast()));
        assert!(!old.owns(a.cast::<u8>().wrapping_add(16)));
        // SAFETY: slots of chunks of `old`.
        unsafe {
            assert!(mark(a, 1));
            assert!(!is_marked(b, 1));
            assert!(is_marked(a, 1));
        }
        assert_eq!(old.chunks.len(), 2);
        assert_eq!(
            old.slots(),
            slots_per_chunk(class_of(80)) + slots_per_chunk(0)
        );
        // SAFETY: `a` is a slot of `old` holding `()`.
        old.release(unsafe { &*a });
        assert_eq!(old.free_slots(), old.slots() - 2);
    }
}
