//! Capabilities: the parts of the outside world a function may touch
//! (LANGUAGE.md §10). The compiler checks `uses` clauses against them
//! (`ward_compiler::caps`); at run time every task holds a [`CapSet`], and a
//! [`Grant`] — what a runner allowed, possibly scoped to directories and
//! addresses — decides what it starts with (`grant.rs`). A native that needs
//! a capability the task does not hold panics with `CapabilityDenied`
//! ([`denied_message`]).

mod grant;
mod path;

pub use grant::{Grant, NetRule};
pub use path::resolve as resolve_path;

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    Fs,
    Net,
    Proc,
    Clock,
    Device,
    Env,
}

impl Capability {
    /// In the order of the std `Cap` enum's variants (a `Cap` value's tag
    /// is its index here).
    pub const ALL: [Capability; 6] = [
        Capability::Fs,
        Capability::Net,
        Capability::Proc,
        Capability::Clock,
        Capability::Device,
        Capability::Env,
    ];

    /// The name used in `uses` clauses and `--allow`.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Fs => "fs",
            Capability::Net => "net",
            Capability::Proc => "proc",
            Capability::Clock => "clock",
            Capability::Device => "device",
            Capability::Env => "env",
        }
    }

    pub fn from_name(name: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The capability a `Cap` variant's tag stands for.
    pub fn from_index(i: usize) -> Option<Capability> {
        Capability::ALL.get(i).copied()
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of capabilities, one bit each (the bytecode stores a function's
/// requirement as this byte).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CapSet(u8);

impl CapSet {
    pub const EMPTY: CapSet = CapSet(0);
    pub const ALL: CapSet = CapSet(0b11_1111);

    pub fn of(caps: impl IntoIterator<Item = Capability>) -> CapSet {
        caps.into_iter().fold(CapSet::EMPTY, CapSet::with)
    }

    /// The set a requirement byte stands for (unknown bits ignored).
    pub fn from_bits(bits: u8) -> CapSet {
        CapSet(bits & CapSet::ALL.0)
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    #[must_use]
    pub fn with(self, c: Capability) -> CapSet {
        CapSet(self.0 | c.bit())
    }

    #[must_use]
    pub fn without(self, c: Capability) -> CapSet {
        CapSet(self.0 & !c.bit())
    }

    pub fn contains(self, c: Capability) -> bool {
        self.0 & c.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn is_subset(self, of: CapSet) -> bool {
        self.0 & !of.0 == 0
    }

    #[must_use]
    pub fn union(self, other: CapSet) -> CapSet {
        CapSet(self.0 | other.0)
    }

    #[must_use]
    pub fn intersection(self, other: CapSet) -> CapSet {
        CapSet(self.0 & other.0)
    }

    /// What `self` has that `other` lacks.
    #[must_use]
    pub fn minus(self, other: CapSet) -> CapSet {
        CapSet(self.0 & !other.0)
    }

    pub fn iter(self) -> impl Iterator<Item = Capability> {
        Capability::ALL
            .into_iter()
            .filter(move |c| self.contains(*c))
    }

    /// `fs,clock`: the form `--allow` takes.
    pub fn flag_list(self) -> String {
        self.iter()
            .map(Capability::name)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// `fs, clock`: the form a `uses` clause takes.
impl fmt::Display for CapSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(c.name())?;
        }
        Ok(())
    }
}

/// A list of capabilities in backticks for a message: "`fs` and `clock`".
pub fn describe(set: CapSet) -> String {
    let names: Vec<String> = set.iter().map(|c| format!("`{c}`")).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Why a run did not start: "`main` needs `fs` and `clock`, but they were
/// not granted" (each host adds how to grant them).
pub fn not_granted(who: &str, missing: CapSet) -> String {
    let them = if missing.iter().count() == 1 {
        "it was"
    } else {
        "they were"
    };
    format!("{who} needs {}, but {them} not granted", describe(missing))
}

/// Why a task may not use `cap`, as a `CapabilityDenied` panic says it:
/// what needed it, and either that the task gave it up or the flag that
/// grants it.
pub fn denied_message(cap: Capability, what: &str, why: Denial) -> String {
    match why {
        Denial::Revoked => format!(
            "CapabilityDenied: {what} requires `{cap}`, which this task gave up with `caps::revoke(Cap::{})`",
            variant_name(cap)
        ),
        Denial::NotPassed => format!(
            "CapabilityDenied: {what} requires `{cap}`, which this task was not given: the run grants it, but the task that spawned this one narrowed its capabilities (`task::spawn_with`) or had given it up"
        ),
        Denial::NotGranted => format!(
            "CapabilityDenied: {what} requires `{cap}`, which this task does not hold; run again with `--allow {cap}`"
        ),
    }
}

/// Why a task does not hold a capability it used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// It gave it up itself (`caps::revoke`).
    Revoked,
    /// The run grants it, but the task was started without it.
    NotPassed,
    /// The run does not grant it.
    NotGranted,
}

/// The std `Cap` variant of a capability: `Fs`.
pub fn variant_name(cap: Capability) -> &'static str {
    match cap {
        Capability::Fs => "Fs",
        Capability::Net => "Net",
        Capability::Proc => "Proc",
        Capability::Clock => "Clock",
        Capability::Device => "Device",
        Capability::Env => "Env",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_combine_as_sets() {
        let fs_clock = CapSet::of([Capability::Fs, Capability::Clock]);
        assert_eq!(fs_clock.to_string(), "fs, clock");
        assert_eq!(fs_clock.flag_list(), "fs,clock");
        assert!(CapSet::EMPTY.with(Capability::Fs).is_subset(fs_clock));
        assert!(!fs_clock.is_subset(CapSet::EMPTY.with(Capability::Fs)));
        assert_eq!(
            fs_clock
                .minus(CapSet::EMPTY.with(Capability::Fs))
                .flag_list(),
            "clock"
        );
        assert_eq!(CapSet::ALL.iter().count(), 6);
        assert_eq!(CapSet::from_bits(0xff), CapSet::ALL);
        assert_eq!(describe(fs_clock), "`fs` and `clock`");
        assert_eq!(
            describe(
                CapSet::ALL
                    .without(Capability::Env)
                    .without(Capability::Device)
            ),
            "`fs`, `net`, `proc` and `clock`"
        );
    }

    #[test]
    fn cap_tags_follow_the_std_enum() {
        let def = crate::stdlib::table::MODULES
            .iter()
            .flat_map(|m| m.types)
            .find(|t| t.name == "Cap")
            .map(|t| t.def);
        let Some(crate::stdlib::table::TypeDef::Enum(body)) = def else {
            panic!("the std table declares `Cap` as an enum");
        };
        let names: Vec<&str> = body
            .trim_matches(|c| c == '{' || c == '}' || c == ' ')
            .split(", ")
            .collect();
        let ours: Vec<&str> = Capability::ALL.iter().map(|c| variant_name(*c)).collect();
        assert_eq!(names, ours);
    }
}
