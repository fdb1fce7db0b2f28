//! Real-time verification (LANGUAGE.md §7): what `#[realtime]` functions
//! and zone bodies may do, what a zone can hold at most, and that nothing
//! made in a zone outlives it.
//!
//! Three passes over each user function's typed AST:
//!
//! 1. [`rules`]: in *real-time code* — the body of a `#[realtime]`
//!    function, or of a `zone` anywhere — no `Gc` (W0804), no recursion
//!    (W0805), no loop without a bound (W0806), no blocking operation
//!    (W0807), no call of a function that is not fit for real time
//!    (W0808: a user function without `#[realtime]`, or a std entry the
//!    table does not mark), and no capability but `device` and `clock`
//!    (W0809). Each at the offending expression.
//! 2. [`bound`]: the worst case of bytes each zone takes, by adding what
//!    every allocation in its body can take (from the runtime's own
//!    layouts, `ward_runtime::zone::cost`), loops multiplied by their
//!    bounds, branches by their larger side, calls by the callee's own
//!    worst case, lists followed from their capacity through each `push`.
//!    A `zone { … }` without a size gets this bound, or W0810 when there is
//!    none; a `zone(N)` whose bound is larger than `N` gets W0811.
//! 3. [`escape`]: W0803 for a value made in a zone that would outlive it
//!    (stored in a place declared outside, sent to another task, the
//!    zone's own value, a `break` out of it), and for growing a list or
//!    string declared outside the zone from inside it.
//!
//! The results ([`Realtime`]) serve the editor (hints and hovers on zones)
//! and code generation (the size of a `zone { … }`).

mod bound;
mod escape;
mod rules;

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, FileId, Span};
use crate::resolve::{DefId, DefKind, Program};
use crate::syntax::ast::{Body, ExprId, ExprKind, Function};
use crate::types::BodyTypes;
use crate::types::TypedProgram;

/// What the real-time passes found.
#[derive(Debug, Default, Clone)]
pub struct Realtime {
    /// Every zone in the user's functions, in source order per file.
    pub zones: Vec<ZoneInfo>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Realtime {
    /// The zone whose expression starts at `start` in `file`.
    pub fn zone_at(&self, file: FileId, start: u32) -> Option<&ZoneInfo> {
        self.zones
            .iter()
            .find(|z| z.file == file && z.span.start == start)
    }
}

/// One `zone` expression.
#[derive(Debug, Clone)]
pub struct ZoneInfo {
    pub file: FileId,
    /// The whole expression, and its `zone` keyword.
    pub span: Span,
    pub keyword: Span,
    /// Where its body (`{`) starts: the hint goes just before.
    pub body_start: u32,
    /// `N` of `zone(N)` when it is a constant; `None` for `zone { … }`
    /// (and for a size computed at run time).
    pub reserved: Option<u64>,
    /// Whether it was written with a size.
    pub sized: bool,
    pub bound: Bound,
    /// How the bound was reached: each allocation or call that takes
    /// memory, in source order, with its total.
    pub terms: Vec<Term>,
}

/// A zone's worst case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    Bytes(u64),
    /// No bound: why, and where.
    Unknown {
        why: String,
        at: Span,
    },
}

/// One contribution to a zone's bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub span: Span,
    /// What takes the memory: "`List::with_capacity(64)`: 1 088 B".
    pub what: String,
    pub bytes: u64,
}

/// One user function with what the passes need about it.
#[derive(Clone, Copy)]
struct Fn<'a> {
    def: DefId,
    f: &'a Function,
    types: &'a BodyTypes,
    file: FileId,
}

impl<'a> Fn<'a> {
    fn body(&self) -> &'a Body {
        &self.f.body
    }
}

/// The program and the user functions, shared by the passes.
struct Cx<'a> {
    program: &'a Program,
    typed: &'a TypedProgram,
    fns: HashMap<DefId, Fn<'a>>,
}

impl<'a> Cx<'a> {
    fn is_realtime(&self, def: DefId) -> bool {
        self.program.def(def).has_attr("realtime")
    }

    /// `Type::method` or the path, as the std table and natives name it.
    fn name(&self, def: DefId) -> String {
        crate::codegen::function_name(self.program, self.typed, def)
    }

