//! Memory the runtime manages. Today: accounting of every byte a run
//! allocates ([`accounting`]), which the host's heap budget and the
//! profiler read. The GC heap (nursery, old space, barriers) lands here.

pub mod accounting;
