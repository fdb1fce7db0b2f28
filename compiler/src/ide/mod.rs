//! Editor queries over a finished [`Analysis`](crate::analysis::Analysis):
//! what a name refers to, hovers, inlay hints, symbols. Answers are data
//! with byte spans; the language server turns them into LSP.

pub mod caps;
pub mod completion;
pub mod hints;
pub mod hover;
pub mod index;
pub mod signature;
pub mod symbols;
pub mod tokens;

pub use index::{Access, Index, Occurrence, Target};

/// The keywords (reference §1.2): not usable as names.
pub const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "defer", "else", "enum", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "recover", "ref", "return",
    "self", "Self", "struct", "true", "try", "use", "uses", "while", "zone",
];

/// Whether `name` can name a variable, field or item.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let starts = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    starts
        && name != "_"
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&name)
}

#[cfg(test)]
mod tests {
    use crate::analysis::{Analysis, MemoryLoader, Options, analyze_names_and_types, analyze_with};
    use crate::diagnostics::FileId;

    /// Analyzes `text` with the cursor marker `$0` removed; returns the
    /// analysis and the marker's offset.
    pub(crate) fn fixture(text: &str) -> (Analysis, FileId, u32) {
        analyze_fixture(text, false, |loader, path, _| {
            analyze_with(path, loader, Options { facts: true })
        })
    }

    /// As the server analyses for completion and signature help: names and
    /// types only, with the placeholder at the cursor.
    pub(crate) fn placeholder_fixture(text: &str) -> (Analysis, FileId, u32) {
        analyze_fixture(text, true, |loader, path, offset| {
            analyze_names_and_types(path, loader, Some(offset))
        })
    }

    fn analyze_fixture(
        text: &str,
        placeholder: bool,
        analyze: impl Fn(&MemoryLoader, &std::path::Path, u32) -> Analysis,
    ) -> (Analysis, FileId, u32) {
        let at = text.find("$0").expect("fixture has a $0 cursor");
        let offset = u32::try_from(at).expect("small fixture");
        let clean = text.replacen("$0", "", 1);
        let mut loader = MemoryLoader::default();
        let source = if placeholder {
            super::completion::with_placeholder(&clean, at)
        } else {
            clean
        };
        loader.files.insert("main.ward".into(), source);
        let path = std::path::Path::new("main.ward");
        let analysis = analyze(&loader, path, offset);
        let file = analysis
            .program
            .files
            .iter()
            .position(|f| f.path == path)
            .expect("root file");
        let file = u32::try_from(file).expect("few files");
        (analysis, FileId(file), offset)
    }

    #[test]
    fn shorthand_fields_are_both_a_field_and_a_local() {
        let (analysis, file, offset) = fixture(
            "struct P { x: int }\nfn main() {\n    let x = 1;\n    let p = P { $0x };\n    println(\"{}\", p.x);\n}\n",
        );
        let index = super::Index::build(&analysis);
        let here: Vec<_> = index
            .in_file(file)
            .filter(|o| o.span.start == offset)
            .collect();
        assert_eq!(here.len(), 2, "{here:#?}");
        assert!(here.iter().all(|o| o.shorthand));
        // At the cursor the local wins; the field has three occurrences.
        let at = index.at(file, offset).map(|o| o.target.clone());
        assert!(matches!(at, Some(super::Target::Local { .. })), "{at:?}");
        let field = here
            .iter()
            .find(|o| matches!(o.target, super::Target::Field { .. }))
            .map(|o| o.target.clone());
        let field = field.expect("the field occurrence");
        assert_eq!(index.of(&field).count(), 3);
    }

    #[test]
    fn identifiers_exclude_keywords() {
        assert!(super::is_identifier("bed_4"));
        assert!(!super::is_identifier("match"));
        assert!(!super::is_identifier("_"));
        assert!(!super::is_identifier("4bed"));
        assert!(!super::is_identifier(""));
    }
}
