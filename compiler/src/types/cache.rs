//! Type-checking results of bodies by their key (`crate::incremental`):
//! a body whose key is unchanged is not checked again; its results are
//! moved to where the body is now and its import uses replayed.

use super::check::BodyTypes;
use crate::diagnostics::Diagnostic;
use crate::resolve::ModuleId;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct BodyCache {
    pub(super) entries: HashMap<u64, Entry>,
    /// Bodies reused and checked by the last check (for tests and
    /// benchmarks).
    pub hits: usize,
    pub misses: usize,
}

#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// Where the body's item started when it was checked.
    pub start: u32,
    pub body: BodyTypes,
    pub diagnostics: Vec<Diagnostic>,
    pub imports: Vec<(ModuleId, usize)>,
}

impl Entry {
    /// The results, moved for an item now at `start`.
    pub(super) fn moved_to(&self, start: u32) -> (BodyTypes, Vec<Diagnostic>) {
        use crate::syntax::shift::Shift;
        let delta = i64::from(start) - i64::from(self.start);
        let mut body = self.body.clone();
        let mut diagnostics = self.diagnostics.clone();
        if delta != 0 {
            for local in &mut body.locals {
                local.span.shift(delta);
                local.mut_span.shift(delta);
            }
            for d in &mut diagnostics {
                d.shift(delta);
            }
        }
        (body, diagnostics)
    }
}
