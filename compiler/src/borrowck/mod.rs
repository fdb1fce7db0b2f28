//! The borrow checker: Rust's rules (as rustc's NLL checker enforces them)
//! over each function's MIR, organised as facts → solver → explanation.
//!
//! - [`moves`]: move paths and the initialisation dataflows (maybe-init,
//!   maybe-uninit, ever-init, move-outs); use after move, uninitialised
//!   use, assignment twice, moves out of borrows; drop elaboration.
//! - [`mutability`]: `&mut` of an immutable place, writes through `&`.
//! - [`sigs`]: region-annotated templates of signatures and fields.
//! - [`regions`]: region variables, outlives constraints, liveness and
//!   their least solution (NLL).
//! - [`loans`]: loans in scope and every access checked against them;
//!   lifetime errors between the signature's regions.
//! - [`dataflow`]: bit sets and the gen/kill solver.
//! - [`describe`]: naming places and types as rustc does in messages.
//!
//! What the checker learns that an editor can show (moves, drops) is
//! returned as plain data in [`FnFacts`].

// Counts of locals, blocks and statements are bounded by the source text,
// whose offsets are `u32`.
#![allow(clippy::cast_possible_truncation)]

pub mod cache;
pub mod dataflow;
pub mod describe;
mod dump;
pub mod extents;
pub mod loans;
pub mod moves;
pub mod mutability;
pub mod regions;
pub mod sigs;

use crate::diagnostics::{Diagnostic, FileId, FileSpan, Span};
use crate::mir::{Body, FnMir, Local};
use crate::resolve::{DefId, Program};
use crate::types::TypedProgram;
use describe::{Describer, Origins};
pub use dump::dump_facts;

/// Everything needed to check one body.
#[derive(Debug)]
pub struct BodyCx<'a> {
    pub program: &'a Program,
    pub typed: &'a TypedProgram,
    pub body: &'a Body,
    pub file: FileId,
    pub origins: Origins,
    /// Every location's events, computed once.
    pub events: crate::mir::visit::EventTable<'a>,
    /// Whether to record the editor facts (ownership states, loan live
    /// ranges), which cost time a plain check does not need.
    pub want_facts: bool,
}

impl<'a> BodyCx<'a> {
    pub fn new(
        program: &'a Program,
        typed: &'a TypedProgram,
        body: &'a Body,
        file: FileId,
    ) -> Self {
        BodyCx {
            program,
            typed,
            body,
            file,
            origins: Origins::new(body),
            events: crate::mir::visit::EventTable::new(body),
            want_facts: true,
        }
    }

    pub fn fs(&self, span: Span) -> FileSpan {
        FileSpan::new(self.file, span)
    }

    pub fn describer(&self) -> Describer<'_> {
        Describer {
            program: self.program,
            typed: self.typed,
            body: self.body,
            origins: &self.origins,
        }
    }
}

/// A value moved out of a named place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveFact {
    pub place: String,
    pub span: Span,
}

/// What a scope-end (or assignment) drop does once elaborated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropKind {
    /// The value is always there: dropped unconditionally.
    Static,
    /// Moved on some paths only: a run-time drop flag decides.
    Flagged,
    /// Some fields were moved: the remaining ones are dropped.
    Open,
    /// Always moved or never initialised: nothing to drop.
    Dead,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropPoint {
    pub place: Option<String>,
    pub local: Local,
    pub kind: DropKind,
    pub span: Span,
}

/// A lifetime the signature elides, and the name elision gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElidedLifetime {
    /// Where the lifetime would be written (an empty span).
    pub at: Span,
    /// What writing it would insert: `'1 ` after a `&`, `<'1>` after a
    /// struct name.
    pub text: String,
    pub name: String,
}

/// The ownership state of a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    Owned,
    Uninitialized,
    Moved,
    /// Moved on some paths to here only.
    MaybeMoved,
    PartiallyMoved,
    BorrowedShared,
    BorrowedMut,
    /// The last borrow of it ended.
    NotBorrowed,
}

