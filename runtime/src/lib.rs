//! The Ward runtime: the bytecode VM, the per-task GC heap, real-time zones
//! and pools, the task scheduler and capabilities.
//!
//! It knows nothing of syntax: the bytecode format ([`bytecode`]) is the only
//! contract with the compiler. The VM ([`vm`]) runs verified modules and binds
//! the core library's natives to the std table entries ([`stdlib::table`]) by
//! name; [`value`] is the layer both the VM and the [`heap`] build on:
//! values and the layout of objects; [`error`] holds panics and error chains as the host reports them.

pub mod bytecode;
pub mod caps;
pub mod cli;
pub mod embed;
pub mod error;
pub mod heap;
pub mod sched;
pub mod stdlib;
pub mod value;
pub mod vm;
pub mod zone;

/// Every allocation is counted per thread, so a host can give a run a heap
/// budget and read its peak ([`heap::accounting`]).
#[cfg(feature = "counting-allocator")]
#[global_allocator]
static GLOBAL: heap::accounting::CountingAlloc = heap::accounting::CountingAlloc;
