//! The std table is the one declaration of every std entry: its
//! signature, capability, documentation and implementation. Every entry
//! says how it runs (`.native(…)`) or that the compiler computes it
//! (`.intrinsic()`): a std entry that type-checks but does not run is a
//! defect.

use std::collections::HashSet;

use ward_runtime::stdlib::table::{Native, entries, entry};

#[test]
fn every_entry_has_a_native_or_is_marked() {
    let missing: Vec<String> = entries()
        .filter(|(_, f)| matches!(f.native, Native::Missing))
        .map(|(name, _)| name)
        .collect();
    assert!(
        missing.is_empty(),
        "std entries with no native and not `.intrinsic()`: {}",
        missing.join(", ")
    );
}

#[test]
fn every_entry_has_one_name() {
    let mut seen = HashSet::new();
    let dups: Vec<String> = entries()
        .map(|(name, _)| name)
        .filter(|name| !seen.insert(name.clone()))
        .collect();
    assert!(
        dups.is_empty(),
        "two entries share a call name: {}",
        dups.join(", ")
    );
}

#[test]
fn entries_are_found_by_their_call_names() {
    for (name, f) in entries() {
        let found = entry(&name).unwrap_or_else(|| panic!("`{name}` not found"));
        assert!(std::ptr::eq(found, f), "`{name}` finds another entry");
    }
    assert!(matches!(
        entry("String::len").map(|f| f.native),
        Some(Native::Fn(_))
    ));
    assert!(matches!(
        entry("type_name").map(|f| f.native),
        Some(Native::Intrinsic)
    ));
    assert!(entry("no::such").is_none());
}