    /// The std table's row for `def`, if it is a std function.
    fn std_entry(&self, def: DefId) -> Option<&'static ward_runtime::stdlib::table::StdFn> {
        if !self.program.is_std_def(def) {
            return None;
        }
        ward_runtime::stdlib::table::entry(&self.name(def))
    }

    /// The function a call or method call (or a path naming one) resolves to.
    fn callee(&self, func: &Fn<'a>, e: ExprId) -> Option<DefId> {
        let body = func.body();
        let id = match &body.expr(e).kind {
            ExprKind::Call { callee, .. } => *callee,
            _ => e,
        };
        let def = *func.types.expr_defs.get(&id)?;
        matches!(self.program.def(def).kind, DefKind::Fn(_)).then_some(def)
    }

    /// `N` of an `int` constant expression.
    fn const_int(&self, func: &Fn<'a>, e: ExprId) -> Option<i64> {
        let module = self.program.def(func.def).module;
        crate::types::eval_int(self.program, func.file, module, func.body(), e).ok()
    }
}

/// Runs the three passes over every user function.
pub fn check_program(program: &Program, typed: &TypedProgram) -> Realtime {
    let mut fns = HashMap::new();
    for (id, d) in program.defs_with_ids() {
        if d.file == program.std_file {
            continue;
        }
        let DefKind::Fn(f) = &d.kind else { continue };
        let Some(types) = typed.bodies.get(&id) else {
            continue;
        };
        fns.insert(
            id,
            Fn {
                def: id,
                f,
                types,
                file: d.file,
            },
        );
    }
    let cx = Cx {
        program,
        typed,
        fns,
    };
    let mut out = Realtime::default();
    let mut order: Vec<&Fn<'_>> = cx.fns.values().collect();
    order.sort_by_key(|f| (f.file, program.def(f.def).span.start));
    let recursive = rules::recursive_calls(&cx);
    let mut bounds = bound::Bounds::new(&cx);
    for func in order {
        rules::check_function(&cx, func, &recursive, &mut out.diagnostics);
        for zone in zones_of(func.body()) {
            escape::check_zone(&cx, func, zone, &mut out.diagnostics);
            let info = bounds.zone(func, zone);
            out.diagnostics.extend(bound::diagnose(func, zone, &info));
            out.zones.push(info);
        }
    }
    out
}

/// The zone expressions of a body, outermost first.
fn zones_of(body: &Body) -> Vec<ExprId> {
    body.exprs
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e.kind, ExprKind::Zone { .. }))
        .map(|(i, _)| ExprId(u32::try_from(i).unwrap_or(u32::MAX)))
        .collect()
}

/// The span of `zone`'s keyword (the first four bytes of the expression).
fn keyword_span(span: Span) -> Span {
    Span::new(span.start, (span.start + 4).min(span.end))
}

/// `1216` as `1 216` (thin groups, as the editor's hints show figures).
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// How a zone's bound was reached, as Markdown (the hover on `zone` and
/// the hint's tooltip).
pub fn derivation(zone: &ZoneInfo) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    match &zone.bound {
        Bound::Bytes(b) => {
            let _ = write!(out, "**zone**: at most {} B", group_digits(*b));
        }
        Bound::Unknown { why, .. } => {
            let _ = write!(out, "**zone**: no computed bound: {why}");
        }
    }
    match (zone.reserved, zone.sized) {
        (Some(n), true) => {
            let _ = write!(out, " of the {} B it reserves", group_digits(n));
        }
        (_, false) => out.push_str(", which the compiler reserves"),
        (None, true) => out.push_str(" (its size is computed at run time)"),
    }
    out.push_str(".\n");
    if !zone.terms.is_empty() {
        out.push_str("\nWhat takes its memory, on the longest path:\n\n");
        for t in &zone.terms {
            let _ = writeln!(out, "- {}", t.what);
        }
        out.push_str(
            "\nLoops count at their bound, `if` and `match` at their larger branch, calls at the callee's own worst case; every allocation is rounded to 16 B.",
        );
    } else if matches!(zone.bound, Bound::Bytes(0)) {
        out.push_str("\nNothing in it allocates.");
    }
    out
}

/// What the editor shows after a zone's keyword.
pub fn hint_text(zone: &ZoneInfo) -> String {
    match (&zone.bound, zone.reserved) {
        (Bound::Bytes(b), Some(n)) => {
            format!("≤ {} B of {} B", group_digits(*b), group_digits(n))
        }
        (Bound::Bytes(b), None) => format!("≤ {} B", group_digits(*b)),
        (Bound::Unknown { .. }, Some(n)) => format!("? of {} B", group_digits(n)),
        (Bound::Unknown { .. }, None) => "no bound".to_string(),
    }
}
