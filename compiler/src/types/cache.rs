//! Type-checking results of bodies by their key (`crate::incremental`):
//! a body whose key is unchanged is not checked again; its results are
//! moved to where the body is now and its import uses replayed.

use super::check::BodyTypes;
use crate::diagnostics::Diagnostic;
use crate::resolve::ModuleId;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct BodyCache {
    pub(super) entries: HashMap<u64, Entry>,
    /// Bodies reused and checked by the last check (for tests and
    /// benchmarks).
    pub hits: usize,
    pub misses: usize,
}

/// One body's results, shared with the typed program that uses them: the
/// cache holds no second copy.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// Where the body's item starts in the program that last used it.
    pub start: u32,
    pub body: Arc<BodyTypes>,
    pub diagnostics: Vec<Diagnostic>,
    pub imports: Vec<(ModuleId, usize)>,
}

impl Entry {
    /// Moves the results to an item now at `start` (only a body that
    /// moved is copied).
    pub(super) fn move_to(&mut self, start: u32) {
        use crate::syntax::shift::Shift;
        let delta = i64::from(start) - i64::from(self.start);
        if delta != 0 {
            let body = Arc::make_mut(&mut self.body);
            for local in &mut body.locals {
                local.span.shift(delta);
                local.mut_span.shift(delta);
            }
            for d in &mut self.diagnostics {
                d.shift(delta);
            }
            self.start = start;
        }
    }
}
