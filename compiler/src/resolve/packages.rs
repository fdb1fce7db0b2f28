//! Path dependencies: each package the loader names (a project's
//! `ward.toml` dependencies, read by the `ward` binary) is loaded from its
//! entry file as a module of its own, reachable from anywhere in the
//! program by the package's name — Rust's extern prelude: `vitals::normal`
//! or `use vitals::normal;`. Its private items stay private to it.

use super::{Builder, DefId, DefKind, ModuleId, Program, canonical};
use crate::diagnostics::{Diagnostic, FileSpan, Span, codes};
use crate::syntax::ast::Name;
use std::path::PathBuf;

/// A package the program depends on: the name it is used by, and its
/// entry file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    pub entry: PathBuf,
}

impl Program {
    /// The package reachable by `name` from anywhere, if any.
    pub fn extern_package(&self, name: &str) -> Option<DefId> {
        self.externs.get(name).copied()
    }

    /// Whether module `m` is a package's (or inside one): not the
    /// program's own code, so its `#[test]` functions are not this
    /// program's tests.
    pub fn is_in_package(&self, m: ModuleId) -> bool {
        let mut current = Some(m);
        while let Some(id) = current {
            let module = self.module(id);
            if module
                .def
                .is_some_and(|d| self.externs.values().any(|e| *e == d))
            {
                return true;
            }
            current = module.parent;
        }
        false
    }
}

impl Builder<'_> {
    /// Loads every package of the loader as a module under `root`.
    pub(super) fn load_packages(&mut self, root: ModuleId) {
        let root_file = self.program.module(root).file;
        for package in self.loader.packages() {
            let name = Name {
                text: package.name.clone(),
                span: Span::default(),
            };
            let text = match self.loader.load(&package.entry) {
                Ok(text) => text,
                Err(why) => {
                    self.program.diagnostics.push(Diagnostic::error(
                        codes::MODULE_FILE_NOT_FOUND,
                        FileSpan::new(root_file, Span::default()),
                        format!(
                            "cannot load package `{}` from {}: {why}",
                            package.name,
                            package.entry.display()
                        ),
                    ));
                    continue;
                }
            };
            let (file, items) = self.add_parsed_file(package.entry.clone(), text);
            let def_id = DefId(u32::try_from(self.program.defs.len()).unwrap_or(u32::MAX));
            let module =
                self.new_module(&package.name, Some(root), file, Some(def_id), false, false);
            self.add_def(super::Def {
                name,
                kind: DefKind::Module(module),
                module: root,
                file,
                is_pub: true,
                attrs: Vec::new(),
                doc: None,
                span: Span::default(),
                owner: None,
            });
            self.program.externs.insert(package.name.clone(), def_id);
            self.loading.push(canonical(&package.entry));
            self.collect_items(module, file, items);
            self.loading.pop();
        }
    }
}

/// The packages' names as suggestion candidates (the extern prelude).
pub(super) fn extern_names(program: &Program) -> Vec<(String, DefId)> {
    program
        .externs
        .iter()
        .map(|(n, d)| (n.clone(), *d))
        .collect()
}
