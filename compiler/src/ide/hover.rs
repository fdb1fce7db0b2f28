//! What hovering a name shows: its declaration, and for variables the
//! ownership state at that point from the borrow checker's facts.

use super::index::{Index, Target};
use crate::analysis::Analysis;
use crate::borrowck::{FnFacts, Ownership};
use crate::diagnostics::{FileId, Span};
use crate::resolve::{DefId, DefKind, Program};
use crate::types::ty::display;
use std::fmt::Write as _;

/// A hover: the name's span and Markdown text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

pub fn hover(analysis: &Analysis, index: &Index, file: FileId, offset: u32) -> Option<Hover> {
    if let Some((span, markdown)) = super::caps::clause_hover(analysis, file, offset) {
        return Some(Hover { span, markdown });
    }
    if let Some(zone) = analysis
        .realtime
        .zones
        .iter()
        .find(|z| z.file == file && z.keyword.start <= offset && offset <= z.keyword.end)
    {
        return Some(Hover {
            span: zone.keyword,
            markdown: crate::realtime::derivation(zone),
        });
    }
    let occ = index.at(file, offset)?;
    let markdown = match &occ.target {
        Target::Local { owner, local } => {
            local_hover(analysis, *owner, *local, file, occ.span.start)?
        }
        Target::Def(d) => {
            let mut text = def_hover(analysis, *d);
            if analysis.program.def(*d).has_attr("detaches")
                && let Some(section) = spawn_section(analysis, file, occ.span.start)
            {
                text.push_str("\n\n");
                text.push_str(&section);
            }
            text
        }
        Target::Field { adt, name } => field_hover(analysis, *adt, name)?,
    };
    Some(Hover {
        span: occ.span,
        markdown,
    })
}

/// What the task started by the call around `offset` takes along.
fn spawn_section(analysis: &Analysis, file: FileId, offset: u32) -> Option<String> {
    let site = analysis
        .facts
        .iter()
        .filter(|f| f.file == file)
        .flat_map(|f| &f.spawns)
        .filter(|s| s.call.start <= offset && offset < s.call.end)
        .min_by_key(|s| s.call.end - s.call.start)?;
    let mut out = String::new();
    if let Some(f) = &site.function {
        let _ = write!(out, "**This task** runs `{f}`, which takes nothing along.");
        return Some(out);
    }
    if site.moved.is_empty() {
        out.push_str("**Moves into the task:** nothing (the closure captures no value).");
    } else {
        out.push_str("**Moves into the task:**");
        for m in &site.moved {
            let _ = write!(out, "\n- `{m}`");
        }
        out.push_str("\n\nThey leave this task: its heap keeps no copy, and using them here after the spawn is a use after move.");
    }
    if !site.borrowed.is_empty() {
        let names: Vec<String> = site.borrowed.iter().map(|b| format!("`{b}`")).collect();
        let _ = write!(
            out,
            "\n\n**Borrows** {} — a task cannot borrow from this one (W0373): write `move ||`.",
            names.join(", ")
        );
    }
    Some(out)
}

fn code(text: &str) -> String {
    format!("```ward\n{text}\n```")
}

/// 1-based line of `offset` in `file`.
fn line(program: &Program, file: FileId, offset: u32) -> u32 {
    program.file(file).line_col(offset).0 + 1
}

pub fn facts_of(analysis: &Analysis, def: DefId) -> Option<&FnFacts> {
    analysis
        .facts
        .iter()
        .find(|f| f.def == Some(def))
        .map(|f| &**f)
}

/// The place names a variable's facts are recorded under: `x` itself and
/// paths through it (`x.name`, `*x`).
fn is_place_of(place: &str, name: &str) -> bool {
    let place = place.trim_start_matches('*');
    place == name
        || place
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// The last state change of the variable `name` at or before `offset`
/// (states hold until the next change).
pub fn state_at<'a>(
    facts: &'a FnFacts,
    name: &str,
    offset: u32,
) -> Option<&'a crate::borrowck::StateFact> {
    facts
        .states
        .iter()
        .filter(|s| s.local == name && s.span.start <= offset)
        .max_by_key(|s| s.span.start)
}

/// The last state change of `name` strictly before `offset`: the state a
/// use starting at `offset` finds (the use itself may change it).
fn state_before<'a>(
    facts: &'a FnFacts,
    name: &str,
    offset: u32,
) -> Option<&'a crate::borrowck::StateFact> {
    facts
        .states
        .iter()
        .filter(|s| s.local == name && s.span.start < offset)
        .max_by_key(|s| s.span.start)
}

fn is_moved(state: Ownership) -> bool {
    matches!(
        state,
        Ownership::Moved | Ownership::MaybeMoved | Ownership::PartiallyMoved
    )
}

