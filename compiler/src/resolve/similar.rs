//! Near-miss suggestions for names that do not resolve, as rustc makes
//! them: the visible name nearest by edit distance (within a third of the
//! name's length), offered as a machine-applicable replacement — "a struct
//! with a similar name exists" — with a label on the item when it is in the
//! user's code.

use super::{DefId, DefKind, ModuleId, Ns, Program, ResolveError};
use crate::diagnostics::{Candidate, FileId, FileSpan, suggest};
use crate::syntax::ast::Name;

impl Program {
    /// The names visible from `m` in `ns`: its items and imports, those of
    /// the blocks and module around it, and std's prelude.
    pub fn names_in_scope(&self, m: ModuleId, ns: Ns) -> Vec<(String, DefId)> {
        let mut out = Vec::new();
        let mut cur = m;
        loop {
            self.scope_names(cur, ns, &mut out);
            let module = self.module(cur);
            match module.parent {
                Some(p) if module.is_block => cur = p,
                _ => break,
            }
        }
        self.scope_names(self.std_root, ns, &mut out);
        if ns == Ns::Types {
            out.extend(super::packages::extern_names(self));
        }
        out
    }

    fn scope_names(&self, m: ModuleId, ns: Ns, out: &mut Vec<(String, DefId)>) {
        let module = self.module(m);
        for (name, per) in &module.items {
            if let Some(d) = per.get(ns) {
                out.push((name.clone(), d));
            }
        }
        for entry in &module.imports {
            if let (Some(binding), Some(d)) = (entry.import.binding(), entry.target.get(ns)) {
                out.push((binding.text.clone(), d));
            }
            if let Some(source) = entry.glob_source {
                out.extend(self.member_names(source, ns, m));
            }
        }
    }

    /// The public names inside a module or enum (what `container::name`
    /// could have meant).
    pub fn member_names(&self, container: DefId, ns: Ns, from: ModuleId) -> Vec<(String, DefId)> {
        let mut out = Vec::new();
        match &self.def(container).kind {
            DefKind::Module(m) => {
                for (name, per) in &self.module(*m).items {
                    if let Some(d) = per.get(ns).filter(|d| self.def_visible(*d, from)) {
                        out.push((name.clone(), d));
                    }
                }
            }
            DefKind::Enum(_) => {
                for v in self.variants(container) {
                    out.push((self.def(v).name.text.clone(), v));
                }
            }
            _ => {}
        }
        out
    }

    /// The named items as suggestion candidates: each with its kind, and
    /// where it is defined when that is in the user's code.
    pub fn candidates(&self, names: Vec<(String, DefId)>) -> Vec<Candidate> {
        names
            .into_iter()
            .map(|(name, d)| {
                let def = self.def(d);
                let in_std = def.file == self.std_file || self.module(def.module).is_std;
                Candidate {
                    name,
                    kind: def.describe(),
                    defined: (!in_std).then(|| def.file_span()),
                }
            })
            .collect()
    }

    /// [`suggest`] on a resolution error, among the items `names`.
    pub(super) fn error_with_similar(
        &self,
        err: ResolveError,
        file: FileId,
        name: &Name,
        names: Vec<(String, DefId)>,
    ) -> ResolveError {
        let at = FileSpan::new(file, name.span);
        ResolveError(Box::new(suggest(
            *err.0,
            at,
            &name.text,
            self.candidates(names),
        )))
    }
}
