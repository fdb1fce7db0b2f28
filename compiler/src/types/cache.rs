//! Type-checking results of bodies by their key (`crate::incremental`):
//! a body whose key is unchanged is not checked again; its results are
//! moved to where the body is now and its import uses replayed.

use super::Ty;
use super::check::BodyTypes;
use crate::diagnostics::Diagnostic;
use crate::incremental::{DefIdentities, DefMap, DefRefs};
use crate::resolve::DefId;
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
    /// The items the results name.
    pub defs: DefRefs,
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

impl Entry {
    /// Brings the ids of the items the results name up to date with the
    /// program now (an item inserted above them moved them); `false` when
    /// one of them is gone.
    pub(super) fn update_ids(&mut self, now: &DefIdentities) -> bool {
        let Some(changed) = self.defs.update(now) else {
            return false;
        };
        if !changed.is_empty() {
            let body = Arc::make_mut(&mut self.body);
            for ty in body
                .expr_types
                .iter_mut()
                .chain(&mut body.pat_types)
                .chain(body.locals.iter_mut().map(|l| &mut l.ty))
            {
                remap_ty(ty, &changed);
            }
            for def in body
                .expr_defs
                .values_mut()
                .chain(body.pat_defs.values_mut())
            {
                if let Some(&new) = changed.get(def) {
                    *def = new;
                }
            }
        }
        true
    }
}

/// The items a body's results name: in types, paths and patterns.
pub(super) fn def_refs(body: &BodyTypes) -> Vec<DefId> {
    let mut out: Vec<DefId> = body
        .expr_defs
        .values()
        .chain(body.pat_defs.values())
        .copied()
        .collect();
    for ty in body
        .expr_types
        .iter()
        .chain(&body.pat_types)
        .chain(body.locals.iter().map(|l| &l.ty))
    {
        ty.walk(&mut |t| {
            if let Ty::Adt(def, _) = t {
                out.push(*def);
            }
        });
    }
    out
}

fn remap_ty(ty: &mut Ty, changed: &DefMap) {
    ty.walk_mut(&mut |t| {
        if let Ty::Adt(def, _) = t
            && let Some(&new) = changed.get(def)
        {
            *def = new;
        }
    });
}
