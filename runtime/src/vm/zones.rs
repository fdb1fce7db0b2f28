//! The VM's side of zones and pools (LANGUAGE.md §7; the memory itself is
//! `crate::zone`): entering and leaving a zone, copying a value that
//! leaves a zone by `return` or `?` out of it, `ZoneExhausted`, and the
//! natives of `std::zone` and `Pool`.

use super::natives::{err, make_error, ok};
use super::{Args, Fault, Vm};
use crate::value::Value;
use crate::zone::pool::{PoolError, PoolRef};
use crate::zone::{Arena, Site, ZoneError};

type R = Result<Value, Fault>;

impl Vm<'_> {
    /// This task's arena, or null before its first zone.
    pub(super) fn arena_ptr(&self) -> *const Arena {
        self.zones
            .as_deref()
            .map_or(std::ptr::null(), std::ptr::from_ref)
    }

    /// `zone_enter`: a zone of `size` bytes, entered by the instruction at
    /// `pc` of the top frame.
    pub(super) fn zone_enter(&mut self, size: i64, pc: usize) -> Result<(), Fault> {
        let func = self.frames.last().map_or(0, |f| f.func);
        let site = Site {
            func,
            pc: u32::try_from(pc).unwrap_or(u32::MAX),
        };
        if self.zones.is_none() {
            self.zones = Some(Box::default());
            // SAFETY: the arena is boxed and lives as long as the VM;
            // `run`'s guard restores the thread's previous arena when it
            // returns, and installs this one on every later entry.
            unsafe { crate::zone::set_current(self.arena_ptr()) };
        }
        let outermost = !self.zoned;
        if outermost
            && let Ok(n) = usize::try_from(size)
            && self.zones.as_deref().is_some_and(|a| !a.has_room(n))
        {
            // A new chunk: within the heap budget, like any large block.
            self.reserve(n)?;
        }
        let arena = self.zones.as_deref().expect("made above");
        let depth = self.frames.len();
        match arena.enter(size, site, depth) {
            Ok(()) => {
                self.zoned = true;
                Ok(())
            }
            Err(ZoneError::BadSize(n)) => Err(format!(
                "a zone's size must be a number of bytes from 0 to {}, not {n}",
                crate::zone::MAX_RESERVATION
            )
            .into()),
            Err(ZoneError::Exhausted {
                site,
                capacity,
                used,
                asked,
            }) => Err(format!(
                "ZoneExhausted: a nested zone of {asked} B does not fit in the zone at {}, which has {used} of {capacity} B in use",
                self.place_of_site(site)
            )
            .into()),
            Err(ZoneError::OutOfMemory(n)) => Err(format!(
                "ZoneExhausted: the system has no {n} B for this zone's reservation"
            )
            .into()),
        }
    }

    /// `zone_exit`: leaves the innermost zone. A value in this frame's
    /// registers still made in it (the value of a `return` or `?` from
    /// inside the zone) is copied out first.
    pub(super) fn zone_exit(&mut self) {
        let Some(arena) = self.zones.as_deref() else {
            return;
        };
        if arena.has_live_allocations() {
            self.copy_out_of_zone();
        }
        let arena = self.zones.as_deref().expect("checked above");
        arena.exit();
        self.zoned = arena.active();
    }

    /// Replaces each value of the top frame that holds zone memory with a
    /// copy on the ordinary heap (the zone's copy is freed as it goes).
    fn copy_out_of_zone(&mut self) {
        let Some(frame) = self.frames.last() else {
            return;
        };
        let (func, base) = (frame.func, frame.base);
        let arena: *const Arena = self.arena_ptr();
        // SAFETY: the arena lives as long as the VM; it is only read.
        let inside = |p: usize| unsafe { (*arena).contains(p) };
        let _unrouted = crate::zone::Unrouted::new();
        for &r in &self.program.funcs[func as usize].owning {
            // SAFETY: an owning register of the live top frame.
            let slot = unsafe { &mut *self.stack.ptr().add(base + usize::from(r)) };
            if slot.owns_memory_where(&inside) {
                let copy = slot.clone();
                *slot = copy;
            }
        }
    }

    /// Leaves the zones entered by frames above `frames` (popped by a panic
    /// that no handler of theirs caught, or a host limit).
    pub(super) fn leave_zones_above(&mut self, frames: usize) {
        if let Some(arena) = self.zones.as_deref() {
            arena.exit_frames_above(frames);
            self.zoned = arena.active();
        }
    }

    /// The `ZoneExhausted` panic of an allocation of `asked` bytes that did
    /// not fit in the innermost zone.
    pub(super) fn zone_exhausted(&self, asked: usize) -> Fault {
        let Some(arena) = self.zones.as_deref() else {
            return "ZoneExhausted".into();
        };
        let (used, capacity) = arena.innermost();
        let at = arena
            .innermost_site()
            .map(|s| self.place_of_site(s))
            .unwrap_or_default();
        format!(
            "ZoneExhausted: {asked} B more do not fit in the zone at {at}, which has {used} of {capacity} B in use"
        )
        .into()
    }

    fn place_of_site(&self, site: Site) -> String {
        self.place_of(site.func, site.pc as usize + 1)
    }

    /// Each zone this task entered, by where it is written
    /// (`file:line:col` of its `zone` keyword): the most bytes it held at
    /// once, and its reservation.
    pub fn zone_peaks(&self) -> Vec<crate::embed::ZonePeak> {
        let Some(arena) = self.zones.as_deref() else {
            return Vec::new();
        };
        arena
            .site_peaks()
            .into_iter()
            .map(|(site, peak, reserved)| crate::embed::ZonePeak {
                location: self.place_of_site(site),
                peak_bytes: peak,
                reserved_bytes: reserved,
            })
            .collect()
    }

    /// What this task's zones did.
    pub fn zone_stats(&self) -> crate::zone::ZoneStats {
        self.zones.as_deref().map(Arena::stats).unwrap_or_default()
    }

    /// Frees the registers while the arena is installed (zone memory among
    /// them is recognised), before the arena goes.
    pub(super) fn drop_registers_with_zones(&mut self) {
        if self.zones.is_none() {
            return;
        }
        // SAFETY: the arena lives until after this call (the VM's fields
        // are dropped after `Drop::drop` returns).
        let _arena = unsafe { crate::zone::Installed::new(self.arena_ptr()) };
        self.frames.clear();
        drop(std::mem::replace(&mut self.stack, super::Stack::new(0)));
        self.entry_closure = None;
    }
}

