//! Memory the runtime manages: the task's garbage-collected heap and the
//! accounting of every byte a run allocates.
//!
//! - [`trace`]: walking the data a value owns to find GC pointers.
//! - [`collector`]: the generational collector (copying nursery, old
//!   space marked and swept incrementally), weak cells, finalizers.
//! - [`evac`]: the young collection's copying visitor.
//! - [`nursery`]: the semi-spaces, object starts, and the nursery's sizing.
//! - [`old_space`]: the old generation's chunks and their mark tables.
//! - [`sites`]: allocation sites, and pretenuring those whose objects
//!   live long.
//! - [`garbage`]: values of dead objects, dropped a few per allocation.
//! - [`barrier`]: the write barrier and the invariants, with `check_heap`.
//! - [`config`], [`stats`]: modes and parameters; pause histograms.
//! - [`accounting`]: the counting allocator behind heap budgets.

pub mod accounting;
pub mod barrier;
pub mod collector;
pub mod config;
mod evac;
pub(crate) mod garbage;
pub(crate) mod nursery;
pub(crate) mod old_space;
pub(crate) mod sites;
pub mod stats;
pub(crate) mod trace;

pub use crate::value::gc_object::{CellBox, GcRef};
pub use collector::{Heap, NoRoots, Roots};
pub use config::{GcMode, Params};
pub use stats::GcStats;
