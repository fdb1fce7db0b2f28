//! `ward check FILE…`: parse, resolve and type-check each program and report
//! its diagnostics, rendered with source snippets (codespan-reporting) or as
//! JSON (`--format json`).

use super::excerpt::{Excerpt, ExcerptFiles};
use super::status;
use super::suggestion::{FixFile, write_fix};
use codespan_reporting::diagnostic::{
    Diagnostic as Rendered, Label, LabelStyle, Severity as RSeverity,
};
use codespan_reporting::term::{self, termcolor};
use serde_json::{Value, json};
use std::path::Path;
use ward_compiler::analysis::Analysis;
use ward_compiler::diagnostics::{Applicability, Diagnostic, FileSpan, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source snippets with labels, for people.
    Human,
    /// A JSON array of diagnostics on stdout, for tools.
    Json,
}

/// Internal representations to print besides the diagnostics.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dumps {
    pub mir: bool,
    pub facts: bool,
}

pub fn run(sources: Vec<super::Source>, format: Format, dumps: Dumps) -> u8 {
    let mut any_error = false;
    let mut json_out = Vec::new();
    let count = sources.len();
    for (index, source) in sources.into_iter().enumerate() {
        let options = ward_compiler::analysis::Options { facts: dumps.facts };
        let (path, loader) = source.loader();
        let file = path.as_path();
        let analysis = ward_compiler::analysis::analyze_with(file, &loader, options);
        any_error |= analysis.has_errors();
        if dumps.mir {
            for f in ward_compiler::mir::build_program(&analysis.program, &analysis.typed) {
                print!("{}", ward_compiler::mir::dump_fn(&analysis.program, &f));
            }
        }
        if dumps.facts {
            for f in &analysis.facts {
                print!(
                    "{}",
                    ward_compiler::borrowck::dump_facts(&analysis.program, f)
                );
            }
        }
        match format {
            Format::Human => render_human(&analysis, file),
            Format::Json => {
                json_out.extend(analysis.diagnostics.iter().map(|d| to_json(&analysis, d)));
            }
        }
        // Freeing a large program's trees and tables takes milliseconds.
        // After the last file the process exits, which reclaims everything
        // at once: nothing is freed piece by piece. Between files it
        // happens on a thread of its own, so the next file's check does not
        // wait for it (without a thread, it is freed here).
        if index + 1 == count {
            std::mem::forget(analysis);
        } else {
            let _ = std::thread::Builder::new()
                .name("ward-free".into())
                .spawn(move || drop(analysis));
        }
    }
    if format == Format::Json {
        println!("{}", Value::Array(json_out));
    }
    if any_error {
        status::PROGRAM_ERRORS
    } else {
        status::OK
    }
}

