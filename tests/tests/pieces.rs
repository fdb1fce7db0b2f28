//! A long file parsed in pieces on several cores (`syntax::parse_in_pieces`,
//! what `ward check` does) lowers to exactly what one parse of the whole
//! file lowers to: every example, cut wherever the rules allow, and the
//! generated 10 000-line program, which must really be cut.

use std::path::Path;
use ward_compiler::diagnostics::FileId;
use ward_compiler::syntax;

/// The lowered items and diagnostics, as text.
fn lowered(trees: &[tree_sitter::Tree], text: &str) -> String {
    let mut diagnostics = Vec::new();
    let file = syntax::lower_trees(trees, text, FileId(1), &mut diagnostics);
    format!("{:#?}\n{diagnostics:#?}", file.items)
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

#[test]
fn pieces_lower_like_the_whole_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut texts: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("examples/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ward"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("an example is readable");
            (p.display().to_string(), text)
        })
        .collect();
    texts.sort();
    texts.push(("generated".into(), ward_tests::generate_program(10_000)));
    for (name, text) in &texts {
        let pieces = syntax::parse_in_pieces(text, 0);
        let whole = syntax::parse(text);
        assert_eq!(
            lowered(&pieces, text),
            lowered(std::slice::from_ref(&whole), text),
            "{name}: {} pieces",
            pieces.len()
        );
        if name == "generated" && cores() > 1 {
            assert!(pieces.len() > 1, "the generated program is cut");
            let pieces = syntax::parse_in_pieces(text, syntax::PIECE_MIN_BYTES);
            assert!(pieces.len() > 1, "ward check cuts the generated program");
        }
    }
}
