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

/// Why a small language's text (an HL7 terser path, a FHIRPath
/// expression) does not parse: what was expected, and the byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub at: usize,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at character {})", self.message, self.at + 1)
    }
}
