//! The Ward runtime: the bytecode VM, the per-task GC heap, real-time zones
//! and pools, the task scheduler and capabilities.
//!
//! It knows nothing of syntax: the bytecode format defined here is the only
//! contract with the compiler. The crate is empty until the VM lands (see
//! ARCHITECTURE.md for the planned modules); it is a workspace member now so
//! that the dependency rule (`runtime` depends on neither `compiler` nor
//! tree-sitter) holds from the first commit.
