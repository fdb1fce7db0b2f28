//! Capabilities: the parts of the outside world a function may touch. The
//! compiler checks `uses` clauses against them; the runtime's per-task sets
//! (round 2) are built from the same enum.

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
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
