//! `ward fmt [--check] FILE…`: formats files in place, or with `--check`
//! only reports, as a diff, what formatting would change. Files with syntax
//! errors are left alone and reported.

use super::{read_source, status};
use std::fmt::Write as _;
use std::path::Path;
use ward_compiler::format::{Edit, FormatError, Formatted, format_with};

pub fn run(files: &[std::path::PathBuf], check: bool) -> u8 {
    if files.len() == 1 && files[0].as_os_str() == "-" {
        return stdin();
    }
    let files = if files.is_empty() {
        match super::project_at(None) {
            Ok(project) => project.source_files(),
            Err(code) => return code,
        }
    } else {
        files.to_vec()
    };
    let mut worst = status::OK;
    for path in &files {
        let text = match read_source(path) {
            Ok(text) => text,
            Err(code) => return code,
        };
        let options = crate::project::format_options_for(path);
        let formatted = match format_with(&text, &options) {
            Ok(formatted) => formatted,
            Err(error) => {
                report(path, &text, &error);
                worst = status::PROGRAM_ERRORS;
                continue;
            }
        };
        if formatted.is_unchanged() {
            continue;
        }
        if check {
            print!("{}", diff(path, &text, &formatted));
            worst = status::PROGRAM_ERRORS;
        } else if let Err(error) = write_atomically(path, &formatted.text) {
            eprintln!("error: cannot write {}: {error}", path.display());
            return status::USAGE;
        }
    }
    worst
}

/// `ward fmt -`: stdin formatted to stdout (as rustfmt and gofmt do); on a
/// syntax error nothing is printed to stdout and the status is 1.
fn stdin() -> u8 {
    let mut text = String::new();
    if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
        eprintln!("error: cannot read stdin: {e}");
        return status::USAGE;
    }
    let options = crate::project::format_options_for(Path::new("<stdin>.ward"));
    match format_with(&text, &options) {
        Ok(formatted) => {
            print!("{}", formatted.text);
            status::OK
        }
        Err(error) => {
            report(Path::new("<stdin>"), &text, &error);
            status::PROGRAM_ERRORS
        }
    }
}

fn report(path: &Path, text: &str, error: &FormatError) {
    eprintln!("error: cannot format {}: {error}", path.display());
    if let FormatError::Syntax(errors) = error {
        for e in errors {
            let (line, column) = super::parse::line_and_column(text, e.span.start);
            eprintln!(
                "{}:{line}:{column}: syntax error: {}",
                path.display(),
                e.message
            );
        }
    }
}

/// Writes `text` to the file `path` names without ever leaving half a
/// source file: through a symlink to its target (the link stays a link),
/// and for a file with other hard links in place, so that they all see the
/// new text (the complete new text is first written to a temporary file,
/// kept if the in-place write fails). Otherwise a temporary file next to
/// the target and a rename.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let mut temporary = target.as_os_str().to_owned();
    temporary.push(".ward-fmt.tmp");
    let temporary = std::path::PathBuf::from(temporary);
    std::fs::write(&temporary, text)?;
    let metadata = std::fs::metadata(&target)?;
    std::fs::set_permissions(&temporary, metadata.permissions())?;
    if hard_links(&metadata) > 1 {
        use std::io::Write as _;
        let written = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&target)
            .and_then(|mut file| {
                file.write_all(text.as_bytes())?;
                file.sync_all()
            });
        return match written {
            Ok(()) => std::fs::remove_file(&temporary),
            Err(error) => Err(std::io::Error::new(
                error.kind(),
                format!("{error} (the formatted text is in {})", temporary.display()),
            )),
        };
    }
    std::fs::rename(&temporary, &target).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

#[cfg(unix)]
fn hard_links(metadata: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(metadata)
}

#[cfg(not(unix))]
fn hard_links(_: &std::fs::Metadata) -> u64 {
    1
}

/// The changes as hunks of whole lines: `-` the lines as they are, `+` as
/// they would be.
fn diff(path: &Path, text: &str, formatted: &Formatted) -> String {
    let line_start = |offset: usize| text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = |offset: usize| text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    // Group edits whose lines touch into hunks.
    let mut hunks: Vec<(usize, usize, Vec<&Edit>)> = Vec::new();
    for edit in &formatted.edits {
        let start = line_start(edit.range.start);
        let end = line_end(edit.range.end);
        match hunks.last_mut() {
            Some((_, last_end, edits)) if start <= *last_end + 1 => {
                *last_end = (*last_end).max(end);
                edits.push(edit);
            }
            _ => hunks.push((start, end, vec![edit])),
        }
    }
    let mut out = String::new();
    for (start, end, edits) in hunks {
        let mut after = text[start..end].to_string();
        for edit in edits.iter().rev() {
            let a = edit.range.start - start;
            let b = (edit.range.end - start).min(after.len());
            after.replace_range(a..b, &edit.text);
        }
        let line = text[..start].matches('\n').count() + 1;
        let _ = writeln!(out, "Diff in {} at line {line}:", path.display());
        for l in text[start..end].split('\n') {
            let _ = writeln!(out, "-{l}");
        }
        for l in after.trim_end_matches('\n').split('\n') {
            if !(after.trim().is_empty() && l.is_empty()) {
                let _ = writeln!(out, "+{l}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_shows_whole_lines_before_and_after() {
        let text = "fn main() {\nlet x=1;\n\n\n    let y = 2;\n}\n";
        let formatted = ward_compiler::format::format(text).expect("formats");
        let shown = diff(Path::new("a.ward"), text, &formatted);
        assert_eq!(
            shown,
            "Diff in a.ward at line 1:\n-fn main() {\n-let x=1;\n-\n-\n-    let y = 2;\n+fn main() {\n+    let x = 1;\n+\n+    let y = 2;\n"
        );
    }
}
