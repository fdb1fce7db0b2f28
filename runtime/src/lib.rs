//! The Ward runtime: the bytecode VM, the per-task GC heap, real-time zones
//! and pools, the task scheduler and capabilities.
//!
//! It knows nothing of syntax: the bytecode format defined here will be the
//! only contract with the compiler. Today it holds the declarative surface of
//! the standard library ([`stdlib::table`]), which the compiler reads to type
//! programs and the VM will bind its native functions to, and the
//! [`caps::Capability`] names.

pub mod bytecode;
pub mod caps;
pub mod stdlib;
