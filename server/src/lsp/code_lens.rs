//! `textDocument/codeLens`: `▶ Run` and `⏱ Profile` above `fn main`,
//! `▶ Run test` above `#[test]` functions, and after a profile, each
//! function's figures above it until the document changes.

use tower_lsp_server::ls_types::{CodeLens, Command, Range};
use ward_compiler::diagnostics::Span;
use ward_compiler::resolve::DefKind;

use super::run::{self, ProfileResult};
use super::snapshot::Snapshot;

/// The runnable functions of the document: `(name, name span, is_test)`.
pub fn runnables(snap: &Snapshot) -> Vec<(String, Span, bool)> {
    let program = &snap.analysis.program;
    program
        .defs
        .iter()
        .filter(|d| d.file == snap.file && d.owner.is_none() && matches!(d.kind, DefKind::Fn(_)))
        .filter_map(|d| {
            let is_main = d.name.text == "main" && d.module == program.root;
            let is_test = d.has_attr("test");
            (is_main || is_test).then(|| (d.name.text.clone(), d.span, is_test))
        })
        .collect()
}

fn command(title: &str, command: &str, snap: &Snapshot, function: &str) -> Command {
    Command {
        title: title.to_string(),
        command: command.to_string(),
        arguments: Some(vec![
            serde_json::Value::String(snap.uri.as_str().to_string()),
            serde_json::Value::String(function.to_string()),
        ]),
    }
}

/// The lenses' commands, for code lenses and (for clients without them)
/// code actions.
pub fn commands_for(snap: &Snapshot, name: &str, is_test: bool) -> Vec<Command> {
    if is_test {
        vec![command("▶ Run test", run::RUN_TEST, snap, name)]
    } else {
        vec![
            command("▶ Run", run::RUN, snap, name),
            command("⏱ Profile", run::PROFILE, snap, name),
        ]
    }
}

fn line_of(snap: &Snapshot, span: Span) -> Range {
    let r = snap.range(span);
    Range::new(r.start, r.start)
}

pub fn code_lenses(
    snap: &Snapshot,
    profile: Option<(&[(String, Span)], &ProfileResult)>,
) -> Vec<CodeLens> {
    let mut out = Vec::new();
    let runnable = runnables(snap);
    for (name, span, is_test) in &runnable {
        for c in commands_for(snap, name, *is_test) {
            out.push(CodeLens {
                range: line_of(snap, *span),
                command: Some(c),
                data: None,
            });
        }
    }
    if let Some((names, result)) = profile {
        for (name, span) in names {
            let Some(f) = result.functions.iter().find(|f| &f.name == name) else {
                continue;
            };
            let title = format!(
                "⏱ {} call{} · {:.2} ms total · {:.2} ms self · {} alloc{}",
                f.calls,
                if f.calls == 1 { "" } else { "s" },
                f.total_ms,
                f.self_ms,
                f.allocations,
                if f.allocations == 1 { "" } else { "s" },
            );
            out.push(CodeLens {
                range: line_of(snap, *span),
                // A lens without an action: shown, not clickable.
                command: Some(Command {
                    title,
                    command: String::new(),
                    arguments: None,
                }),
                data: None,
            });
        }
        if result.gc.count > 0
            && let Some((_, span, _)) = runnable.iter().find(|r| r.0 == "main")
        {
            out.push(CodeLens {
                range: line_of(snap, *span),
                command: Some(Command {
                    title: format!(
                        "GC: {} pause{} · {:.2} ms total · max {:.2} ms",
                        result.gc.count,
                        if result.gc.count == 1 { "" } else { "s" },
                        result.gc.total_ms,
                        result.gc.max_ms
                    ),
                    command: String::new(),
                    arguments: None,
                }),
                data: None,
            });
        }
    }
    out
}
