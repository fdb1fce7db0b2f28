//! The standard library. [`table`] declares its surface (names, signatures,
//! capabilities, docs) for the compiler and the VM alike. The modules
//! beside it are the std types the runtime implements in Rust, with no
//! knowledge of the VM: [`json`] (values with hidden classes), [`hl7`]
//! (v2 messages, MLLP, batches), [`fhir`] (R4 resources and a FHIRPath
//! subset), [`net`] (TCP over the I/O driver), [`time`] (the wall clock and
//! its calendar). The natives that bind them to
//! registers live in `vm/` (`vm/json.rs`, `vm/natives.rs`).

pub mod fhir;
pub mod hl7;
pub mod json;
pub mod net;
pub mod table;
pub mod time;