impl Ownership {
    pub fn describe(self) -> &'static str {
        match self {
            Ownership::Owned => "owned",
            Ownership::Uninitialized => "uninitialized",
            Ownership::Moved => "moved",
            Ownership::MaybeMoved => "moved on some paths",
            Ownership::PartiallyMoved => "partially moved",
            Ownership::BorrowedShared => "borrowed shared",
            Ownership::BorrowedMut => "borrowed mut",
            Ownership::NotBorrowed => "not borrowed",
        }
    }
}

/// A variable's state changing at a statement (states hold until the
/// next change on the way through the function).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateFact {
    pub span: Span,
    pub local: String,
    pub state: Ownership,
}

/// What the checker found out about one function, for the editor.
#[derive(Debug, Clone, Default)]
pub struct FnFacts {
    pub def: Option<DefId>,
    pub file: FileId,
    pub name: String,
    pub moves: Vec<MoveFact>,
    pub drops: Vec<DropPoint>,
    pub loans: Vec<loans::LoanFact>,
    pub elided: Vec<ElidedLifetime>,
    pub states: Vec<StateFact>,
    /// Calls that start tasks, with what each moves into its task (the
    /// hover on `spawn`).
    pub spawns: Vec<SpawnFact>,
}

/// A call that starts a task (see `mir::SpawnSite`), for the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpawnFact {
    pub call: Span,
    /// `name: Type` of each value moved into the task.
    pub moved: Vec<String>,
    /// Locals the closure borrows (an error: W0373).
    pub borrowed: Vec<String>,
    /// The function passed instead of a closure.
    pub function: Option<String>,
}

/// Whether region inference can report anything in this body: it makes a
/// borrow, or its signature has references that may flow into each other
/// (a reference in the result, or one behind a `&mut` argument).
fn needs_regions(program: &Program, body: &Body) -> bool {
    use crate::types::Ty;
    let has_regions = |t: &Ty| {
        let mut found = false;
        t.walk(&mut |x| {
            found |= match x {
                Ty::Ref(..) | Ty::Fn(..) => true,
                Ty::Adt(d, _) => sigs::adt_lifetimes(program, *d) > 0,
                _ => false,
            };
        });
        found
    };
    let borrows = body.blocks.iter().any(|b| {
        b.statements.iter().any(|s| {
            matches!(
                s.kind,
                crate::mir::StatementKind::Assign(_, crate::mir::Rvalue::Ref(..))
            )
        })
    });
    if borrows || body.is_closure || has_regions(&body.local(Local::RETURN).ty) {
        return true;
    }
    body.args().any(|a| match &body.local(a).ty {
        Ty::Ref(true, inner) => has_regions(inner),
        Ty::Ref(false, _) => false,
        other => has_regions(other),
    })
}

