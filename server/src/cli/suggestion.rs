//! A fix shown as rustc shows a suggestion: `help: MESSAGE`, then the
//! source lines as they would read with the fix applied, with `+` under
//! inserted text and `~` under replaced text; a fix that deletes text or
//! changes line structure is shown as removed (`-`) and added (`+`) lines.
//! Each edit is first narrowed to what really changes (`patien_count` →
//! `patient_count` inserts one `t`), so the marks point at the difference.

use codespan_reporting::term::termcolor::{Color, ColorSpec, WriteColor};
use std::io;
use ward_compiler::diagnostics::{Edit, Fix};

/// One edit narrowed to its change: bytes `start..end` of the file become
/// `insert`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Change {
    start: usize,
    end: usize,
    insert: String,
}

fn narrow(text: &str, edit: &Edit) -> Option<Change> {
    let (start, end) = (edit.span.span.start as usize, edit.span.span.end as usize);
    let old = text.get(start..end)?;
    let new = edit.replacement.as_str();
    let prefix = old
        .char_indices()
        .zip(new.chars())
        .take_while(|((_, a), b)| a == b)
        .last()
        .map_or(0, |((i, a), _)| i + a.len_utf8());
    let (old_rest, new_rest) = (&old[prefix..], &new[prefix..]);
    let suffix = old_rest
        .chars()
        .rev()
        .zip(new_rest.chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum::<usize>();
    Some(Change {
        start: start + prefix,
        end: end - suffix,
        insert: new_rest[..new_rest.len() - suffix].to_string(),
    })
}

/// Start offsets of the lines of `text`.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn line_of(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&s| s <= offset).saturating_sub(1)
}

/// A line of the rendered suggestion.
#[derive(Debug, PartialEq, Eq)]
enum Row {
    /// The line as it reads after the fix, with marks under the changes.
    Changed {
        number: usize,
        text: String,
        marks: String,
    },
    Removed {
        number: usize,
        text: String,
    },
    Added {
        number: usize,
        text: String,
    },
    /// A line the fix leaves as it is, shown around added lines.
    Context {
        number: usize,
        text: String,
    },
    /// Lines left out between two shown ones.
    Gap,
}

