//! The nursery: two semi-spaces of objects bumped end to end, the bitmap
//! of where objects start in each (how a reference into the middle of a
//! moved object finds its object), and how much the next young
//! collection lets it fill.

use super::config::Params;
use crate::value::gc_object::{GRANULE, GcObj, OBJ_BYTES, obj_at};

/// Objects a young collection copies per millisecond, about (a copy, its
/// scan and its pointers' updates; more when the objects own strings).
const COPIES_PER_MS: usize = 4000;

/// How many bytes the nursery takes before the next young collection.
/// A young pause grows with what survives, not with what was allocated,
/// so when most of the nursery survives (a tree being built, a list being
/// filled) a full nursery would copy for longer than the pause target: the
/// next one is made smaller, so that at the survival rate just seen it
/// copies what fits in half the pause target, and grows back as the rate
/// falls (G1 sizes its young generation by its pause goal the same way).
/// Counted in objects and bytes, not timed, so a program collects at the
/// same points on every run. `copied` objects survived of the `from_top`
/// bytes allocated; the nursery holds `cap` bytes.
pub(super) fn young_room(
    copied: usize,
    from_top: usize,
    cap: usize,
    pause_target_us: u64,
) -> usize {
    let least = (cap / 16).max(64 * OBJ_BYTES).min(cap);
    if copied == 0 || from_top == 0 {
        return cap;
    }
    let half_target_us = usize::try_from(pause_target_us / 2).unwrap_or(usize::MAX);
    let copies = (half_target_us.saturating_mul(COPIES_PER_MS) / 1000).max(64);
    (copies.saturating_mul(from_top) / copied).clamp(least, cap)
}

/// Bytes of each semi-space of the nursery.
pub(super) fn young_cap(params: &Params) -> usize {
    (params.young_bytes / GRANULE * GRANULE).max(64 * OBJ_BYTES)
}

fn space_layout(bytes: usize) -> std::alloc::Layout {
    std::alloc::Layout::from_size_align(bytes.max(GRANULE), GRANULE).expect("GC space size fits")
}

fn alloc_space(bytes: usize) -> *mut GcObj {
    let layout = space_layout(bytes);
    // SAFETY: the layout has a non-zero size.
    let raw = unsafe { std::alloc::alloc(layout) };
    // The allocation has `GcObj`'s alignment (the layout says so).
    #[allow(clippy::cast_ptr_alignment)]
    let p = raw.cast::<GcObj>();
    if p.is_null() {
        std::alloc::handle_alloc_error(layout);
    }
    p
}

fn free_space(p: *mut GcObj, bytes: usize) {
    // SAFETY: `p` came from `alloc_space(bytes)` with this layout.
    unsafe { std::alloc::dealloc(p.cast(), space_layout(bytes)) };
}

/// Whether `p` lies in the `bytes` bytes from `base`.
pub(super) fn within(base: *mut GcObj, bytes: usize, p: *const u8) -> bool {
    (p as usize).wrapping_sub(base as usize) < bytes
}

/// Where objects start in a semi-space: a bit per granule.
pub(crate) struct Starts(pub(super) Vec<u64>);

impl Starts {
    pub(super) fn new(bytes: usize) -> Starts {
        Starts(vec![0; (bytes / GRANULE).div_ceil(64)])
    }

    /// Notes an object at byte `offset`.
    #[inline]
    pub(crate) fn set(&mut self, offset: usize) {
        let g = offset / GRANULE;
        if let Some(w) = self.0.get_mut(g / 64) {
            *w |= 1 << (g % 64);
        }
    }

    pub(super) fn is_set(&self, offset: usize) -> bool {
        let g = offset / GRANULE;
        self.0.get(g / 64).is_some_and(|w| w & (1 << (g % 64)) != 0)
    }

