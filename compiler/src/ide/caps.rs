//! Capabilities in the editor: the inferred `uses …` hint after a private
//! function's signature, and hovers that say where a requirement comes
//! from (on a `uses` entry, and on any function that needs something).

use super::hints::{Hint, HintKind};
use crate::analysis::Analysis;
use crate::caps::{Reference, clause_insertion};
use crate::diagnostics::{FileId, Span};
use crate::resolve::{DefId, DefKind};
use std::fmt::Write as _;
use ward_runtime::caps::{CapSet, Capability};

/// What each capability stands for, in a hover.
fn meaning(cap: Capability) -> &'static str {
    match cap {
        Capability::Fs => "reading and writing files",
        Capability::Net => "TCP connections",
        Capability::Proc => "starting and controlling processes",
        Capability::Clock => "the clock and sleeping",
        Capability::Device => "the host's sensors and actuators",
        Capability::Env => "program arguments and environment variables",
    }
}

/// 1-based line of `offset`.
fn line(analysis: &Analysis, file: FileId, offset: u32) -> u32 {
    analysis.program.file(file).line_col(offset).0 + 1
}

/// `uses fs, clock` after the signature of each private function without
/// a clause whose body needs something; accepting it writes the clause.
pub fn hints(analysis: &Analysis, file: FileId, out: &mut Vec<Hint>) {
    let program = &analysis.program;
    for (id, def) in program.defs_with_ids() {
        let DefKind::Fn(f) = &def.kind else {
            continue;
        };
        if def.file != file {
            continue;
        }
        let Some(needed) = analysis.caps.inferred(id).filter(|c| !c.is_empty()) else {
            continue;
        };
        let (span, insert) = clause_insertion(program, id, f, needed);
        let mut tooltip = String::new();
        for cap in needed.iter() {
            if let Some(reason) = reason(analysis, id, cap) {
                let _ = writeln!(tooltip, "{reason}");
            }
        }
        out.push(Hint {
            offset: span.start,
            label: format!("uses {needed}"),
            kind: HintKind::Capabilities,
            pad_left: true,
            pad_right: false,
            trivial: false,
            tooltip: Some(tooltip.trim_end().to_string()),
            insert: Some(insert),
        });
    }
}

/// "`save` needs `fs` because it calls `write_log` (line 12), which calls
/// `fs::append`", for a capability `def`'s body needs.
fn reason(analysis: &Analysis, def: DefId, cap: Capability) -> Option<String> {
    let fc = analysis.caps.function(def)?;
    let r: &Reference = fc.because(cap)?;
    let file = analysis.program.def(def).file;
    Some(format!(
        "{} (line {})",
        analysis
            .caps
            .explain(&analysis.program, &analysis.typed, def, r, cap),
        line(analysis, file, r.span.start)
    ))
}

/// The hover of a `uses` entry at `offset` in `file`, if there is one.
pub fn clause_hover(analysis: &Analysis, file: FileId, offset: u32) -> Option<(Span, String)> {
    let program = &analysis.program;
    for (id, def) in program.defs_with_ids() {
        let DefKind::Fn(f) = &def.kind else {
            continue;
        };
        if def.file != file || !def.span.range().contains(&(offset as usize)) {
            continue;
        }
        let Some(name) = f
            .caps
            .iter()
            .find(|n| n.span.start <= offset && offset <= n.span.end)
        else {
            continue;
        };
        let fn_name = crate::codegen::function_name(program, &analysis.typed, id);
        let Some(cap) = Capability::from_name(&name.text) else {
            return Some((
                name.span,
                format!(
                    "`{}` is not a capability (they are {})",
                    name.text,
                    Capability::ALL
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        };
        let mut text = format!("**capability `{cap}`**: {}\n\n", meaning(cap));
        match reason(analysis, id, cap) {
            Some(r) => text.push_str(&r),
            None => {
                let _ = write!(
                    text,
                    "`{fn_name}` declares `{cap}`, but nothing in its body needs it (its callers must hold it all the same)"
                );
            }
        }
        return Some((name.span, text));
    }
    None
}

/// What hovering a function adds: what calling it needs, and why.
pub fn requirement_section(analysis: &Analysis, def: DefId) -> Option<String> {
    let program = &analysis.program;
    if !matches!(program.def(def).kind, DefKind::Fn(_)) {
        return None;
    }
    let need: CapSet = analysis.caps.requirement(program, def);
    if need.is_empty() {
        return None;
    }
    let fc = analysis.caps.function(def);
    let how = match fc.map(|f| f.declared.is_some()) {
        Some(false) => " (inferred)",
        _ => "",
    };
    let mut text = format!("needs `uses {need}`{how}");
    for cap in need.iter() {
        if let Some(r) = reason(analysis, def, cap) {
            let _ = write!(text, "\n- {r}");
        }
    }
    Some(text)
}