// ---------------------------------------------------------------------------
// std::zone

/// `zone::used()`.
#[allow(clippy::unnecessary_wraps)] // a native: `NativeFn`'s signature
pub(crate) fn zone_used(_: &mut Vm, _: &mut Args) -> R {
    Ok(Value::Int(
        i64::try_from(crate::zone::innermost().0).unwrap_or(i64::MAX),
    ))
}

/// `zone::capacity()`.
#[allow(clippy::unnecessary_wraps)] // a native: `NativeFn`'s signature
pub(crate) fn zone_capacity(_: &mut Vm, _: &mut Args) -> R {
    Ok(Value::Int(
        i64::try_from(crate::zone::innermost().1).unwrap_or(i64::MAX),
    ))
}

// ---------------------------------------------------------------------------
// Pool<T>

fn pool_new_with(vm: &mut Vm, a: &mut Args, growable: bool) -> R {
    let n = a.int(0)?;
    if let Ok(slots) = usize::try_from(n) {
        vm.reserve(slots.saturating_mul(crate::zone::pool::SLOT_BYTES))?;
    }
    match PoolRef::new(n, growable) {
        Ok(p) => Ok(Value::Pool(p)),
        Err(PoolError::BadCapacity(n)) => {
            Err(format!("a pool's capacity must be a positive number of slots, not {n}").into())
        }
        Err(PoolError::OutOfMemory(bytes)) => {
            Err(format!("the system has no {bytes} B for this pool's slots").into())
        }
    }
}

/// `Pool::new(capacity)`.
pub(crate) fn pool_new(vm: &mut Vm, a: &mut Args) -> R {
    pool_new_with(vm, a, false)
}

/// `Pool::growable(capacity)`.
pub(crate) fn pool_growable(vm: &mut Vm, a: &mut Args) -> R {
    pool_new_with(vm, a, true)
}

fn pool_arg(a: &Args, i: usize) -> Result<&PoolRef, Fault> {
    // SAFETY: an argument register (or what a reference in one points to,
    // which the borrow checker keeps live for the call).
    match unsafe { a.get(i)?.target() } {
        Value::Pool(p) => Ok(p),
        _ => Err("internal error: not a pool".into()),
    }
}

/// `Pool::alloc(&self, value)`.
pub(crate) fn pool_alloc(vm: &mut Vm, a: &mut Args) -> R {
    let v = a.take(1);
    let pool = pool_arg(a, 0)?;
    match pool.alloc(v) {
        Ok(h) => Ok(ok(Value::Pooled(h))),
        Err(v) => {
            let capacity = pool.capacity();
            drop(v);
            let e = make_error(
                vm,
                "PoolExhausted",
                &format!("all {capacity} slots of the pool are in use"),
            );
            Ok(err(e))
        }
    }
}

/// `Pool::capacity(&self)`.
pub(crate) fn pool_capacity(_: &mut Vm, a: &mut Args) -> R {
    let n = pool_arg(a, 0)?.capacity();
    Ok(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

/// `Pool::in_use(&self)`.
pub(crate) fn pool_in_use(_: &mut Vm, a: &mut Args) -> R {
    let n = pool_arg(a, 0)?.in_use();
    Ok(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}
