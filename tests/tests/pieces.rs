//! A long file parsed and lowered in pieces on several cores
//! (`syntax::lower_in_pieces`, what `ward check` does) lowers to exactly
//! what one parse of the whole file lowers to: every example, cut wherever
//! the rules allow, and the generated 10 000-line program, which must
//! really be cut.

use std::path::Path;
use ward_compiler::diagnostics::FileId;
use ward_compiler::syntax;

/// The lowered items and diagnostics, as text.
fn shown(
    file: &syntax::ast::SourceFile,
    diagnostics: &[ward_compiler::diagnostics::Diagnostic],
) -> String {
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
        let whole = syntax::parse(text);
        let mut diagnostics = Vec::new();
        let expected = syntax::lower_file(&whole, text, FileId(1), &mut diagnostics);
        let expected = shown(&expected, &diagnostics);
        let mut diagnostics = Vec::new();
        match syntax::lower_in_pieces(text, FileId(1), 0, &mut diagnostics) {
            Some(pieces) => assert_eq!(shown(&pieces, &diagnostics), expected, "{name}"),
            None => assert!(diagnostics.is_empty(), "{name}"),
        }
        if name == "generated" && cores() > 1 {
            let mut diagnostics = Vec::new();
            assert!(
                syntax::lower_in_pieces(text, FileId(1), syntax::PIECE_MIN_BYTES, &mut diagnostics)
                    .is_some(),
                "ward check cuts the generated program"
            );
        }
    }
}