/// Renders diagnostics for a terminal (colour as `--color` and `NO_COLOR`
/// say), then the summary line.
pub fn render_human(analysis: &Analysis, root: &Path) {
    let mut buffer = if super::color::on_stderr() {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    render(analysis, &mut buffer);
    let _ = std::io::Write::write_all(&mut std::io::stderr(), buffer.as_slice());
    let errors = analysis
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = analysis
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let name = root.display();
    if errors > 0 {
        let w = if warnings > 0 {
            format!("; {warnings} warning{} emitted", plural(warnings))
        } else {
            String::new()
        };
        eprintln!(
            "error: could not check `{name}` due to {errors} previous error{}{w}",
            plural(errors)
        );
    } else if warnings > 0 {
        eprintln!(
            "warning: `{name}` generated {warnings} warning{}",
            plural(warnings)
        );
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Renders every diagnostic: codespan-reporting draws the labels and
/// notes, then each fix follows as a `help:` with the lines it changes.
fn render(analysis: &Analysis, out: &mut termcolor::Buffer) {
    let config = term::Config::default();
    for d in &analysis.diagnostics {
        // Each diagnostic sees the files cut around its own labels.
        let focus: Vec<&FileSpan> = std::iter::once(&d.span)
            .chain(d.labels.iter().map(|l| &l.span))
            .collect();
        let files = ExcerptFiles(
            analysis
                .program
                .files
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let starts: Vec<usize> = focus
                        .iter()
                        .filter(|s| s.file.0 as usize == i)
                        .map(|s| s.span.start as usize)
                        .collect();
                    Excerpt::new(f.path.display().to_string(), &f.text, &starts)
                })
                .collect(),
        );
        let rendered = to_codespan(d, &files);
        let mut one = if termcolor::WriteColor::supports_color(out) {
            termcolor::Buffer::ansi()
        } else {
            termcolor::Buffer::no_color()
        };
        let _ = term::emit_to_write_style(&mut one, &config, &files, &rendered);
        let mut bytes = one.into_inner();
        if d.fixes.is_empty() {
            let _ = std::io::Write::write_all(out, &bytes);
            continue;
        }
        // The fixes go before the blank line that ends the diagnostic.
        if bytes.ends_with(b"\n\n") {
            bytes.pop();
        }
        let _ = std::io::Write::write_all(out, &bytes);
        // Without notes the diagnostic ends on a label line: an empty
        // gutter as wide as codespan's separates it from the first help.
        let gutter = (d.notes.is_empty() && d.help.is_empty()).then(|| {
            std::iter::once(&d.span)
                .chain(d.labels.iter().map(|l| &l.span))
                .map(|s| {
                    let file = analysis.program.file(s.file);
                    file.line_col_chars(s.span.end).0.to_string().len()
                })
                .max()
                .unwrap_or(1)
        });
        for (i, fix) in d.fixes.iter().enumerate() {
            let _ = write_fix(
                out,
                fix,
                &|id| {
                    let f = analysis.program.files.get(id)?;
                    Some(FixFile {
                        name: f.path.to_str().unwrap_or("?"),
                        text: &f.text,
                        primary: id == d.span.file.0 as usize,
                    })
                },
                gutter.filter(|_| i == 0),
            );
        }
        let _ = std::io::Write::write_all(out, b"\n");
    }
}

fn to_codespan(d: &Diagnostic, files: &ExcerptFiles) -> Rendered<usize> {
    let severity = match d.severity {
        Severity::Error => RSeverity::Error,
        Severity::Warning => RSeverity::Warning,
        Severity::Note => RSeverity::Note,
    };
    let range = |s: &FileSpan| {
        let id = s.file.0 as usize;
        match files.0.get(id) {
            Some(f) => f.map(s.span.start as usize)..f.map(s.span.end as usize),
            None => s.span.range(),
        }
    };
    let mut labels = vec![
        Label::new(LabelStyle::Primary, d.span.file.0 as usize, range(&d.span))
            .with_message(d.label.clone()),
    ];
    for l in &d.labels {
        labels.push(
            Label::new(
                LabelStyle::Secondary,
                l.span.file.0 as usize,
                range(&l.span),
            )
            .with_message(l.message.clone()),
        );
    }
    let mut notes: Vec<String> = d.notes.iter().map(|n| format!("note: {n}")).collect();
    notes.extend(d.help.iter().map(|h| format!("help: {h}")));
    Rendered::new(severity)
        .with_code(d.code.0)
        .with_message(d.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

fn position(analysis: &Analysis, span: &FileSpan) -> serde_json::Map<String, Value> {
    let file = analysis.program.file(span.file);
    let (line, column) = file.line_col_chars(span.span.start);
    let (end_line, end_column) = file.line_col_chars(span.span.end);
    let mut map = serde_json::Map::new();
    map.insert("file".into(), json!(file.path.display().to_string()));
    map.insert("start".into(), json!(span.span.start));
    map.insert("end".into(), json!(span.span.end));
    map.insert("line".into(), json!(line));
    map.insert("column".into(), json!(column));
    map.insert("end_line".into(), json!(end_line));
    map.insert("end_column".into(), json!(end_column));
    map
}

/// One diagnostic in the JSON format of `ward check --format json`.
pub fn to_json(analysis: &Analysis, d: &Diagnostic) -> Value {
    let mut map = serde_json::Map::new();
    map.insert("code".into(), json!(d.code.0));
    map.insert("severity".into(), json!(d.severity.as_str()));
    map.insert("message".into(), json!(d.message));
    map.extend(position(analysis, &d.span));
    map.insert("label".into(), json!(d.label));
    let labels: Vec<Value> = d
        .labels
        .iter()
        .map(|l| {
            let mut m = position(analysis, &l.span);
            m.insert("message".into(), json!(l.message));
            Value::Object(m)
        })
        .collect();
    map.insert("labels".into(), Value::Array(labels));
    map.insert("notes".into(), json!(d.notes));
    map.insert("help".into(), json!(d.help));
    let fixes: Vec<Value> = d
        .fixes
        .iter()
        .map(|f| {
            let edits: Vec<Value> = f
                .edits
                .iter()
                .map(|e| {
                    let mut m = position(analysis, &e.span);
                    m.insert("replacement".into(), json!(e.replacement));
                    Value::Object(m)
                })
                .collect();
            // rustc's names: whether a tool may apply it unattended.
            let applicability = match f.applicability {
                Applicability::MachineApplicable => "MachineApplicable",
                Applicability::HasPlaceholders => "HasPlaceholders",
            };
            json!({ "message": f.message, "edits": edits, "applicability": applicability })
        })
        .collect();
    map.insert("fixes".into(), Value::Array(fixes));
    map.insert("unnecessary".into(), json!(d.unnecessary));
    Value::Object(map)
}