/// W0801: a type whose arguments must be `'static` (`Gc<T>`, marked
/// `#[static_args]` in the std table) holding a reference. Reported at the
/// first statement that makes such a value.
fn gc_static(cx: &BodyCx<'_>, diags: &mut Vec<Diagnostic>) {
    let body = cx.body;
    let offending = |t: &crate::types::Ty| {
        let mut bad = None;
        t.walk(&mut |x| {
            if let crate::types::Ty::Adt(d, args) = x
                && cx.program.def(*d).has_attr("static_args")
                && args
                    .iter()
                    .any(|a| crate::types::ty::holds_reference(cx.program, &cx.typed.adts, a))
                && bad.is_none()
            {
                bad = Some(x.clone());
            }
        });
        bad
    };
    // Every value lives in some local, so only bodies with an offending
    // local type are searched for where the value is made.
    if !body.locals.iter().any(|l| offending(&l.ty).is_some()) {
        return;
    }
    let mut reported: Vec<crate::types::Ty> = Vec::new();
    for block in &body.blocks {
        let stores = block.statements.iter().filter_map(|st| match &st.kind {
            crate::mir::StatementKind::Assign(dest, _) => Some((dest, st.span)),
            _ => None,
        });
        let call = match &block.terminator.kind {
            crate::mir::TerminatorKind::Call { dest, .. } => Some((dest, block.terminator.span)),
            _ => None,
        };
        for (dest, span) in stores.chain(call) {
            let ty = crate::mir::place_ty(cx.program, cx.typed, body, dest);
            if let Some(bad) = offending(&ty)
                && !reported.contains(&bad)
            {
                let shown = crate::types::ty::display(cx.program, &bad);
                diags.push(
                    Diagnostic::error(
                        crate::diagnostics::codes::GC_NOT_STATIC,
                        cx.fs(span),
                        format!("`{shown}` holds a reference, but a value in the GC heap must be `'static`"),
                    )
                    .with_label("a reference cannot go into the GC heap")
                    .with_note("the collector cannot tell how long a borrowed value lives; store an owned value (clone it) or a `Gc` of one instead"),
                );
                reported.push(bad);
            }
        }
    }
}

/// W0802: values that would cross to another task without being `Send`
/// (see `mir::SendError`).
fn not_send(cx: &BodyCx<'_>, diags: &mut Vec<Diagnostic>) {
    use crate::mir::SendCrossing;
    use crate::types::ty::display;
    for e in &cx.body.send_errors {
        let shown = display(cx.program, &e.ty);
        let (message, label) = match &e.what {
            SendCrossing::Capture(name) => (
                format!("`{shown}` cannot be sent between tasks safely"),
                format!("`{name}` is moved into the task here"),
            ),
            SendCrossing::TypeArg(_) if e.callee.ends_with("channel") => (
                format!("`{shown}` cannot be sent between tasks safely"),
                format!("a channel carries its `{shown}` values from one task to another"),
            ),
            SendCrossing::TypeArg(_) => (
                format!("`{shown}` cannot be sent between tasks safely"),
                format!("the task's result, `{shown}`, goes back to the task that joins it"),
            ),
            SendCrossing::ClosureValue => (
                "this `fn` value cannot be sent between tasks safely".to_string(),
                "it may capture values that belong to this task".to_string(),
            ),
        };
        let mut d = Diagnostic::error(crate::diagnostics::codes::NOT_SEND, cx.fs(e.span), message)
            .with_label(label);
        if e.context != e.span {
            let what = if e.what == SendCrossing::ClosureValue {
                format!("`{}` runs it on another task", e.callee)
            } else {
                format!("this closure runs on another task (`{}`)", e.callee)
            };
            d = d.with_secondary(cx.fs(e.context), what);
        }
        if let Some(w) = &e.witness {
            let bad = display(cx.program, &w.ty);
            if !w.path.is_empty() {
                d = d.with_note(format!(
                    "`{}: {bad}` cannot leave the task that made it",
                    w.path
                ));
            } else if bad != shown {
                d = d.with_note(format!(
                    "it holds `{bad}`, which cannot leave the task that made it"
                ));
            }
        }
        d = d.with_note(match &e.what {
            SendCrossing::ClosureValue => "a closure stored in a variable or passed as a `fn` parameter may hold anything; write the closure in the call (`task::spawn(move || …)`) so that its captures are checked, or pass a function".to_string(),
            _ => "only `Send` values cross between tasks: a `Gc`, `Weak`, `RefCell`, `Cell`, reference or `fn` value belongs to one task's heap; send owned data instead (a `.clone()` of what is inside)".to_string(),
        });
        diags.push(d);
    }
}

/// Adds a machine-applicable insertion to a diagnostic.
pub trait InsertFix {
    #[must_use]
    fn with_insert(self, at: FileSpan, text: String, message: impl Into<String>) -> Self;
}

