//! What each kind of value takes from a zone, in bytes: the figures the
//! compiler's bound computation (`compiler/src/realtime`) adds up, taken
//! from the value layer's own layouts so that they cannot drift from what
//! the runtime allocates. Every zone allocation is rounded up to the
//! zone's alignment.

use crate::value::{list, object, text};

/// A zone allocation of `bytes` bytes, as the zone rounds it.
pub const fn rounded(bytes: u64) -> u64 {
    let a = super::ALIGN as u64;
    bytes.div_ceil(a).saturating_mul(a)
}

/// A struct, tuple, enum variant with fields, closure or range of
/// `fields` fields.
pub fn object(fields: u64) -> u64 {
    rounded(object::alloc_bytes(usize::try_from(fields).unwrap_or(usize::MAX)) as u64)
}

/// A string of capacity `cap` bytes.
pub fn string(cap: u64) -> u64 {
    rounded(text::alloc_bytes(usize::try_from(cap).unwrap_or(usize::MAX)) as u64)
}

/// A list's box, without its elements.
pub fn list_box() -> u64 {
    rounded(list::BOX_BYTES as u64)
}

/// A list's elements for capacity `cap`.
pub fn list_elements(cap: u64) -> u64 {
    rounded(cap.saturating_mul(size_of::<crate::value::Value>() as u64))
}

/// The capacity a list of capacity `cap` grows to when one more element
/// does not fit (as `Vec` grows: doubling, at least 4).
pub fn grown_capacity(cap: u64) -> u64 {
    cap.saturating_mul(2).max(4)
}

/// The longest text `int::to_string` makes (`-9223372036854775808`).
pub const INT_TEXT: u64 = 20;

/// The longest text `float::to_string` makes: Ward prints floats as Rust
/// does, in full decimal without an exponent, so the smallest subnormal
/// takes 324 digits after the point.
pub const FLOAT_TEXT: u64 = 330;

#[cfg(test)]
mod tests {
    #[test]
    fn the_longest_number_texts_fit() {
        for f in [
            f64::MIN,
            -5e-324,
            -f64::MIN_POSITIVE,
            f64::NAN,
            f64::NEG_INFINITY,
        ] {
            assert!(f.to_string().len() as u64 <= super::FLOAT_TEXT, "{f}");
        }
        assert_eq!(i64::MIN.to_string().len() as u64, super::INT_TEXT);
    }
}
