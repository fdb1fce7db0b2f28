//! Protocol positions to byte offsets in the text a snapshot analysed.

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{Position, Range};
use ward_compiler::resolve::SourceFile;

use super::position::Encoding;

/// The byte offset of `pos` in `file`. A `character` past the end of its
/// line means the line's end (as the protocol says); a line past the end
/// of the document is an error the client gets back.
pub fn offset(file: &SourceFile, pos: Position, enc: Encoding) -> Result<u32> {
    let text = &file.text;
    let line = pos.line as usize;
    let mut start = 0usize;
    for _ in 0..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => {
                return Err(Error::invalid_params(format!(
                    "position {}:{} is past the end of the document ({} lines)",
                    pos.line,
                    pos.character,
                    file.line_count()
                )));
            }
        }
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let end = if text[..end].ends_with('\r') {
        end - 1
    } else {
        end
    };
    let mut units = 0u32;
    let mut at = start;
    for c in text[start..end].chars() {
        if units >= pos.character {
            break;
        }
        units += enc.len(c);
        at += c.len_utf8();
    }
    Ok(u32::try_from(at).unwrap_or(u32::MAX))
}

/// The byte range of `range` in `file`. An end past the document is its
/// end (clients ask for "everything from here" that way); a start past it
/// is an error.
pub fn span(file: &SourceFile, range: Range, enc: Encoding) -> Result<(u32, u32)> {
    let start = offset(file, range.start, enc)?;
    let len = u32::try_from(file.text.len()).unwrap_or(u32::MAX);
    let end = offset(file, range.end, enc).unwrap_or(len).max(start);
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_map_to_bytes_and_bad_lines_are_errors() {
        let f = SourceFile::new("t.ward".into(), "let é = 1;\r\n😀x\n".into());
        let at = |l, c, e| offset(&f, Position::new(l, c), e).ok();
        assert_eq!(at(0, 5, Encoding::Utf16), Some(6));
        assert_eq!(at(0, 6, Encoding::Utf8), Some(6));
        // Past the line's end: the end, before `\r\n`.
        assert_eq!(at(0, 99, Encoding::Utf16), Some(11));
        // After a surrogate pair.
        assert_eq!(at(1, 2, Encoding::Utf16), Some(17));
        // The empty last line exists; the one after it does not.
        assert_eq!(at(2, 0, Encoding::Utf16), Some(19));
        assert_eq!(at(3, 0, Encoding::Utf16), None);
    }
}
