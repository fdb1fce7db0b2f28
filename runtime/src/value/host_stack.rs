//! The host stack under recursion a program controls.
//!
//! Ward calls do not nest on the host stack (frames are the VM's), but a
//! few things still recurse in Rust with a depth the program chooses: a
//! native calling a closure that calls the native again, and `clone`,
//! `==`, ordering, formatting and collector tracing of deeply nested
//! values. Each such recursion goes through [`grow`], which runs the step
//! on a new heap-allocated stack segment when less than [`RED_ZONE`] is
//! left (the technique rustc uses for deep expressions, through the same
//! crate, `stacker`), so the depth is bounded by memory, not by the stack
//! the host thread happened to get: the CLI's main thread, the language
//! server's 2 MiB Run-lens thread and an embedder's thread all survive.
//! Dropping needs no stack at all (`value::drop_nested`).

/// Below this much stack left, the next step runs on a new segment: more
/// than the deepest single step (the interpreter loop's frame plus a
/// native's) needs.
pub const RED_ZONE: usize = 256 * 1024;

/// The size of each new segment.
pub const SEGMENT: usize = 4 * 1024 * 1024;

/// Runs `f`, on a new stack segment if this one is nearly used up.
#[inline]
pub fn grow<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}