impl InsertFix for Diagnostic {
    fn with_insert(self, at: FileSpan, text: String, message: impl Into<String>) -> Self {
        self.with_fix(message, at, text)
    }
}

/// The result of checking a program's functions.
#[derive(Debug, Default)]
pub struct Results {
    pub diagnostics: Vec<Diagnostic>,
    pub facts: Vec<std::sync::Arc<FnFacts>>,
}

/// Builds MIR for every user function and checks it, skipping bodies
/// the front end already found errors in (`front_end`).
pub fn check_program(
    program: &Program,
    typed: &TypedProgram,
    front_end: &[Diagnostic],
    want_facts: bool,
) -> Results {
    check_program_cached(
        program,
        typed,
        front_end,
        want_facts,
        &mut cache::Cache::default(),
    )
}

/// [`check_program`], reusing (and filling) a per-function cache: after an
/// edit inside one function only that function is checked again.
pub fn check_program_cached(
    program: &Program,
    typed: &TypedProgram,
    front_end: &[Diagnostic],
    want_facts: bool,
    cache: &mut cache::Cache,
) -> Results {
    let keys = crate::incremental::body_keys(program);
    check_program_until(program, typed, front_end, want_facts, &keys, cache, &|| {
        false
    })
    .unwrap_or_default()
}