/// The rows showing `changes` (sorted, not overlapping) applied to `text`.
fn rows(text: &str, changes: &[Change]) -> Vec<Row> {
    let starts = line_starts(text);
    let line_text = |l: usize| -> &str {
        let s = starts[l];
        let e = starts.get(l + 1).map_or(text.len(), |&e| e - 1);
        text[s..e].trim_end_matches('\r')
    };
    // Group changes by the lines they touch; groups on overlapping lines
    // merge.
    let mut groups: Vec<(usize, usize, Vec<&Change>)> = Vec::new();
    for c in changes {
        let first = line_of(&starts, c.start);
        let last = line_of(&starts, c.end);
        match groups.last_mut() {
            Some((_, l, members)) if first <= *l => {
                *l = (*l).max(last);
                members.push(c);
            }
            _ => groups.push((first, last, vec![c])),
        }
    }
    let mut out = Vec::new();
    let mut previous_last: Option<usize> = None;
    for (first, last, members) in groups {
        if previous_last.is_some_and(|p| first > p + 1) {
            out.push(Row::Gap);
        }
        previous_last = Some(last);
        let in_place = first == last
            && members
                .iter()
                .all(|c| !c.insert.contains('\n') && (c.start == c.end || !c.insert.is_empty()));
        let old_start = starts[first];
        let old_end = starts.get(last + 1).map_or(text.len(), |&e| e - 1);
        // Whole lines added after a line, or before one: shown as added
        // lines between the lines around them.
        let whole_lines = match members.as_slice() {
            [c] if c.start == c.end && c.start == old_end => {
                c.insert.strip_prefix('\n').map(|lines| (first, lines))
            }
            [c] if c.start == c.end && c.start == old_start && first > 0 => {
                c.insert.strip_suffix('\n').map(|lines| (first - 1, lines))
            }
            _ => None,
        };
        if let Some((above, lines)) = whole_lines {
            let context = Row::Context {
                number: above + 1,
                text: cut(line_text(above), 0),
            };
            if out.last() != Some(&context) {
                out.push(context);
            }
            let added = lines.split('\n').count();
            for (i, l) in lines.split('\n').enumerate() {
                out.push(Row::Added {
                    number: above + 2 + i,
                    text: cut(l.trim_end_matches('\r'), 0),
                });
            }
            if above + 1 < starts.len() && starts[above + 1] < text.len() {
                out.push(Row::Context {
                    number: above + 2 + added,
                    text: cut(line_text(above + 1), 0),
                });
            }
            previous_last = Some(above + 1);
            continue;
        }
        if in_place {
            let mut new_line = String::new();
            let mut marks = String::new();
            let mut at = old_start;
            for c in &members {
                let kept = &text[at..c.start];
                new_line.push_str(kept);
                marks.extend(std::iter::repeat_n(' ', kept.chars().count()));
                new_line.push_str(&c.insert);
                let mark = if c.start == c.end { '+' } else { '~' };
                // Trailing blanks of an insertion are not marked (`mut `
                // shows as `+++`), but still count for the next mark.
                let shown = c.insert.trim_end();
                marks.extend(std::iter::repeat_n(mark, shown.chars().count()));
                marks.extend(std::iter::repeat_n(
                    ' ',
                    c.insert.chars().count() - shown.chars().count(),
                ));
                at = c.end;
            }
            new_line.push_str(&text[at..old_end]);
            let (text, marks) = window(new_line.trim_end_matches('\r'), marks.trim_end());
            out.push(Row::Changed {
                number: first + 1,
                text,
                marks,
            });
            continue;
        }
        // Removed and added lines, as a diff of the touched lines.
        let mut new_text = String::new();
        let mut at = old_start;
        for c in &members {
            new_text.push_str(&text[at..c.start]);
            new_text.push_str(&c.insert);
            at = c.end;
        }
        new_text.push_str(&text[at..old_end]);
        // Long lines are cut around the first change.
        let focus = members
            .first()
            .map_or(0, |c| text[old_start..c.start].chars().count());
        for l in first..=last {
            out.push(Row::Removed {
                number: l + 1,
                text: cut(line_text(l), focus),
            });
        }
        for (i, l) in new_text.split('\n').enumerate() {
            out.push(Row::Added {
                number: first + 1 + i,
                text: cut(l.trim_end_matches('\r'), focus),
            });
        }
    }
    out
}

/// Characters of a line shown at most (as the excerpts of the
/// diagnostics above): a longer one is cut to a window around its first
/// mark, with `…` where it was cut.
const MAX_LINE: usize = 200;

/// Context kept before the first mark on a cut line.
const BEFORE: usize = 40;

fn window(line: &str, marks: &str) -> (String, String) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= MAX_LINE {
        return (line.to_string(), marks.to_string());
    }
    let first_mark = marks.chars().position(|c| c != ' ').unwrap_or(0);
    let start = first_mark.saturating_sub(BEFORE);
    let end = (start + MAX_LINE).min(chars.len());
    let mut shown = String::new();
    let mut shown_marks = String::new();
    if start > 0 {
        shown.push('…');
        shown_marks.push(' ');
    }
    shown.extend(&chars[start..end]);
    shown_marks.extend(marks.chars().skip(start).take(end - start));
    if end < chars.len() {
        shown.push('…');
    }
    (shown, shown_marks.trim_end().to_string())
}

/// A removed or added line, cut as [`window`] cuts, around the character
/// `focus`.
fn cut(line: &str, focus: usize) -> String {
    let marks = format!("{}+", " ".repeat(focus));
    window(line, &marks).0
}

/// The changes of `fix` in the file `text` (its edits in that file),
/// narrowed and sorted; `None` when an edit does not fit the text.
fn changes_in(text: &str, edits: &[&Edit]) -> Option<Vec<Change>> {
    let mut changes: Vec<Change> = edits
        .iter()
        .map(|e| narrow(text, e))
        .collect::<Option<Vec<_>>>()?;
    changes.sort_by_key(|c| (c.start, c.end));
    // Overlapping edits cannot be shown (nor applied) together.
    if changes.windows(2).any(|w| w[1].start < w[0].end) {
        return None;
    }
    changes.retain(|c| c.start != c.end || !c.insert.is_empty());
    Some(changes)
}

