//! The task's capabilities at run time (LANGUAGE.md §10): the set it holds,
//! the check every native that needs one passes through (`Op::CallNative`
//! tests the native's requirement byte against [`TaskCaps::held`]), scoped
//! `fs` checks, and the `caps::has` / `caps::revoke` natives.

use std::sync::Arc;

use super::{Args, Fault, Value, Vm};
use crate::caps::{CapSet, Capability, Denial, Grant, denied_message};

/// What a task may touch: the capabilities it still holds, those it gave
/// up, and the scopes of the grant it started from (which narrowing never
/// widens, so tasks share them).
#[derive(Debug, Clone, Default)]
pub struct TaskCaps {
    held: CapSet,
    revoked: CapSet,
    grant: Arc<Grant>,
}

impl TaskCaps {
    /// A task started with `grant` (`main`: what the runner allowed).
    pub fn granted(grant: Grant) -> TaskCaps {
        TaskCaps {
            held: grant.caps(),
            revoked: CapSet::EMPTY,
            grant: Arc::new(grant),
        }
    }

    /// The set a child task starts with: these capabilities narrowed to
    /// `to` (`task::spawn_with`; `task::spawn` passes [`CapSet::ALL`]).
    #[must_use]
    pub fn narrowed(&self, to: CapSet) -> TaskCaps {
        TaskCaps {
            held: self.held.intersection(to),
            revoked: CapSet::EMPTY,
            grant: self.grant.clone(),
        }
    }

    pub fn held(&self) -> CapSet {
        self.held
    }

    pub fn grant(&self) -> &Grant {
        &self.grant
    }

    /// Gives up `cap` for the rest of the task.
    pub fn revoke(&mut self, cap: Capability) {
        if self.held.contains(cap) {
            self.revoked = self.revoked.with(cap);
        }
        self.held = self.held.without(cap);
    }
}

impl Vm<'_> {
    /// The panic of a native whose requirement `need` the task does not
    /// fully hold, naming the first capability missing and the entry.
    #[cold]
    pub(super) fn capability_denied(&self, need: u8) -> Fault {
        let missing = CapSet::from_bits(need).minus(self.caps.held());
        let cap = missing.iter().next().unwrap_or(Capability::Fs);
        let what = match self.calling_native() {
            Some(name) => format!("`{name}`"),
            None => "this call".to_string(),
        };
        let why = if self.caps.revoked.contains(cap) {
            Denial::Revoked
        } else if self.caps.grant.caps().contains(cap) {
            Denial::NotPassed
        } else {
            Denial::NotGranted
        };
        Fault::Message(denied_message(cap, &what, why))
    }

    /// The task's capabilities.
    pub fn caps(&self) -> &TaskCaps {
        &self.caps
    }

    /// Replaces the task's capabilities (a host starting `main`, the
    /// scheduler starting a task).
    pub fn set_caps(&mut self, caps: TaskCaps) {
        self.caps = caps;
    }

    /// A native about to touch the file at `path`: `Err` when a scoped
    /// `fs` grant does not reach it (the `fs` capability itself was
    /// checked at the call).
    pub fn check_path(&self, path: &str) -> Result<(), Fault> {
        self.caps.grant.check_path(path).map_err(|why| {
            let what = self.calling_native().unwrap_or("this call");
            Fault::Message(format!("CapabilityDenied: `{what}` requires `fs` {why}"))
        })
    }

    /// A native about to connect to or listen on `address`: `Err` when a
    /// scoped `net` grant does not reach it.
    pub fn check_address(&self, address: &str) -> Result<(), Fault> {
        self.caps.grant.check_net(address).map_err(|why| {
            let what = self.calling_native().unwrap_or("this call");
            Fault::Message(format!("CapabilityDenied: `{what}` requires `net` {why}"))
        })
    }
}

/// A `Cap` argument: its variant's tag is the capability's index.
fn cap_arg(a: &Args, i: usize) -> Result<Capability, Fault> {
    match a.get(i)? {
        Value::Tag(_, tag) => Capability::from_index(usize::try_from(*tag).unwrap_or(usize::MAX))
            .ok_or_else(|| Fault::from("internal error: not a `Cap`")),
        _ => Err("internal error: expected a `Cap`".into()),
    }
}

/// `caps::has(cap)`.
pub(crate) fn caps_has(vm: &mut Vm, a: &mut Args) -> Result<Value, Fault> {
    Ok(Value::Bool(vm.caps.held().contains(cap_arg(a, 0)?)))
}

/// `caps::revoke(cap)`: gone for the rest of the task, whatever it calls.
pub(crate) fn caps_revoke(vm: &mut Vm, a: &mut Args) -> Result<Value, Fault> {
    let cap = cap_arg(a, 0)?;
    vm.caps.revoke(cap);
    Ok(Value::Unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_get_the_intersection_and_revocation_stays_with_the_task() {
        let grant = Grant::parse("fs,clock,net=127.0.0.1:2575").expect("valid");
        let mut parent = TaskCaps::granted(grant);
        let child = parent.narrowed(CapSet::of([Capability::Fs, Capability::Device]));
        assert_eq!(child.held(), CapSet::of([Capability::Fs]));
        // Scopes travel with the set.
        assert!(child.grant().check_net("127.0.0.1:2576").is_err());
        parent.revoke(Capability::Fs);
        parent.revoke(Capability::Env);
        assert_eq!(
            parent.held(),
            CapSet::of([Capability::Clock, Capability::Net])
        );
        assert!(parent.revoked.contains(Capability::Fs));
        assert!(!parent.revoked.contains(Capability::Env));
        // A child made after a revocation cannot get it back.
        assert!(!parent.narrowed(CapSet::ALL).held().contains(Capability::Fs));
        assert!(child.held().contains(Capability::Fs));
    }
}
