//! The Ward runtime: the bytecode VM, the per-task GC heap, real-time zones
//! and pools, the task scheduler and capabilities.
//!
//! It knows nothing of syntax: the bytecode format ([`bytecode`]) is the only
//! contract with the compiler. The VM ([`vm`]) runs verified modules and binds
//! the core library's natives to the std table entries ([`stdlib::table`]) by
//! name; [`error`] holds panics and error chains as the host reports them.

pub mod bytecode;
pub mod caps;
pub mod embed;
pub mod error;
pub mod stdlib;
pub mod vm;
