//! Bounded source excerpts for rendered diagnostics: a line longer than
//! [`MAX_LINE`] bytes is shown as a window around the labels on it (or its
//! start), with `…` where it was cut, so that 8 000 statements on one line
//! do not print the whole line with every warning. Line and column numbers
//! stay those of the real file.

use codespan_reporting::files::{Error, Files};
use std::borrow::Cow;
use std::ops::Range;

/// Bytes of one source line shown at most.
pub const MAX_LINE: usize = 200;

/// Context kept before the first label on a cut line.
const BEFORE: usize = 40;

const CUT: &str = "…";

/// One file as a diagnostic shows it.
pub struct Excerpt<'a> {
    name: String,
    original: &'a str,
    shown: Cow<'a, str>,
    /// Kept pieces: (start in the original, start in `shown`, length), in
    /// order; empty when nothing was cut.
    kept: Vec<(usize, usize, usize)>,
    line_starts: Vec<usize>,
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl<'a> Excerpt<'a> {
    /// `original` shown around `focus` (byte offsets the labels start at).
    pub fn new(name: String, original: &'a str, focus: &[usize]) -> Excerpt<'a> {
        let long = original.split('\n').any(|l| l.len() > MAX_LINE);
        if !long {
            return Excerpt {
                name,
                original,
                shown: Cow::Borrowed(original),
                kept: Vec::new(),
                line_starts: line_starts(original),
            };
        }
        let mut shown = String::new();
        let mut kept = Vec::new();
        let mut keep = |shown: &mut String, range: Range<usize>| {
            if !range.is_empty() {
                kept.push((range.start, shown.len(), range.len()));
                shown.push_str(&original[range]);
            }
        };
        let mut start = 0;
        for line in original.split_inclusive('\n') {
            let end = start + line.len();
            let content_end = end - usize::from(line.ends_with('\n'));
            if content_end - start <= MAX_LINE {
                keep(&mut shown, start..end);
            } else {
                let first = focus
                    .iter()
                    .copied()
                    .filter(|&f| (start..=content_end).contains(&f))
                    .min()
                    .unwrap_or(start);
                let from = floor_boundary(original, first.saturating_sub(BEFORE).max(start));
                let to = floor_boundary(original, (from + MAX_LINE).min(content_end)).max(from);
                if from > start {
                    shown.push_str(CUT);
                }
                keep(&mut shown, from..to);
                if to < content_end {
                    shown.push_str(CUT);
                }
                keep(&mut shown, content_end..end);
            }
            start = end;
        }
        let line_starts = line_starts(&shown);
        Excerpt {
            name,
            original,
            shown: Cow::Owned(shown),
            kept,
            line_starts,
        }
    }

    /// Where an original byte offset is shown (an offset in a cut part
    /// goes to the nearest shown edge).
    pub fn map(&self, offset: usize) -> usize {
        if self.kept.is_empty() {
            return offset;
        }
        let i = self.kept.partition_point(|&(o, _, _)| o <= offset);
        match i.checked_sub(1).map(|k| self.kept[k]) {
            Some((o, s, len)) if offset <= o + len => s + (offset - o),
            Some((_, s, len)) => {
                // In a cut after a kept piece: at the start of the next one
                // if it is on the same line, else at this one's end.
                match self.kept.get(i) {
                    Some(&(_, next, _)) if self.shown[s + len..next].contains('\n') => s + len,
                    Some(&(_, next, _)) => next,
                    None => s + len,
                }
            }
            None => 0,
        }
    }

    /// The original offset shown at `shown` (for column numbers).
    fn unmap(&self, shown: usize) -> usize {
        if self.kept.is_empty() {
            return shown;
        }
        let i = self.kept.partition_point(|&(_, s, _)| s <= shown);
        match i.checked_sub(1).map(|k| self.kept[k]) {
            Some((o, s, len)) => o + (shown - s).min(len),
            None => 0,
        }
    }
}

/// The files of one diagnostic.
pub struct ExcerptFiles<'a>(pub Vec<Excerpt<'a>>);

impl<'f> Files<'f> for ExcerptFiles<'_> {
    type FileId = usize;
    type Name = &'f str;
    type Source = &'f str;

    fn name(&'f self, id: usize) -> Result<&'f str, Error> {
        self.0
            .get(id)
            .map(|f| f.name.as_str())
            .ok_or(Error::FileMissing)
    }

    fn source(&'f self, id: usize) -> Result<&'f str, Error> {
        self.0
            .get(id)
            .map(|f| f.shown.as_ref())
            .ok_or(Error::FileMissing)
    }

    fn line_index(&'f self, id: usize, byte_index: usize) -> Result<usize, Error> {
        let f = self.0.get(id).ok_or(Error::FileMissing)?;
        Ok(f.line_starts
            .partition_point(|&s| s <= byte_index)
            .saturating_sub(1))
    }

    fn line_range(&'f self, id: usize, line_index: usize) -> Result<Range<usize>, Error> {
        let f = self.0.get(id).ok_or(Error::FileMissing)?;
        let start = *f.line_starts.get(line_index).ok_or(Error::LineTooLarge {
            given: line_index,
            max: f.line_starts.len().saturating_sub(1),
        })?;
        let end = f
            .line_starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(f.shown.len());
        Ok(start..end)
    }

    /// The column in the real line, in characters.
    fn column_number(&'f self, id: usize, _line: usize, byte_index: usize) -> Result<usize, Error> {
        let f = self.0.get(id).ok_or(Error::FileMissing)?;
        let offset = f.unmap(byte_index).min(f.original.len());
        let offset = floor_boundary(f.original, offset);
        let line_start = f.original[..offset].rfind('\n').map_or(0, |i| i + 1);
        Ok(f.original[line_start..offset].chars().count() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_files_are_shown_as_they_are() {
        let e = Excerpt::new("a".into(), "fn main() {}\n", &[3]);
        assert_eq!(e.shown, "fn main() {}\n");
        assert_eq!(e.map(5), 5);
    }

    #[test]
    fn a_long_line_is_cut_around_the_label_and_columns_stay_true() {
        let line = format!("{}target{}", "x".repeat(5000), "y".repeat(5000));
        let text = format!("fn a() {{}}\n{line}\nfn b() {{}}\n");
        let at = text.find("target").expect("present");
        let e = Excerpt::new("a".into(), &text, &[at]);
        assert!(e.shown.len() < 2 * MAX_LINE + 40, "{}", e.shown.len());
        let shown_at = e.map(at);
        assert_eq!(&e.shown[shown_at..shown_at + 6], "target");
        let files = ExcerptFiles(vec![e]);
        let loc = files.location(0, shown_at).expect("located");
        assert_eq!((loc.line_number, loc.column_number), (2, 5001));
        // The lines around are kept whole.
        assert!(files.0[0].shown.starts_with("fn a() {}\n…"));
        assert!(files.0[0].shown.ends_with("…\nfn b() {}\n"));
    }

    #[test]
    fn offsets_in_a_cut_go_to_the_nearest_shown_edge() {
        let text = format!("{}\n", "é".repeat(400));
        let e = Excerpt::new("a".into(), &text, &[]);
        let end = e.map(text.len() - 2);
        assert!(e.shown.is_char_boundary(end));
        assert!(end <= e.shown.len());
    }
}
