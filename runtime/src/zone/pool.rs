//! `Pool<T>`: a fixed number of slots, allocated up front, with the free
//! ones threaded into a list. `alloc` pops a slot and moves the value in;
//! dropping the `Pooled<T>` handle drops the value and pushes the slot back.
//! Both are a handful of instructions whatever the pool holds, and a full
//! pool answers at once (`Err(PoolExhausted)`), never waiting and never
//! asking the system for memory.
//!
//! A growable pool (`Pool::growable`) adds a segment as large as all the
//! others when it runs out (doubling): slots never move, so handles stay
//! valid. It is for code without real-time bounds; the checker refuses it
//! in `#[realtime]` code.
//!
//! The pool's box is counted: the `Pool` value holds one count and each
//! live `Pooled` handle another, so dropping the pool while handles are out
//! leaves their slots valid until the last goes.

use std::cell::{Cell, UnsafeCell};
use std::ptr::NonNull;

use crate::value::Value;

/// One slot: the value while in use, the next free slot while free.
#[derive(Debug)]
pub struct Slot {
    value: UnsafeCell<Value>,
    next_free: Cell<*const Slot>,
    pool: Cell<*const PoolBox>,
}

/// The pool's memory and free list.
#[derive(Debug)]
pub struct PoolBox {
    /// Segments of slots; a fixed pool has one. A segment's slots never
    /// move (the boxes do not, whatever the outer vector does).
    segments: UnsafeCell<Vec<Box<[Slot]>>>,
    free: Cell<*const Slot>,
    in_use: Cell<usize>,
    capacity: Cell<usize>,
    /// The `Pool` value and every live `Pooled` handle.
    refs: Cell<usize>,
    growable: bool,
}

/// Why a pool cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolError {
    /// The capacity is not a positive number of slots.
    BadCapacity(i64),
    /// The slots could not be allocated.
    OutOfMemory(usize),
}

/// The bytes one slot takes (what `Pool::new(n)` reserves per slot).
pub const SLOT_BYTES: usize = std::mem::size_of::<Slot>();

fn new_segment(n: usize) -> Result<Box<[Slot]>, PoolError> {
    let mut v: Vec<Slot> = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| PoolError::OutOfMemory(n.saturating_mul(SLOT_BYTES)))?;
    v.extend((0..n).map(|_| Slot {
        value: UnsafeCell::new(Value::Unit),
        next_free: Cell::new(std::ptr::null()),
        pool: Cell::new(std::ptr::null()),
    }));
    Ok(v.into_boxed_slice())
}

/// A `Pool<T>` value: one count on its box.
#[derive(Debug)]
pub struct PoolRef(NonNull<PoolBox>);

/// A `Pooled<T>` value: the slot it owns (and a count on the pool).
#[derive(Debug)]
pub struct PooledRef(NonNull<Slot>);

impl PoolRef {
    /// A pool of `capacity` slots (the first segment of a growable one).
    pub fn new(capacity: i64, growable: bool) -> Result<PoolRef, PoolError> {
        let n = usize::try_from(capacity)
            .ok()
            .filter(|&n| n > 0)
            .ok_or(PoolError::BadCapacity(capacity))?;
        let segment = new_segment(n)?;
        let boxed = Box::new(PoolBox {
            segments: UnsafeCell::new(Vec::with_capacity(if growable { 8 } else { 1 })),
            free: Cell::new(std::ptr::null()),
            in_use: Cell::new(0),
            capacity: Cell::new(0),
            refs: Cell::new(1),
            growable,
        });
        let ptr = NonNull::from(Box::leak(boxed));
        // SAFETY: just made, owned here.
        unsafe { ptr.as_ref().add_segment(segment) };
        Ok(PoolRef(ptr))
    }

    fn pool(&self) -> &PoolBox {
        // SAFETY: this value holds a count, so the box is alive.
        unsafe { self.0.as_ref() }
    }

    pub fn capacity(&self) -> usize {
        self.pool().capacity.get()
    }

    pub fn in_use(&self) -> usize {
        self.pool().in_use.get()
    }

    pub fn is_growable(&self) -> bool {
        self.pool().growable
    }

    /// Moves `value` into a free slot; gives it back when the pool is full
    /// (and cannot grow, or growing failed).
    pub fn alloc(&self, value: Value) -> Result<PooledRef, Value> {
        let pool = self.pool();
        if pool.free.get().is_null() {
            if !pool.growable {
                return Err(value);
            }
            let Ok(segment) = new_segment(pool.capacity.get()) else {
                return Err(value);
            };
            pool.add_segment(segment);
        }
        let slot = pool.free.get();
        // SAFETY: a free slot of this pool (the list holds only those), in
        // a segment the pool keeps until its last count goes.
        let s = unsafe { &*slot };
        pool.free.set(s.next_free.get());
        s.next_free.set(std::ptr::null());
        // SAFETY: a free slot holds `Unit` and nobody refers to it.
        unsafe { *s.value.get() = value };
        pool.in_use.set(pool.in_use.get() + 1);
        pool.refs.set(pool.refs.get() + 1);
        Ok(PooledRef(NonNull::from(s)))
    }

