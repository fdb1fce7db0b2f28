//! `ward parse FILE`: the syntax tree as an S-expression on stdout, one
//! `file:line:col: syntax error: …` line per error on stderr.

use super::{read_source, status};
use std::io::Write as _;
use std::path::Path;
use ward_compiler::syntax;

pub fn run(path: &Path) -> u8 {
    let text = match read_source(path) {
        Ok(text) => text,
        Err(code) => return code,
    };
    let tree = syntax::parse(&text);
    // Streamed: the tree of a large file need not be held as text.
    let mut out = StdoutText(std::io::BufWriter::new(std::io::stdout().lock()));
    let written = syntax::write_sexp(&tree, &mut out).is_ok() && out.0.flush().is_ok();
    drop(out);
    if !written {
        eprintln!("error: cannot write the syntax tree to stdout");
        return status::PROGRAM_ERRORS;
    }

    let errors = syntax::syntax_errors(&tree, &text);
    for error in &errors {
        let (line, column) = line_and_column(&text, error.span.start);
        eprintln!(
            "{}:{line}:{column}: syntax error: {}",
            path.display(),
            error.message
        );
    }
    if errors.is_empty() {
        status::OK
    } else {
        status::PROGRAM_ERRORS
    }
}

/// `fmt::Write` into an `io::Write` (the S-expression writer takes the
/// former).
struct StdoutText<W: std::io::Write>(W);

impl<W: std::io::Write> std::fmt::Write for StdoutText<W> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.write_all(s.as_bytes()).map_err(|_| std::fmt::Error)
    }
}

/// 1-based line and column (in characters, as rustc counts) of a byte offset.
pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::line_and_column;

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "let é = 1;\nlet x = ;";
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, text.find('=').unwrap()), (1, 7));
        assert_eq!(line_and_column(text, text.rfind(';').unwrap()), (2, 9));
    }
}