/// Whether the variable `name` was moved out (on some path) before the
/// use at `offset`, not counting a move at `offset` itself.
pub fn moved_before(facts: &FnFacts, name: &str, offset: u32) -> bool {
    let at_move = facts
        .moves
        .iter()
        .any(|m| is_place_of(&m.place, name) && m.span.start <= offset && offset < m.span.end);
    !at_move
        && state_before(facts, name, offset)
            .is_some_and(|s| matches!(s.state, Ownership::Moved | Ownership::MaybeMoved))
}

/// The ownership state of `name` at `offset` (the start of a use), as a
/// phrase: "owned",
/// "moved at line 12", "borrowed mutably until line 15".
pub fn ownership_at(
    program: &Program,
    facts: &FnFacts,
    file: FileId,
    name: &str,
    offset: u32,
) -> Option<String> {
    if let Some(m) = facts
        .moves
        .iter()
        .find(|m| is_place_of(&m.place, name) && m.span.start <= offset && offset <= m.span.end)
    {
        let whole = m.place == name;
        return Some(
            if whole {
                "moved here"
            } else {
                "partially moved here"
            }
            .to_string(),
        );
    }
    // A use of a moved value is itself a (failed) borrow or move: the
    // state before it is what the reader wants to know.
    let state = match state_before(facts, name, offset) {
        Some(b) if is_moved(b.state) => b,
        _ => state_at(facts, name, offset)?,
    };
    let phrase = match state.state {
        Ownership::Moved | Ownership::MaybeMoved | Ownership::PartiallyMoved => {
            let moved = facts
                .moves
                .iter()
                .filter(|m| is_place_of(&m.place, name) && m.span.start <= offset)
                .max_by_key(|m| m.span.start);
            match moved {
                Some(m) => format!(
                    "{} at line {}",
                    state.state.describe(),
                    line(program, file, m.span.start)
                ),
                None => state.state.describe().to_string(),
            }
        }
        Ownership::BorrowedMut | Ownership::BorrowedShared => {
            let mutable = state.state == Ownership::BorrowedMut;
            let how = if mutable {
                "borrowed mutably"
            } else {
                "borrowed"
            };
            let until = facts
                .loans
                .iter()
                .filter(|l| {
                    l.mutable == mutable
                        && is_place_of(&l.place, name)
                        && l.span.start <= offset.max(state.span.start)
                })
                .max_by_key(|l| l.span.start)
                .and_then(|l| l.live.iter().map(|s| s.end).max());
            match until {
                Some(end) => format!("{how} until line {}", line(program, file, end)),
                None => how.to_string(),
            }
        }
        Ownership::NotBorrowed => "owned".to_string(),
        other => other.describe().to_string(),
    };
    Some(phrase)
}

fn local_hover(
    analysis: &Analysis,
    owner: DefId,
    local: crate::types::LocalId,
    file: FileId,
    offset: u32,
) -> Option<String> {
    let program = &analysis.program;
    let l = analysis
        .typed
        .bodies
        .get(&owner)?
        .locals
        .get(local.0 as usize)?;
    let mutable = if l.mutable { "mut " } else { "" };
    let name = if l.name == "self" {
        "self".to_string()
    } else {
        format!("let {mutable}{}", l.name)
    };
    let mut out = code(&format!("{name}: {}", display(program, &l.ty)));
    if let Some(facts) = facts_of(analysis, owner) {
        if let Some(state) = ownership_at(program, facts, file, &l.name, offset) {
            let _ = write!(out, "\n\n**{state}**");
        }
        if let Some(drop) = facts
            .drops
            .iter()
            .filter(|d| d.kind != crate::borrowck::DropKind::Dead)
            .find(|d| d.place.as_deref() == Some(l.name.as_str()) && d.span.start >= l.span.end)
        {
            let how = match drop.kind {
                crate::borrowck::DropKind::Flagged => "dropped (if still owned)",
                crate::borrowck::DropKind::Open => "remaining fields dropped",
                _ => "dropped",
            };
            let _ = write!(
                out,
                " · {how} at line {}",
                line(program, file, drop.span.start)
            );
        }
    }
    Some(out)
}

/// A function's signature as written, with the lifetimes elision chose
/// written in.
pub(crate) fn signature(
    analysis: &Analysis,
    def: DefId,
    f: &crate::syntax::ast::Function,
) -> String {
    let program = &analysis.program;
    let text = &program.file(program.def(def).file).text;
    let (start, end) = (f.sig_span.start as usize, f.sig_span.end as usize);
    let Some(mut sig) = text.get(start..end) else {
        return format!("fn {}", f.name.text);
    };
    // Attributes (`#[native]`, `#[test]`) are not part of the signature.
    let mut start = start;
    while sig.starts_with("#[") {
        let Some(close) = sig.find(']') else { break };
        let rest = &sig[close + 1..];
        let trimmed = rest.trim_start();
        start += close + 1 + (rest.len() - trimmed.len());
        sig = trimmed;
    }
    let elided = facts_of(analysis, def).map_or(&[][..], |facts| &facts.elided[..]);
    if elided.is_empty() {
        return sig.trim_end().to_string();
    }
    let mut out = String::new();
    let mut at = start;
    let mut inserts: Vec<_> = elided.iter().collect();
    inserts.sort_by_key(|e| e.at.start);
    for e in inserts {
        let pos = (e.at.start as usize).clamp(at, end);
        out.push_str(&text[at..pos]);
        out.push_str(&e.text);
        at = pos;
    }
    out.push_str(&text[at..end]);
    out.trim_end().to_string()
}

