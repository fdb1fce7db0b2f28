//! The tree-sitter grammar of Ward, the one parser of the language.
//!
//! ```
//! let code = "fn main() { println(\"hi\"); }";
//! let mut parser = tree_sitter::Parser::new();
//! parser
//!     .set_language(&tree_sitter_ward::LANGUAGE.into())
//!     .expect("the Ward grammar loads");
//! let tree = parser.parse(code, None).expect("parsing was not cancelled");
//! assert!(!tree.root_node().has_error());
//! ```
//!
//! The editor queries ship as constants so that every consumer (the language
//! server, the editor packages, the tests) reads the same text.

use tree_sitter_language::LanguageFn;

unsafe extern "C" {
    fn tree_sitter_ward() -> *const ();
}

/// The tree-sitter [`LanguageFn`] for Ward.
// SAFETY: `tree_sitter_ward` is the constructor emitted by `tree-sitter
// generate` into src/parser.c, compiled by build.rs; it takes no arguments and
// returns a pointer to a static `TSLanguage`, which is what `from_raw` requires.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_ward) };

/// The content of the generated `node-types.json`: every node kind and field.
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

/// Syntax highlighting captures.
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");
/// Definitions, references and scopes for local-variable highlighting.
pub const LOCALS_QUERY: &str = include_str!("../../queries/locals.scm");
/// Foldable ranges.
pub const FOLDS_QUERY: &str = include_str!("../../queries/folds.scm");
/// Indentation rules (nvim-treesitter capture names).
pub const INDENTS_QUERY: &str = include_str!("../../queries/indents.scm");
/// Embedded languages (JSON in `json::parse("…")`, comments).
pub const INJECTIONS_QUERY: &str = include_str!("../../queries/injections.scm");
/// Text objects: functions, types, parameters, comments.
pub const TEXTOBJECTS_QUERY: &str = include_str!("../../queries/textobjects.scm");
/// Code navigation tags (definitions and references).
pub const TAGS_QUERY: &str = include_str!("../../queries/tags.scm");

/// Every query with its file name, for consumers that install them all.
pub const QUERIES: [(&str, &str); 7] = [
    ("highlights.scm", HIGHLIGHTS_QUERY),
    ("locals.scm", LOCALS_QUERY),
    ("folds.scm", FOLDS_QUERY),
    ("indents.scm", INDENTS_QUERY),
    ("injections.scm", INJECTIONS_QUERY),
    ("textobjects.scm", TEXTOBJECTS_QUERY),
    ("tags.scm", TAGS_QUERY),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn parser() -> tree_sitter::Parser {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&LANGUAGE.into())
            .expect("the Ward grammar loads");
        parser
    }

    #[test]
    fn every_query_compiles() {
        let language = LANGUAGE.into();
        for (name, text) in QUERIES {
            if let Err(error) = tree_sitter::Query::new(&language, text) {
                panic!("queries/{name} does not compile: {error}");
            }
        }
    }

    #[test]
    fn node_types_is_the_generated_json() {
        assert!(NODE_TYPES.trim_start().starts_with('['));
        assert!(NODE_TYPES.contains("\"function_item\""));
    }

    /// Every named node kind in node-types.json (supertypes excluded).
    fn named_kinds() -> Vec<String> {
        let mut kinds = Vec::new();
        let mut rest = NODE_TYPES;
        while let Some(at) = rest.find("\"type\": \"") {
            rest = &rest[at + 9..];
            let end = rest.find('"').expect("closing quote");
            let kind = &rest[..end];
            let named = rest[end..]
                .trim_start_matches(|c| c != ',')
                .starts_with(",\n")
                && rest[end..]
                    .split('\n')
                    .nth(1)
                    .is_some_and(|l| l.contains("\"named\": true"));
            if named && !kind.starts_with('_') && !kinds.iter().any(|k| k == kind) {
                kinds.push(kind.to_string());
            }
        }
        kinds
    }

    #[test]
    fn corpus_has_an_entry_for_every_named_node() {
        let corpus_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test/corpus");
        let mut corpus = String::new();
        for entry in std::fs::read_dir(&corpus_dir)
            .expect("test/corpus exists")
            .flatten()
        {
            corpus.push_str(&std::fs::read_to_string(entry.path()).expect("corpus file"));
        }
        let kinds = named_kinds();
        assert!(kinds.len() > 80, "found only {} named kinds", kinds.len());
        let missing: Vec<&String> = kinds
            .iter()
            .filter(|kind| {
                let open = format!("({kind}");
                !corpus
                    .match_indices(&open)
                    .any(|(at, _)| corpus[at + open.len()..].starts_with([')', '\n', ' ']))
            })
            .collect();
        assert!(
            missing.is_empty(),
            "node kinds with no corpus entry: {missing:?}"
        );
    }

    #[test]
    fn every_highlight_capture_has_a_highlight_test() {
        let language = LANGUAGE.into();
        let query = tree_sitter::Query::new(&language, HIGHLIGHTS_QUERY).expect("query compiles");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test/highlight");
        let mut asserted = Vec::new();
        for entry in std::fs::read_dir(&dir)
            .expect("test/highlight exists")
            .flatten()
        {
            let text = std::fs::read_to_string(entry.path()).expect("highlight test");
            for line in text.lines() {
                let Some(comment) = line.trim_start().strip_prefix("//") else {
                    continue;
                };
                let comment = comment.trim_start();
                if let Some(rest) = comment
                    .strip_prefix('^')
                    .or_else(|| comment.strip_prefix("<-"))
                {
                    asserted.extend(rest.split_whitespace().map(str::to_string));
                }
            }
        }
        let missing: Vec<&str> = query
            .capture_names()
            .iter()
            .copied()
            .filter(|name| !name.starts_with('_') && !asserted.iter().any(|a| a == name))
            .collect();
        assert!(
            missing.is_empty(),
            "captures without a highlight assertion: {missing:?}"
        );
    }

    fn ward_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                ward_files(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "ward") {
                out.push(path);
            }
        }
    }

    /// The first ERROR or MISSING node of a tree, as `line:col kind`.
    fn first_damage(node: tree_sitter::Node) -> Option<String> {
        if node.is_error() || node.is_missing() {
            let at = node.start_position();
            return Some(format!(
                "{}:{} {}",
                at.row + 1,
                at.column + 1,
                node.to_sexp()
            ));
        }
        let mut cursor = node.walk();
        node.children(&mut cursor).find_map(first_damage)
    }

    #[test]
    fn every_program_in_examples_and_tests_parses_cleanly() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        ward_files(&root.join("examples"), &mut files);
        ward_files(&root.join("tests"), &mut files);
        assert!(
            files.len() >= 7,
            "expected the example programs, found {files:?}"
        );

        let mut parser = parser();
        let mut failures = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).expect("example is readable UTF-8");
            // A case whose syntax error is the point says so (tests/help).
            if text.contains("//~ ERROR W0001") {
                continue;
            }
            let tree = parser.parse(&text, None).expect("parse is not cancelled");
            if let Some(damage) = first_damage(tree.root_node()) {
                failures.push(format!("{}:{damage}", file.display()));
            }
        }
        assert!(
            failures.is_empty(),
            "syntax errors:\n{}",
            failures.join("\n")
        );
    }
}
