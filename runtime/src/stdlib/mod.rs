//! The standard library. [`table`] declares its surface (names, signatures,
//! capabilities, docs) for the compiler and the VM alike; the native
//! implementations arrive with the VM.

pub mod table;