    /// The same pool, one more count (a `clone` of a value holding it).
    #[must_use]
    pub fn share(&self) -> PoolRef {
        let pool = self.pool();
        pool.refs.set(pool.refs.get() + 1);
        PoolRef(self.0)
    }
}

impl PoolBox {
    fn add_segment(&self, segment: Box<[Slot]>) {
        let me: *const PoolBox = self;
        for s in segment.iter().rev() {
            s.pool.set(me);
            s.next_free.set(self.free.get());
            self.free.set(s);
        }
        self.capacity.set(self.capacity.get() + segment.len());
        // SAFETY: nothing else borrows the segment list (it is read only
        // here and in `release`).
        unsafe { (*self.segments.get()).push(segment) };
    }

    /// Drops one count; frees the pool with the last.
    ///
    /// # Safety
    /// `this` holds a count that the caller gives up.
    unsafe fn release(this: *const PoolBox) {
        // SAFETY: the caller's count keeps the box alive until here.
        let pool = unsafe { &*this };
        let left = pool.refs.get() - 1;
        pool.refs.set(left);
        if left == 0 {
            // SAFETY: made by `Box::leak` in `PoolRef::new`; the last
            // count is gone, so no slot is in use and nothing refers to it.
            drop(unsafe { Box::from_raw(this.cast_mut()) });
        }
    }
}

impl Drop for PoolRef {
    fn drop(&mut self) {
        // SAFETY: this value's count, given up once.
        unsafe { PoolBox::release(self.0.as_ptr()) };
    }
}

impl PooledRef {
    fn slot(&self) -> &Slot {
        // SAFETY: the handle owns the slot, and its count keeps the pool
        // (and so the segment) alive.
        unsafe { self.0.as_ref() }
    }

    /// The value in the slot.
    pub fn value_ptr(&self) -> *mut Value {
        self.slot().value.get()
    }

    /// The value in the slot, for reading.
    pub fn value(&self) -> &Value {
        // SAFETY: the handle owns the slot; writes go through `&mut self`
        // or through references the borrow checker keeps exclusive.
        unsafe { &*self.slot().value.get() }
    }
}

impl Drop for PooledRef {
    fn drop(&mut self) {
        let slot = self.slot();
        // SAFETY: the handle owns the slot's value; it is taken out once,
        // and dropped after the slot is back on the free list (its drop
        // may run arbitrary drops, none of which can reach this slot).
        let value = unsafe { std::mem::take(&mut *slot.value.get()) };
        let pool_ptr = slot.pool.get();
        // SAFETY: the handle's count keeps the pool alive.
        let pool = unsafe { &*pool_ptr };
        slot.next_free.set(pool.free.get());
        pool.free.set(slot);
        pool.in_use.set(pool.in_use.get() - 1);
        drop(value);
        // SAFETY: the handle's count, given up once.
        unsafe { PoolBox::release(pool_ptr) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_reused_and_a_full_pool_says_so() {
        let pool = PoolRef::new(2, false).expect("a pool");
        let a = pool.alloc(Value::Int(1)).expect("a slot");
        let b = pool.alloc(Value::Int(2)).expect("a slot");
        assert_eq!(pool.in_use(), 2);
        let back = pool.alloc(Value::Int(3)).expect_err("full");
        assert!(matches!(back, Value::Int(3)));
        let freed = a.0;
        drop(a);
        let c = pool.alloc(Value::Int(4)).expect("the freed slot");
        assert_eq!(c.0, freed);
        assert!(matches!(c.value(), Value::Int(4)));
        assert!(matches!(b.value(), Value::Int(2)));
        drop((b, c));
        assert_eq!(pool.in_use(), 0);
    }

    #[test]
    fn a_growable_pool_doubles_and_keeps_its_handles() {
        let pool = PoolRef::new(1, true).expect("a pool");
        let handles: Vec<_> = (0..5)
            .map(|i| pool.alloc(Value::Int(i)).expect("grows"))
            .collect();
        assert_eq!(pool.capacity(), 8);
        for (i, h) in handles.iter().enumerate() {
            assert!(matches!(h.value(), Value::Int(n) if Ok(*n) == i64::try_from(i)));
        }
    }

    #[test]
    fn handles_outlive_their_pool() {
        let pool = PoolRef::new(1, false).expect("a pool");
        let h = pool.alloc(Value::Str("kept".into())).expect("a slot");
        drop(pool);
        assert!(matches!(h.value(), Value::Str(s) if s.as_str() == "kept"));
    }

    #[test]
    fn bad_capacities_are_refused() {
        assert!(matches!(
            PoolRef::new(0, false),
            Err(PoolError::BadCapacity(0))
        ));
        assert!(matches!(
            PoolRef::new(-1, true),
            Err(PoolError::BadCapacity(-1))
        ));
        assert!(matches!(
            PoolRef::new(i64::MAX, false),
            Err(PoolError::OutOfMemory(_))
        ));
    }
}
