//! Compiler data to protocol types. Nothing outside `lsp/` sees LSP types.

use std::collections::HashMap;
use std::path::Path;

use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag,
    Location, NumberOrString, Position, Range, Uri,
};
use ward_compiler::diagnostics::{Diagnostic as WardDiagnostic, FileSpan, Severity};

use ward_compiler::resolve::SourceFile;

use super::position::{self, Encoding};

/// The protocol range of a byte span in a file the checker read.
pub fn range(file: &SourceFile, start: usize, end: usize, enc: Encoding) -> Range {
    let (l0, c0) = position::position(file, start, enc);
    let (l1, c1) = position::position(file, end, enc);
    Range::new(Position::new(l0, c0), Position::new(l1, c1))
}

/// Links from a diagnostic code to its section of `docs/diagnostics.md`.
#[derive(Debug, Default)]
pub struct DocLinks {
    base: Option<String>,
    /// Code (`W0382`) to the heading's anchor.
    anchors: HashMap<String, String>,
}

impl DocLinks {
    /// Anchors from the markdown text of `docs/diagnostics.md`; links go
    /// to `base` (its URL).
    pub fn new(markdown: &str, base: Option<String>) -> DocLinks {
        let anchors = markdown
            .lines()
            .filter_map(|l| l.strip_prefix("## "))
            .filter_map(|heading| {
                let code = heading.split(':').next()?.trim();
                code.starts_with('W')
                    .then(|| (code.to_string(), slug(heading)))
            })
            .collect();
        DocLinks { base, anchors }
    }

    /// The docs beside the server's sources, when they are there.
    pub fn from_source_tree() -> DocLinks {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/diagnostics.md");
        let Ok(markdown) = std::fs::read_to_string(&path) else {
            return DocLinks::default();
        };
        let base = path
            .canonicalize()
            .ok()
            .and_then(Uri::from_file_path)
            .map(|u| u.as_str().to_string());
        DocLinks::new(&markdown, base)
    }

    pub fn with_base(mut self, base: Option<String>) -> DocLinks {
        if base.is_some() {
            self.base = base;
        }
        self
    }

    pub fn link(&self, code: &str) -> Option<CodeDescription> {
        let base = self.base.as_ref()?;
        let anchor = self.anchors.get(code)?;
        let href = format!("{base}#{anchor}").parse().ok()?;
        Some(CodeDescription { href })
    }
}

/// The anchor a markdown renderer gives a heading (GitHub's rule: lower
/// case, spaces to `-`, punctuation dropped).
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// A compiler diagnostic for the file `lines` shows. Secondary labels in
/// other files of the program become related information there.
pub fn diagnostic(
    d: &WardDiagnostic,
    file: &SourceFile,
    enc: Encoding,
    uri_of: &dyn Fn(FileSpan) -> Option<(Uri, Range)>,
    links: &DocLinks,
) -> Diagnostic {
    let code = d.code.0.to_string();
    let mut message = d.message.clone();
    for note in &d.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    for help in &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let mut related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter_map(|l| {
            let (uri, range) = uri_of(l.span)?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri, range),
                message: l.message.clone(),
            })
        })
        .collect();
    if !d.label.is_empty()
        && let Some((uri, range)) = uri_of(d.span)
    {
        // The primary label's text, so clients that show related
        // information list it beside the others.
        related.insert(
            0,
            DiagnosticRelatedInformation {
                location: Location::new(uri, range),
                message: d.label.clone(),
            },
        );
    }
    Diagnostic {
        range: range(
            file,
            d.span.span.start as usize,
            d.span.span.end as usize,
            enc,
        ),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Note => DiagnosticSeverity::INFORMATION,
        }),
        code_description: links.link(&code),
        code: Some(NumberOrString::String(code)),
        source: Some("ward".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: d.unnecessary.then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_links_use_the_heading_anchors() {
        let md = "# Diagnostics\n\n## W0382: Use of a moved value\n\ntext\n";
        let links = DocLinks::new(md, Some("file:///docs/diagnostics.md".into()));
        let link = links.link("W0382").map(|c| c.href.as_str().to_string());
        assert_eq!(
            link.as_deref(),
            Some("file:///docs/diagnostics.md#w0382-use-of-a-moved-value")
        );
        assert!(links.link("W9999").is_none());
    }
}
