//! Incremental analysis equals analysis from scratch. Every example is
//! edited at random — insertions and deletions anywhere, signature
//! changes, items added and removed, syntax errors that come and go, undos
//! — the way the language server sees it: the tree is edited and reparsed
//! incrementally, and one `Incremental` is kept across versions. After each
//! edit its diagnostics and borrow-checker facts must equal a fresh
//! analysis of the same text.
//!
//! `WARD_INCREMENTAL_EDITS` (default 14 per example) and
//! `WARD_INCREMENTAL_SEED` widen the search.

use std::path::{Path, PathBuf};
use ward_compiler::analysis::{Options, analyze_cached, analyze_with};
use ward_compiler::incremental::Incremental;
use ward_compiler::resolve::{LoadError, SourceLoader};
use ward_tests::difftest::generate::Rng;

/// The root file from memory, with its incrementally reparsed tree; other
/// files from the disk.
struct Edited<'a> {
    root: &'a Path,
    text: &'a str,
    tree: Option<&'a tree_sitter::Tree>,
}

impl SourceLoader for Edited<'_> {
    fn load(&self, path: &Path) -> Result<String, LoadError> {
        if path == self.root {
            return Ok(self.text.to_string());
        }
        ward_compiler::resolve::read_source_file(path)
    }

    fn tree(&self, path: &Path) -> Option<tree_sitter::Tree> {
        self.tree.filter(|_| path == self.root).cloned()
    }
}

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ward"))
        .collect();
    out.push(dir.join("census/main.ward"));
    out.sort();
    out
}

/// The nearest char boundary at or before `at`.
fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Starts of the lines that begin an item (`fn`, `struct`, `enum`, …).
fn item_starts(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if [
            "fn ", "pub fn ", "struct ", "enum ", "impl ", "const ", "use ",
        ]
        .iter()
        .any(|k| line.starts_with(k))
        {
            out.push(at);
        }
        at += line.len();
    }
    out
}

const SNIPPETS: &[&str] = &[
    " ",
    "\n",
    "x",
    "(",
    "}",
    "{",
    ";",
    "let q = 1;\n",
    "q += 1;\n",
    "// note\n",
    "fn added_fn() -> int { 41 + 1 }\n",
    "struct Added { a: int }\n",
    "let moved = String::new(); let again = moved; let third = moved;\n",
];

/// One random edit: the byte range replaced and its new text.
fn random_edit(rng: &mut Rng, text: &str, n: usize) -> (usize, usize, String) {
    let starts = item_starts(text);
    match rng.below(8) {
        // Insert a snippet anywhere.
        0 | 1 => {
            let at = boundary(text, rng.below(text.len() + 1));
            (at, at, SNIPPETS[rng.below(SNIPPETS.len())].to_string())
        }
        // Delete a short range anywhere.
        2 => {
            let a = boundary(text, rng.below(text.len() + 1));
            let b = boundary(text, a + rng.below(24));
            (a, b.max(a), String::new())
        }
        // A signature changes: a parameter is added, a return type differs.
        3 => match text.find("fn ").map(|i| i + rng.below(text.len() - i)) {
            Some(from) => match text[boundary(text, from)..].find('(') {
                Some(p) => {
                    let at = boundary(text, from) + p + 1;
                    (at, at, format!("extra_{n}: int, "))
                }
                None => (0, 0, String::new()),
            },
            None => (0, 0, String::new()),
        },
        4 => match text.find("-> int") {
            Some(at) => (at, at + "-> int".len(), "-> float".to_string()),
            None => (0, 0, "\n".to_string()),
        },
        // A new item above a random item.
        5 => {
            let at = starts
                .get(rng.below(starts.len().max(1)))
                .copied()
                .unwrap_or(0);
            (
                at,
                at,
                format!("fn new_item_{n}(a: int) -> int {{\n    a * {n}\n}}\n\n"),
            )
        }
        // An item removed.
        6 => {
            if starts.len() < 2 {
                return (0, 0, String::new());
            }
            let i = rng.below(starts.len() - 1);
            (starts[i], starts[i + 1], String::new())
        }
        // Edit inside a body: a statement after an opening brace.
        _ => {
            let braces: Vec<usize> = text.match_indices("{\n").map(|(i, _)| i + 2).collect();
            let at = braces
                .get(rng.below(braces.len().max(1)))
                .copied()
                .unwrap_or(0);
            (at, at, format!("    let local_{n} = {n};\n"))
        }
    }
}