/// An item's full path: `clinic::Patient`, `clinic::Patient::new`,
/// `List::push`.
pub fn qualified(analysis: &Analysis, d: DefId) -> String {
    let program = &analysis.program;
    let def = program.def(d);
    if let DefKind::Variant { .. } = def.kind {
        return program.def_path(d);
    }
    let mut parts = Vec::new();
    let module = program.module_path(def.module);
    let module = module
        .strip_prefix("std::")
        .unwrap_or(if module == "std" { "" } else { &module });
    if !module.is_empty() {
        parts.push(module.to_string());
    }
    if let Some(imp) = def.owner
        && let Some((_, ty)) = analysis.typed.impl_self.get(&imp)
    {
        let ty = display(program, ty);
        // `List<T>::push` reads as `List::push`.
        parts.push(ty.split('<').next().unwrap_or(&ty).to_string());
    }
    parts.push(def.name.text.clone());
    parts.join("::")
}

pub(crate) fn def_hover(analysis: &Analysis, d: DefId) -> String {
    let program = &analysis.program;
    let def = program.def(d);
    let path = qualified(analysis, d);
    let head = match &def.kind {
        DefKind::Fn(f) => {
            let sig = signature(analysis, d, f);
            let elided = facts_of(analysis, d).map_or(0, |facts| facts.elided.len());
            let mut s = code(&sig);
            if elided > 0 {
                s.push_str("\n\nlifetimes elided in the signature are shown as `'1`, `'2`…");
            }
            s
        }
        DefKind::Struct(_) => {
            let fields = analysis.typed.adts.fields.get(&d);
            let body = fields.map_or(String::new(), |fs| {
                fs.iter().fold(String::new(), |mut s, f| {
                    let _ = writeln!(s, "    {}: {},", f.name, display(program, &f.ty));
                    s
                })
            });
            code(&format!("struct {} {{\n{body}}}", def.name.text))
        }
        DefKind::Enum(_) => {
            let variants = program
                .variants(d)
                .into_iter()
                .fold(String::new(), |mut s, v| {
                    let _ = writeln!(s, "    {},", program.def(v).name.text);
                    s
                });
            code(&format!("enum {} {{\n{variants}}}", def.name.text))
        }
        DefKind::Variant { parent, .. } => {
            let fields = analysis.typed.adts.fields.get(&d);
            let list = fields.map_or(String::new(), |fs| {
                let tys: Vec<String> = fs.iter().map(|f| display(program, &f.ty)).collect();
                if fs.is_empty() {
                    String::new()
                } else if fs.iter().all(|f| f.name.parse::<u32>().is_ok()) {
                    format!("({})", tys.join(", "))
                } else {
                    let named: Vec<String> = fs
                        .iter()
                        .zip(&tys)
                        .map(|(f, t)| format!("{}: {t}", f.name))
                        .collect();
                    format!(" {{ {} }}", named.join(", "))
                }
            });
            code(&format!(
                "{}::{}{list}",
                program.def(*parent).name.text,
                def.name.text
            ))
        }
        DefKind::Const(_) => {
            let ty = analysis
                .typed
                .const_types
                .get(&d)
                .map_or_else(|| "_".into(), |t| display(program, t));
            code(&format!("const {}: {ty}", def.name.text))
        }
        DefKind::Module(_) => code(&format!("mod {}", def.name.text)),
    };
    let mut out = String::new();
    if !path.is_empty() && path != def.name.text {
        let _ = write!(out, "`{path}`\n\n");
    }
    out.push_str(&head);
    if let Some(needs) = super::caps::requirement_section(analysis, d) {
        out.push_str("\n\n");
        out.push_str(&needs);
    }
    if let Some(doc) = &def.doc {
        out.push_str("\n\n---\n\n");
        out.push_str(doc.trim());
    }
    out
}

fn field_hover(analysis: &Analysis, adt: DefId, name: &str) -> Option<String> {
    let program = &analysis.program;
    let f = analysis
        .typed
        .adts
        .fields
        .get(&adt)?
        .iter()
        .find(|f| f.name == name)?;
    Some(format!(
        "`{}`\n\n{}",
        qualified(analysis, adt),
        code(&format!("{}: {}", f.name, display(program, &f.ty)))
    ))
}
