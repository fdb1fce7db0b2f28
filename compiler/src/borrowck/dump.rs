//! The text form of the editor facts, printed by `ward check --dump-facts`
//! (one block per function; positions are `line:column`, 1-based).

use super::{DropKind, FnFacts};
use crate::diagnostics::Span;
use crate::resolve::Program;
use std::fmt::Write as _;

pub fn dump_facts(program: &Program, facts: &FnFacts) -> String {
    let file = program.file(facts.file);
    let at = |span: Span| {
        let (l, c) = file.line_col_chars(span.start);
        format!("{l}:{c}")
    };
    let line = |span: Span| file.line_col_chars(span.start).0;
    let mut out = String::new();
    let _ = writeln!(out, "fn {}", facts.name);
    for e in &facts.elided {
        let _ = writeln!(
            out,
            "  elided {} at {} (insert `{}`)",
            e.name,
            at(e.at),
            e.text
        );
    }
    for m in &facts.moves {
        let _ = writeln!(out, "  move `{}` at {}", m.place, at(m.span));
    }
    for d in &facts.drops {
        let Some(place) = &d.place else { continue };
        let kind = match d.kind {
            DropKind::Static => "drop",
            DropKind::Flagged => "drop (if not moved: flag)",
            DropKind::Open => "drop (fields not moved)",
            DropKind::Dead => continue,
        };
        let _ = writeln!(out, "  {kind} `{place}` at {}", at(d.span));
    }
    for l in &facts.loans {
        let kind = if l.mutable { "&mut" } else { "&" };
        let mut lines: Vec<usize> = l.live.iter().map(|s| line(*s)).collect();
        lines.sort_unstable();
        lines.dedup();
        let live = ranges(&lines);
        let _ = writeln!(
            out,
            "  loan {kind} `{}` at {}, live on lines {live}",
            l.place,
            at(l.span)
        );
    }
    for s in &facts.states {
        let _ = writeln!(
            out,
            "  state `{}` {} at {}",
            s.local,
            s.state.describe(),
            at(s.span)
        );
    }
    out
}

/// `3-5, 8` from `[3, 4, 5, 8]`.
fn ranges(lines: &[usize]) -> String {
    if lines.is_empty() {
        return "(none)".into();
    }
    let mut parts = Vec::new();
    let mut start = lines[0];
    let mut prev = lines[0];
    for &l in &lines[1..] {
        if l != prev + 1 {
            parts.push(if start == prev {
                start.to_string()
            } else {
                format!("{start}-{prev}")
            });
            start = l;
        }
        prev = l;
    }
    parts.push(if start == prev {
        start.to_string()
    } else {
        format!("{start}-{prev}")
    });
    parts.join(", ")
}