    /// The offset of the object containing byte `offset`.
    pub(super) fn object_at(&self, offset: usize) -> Option<usize> {
        let g = offset / GRANULE;
        let mut w = g / 64;
        // Bits at and below `g` in its word.
        let mut bits = *self.0.get(w)? & (u64::MAX >> (63 - g % 64));
        loop {
            if bits != 0 {
                return Some((w * 64 + 63 - bits.leading_zeros() as usize) * GRANULE);
            }
            w = w.checked_sub(1)?;
            bits = self.0[w];
        }
    }

    /// Forgets every object up to byte `top` (the space is being reused).
    pub(super) fn clear(&mut self, top: usize) {
        let words = (top / GRANULE).div_ceil(64).min(self.0.len());
        self.0[..words].fill(0);
    }
}

/// The two semi-spaces.
pub(crate) struct Nursery {
    pub(super) spaces: [*mut GcObj; 2],
    /// Where objects start, by space.
    pub(super) starts: [Starts; 2],
    pub(super) cur: usize,
    /// Bytes of each space.
    pub(crate) cap: usize,
    /// Bytes of the current space in use.
    pub(crate) top: usize,
    /// Objects in the current space.
    pub(crate) count: usize,
    /// A young collection starts when `top` reaches this (at most `cap`;
    /// see [`young_room`]).
    pub(super) trigger: usize,
}

impl Nursery {
    pub(super) fn new(cap: usize) -> Nursery {
        Nursery {
            spaces: [alloc_space(cap), alloc_space(cap)],
            starts: [Starts::new(cap), Starts::new(cap)],
            cur: 0,
            cap,
            top: 0,
            count: 0,
            trigger: cap,
        }
    }

    pub(crate) fn base(&self) -> *mut GcObj {
        self.spaces[self.cur]
    }

    /// Whether `p` is inside an object of the current space.
    pub(crate) fn holds(&self, p: *const u8) -> bool {
        within(self.base(), self.top, p)
    }

    /// Whether `p` is anywhere in either space.
    pub(super) fn anywhere(&self, p: *const u8) -> bool {
        within(self.spaces[0], self.cap, p) || within(self.spaces[1], self.cap, p)
    }

    /// Whether an object of the current space starts at `p`.
    pub(super) fn starts_at(&self, p: *const u8) -> bool {
        self.holds(p) && self.starts[self.cur].is_set(p as usize - self.base() as usize)
    }

    /// The objects of the current space, in order.
    pub(crate) fn objects(&self) -> impl Iterator<Item = *mut GcObj> {
        let base = self.base();
        let top = self.top;
        let mut at = 0usize;
        std::iter::from_fn(move || {
            (at < top).then(|| {
                // SAFETY: below `top`, objects lie end to end from `base`,
                // each as long as its header says.
                let p = unsafe { obj_at(base, at) };
                // SAFETY: as above.
                at += unsafe { (*p).bytes() };
                p
            })
        })
    }
}

impl Drop for Nursery {
    fn drop(&mut self) {
        free_space(self.spaces[0], self.cap);
        free_space(self.spaces[1], self.cap);
    }
}

#[cfg(test)]
mod tests {
    use super::young_room;

    #[test]
    fn the_nursery_shrinks_as_survival_rises_and_grows_back() {
        // 512 KiB of 32-byte objects.
        let cap = 512 << 10;
        let objects = cap / 32;
        // Nothing copied: the whole nursery.
        assert_eq!(young_room(0, cap, cap, 2000), cap);
        // Everything survived: what half the pause target copies.
        assert_eq!(young_room(objects, cap, cap, 2000), 4000 * 32);
        // A quarter survived: four times as much room.
        assert_eq!(young_room(objects / 4, cap, cap, 2000), 16000 * 32);
        // Little survives: the whole nursery again.
        assert_eq!(young_room(100, cap, cap, 2000), cap);
        // Never below a sixteenth of it, however tight the target.
        assert_eq!(young_room(objects, cap, cap, 10), cap / 16);
    }
}
