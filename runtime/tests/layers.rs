//! The runtime's layers: `value` depends on neither `heap` nor `vm`, and
//! `heap` does not depend on `vm` (ARCHITECTURE.md). A `use` that crosses
//! a layer upwards fails here, naming the file and line.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of the sources under `layer` that mention one of `above`
/// (outside comments).
fn upward_uses(layer: &str, above: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(layer);
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(!files.is_empty(), "no sources under {}", root.display());
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if above.iter().any(|a| code.contains(a)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn the_value_layer_depends_on_neither_heap_nor_vm() {
    let found = upward_uses("value", &["crate::vm", "crate::heap", "super::super"]);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_heap_does_not_depend_on_the_vm() {
    let found = upward_uses("heap", &["crate::vm", "super::super"]);
    assert!(found.is_empty(), "{}", found.join("\n"));
}