/// A tree-sitter point of a byte offset.
fn point(text: &str, at: usize) -> tree_sitter::Point {
    let before = &text[..at];
    let row = before.matches('\n').count();
    let column = at - before.rfind('\n').map_or(0, |i| i + 1);
    tree_sitter::Point { row, column }
}

#[test]
fn incremental_analysis_equals_a_fresh_one_after_every_edit() {
    let edits: usize = std::env::var("WARD_INCREMENTAL_EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(14);
    let seed: u64 = std::env::var("WARD_INCREMENTAL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(23);
    let options = Options { facts: true };
    let mut reused = 0;
    for (e, path) in examples().into_iter().enumerate() {
        let mut rng = Rng::new(seed.wrapping_mul(31).wrapping_add(e as u64));
        let mut text = std::fs::read_to_string(&path).expect("an example is readable");
        let mut parser = ward_compiler::syntax::parser();
        let mut tree = ward_compiler::syntax::parse_with(&mut parser, &text, None);
        let mut incremental = Incremental::default();
        let mut history: Vec<String> = Vec::new();
        for n in 0..=edits {
            if n > 0 {
                // Sometimes an undo: the previous version comes back.
                let (a, b, new) = if rng.chance(15) && !history.is_empty() {
                    let previous = history.pop().unwrap_or_default();
                    (0, text.len(), previous)
                } else {
                    history.push(text.clone());
                    random_edit(&mut rng, &text, n)
                };
                let edit = tree_sitter::InputEdit {
                    start_byte: a,
                    old_end_byte: b,
                    new_end_byte: a + new.len(),
                    start_position: point(&text, a),
                    old_end_position: point(&text, b),
                    new_end_position: {
                        let mut after = text[..a].to_string();
                        after.push_str(&new);
                        point(&after, after.len())
                    },
                };
                text.replace_range(a..b, &new);
                tree.edit(&edit);
                tree = ward_compiler::syntax::parse_with(&mut parser, &text, Some(&tree));
            }
            let loader = Edited {
                root: &path,
                text: &text,
                tree: Some(&tree),
            };
            let incremental_result = analyze_cached(&path, &loader, options, &mut incremental);
            reused += incremental.typed.hits;
            let fresh_loader = Edited {
                root: &path,
                text: &text,
                tree: None,
            };
            let fresh = analyze_with(&path, &fresh_loader, options);
            if incremental_result.diagnostics != fresh.diagnostics {
                let a = &incremental_result.diagnostics;
                let b = &fresh.diagnostics;
                let at = (0..a.len().max(b.len()))
                    .find(|&i| a.get(i) != b.get(i))
                    .unwrap_or(0);
                let same_tree = ward_compiler::syntax::to_sexp(&tree)
                    == ward_compiler::syntax::to_sexp(&ward_compiler::syntax::parse(&text));
                panic!(
                    "{} after edit {n} (seed {seed}): diagnostic {at} differs (tree has errors: {}, same as a fresh parse: {same_tree})\n incremental: {:?}\n fresh: {:?}\nthe text:\n{text}",
                    path.display(),
                    tree.root_node().has_error(),
                    a.iter()
                        .skip(at.saturating_sub(2))
                        .take(5)
                        .map(|d| (&d.code.0, &d.message, d.span.span))
                        .collect::<Vec<_>>(),
                    b.iter()
                        .skip(at.saturating_sub(2))
                        .take(5)
                        .map(|d| (&d.code.0, &d.message, d.span.span))
                        .collect::<Vec<_>>(),
                );
            }
            assert_eq!(incremental_result.facts.len(), fresh.facts.len());
            for (a, b) in incremental_result.facts.iter().zip(&fresh.facts) {
                assert_eq!(
                    format!("{a:?}"),
                    format!("{b:?}"),
                    "borrow-checker facts of `{}` in {} after edit {n} (seed {seed}); the text:\n{text}",
                    a.name,
                    path.display()
                );
            }
            // The type checker's results too (hover, go-to and the
            // hints read them), ids of the items they name included.
            let mut ids: Vec<_> = fresh.typed.bodies.keys().copied().collect();
            ids.sort();
            for id in ids {
                assert_eq!(
                    incremental_result
                        .typed
                        .bodies
                        .get(&id)
                        .map(|b| body_text(b)),
                    fresh.typed.bodies.get(&id).map(|b| body_text(b)),
                    "types in the body of `{}` in {} after edit {n} (seed {seed}); the text:\n{text}",
                    fresh.program.def(id).name.text,
                    path.display()
                );
            }
            assert_eq!(
                incremental_result.typed.bodies.len(),
                fresh.typed.bodies.len()
            );
        }
    }
    assert!(reused > 0, "the caches were never used");
}

/// A body's type-checking results as text, its maps in key order.
fn body_text(body: &ward_compiler::types::BodyTypes) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{}\n{}\n{}\n{}\n{:?}",
        body.expr_types,
        body.pat_types,
        body.locals,
        sorted_map(&body.pat_locals),
        sorted_map(&body.expr_locals),
        sorted_map(&body.expr_defs),
        sorted_map(&body.pat_defs),
        body.builtin_clone
    )
}