fn gutter_spec() -> ColorSpec {
    let mut gutter = ColorSpec::new();
    gutter.set_fg(Some(Color::Blue)).set_bold(true);
    gutter
}

/// Where a fix's file is, for its rows: the file's name and text.
pub struct FixFile<'a> {
    pub name: &'a str,
    pub text: &'a str,
    /// Whether this is the file the diagnostic's primary label is in (the
    /// rows of another file are headed by its name and line).
    pub primary: bool,
}

/// Writes `help: MESSAGE` and the rows of `fix`; `file` gives each edit's
/// file by its index. With `gutter_width`, first closes the diagnostic
/// above with an empty gutter that wide (when its last line is a label).
pub fn write_fix<'a>(
    out: &mut dyn WriteColor,
    fix: &Fix,
    file: &dyn Fn(usize) -> Option<FixFile<'a>>,
    gutter_width: Option<usize>,
) -> io::Result<()> {
    let mut header = ColorSpec::new();
    header.set_bold(true).set_intense(true);
    let gutter = gutter_spec();
    let mut added = ColorSpec::new();
    added.set_fg(Some(Color::Green));
    let mut removed = ColorSpec::new();
    removed.set_fg(Some(Color::Red));

    if let Some(width) = gutter_width {
        paint(
            out,
            &gutter_spec(),
            format_args!("{} │\n", " ".repeat(width)),
        )?;
    }
    out.set_color(header.clone().set_fg(Some(Color::Cyan)))?;
    write!(out, "help")?;
    out.set_color(&header)?;
    writeln!(out, ": {}", fix.message)?;
    out.reset()?;

    let mut files: Vec<usize> = fix.edits.iter().map(|e| e.span.file.0 as usize).collect();
    files.sort_unstable();
    files.dedup();
    let mut sections = Vec::new();
    for id in files {
        let Some(f) = file(id) else { continue };
        let edits: Vec<&Edit> = fix
            .edits
            .iter()
            .filter(|e| e.span.file.0 as usize == id)
            .collect();
        let Some(changes) = changes_in(f.text, &edits) else {
            continue;
        };
        let first_line = changes
            .first()
            .map(|c| line_of(&line_starts(f.text), c.start) + 1);
        let rows = rows(f.text, &changes);
        sections.push((f, rows, first_line));
    }
    let width = sections
        .iter()
        .flat_map(|(_, rows, _)| rows.iter())
        .map(|r| match r {
            Row::Changed { number, .. }
            | Row::Removed { number, .. }
            | Row::Added { number, .. }
            | Row::Context { number, .. } => number.to_string().len(),
            Row::Gap => 0,
        })
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(width);
    for (f, rows, first_line) in sections {
        if !f.primary {
            paint(out, &gutter, format_args!("{pad}┌─ "))?;
            writeln!(out, "{}:{}", f.name, first_line.unwrap_or(1))?;
        }
        paint(out, &gutter, format_args!("{pad} │\n"))?;
        for row in rows {
            match row {
                Row::Changed {
                    number,
                    text,
                    marks,
                } => {
                    paint(out, &gutter, format_args!("{number:>width$} │ "))?;
                    writeln!(out, "{text}")?;
                    paint(out, &gutter, format_args!("{pad} │ "))?;
                    paint(out, &added, format_args!("{marks}\n"))?;
                }
                Row::Context { number, text } => {
                    paint(out, &gutter, format_args!("{number:>width$} │ "))?;
                    writeln!(out, "{text}")?;
                }
                Row::Removed { number, text } => {
                    paint(out, &gutter, format_args!("{number:>width$} "))?;
                    paint(out, &removed, format_args!("- {text}\n"))?;
                }
                Row::Added { number, text } => {
                    paint(out, &gutter, format_args!("{number:>width$} "))?;
                    paint(out, &added, format_args!("+ {text}\n"))?;
                }
                Row::Gap => paint(out, &gutter, format_args!("{pad}...\n"))?,
            }
        }
        paint(out, &gutter, format_args!("{pad} │\n"))?;
    }
    Ok(())
}

