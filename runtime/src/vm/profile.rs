//! The profiler behind `ward run --profile` and the editor's Profile lens:
//! per-function calls, self and total time, and allocations, measured when
//! frames are pushed and popped (so only while profiling is on).

use std::time::Instant;

use crate::heap::accounting;

/// What one function did over a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FnProfile {
    pub name: String,
    pub calls: u64,
    /// Time in the function itself (natives it called included, calls
    /// of other bytecode functions excluded).
    pub self_ns: u64,
    /// Time from entry to return, counted once for recursive calls.
    pub total_ns: u64,
    /// Allocations made by the function itself, and their bytes.
    pub allocs: u64,
    pub alloc_bytes: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Counters {
    calls: u64,
    self_ns: u64,
    total_ns: u64,
    allocs: u64,
    alloc_bytes: u64,
    /// Activations on the stack now (for recursion).
    active: u32,
}

#[derive(Debug, Clone, Copy)]
struct Activation {
    func: u32,
    start: Instant,
    child_ns: u64,
    allocs_at: (u64, u64),
    child_allocs: (u64, u64),
}

#[derive(Debug, Default)]
pub struct Profiler {
    funcs: Vec<Counters>,
    stack: Vec<Activation>,
}

fn ns(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Profiler {
    pub fn new(functions: usize) -> Profiler {
        Profiler {
            funcs: vec![Counters::default(); functions],
            stack: Vec::new(),
        }
    }

    pub fn enter(&mut self, func: u32) {
        if let Some(c) = self.funcs.get_mut(func as usize) {
            c.calls += 1;
            c.active += 1;
        }
        self.stack.push(Activation {
            func,
            start: Instant::now(),
            child_ns: 0,
            allocs_at: accounting::allocations(),
            child_allocs: (0, 0),
        });
    }

    pub fn exit(&mut self) {
        let Some(a) = self.stack.pop() else { return };
        let elapsed = ns(a.start.elapsed());
        let now = accounting::allocations();
        let made = (now.0 - a.allocs_at.0, now.1 - a.allocs_at.1);
        if let Some(c) = self.funcs.get_mut(a.func as usize) {
            c.self_ns += elapsed.saturating_sub(a.child_ns);
            c.allocs += made.0.saturating_sub(a.child_allocs.0);
            c.alloc_bytes += made.1.saturating_sub(a.child_allocs.1);
            c.active = c.active.saturating_sub(1);
            if c.active == 0 {
                c.total_ns += elapsed;
            }
        }
        if let Some(parent) = self.stack.last_mut() {
            parent.child_ns += elapsed;
            parent.child_allocs.0 += made.0;
            parent.child_allocs.1 += made.1;
        }
    }

    /// Adds another task's figures (its activations closed) to these.
    pub fn merge(&mut self, other: &Profiler) {
        if self.funcs.len() < other.funcs.len() {
            self.funcs.resize(other.funcs.len(), Counters::default());
        }
        for (mine, theirs) in self.funcs.iter_mut().zip(&other.funcs) {
            mine.calls += theirs.calls;
            mine.self_ns += theirs.self_ns;
            mine.total_ns += theirs.total_ns;
            mine.allocs += theirs.allocs;
            mine.alloc_bytes += theirs.alloc_bytes;
        }
    }

    /// Closes activations a panic left open (their time runs to now).
    pub fn finish(&mut self) {
        while !self.stack.is_empty() {
            self.exit();
        }
    }

    /// The functions that were called, most total time first.
    pub fn report(&self, name: impl Fn(u32) -> String) -> Vec<FnProfile> {
        let mut out: Vec<FnProfile> = self
            .funcs
            .iter()
            .enumerate()
            .filter(|(_, c)| c.calls > 0)
            .map(|(i, c)| FnProfile {
                name: name(u32::try_from(i).unwrap_or(u32::MAX)),
                calls: c.calls,
                self_ns: c.self_ns,
                total_ns: c.total_ns,
                allocs: c.allocs,
                alloc_bytes: c.alloc_bytes,
            })
            .collect();
        out.sort_by(|a, b| b.total_ns.cmp(&a.total_ns).then(a.name.cmp(&b.name)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_time_excludes_children_and_recursion_counts_total_once() {
        let mut p = Profiler::new(2);
        p.enter(0);
        p.enter(1);
        p.enter(1);
        std::thread::sleep(std::time::Duration::from_millis(2));
        p.exit();
        p.exit();
        p.exit();
        let r = p.report(|i| format!("f{i}"));
        let f0 = r
            .iter()
            .find(|f| f.name == "f0")
            .cloned()
            .unwrap_or_default();
        let f1 = r
            .iter()
            .find(|f| f.name == "f1")
            .cloned()
            .unwrap_or_default();
        assert_eq!((f0.calls, f1.calls), (1, 2));
        assert!(f1.total_ns >= 2_000_000);
        // f0 did nothing itself; f1's total counts the outer call only.
        assert!(f0.self_ns < f1.total_ns);
        assert!(f1.total_ns <= f0.total_ns);
        assert!(f1.self_ns <= f1.total_ns);
    }
}
