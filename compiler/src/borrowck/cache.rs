//! The per-function cache of borrow-checking results, so that re-checking
//! after an edit inside one function re-runs only that function's MIR
//! building and analyses. A function's results are reused when its body
//! key (`crate::incremental`: its text and the surface it depends on) is
//! unchanged; its spans are then moved by however far the function moved
//! in its file.

use super::FnFacts;
use crate::diagnostics::{Diagnostic, FileId, Span};
use crate::incremental::{DefIdentities, DefRefs};
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

/// One function's results, shared with the analysis that uses them: the
/// cache holds no second copy.
#[derive(Debug, Clone)]
struct Entry {
    /// Where the function starts in the analysis that last used it.
    start: u32,
    diagnostics: Vec<Diagnostic>,
    facts: Arc<FnFacts>,
    /// The function itself, by id and identity.
    defs: DefRefs,
}

/// Results of earlier checks, by function content.
#[derive(Debug, Default)]
pub struct Cache {
    entries: HashMap<u64, Entry>,
    /// Hits and misses of the last check (for tests and benchmarks).
    pub hits: usize,
    pub misses: usize,
}

impl Cache {
    /// The key of a function's results: its body key
    /// (`crate::incremental::body_keys`) and whether facts were wanted.
    pub(super) fn key(body_key: u64, facts: bool) -> u64 {
        let mut h = DefaultHasher::new();
        (body_key, facts).hash(&mut h);
        h.finish()
    }

    /// Forgets the entries the last check did not use (the cache holds one
    /// program's functions, not every version's).
    pub(super) fn keep_only(&mut self, used: &std::collections::HashSet<u64>) {
        self.entries.retain(|k, _| used.contains(k));
    }

    /// The cached results for `key`, moved to a function now at `start`
    /// (the entry moves with them).
    pub(super) fn get(
        &mut self,
        key: u64,
        start: u32,
        file: FileId,
        now: &DefIdentities,
    ) -> Option<(Vec<Diagnostic>, Arc<FnFacts>)> {
        let e = self.entries.get_mut(&key)?;
        // An item inserted above the function changed its id.
        let changed = e.defs.update(now)?;
        let delta = i64::from(start) - i64::from(e.start);
        if delta != 0 || e.facts.file != file || !changed.is_empty() {
            for d in &mut e.diagnostics {
                d.shift(delta);
            }
            // Copied only while the previous analysis still holds it.
            let facts = Arc::make_mut(&mut e.facts);
            shift_facts(facts, delta, file);
            if let Some(def) = &mut facts.def
                && let Some(&new) = changed.get(def)
            {
                *def = new;
            }
            e.start = start;
        }
        Some((e.diagnostics.clone(), e.facts.clone()))
    }

    /// Remembers a function's results, unless a diagnostic points outside
    /// the function (such spans would not move with it).
    pub(super) fn put(
        &mut self,
        key: u64,
        file: FileId,
        span: Span,
        diagnostics: &[Diagnostic],
        facts: &Arc<FnFacts>,
        now: &DefIdentities,
    ) {
        if diagnostics.iter().all(|d| d.is_within(file, span)) {
            self.entries.insert(
                key,
                Entry {
                    start: span.start,
                    diagnostics: diagnostics.to_vec(),
                    facts: Arc::clone(facts),
                    defs: DefRefs::new(facts.def, now),
                },
            );
        }
    }
}

fn shift(s: Span, delta: i64) -> Span {
    // Facts about a function's entry (parameters' first states) carry the
    // empty span at 0, which belongs to no item and does not move.
    if s == Span::default() {
        return s;
    }
    let f = |x: u32| u32::try_from(i64::from(x) + delta).unwrap_or(0);
    Span::new(f(s.start), f(s.end))
}

fn shift_facts(f: &mut FnFacts, delta: i64, file: FileId) {
    f.file = file;
    for m in &mut f.moves {
        m.span = shift(m.span, delta);
    }
    for d in &mut f.drops {
        d.span = shift(d.span, delta);
    }
    for l in &mut f.loans {
        l.span = shift(l.span, delta);
        for s in &mut l.live {
            *s = shift(*s, delta);
        }
    }
    for e in &mut f.elided {
        e.at = shift(e.at, delta);
    }
    for s in &mut f.states {
        s.span = shift(s.span, delta);
    }
    for s in &mut f.spawns {
        s.call = shift(s.call, delta);
    }
}