/// Writes `text` in the colour `spec`, then resets the colour.
fn paint(
    out: &mut dyn WriteColor,
    spec: &ColorSpec,
    text: std::fmt::Arguments<'_>,
) -> io::Result<()> {
    out.set_color(spec)?;
    out.write_fmt(text)?;
    out.reset()
}

#[cfg(test)]
mod tests {
    use super::*;
    use codespan_reporting::term::termcolor::Buffer;
    use ward_compiler::diagnostics::{FileId, FileSpan, Span};

    fn fix(text: &str, edits: &[(&str, &str)]) -> String {
        let edits = edits
            .iter()
            .map(|(at, replacement)| {
                let (start, end) = if let Some(rest) = at.strip_prefix('^') {
                    let i = text.find(rest).expect("anchor");
                    (i, i)
                } else if let Some(rest) = at.strip_suffix('$') {
                    let i = text.find(rest).expect("anchor") + rest.len();
                    (i, i)
                } else {
                    let i = text.find(at).expect("anchor");
                    (i, i + at.len())
                };
                Edit {
                    span: FileSpan::new(
                        FileId(0),
                        Span::new(
                            u32::try_from(start).expect("small"),
                            u32::try_from(end).expect("small"),
                        ),
                    ),
                    replacement: (*replacement).to_string(),
                }
            })
            .collect();
        let fix = Fix {
            message: "do it".into(),
            edits,
            applicability: ward_compiler::diagnostics::Applicability::MachineApplicable,
        };
        let mut buffer = Buffer::no_color();
        write_fix(
            &mut buffer,
            &fix,
            &|_| {
                Some(FixFile {
                    name: "a.ward",
                    text,
                    primary: true,
                })
            },
            None,
        )
        .expect("written");
        String::from_utf8(buffer.into_inner()).expect("text")
    }

    #[test]
    fn a_replacement_is_narrowed_to_what_changes() {
        let text = "fn main() {\n    println(\"{}\", patien_count);\n}\n";
        expect_test::expect![[r#"
            help: do it
              │
            2 │     println("{}", patient_count);
              │                         +
              │
        "#]]
        .assert_eq(&fix(text, &[("patien_count", "patient_count")]));
    }

    #[test]
    fn several_insertions_on_a_line_are_marked_each() {
        let text = "fn longest(a: &String, b: &String) -> &String {\n}\n";
        expect_test::expect![[r"
            help: do it
              │
            1 │ fn longest<'a>(a: &'a String, b: &'a String) -> &'a String {
              │           ++++     ++             ++             ++
              │
        "]]
        .assert_eq(&fix(
            text,
            &[
                ("longest$", "<'a>"),
                ("^String, b", "'a "),
                ("^String) ->", "'a "),
                ("^String {", "'a "),
            ],
        ));
    }

    #[test]
    fn a_deletion_is_shown_as_removed_and_added_lines() {
        let text = "fn main() {\n    let mut hr = 72;\n}\n";
        expect_test::expect![[r"
            help: do it
              │
            2 -     let mut hr = 72;
            2 +     let hr = 72;
              │
        "]]
        .assert_eq(&fix(text, &[("mut ", "")]));
    }

    #[test]
    fn edits_on_distant_lines_are_shown_with_a_gap() {
        let text = "fn main() {\n    a()?;\n    b();\n    c();\n}\n";
        expect_test::expect![[r"
            help: do it
              │
            1 │ fn main() -> Result<(), Error> {
              │          +++++++++++++++++++++
             ...
            4 │     c();
            5 +     Ok(())
            6 │ }
              │
        "]]
        .assert_eq(&fix(
            text,
            &[
                ("main()$", " -> Result<(), Error>"),
                ("c();$", "\n    Ok(())"),
            ],
        ));
    }
}
