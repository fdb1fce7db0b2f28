//! The editors' query files are generated from `tree-sitter-grammar/queries/`
//! (see `ward_tests::editor_queries`): each committed copy must equal its
//! generation and compile against the grammar. `UPDATE_EDITOR_QUERIES=1`
//! rewrites the copies.

use std::path::Path;

use ward_tests::editor_queries::{HELIX_QUERIES, NEOVIM_QUERIES, helix, neovim};
use ward_tests::repo_root;

fn source(name: &str) -> String {
    let path = repo_root().join("tree-sitter-grammar/queries").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Compares (or with `UPDATE_EDITOR_QUERIES` writes) one generated copy;
/// returns what is wrong with it.
fn check(path: &Path, generated: &str) -> Option<String> {
    let language = ward_compiler::syntax::language();
    if let Err(e) = tree_sitter::Query::new(&language, generated) {
        return Some(format!("{}: does not compile: {e}", path.display()));
    }
    if std::env::var_os("UPDATE_EDITOR_QUERIES").is_some() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create the queries folder");
        }
        std::fs::write(path, generated).expect("write the generated query");
        return None;
    }
    match std::fs::read_to_string(path) {
        Ok(committed) if committed == generated => None,
        Ok(_) => Some(format!(
            "{}: differs from its generation from tree-sitter-grammar/queries",
            path.display()
        )),
        Err(e) => Some(format!("{}: {e}", path.display())),
    }
}

fn report(problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{}\n(run `UPDATE_EDITOR_QUERIES=1 cargo test -p ward-tests --test editor_queries` \
         after changing tree-sitter-grammar/queries)",
        problems.join("\n")
    );
}

#[test]
fn neovim_queries_are_the_grammars() {
    let dir = repo_root().join("editors/neovim/queries/ward");
    let problems: Vec<String> = NEOVIM_QUERIES
        .iter()
        .filter_map(|name| check(&dir.join(name), &neovim(name, &source(name))))
        .collect();
    report(&problems);
}

#[test]
fn helix_queries_are_the_grammars_with_helix_names() {
    let dir = repo_root().join("editors/helix/queries/ward");
    let mut problems = Vec::new();
    for name in HELIX_QUERIES {
        match helix(name, &source(name)) {
            Ok(generated) => problems.extend(check(&dir.join(name), &generated)),
            Err(e) => problems.push(e),
        }
    }
    report(&problems);
}

/// Every capture Helix's highlighter sees is one of its scopes (or a
/// `_` capture used by predicates).
#[test]
fn helix_highlights_use_helix_scopes() {
    const TOP_LEVEL: [&str; 13] = [
        "attribute",
        "type",
        "constructor",
        "constant",
        "string",
        "comment",
        "variable",
        "label",
        "punctuation",
        "keyword",
        "operator",
        "function",
        "namespace",
    ];
    let generated = helix("highlights.scm", &source("highlights.scm")).unwrap_or_default();
    let query = tree_sitter::Query::new(&ward_compiler::syntax::language(), &generated)
        .unwrap_or_else(|e| panic!("highlights.scm: {e}"));
    let strays: Vec<_> = query
        .capture_names()
        .iter()
        .filter(|n| !n.starts_with('_'))
        .filter(|n| !TOP_LEVEL.contains(&n.split('.').next().unwrap_or_default()))
        .collect();
    assert!(strays.is_empty(), "not Helix scopes: {strays:?}");
    assert!(query.capture_names().contains(&"namespace"));
    assert!(!query.capture_names().contains(&"module"));
}
