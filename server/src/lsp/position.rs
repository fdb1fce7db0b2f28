//! Where LSP positions meet byte offsets. A position's `character` counts
//! UTF-16 code units unless the client agreed to UTF-8 (`positionEncoding`);
//! the compiler counts bytes. Conversions go through this module (and
//! `Document::apply` for edits), so a non-ASCII line is converted the same
//! way everywhere.

use ward_compiler::resolve::SourceFile;

/// The unit of `Position::character` agreed at `initialize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

impl Encoding {
    /// The length of `c` in this encoding's code units (1 to 4).
    pub fn len(self, c: char) -> u32 {
        let units = match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
        u32::try_from(units).unwrap_or(4)
    }
}

/// The protocol position of a byte offset in a file the checker read (its
/// line table is the compiler's). An offset inside a character or past the
/// end is moved back to the character's start or the end.
pub fn position(file: &SourceFile, offset: usize, enc: Encoding) -> (u32, u32) {
    let text = &file.text;
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let (line, column) = file.line_col(u32::try_from(offset).unwrap_or(u32::MAX));
    let start = offset - column as usize;
    (line, text[start..offset].chars().map(|c| enc.len(c)).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("t.ward".into(), text.into())
    }

    #[test]
    fn utf16_counts_surrogate_pairs_and_utf8_counts_bytes() {
        let text = "let é = \"😀\";\nx\n";
        let f = file(text);
        let x = text.find('x').unwrap_or_default();
        assert_eq!(position(&f, x, Encoding::Utf16), (1, 0));
        let end_quote = text.rfind('"').unwrap_or_default();
        // `let é = "` is 9 UTF-16 units, the emoji 2 more.
        assert_eq!(position(&f, end_quote, Encoding::Utf16), (0, 11));
        assert_eq!(position(&f, end_quote, Encoding::Utf8), (0, 14));
    }

    #[test]
    fn offsets_past_the_end_or_inside_a_character_are_moved_back() {
        let f = file("aé\r\ncd");
        assert_eq!(position(&f, 99, Encoding::Utf8), (1, 2));
        // Inside `é`: its start.
        assert_eq!(position(&f, 2, Encoding::Utf16), (0, 1));
    }
}