/// [`check_program_cached`] that gives up (`None`) at the next function
/// once `cancelled` says so (a newer version of the document arrived).
/// The functions checked until then stay in the cache.
pub fn check_program_until(
    program: &Program,
    typed: &TypedProgram,
    front_end: &[Diagnostic],
    want_facts: bool,
    keys: &crate::incremental::BodyKeys,
    cache: &mut cache::Cache,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Results> {
    let mut out = Results::default();
    let mut used = std::collections::HashSet::new();
    cache.hits = 0;
    cache.misses = 0;
    // Results from the cache first; the rest are checked on every core.
    let mut done: Vec<Option<(Vec<Diagnostic>, std::sync::Arc<FnFacts>)>> = Vec::new();
    let mut todo = Vec::new();
    for i in 0..program.defs.len() {
        let def = DefId(u32::try_from(i).unwrap_or(u32::MAX));
        let d = program.def(def);
        if d.file == program.std_file {
            continue;
        }
        // A body with errors in it would only produce follow-on errors.
        let inside = |x: &Diagnostic| {
            x.is_error()
                && x.span.file == d.file
                && x.span.span.start >= d.span.start
                && x.span.span.end <= d.span.end
        };
        if front_end.iter().any(inside) {
            continue;
        }
        let key = keys.get(&def).map(|&k| cache::Cache::key(k, want_facts));
        if let Some(key) = key {
            used.insert(key);
        }
        if let Some(hit) =
            key.and_then(|key| cache.get(key, d.span.start, d.file, &keys.identities))
        {
            cache.hits += 1;
            done.push(Some(hit));
        } else {
            todo.push((done.len(), def, key));
            done.push(None);
        }
    }
    let checked =
        crate::parallel::map_with(&todo, cancelled, &sigs::Templates::default, &|templates,
                                                                                 &(
            _,
            def,
            _,
        )| {
            let mir = crate::mir::build::build_fn(program, typed, def)?;
            let mut diags = Vec::new();
            let facts = check_fn(program, typed, &mir, templates, want_facts, &mut diags);
            Some((diags, std::sync::Arc::new(facts)))
        });
    for (&(at, def, key), result) in todo.iter().zip(checked) {
        // A job the cancellation stopped leaves the whole result unusable.
        let checked = result?;
        if let Some((diags, facts)) = &checked {
            let d = program.def(def);
            cache.misses += 1;
            if let Some(key) = key {
                cache.put(key, d.file, d.span, diags, facts, &keys.identities);
            }
        }
        done[at] = checked;
    }
    cache.keep_only(&used);
    for (diags, facts) in done.into_iter().flatten() {
        out.diagnostics.extend(diags);
        out.facts.push(facts);
    }
    Some(out)
}

/// Closures passed where a `fn(A) -> B` parameter allows less than they
/// do (see `mir::KindError`). A closure written in the argument is held to
/// the parameter's kind, so each use that breaks it is the error (as rustc
/// infers the closure's kind from the bound); a closure variable already
/// has its kind, so the argument is (W0525).
fn closure_kinds(cx: &BodyCx<'_>, diags: &mut Vec<Diagnostic>) {
    use crate::diagnostics::codes;
    use crate::mir::capture::{ClosureKind, WitnessUse};
    let name = ClosureKind::name;
    for ke in cx
        .body
        .kind_errors
        .iter()
        .filter(|ke| !is_kind_mismatch(ke))
    {
        let allowed = name(ke.allowed);
        let article = if ke.allowed == ClosureKind::Fn {
            "an"
        } else {
            "a"
        };
        for w in ke.witnesses.iter().filter(|w| w.kind > ke.allowed) {
            let (code, message, label) = match w.how {
                WitnessUse::Assign => (
                    codes::ASSIGN_TO_IMMUTABLE,
                    format!(
                        "cannot assign to `{}`, as it is a captured variable in a `{allowed}` closure",
                        w.name
                    ),
                    "cannot assign",
                ),
                WitnessUse::MutBorrow => (
                    codes::BORROW_MUT_OF_IMMUTABLE,
                    format!(
                        "cannot borrow `{}` as mutable, as it is a captured variable in a `{allowed}` closure",
                        w.name
                    ),
                    "cannot borrow as mutable",
                ),
                WitnessUse::Move => (
                    codes::MOVE_OUT_OF_BORROW,
                    format!(
                        "cannot move out of `{}`, a captured variable in {article} `{allowed}` closure",
                        w.name
                    ),
                    "move occurs here",
                ),
            };
            let at = cx.fs(w.span);
            // The same use may already be reported (a variable not
            // declared `mut`): once is enough.
            if diags.iter().any(|d| d.code == code && d.span == at) {
                continue;
            }
            diags.push(
                    Diagnostic::error(code, at, message)
                        .with_label(label)
                        .with_secondary(
                            cx.fs(ke.span),
                            format!("this closure is passed where an `{allowed}` closure is expected"),
                        )
                        .with_note(format!(
                            "a `fn(A) -> B` parameter may be called any number of times{}",
                            if ke.allowed == ClosureKind::Fn {
                                " through a shared reference; declare it `mut f: fn(…)` to accept a closure that changes its captures"
                            } else {
                                ""
                            }
                        )),
                );
        }
    }
}

/// A closure whose kind is already decided where it is passed (a closure
/// variable) is rustc's E0525, a type error: the function is not borrow
/// checked further. A closure written in the argument instead takes the
/// parameter's kind, and its uses inside are the errors.
fn is_kind_mismatch(ke: &crate::mir::KindError) -> bool {
    !ke.literal || !ke.witnesses.iter().any(|w| w.kind > ke.allowed)
}

/// The W0525 errors of a body (see [`is_kind_mismatch`]).
fn kind_mismatches(cx: &BodyCx<'_>) -> Vec<Diagnostic> {
    use crate::diagnostics::codes;
    use crate::mir::capture::ClosureKind;
    let name = ClosureKind::name;
    let mut out = Vec::new();
    for ke in cx.body.kind_errors.iter().filter(|ke| is_kind_mismatch(ke)) {
        let allowed = name(ke.allowed);
        out.push(
                Diagnostic::error(
                    codes::CLOSURE_KIND,
                    cx.fs(ke.span),
                    format!(
                        "expected a closure that implements the `{allowed}` trait, but this closure only implements `{}`",
                        name(ke.found)
                    ),
                )
                .with_label(format!("this closure implements `{}`, not `{allowed}`", name(ke.found)))
                .with_note("a `fn(A) -> B` parameter takes `Fn` closures, a `mut` one `FnMut` closures; a closure that moves a capture out can only be called where it is known to be called once"),
            );
    }
    out
}

/// Checks a function's body and its closures.
pub fn check_fn(
    program: &Program,
    typed: &TypedProgram,
    mir: &FnMir,
    templates: &mut sigs::Templates,
    want_facts: bool,
    diags: &mut Vec<Diagnostic>,
) -> FnFacts {
    let first_new = diags.len();
    let mut facts = FnFacts {
        def: Some(mir.def),
        file: mir.file,
        name: mir.name.clone(),
        ..FnFacts::default()
    };
    if let Some(sig) = templates.sig(program, typed, mir.def) {
        for (span, is_ref, r) in &sig.elided {
            let name = sig.region_name(*r);
            let (at, text) = if *is_ref {
                (
                    Span::new(span.start + 1, span.start + 1),
                    format!("{name} "),
                )
            } else {
                (span.shrink_to_hi(), format!("<{name}>"))
            };
            facts.elided.push(ElidedLifetime { at, text, name });
        }
    }
    let mismatches: Vec<Diagnostic> = std::iter::once(&mir.body)
        .chain(mir.closures.iter())
        .flat_map(|body| kind_mismatches(&BodyCx::new(program, typed, body, mir.file)))
        .collect();
    if !mismatches.is_empty() {
        diags.extend(mismatches);
        return facts;
    }
    for body in std::iter::once(&mir.body).chain(mir.closures.iter()) {
        facts.spawns.extend(body.spawns.iter().map(|s| {
            SpawnFact {
                call: s.call,
                moved: s
                    .moved
                    .iter()
                    .map(|(name, ty)| format!("{name}: {}", crate::types::ty::display(program, ty)))
                    .collect(),
                borrowed: s.borrowed.clone(),
                function: s.function.clone(),
            }
        }));
        let mut cx = BodyCx::new(program, typed, body, mir.file);
        cx.want_facts = want_facts;
        gc_static(&cx, diags);
        not_send(&cx, diags);
        let init = moves::check(&cx, diags);
        mutability::check(&cx, diags);
        closure_kinds(&cx, diags);
        // Without a borrow in the body and references that could flow
        // between the signature's lifetimes, region inference can find
        // nothing: skip it.
        if needs_regions(program, body) {
            let regions = regions::infer(&cx, templates, Some(mir.def));
            let loans = loans::check(&cx, &regions, diags);
            facts.loans.extend(loans.facts);
            facts.states.extend(loans.states);
        }
        facts.moves.extend(init.moves);
        facts.states.extend(init.states);
        facts
            .drops
            .extend(init.drops.into_iter().filter(|d| d.place.is_some()));
    }
    facts.states.sort_by_key(|s| s.span.start);
    // Assigning a field of an uninitialised binding is the initialisation
    // error only (as rustc reports it), not also a mutability one.
    let uninit: Vec<FileSpan> = diags[first_new..]
        .iter()
        .filter(|d| {
            d.code == crate::diagnostics::codes::UNINITIALIZED
                && d.message.starts_with("partially assigned")
        })
        .map(|d| d.span)
        .collect();
    // An assignment that conflicts with a loan is reported as that
    // conflict only (rustc reports one error per access).
    let conflicts: Vec<FileSpan> = diags[first_new..]
        .iter()
        .filter(|d| d.code == crate::diagnostics::codes::ASSIGN_WHILE_BORROWED)
        .map(|d| d.span)
        .collect();
    let mut k = first_new;
    while k < diags.len() {
        let code = diags[k].code;
        let redundant = (code == crate::diagnostics::codes::ASSIGN_TO_IMMUTABLE
            && uninit.contains(&diags[k].span))
            || (code == crate::diagnostics::codes::ASSIGN_TWICE
                && conflicts.contains(&diags[k].span));
        if redundant {
            diags.remove(k);
        } else {
            k += 1;
        }
    }
    facts
}
