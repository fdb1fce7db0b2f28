//! Where LSP positions meet byte offsets. A position's `character` counts
//! UTF-16 code units unless the client agreed to UTF-8 (`positionEncoding`);
//! the compiler counts bytes. Conversions go through this module (and
//! `Document::apply` for edits), so a non-ASCII line is converted the same
//! way everywhere.

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

/// A text's line starts, for turning byte offsets into positions and back.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// `(line, character)` of a byte offset. An offset inside a character
    /// or past the end is moved back to the character's start or the end.
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> (u32, u32) {
        let mut offset = offset.min(self.len);
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let character = text[start..offset].chars().map(|c| enc.len(c)).sum();
        (u32::try_from(line).unwrap_or(u32::MAX), character)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_surrogate_pairs_and_utf8_counts_bytes() {
        let text = "let é = \"😀\";\nx\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap_or_default();
        assert_eq!(idx.position(text, x, Encoding::Utf16), (1, 0));
        let end_quote = text.rfind('"').unwrap_or_default();
        // `let é = "` is 9 UTF-16 units, the emoji 2 more.
        assert_eq!(idx.position(text, end_quote, Encoding::Utf16), (0, 11));
        assert_eq!(idx.position(text, end_quote, Encoding::Utf8), (0, 14));
    }

    #[test]
    fn offsets_past_the_end_or_inside_a_character_are_moved_back() {
        let text = "aé\r\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 99, Encoding::Utf8), (1, 2));
        // Inside `é`: its start.
        assert_eq!(idx.position(text, 2, Encoding::Utf16), (0, 1));
    }
}