fn sorted_map<K: std::fmt::Debug, V: std::fmt::Debug>(
    map: &ward_compiler::FxHashMap<K, V>,
) -> String {
    let mut v: Vec<String> = map.iter().map(|(k, v)| format!("{k:?}={v:?}")).collect();
    v.sort();
    v.join(",")
}

/// Moving a lowered file (`syntax::shift`) gives exactly what lowering the
/// text at its new place gives: no span is left behind. (Diagnostics and
/// facts compare only some spans; hover, go-to and rename read them all.)
#[test]
fn moved_syntax_equals_syntax_lowered_in_place() {
    use ward_compiler::diagnostics::FileId;
    use ward_compiler::syntax::shift::Shift;
    let mut texts: Vec<(String, String)> = examples()
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("an example is readable");
            (p.display().to_string(), text)
        })
        .collect();
    texts.push(("generated".into(), ward_tests::generate_program(300)));
    for (name, text) in texts {
        let lower = |text: &str| {
            let tree = ward_compiler::syntax::parse(text);
            ward_compiler::syntax::lower_file(&tree, text, FileId(1), &mut Vec::new())
        };
        let mut moved = lower(&text).items;
        let by = "\n  \n// moved\n";
        moved.shift(i64::try_from(by.len()).unwrap_or(0));
        let in_place = lower(&format!("{by}{text}")).items;
        assert_eq!(
            format!("{moved:#?}"),
            format!("{in_place:#?}"),
            "{name}: a span was not moved"
        );
    }
}

/// A body that reaches an item only through another (`f` names `Outer`,
/// whose field is an `Inner`) is checked again when that item changes.
#[test]
fn a_change_two_items_away_checks_the_body_again() {
    let path = PathBuf::from("/virtual/transitive.ward");
    let before = "struct Inner {\n    x: int,\n}\n\nstruct Outer {\n    inner: Inner,\n}\n\nfn f(o: Outer) -> int {\n    o.inner.x\n}\n\nfn main() {\n    let _ = f(Outer { inner: Inner { x: 1 } });\n}\n";
    let after = before
        .replace("x: int", "x: bool")
        .replace("x: 1", "x: true");
    let options = Options { facts: true };
    let mut incremental = Incremental::default();
    for text in [before, after.as_str()] {
        let loader = Edited {
            root: &path,
            text,
            tree: None,
        };
        let cached = analyze_cached(&path, &loader, options, &mut incremental);
        let fresh = analyze_with(&path, &loader, options);
        assert_eq!(cached.diagnostics, fresh.diagnostics, "{text}");
    }
    assert!(
        incremental.typed.misses > 0,
        "the body of `f` was checked again"
    );
}
