//! Capabilities, checked statically (LANGUAGE.md §10).
//!
//! Every reference to a function — a call, a method call, or a mention as a
//! `fn` value — charges the function whose body it is written in with the
//! callee's requirement: a std entry's capability from the std table, a
//! declared function's `uses` clause, or a private function's inferred
//! requirement. Closures are charged where they are written: a closure's
//! body belongs to the enclosing function's body, so whatever it calls is
//! charged there (and `fn` types carry no capabilities). Naming a function
//! as a value charges the same as calling it. So every path to a
//! capability's effect passes through a function that either declares it
//! (and is checked) or has it inferred (and charges its own callers).
//!
//! Steps:
//! 1. Each user function's clause is read: unknown names are W0902. `pub`
//!    functions and `main` declare (no clause declares nothing); private
//!    ones without a clause are inferred.
//! 2. Each body's references are collected with their spans.
//! 3. Requirements are propagated over the call graph to a fixpoint (a
//!    worklist of inferred functions whose set grew; mutual recursion
//!    settles because sets only grow), remembering for each function and
//!    capability the first reference that brought it in — the chain the
//!    editor and W0901 show.
//! 4. Each declared function's references are checked against its clause:
//!    W0901 at each reference needing more, with a fix adding what lacks.

use crate::FxHashMap as HashMap;
use crate::diagnostics::{Diagnostic, FileSpan, Span, codes};
use crate::resolve::{DefId, DefKind, Program};
use crate::syntax::ast::{ExprId, ExprKind, Function, Name};
use crate::types::TypedProgram;
use std::fmt::Write as _;
use ward_runtime::caps::{CapSet, Capability, describe};

/// A place in a body that names a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// The call (`f(x)`, `.m(x)` from the method name) or the path.
    pub span: Span,
    pub callee: DefId,
    /// Called there, rather than taken as a `fn` value.
    pub called: bool,
}

/// What the checker learnt about one user function.
#[derive(Debug, Clone, Default)]
pub struct FnCaps {
    /// Its `uses` clause; `pub` functions and `main` without one declare
    /// the empty set. `None`: inferred.
    pub declared: Option<CapSet>,
    /// What its body needs.
    pub needed: CapSet,
    /// Every reference to a function in its body, in source order.
    pub references: Vec<Reference>,
    /// For each capability in `needed` (by index): the first reference
    /// that needs it.
    because: [Option<usize>; 6],
}

impl FnCaps {
    /// What calling it needs.
    pub fn requirement(&self) -> CapSet {
        self.declared.unwrap_or(self.needed)
    }

    /// The reference that brought `cap` into `needed`.
    pub fn because(&self, cap: Capability) -> Option<&Reference> {
        self.because[cap as usize].map(|i| &self.references[i])
    }
}

/// The result for a whole program.
#[derive(Debug, Default)]
pub struct Caps {
    fns: HashMap<DefId, FnCaps>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Caps {
    /// A user function's figures.
    pub fn function(&self, def: DefId) -> Option<&FnCaps> {
        self.fns.get(&def)
    }

    /// What calling `def` needs (a std entry's capability, a clause, or
    /// the inferred set).
    pub fn requirement(&self, program: &Program, def: DefId) -> CapSet {
        match self.fns.get(&def) {
            Some(f) => f.requirement(),
            None => declared_caps(program, def),
        }
    }

    /// The inferred requirement of a private function without a clause.
    pub fn inferred(&self, def: DefId) -> Option<CapSet> {
        self.fns
            .get(&def)
            .filter(|f| f.declared.is_none())
            .map(|f| f.needed)
    }

    /// Why `reference` needs `cap`, as the functions the need passes
    /// through: the callee, then each inferred function's reason, ending
    /// at a std entry or a function that declares it.
    pub fn chain(&self, reference: &Reference, cap: Capability) -> Vec<DefId> {
        let mut chain = vec![reference.callee];
        // A reason is recorded when its capability first arrives, from a
        // callee that already had it, so the walk never loops; the bound
        // is belt and braces.
        for _ in 0..self.fns.len() {
            let at = chain[chain.len() - 1];
            match self
                .fns
                .get(&at)
                .filter(|f| f.declared.is_none())
                .and_then(|f| f.because(cap))
            {
                Some(next) => chain.push(next.callee),
                None => break,
            }
        }
        chain
    }

    /// The sentence W0901 and hovers use: "`save` needs `fs` because it
    /// calls `write_log`, which calls `fs::append`".
    pub fn explain(
        &self,
        program: &Program,
        typed: &TypedProgram,
        from: DefId,
        reference: &Reference,
        cap: Capability,
    ) -> String {
        let name = |d: DefId| crate::codegen::function_name(program, typed, d);
        let chain = self.chain(reference, cap);
        let verb = if reference.called {
            "calls"
        } else {
            "refers to"
        };
        let mut text = format!(
            "`{}` needs `{cap}` because it {verb} `{}`",
            name(from),
            name(chain[0])
        );
        for &d in &chain[1..] {
            let _ = write!(text, ", which calls `{}`", name(d));
        }
        let end = chain[chain.len() - 1];
        if self.fns.get(&end).is_some_and(|f| f.declared.is_some()) {
            let _ = write!(text, ", which declares `uses {cap}`");
        }
        text
    }
}

/// The capabilities a function's `uses` clause names (unknown names left
/// out).
fn declared_caps(program: &Program, def: DefId) -> CapSet {
    match &program.def(def).kind {
        DefKind::Fn(f) => CapSet::of(f.caps.iter().filter_map(|n| Capability::from_name(&n.text))),
        _ => CapSet::EMPTY,
    }
}

/// Whether `def` is the program's entry (`main` at the root, not a method).
pub fn is_main(program: &Program, def: DefId) -> bool {
    let d = program.def(def);
    d.name.text == "main" && d.module == program.root && d.owner.is_none()
}

/// Checks every user function of a typed program.
pub fn check_program(program: &Program, typed: &TypedProgram) -> Caps {
    let mut caps = Caps::default();
    let users: Vec<(DefId, &Function)> = program
        .defs_with_ids()
        .filter(|(_, d)| d.file != program.std_file)
        .filter_map(|(id, d)| match &d.kind {
            DefKind::Fn(f) => Some((id, f)),
            _ => None,
        })
        .collect();
    // 1. Clauses.
    for &(id, f) in &users {
        let def = program.def(id);
        for name in &f.caps {
            if Capability::from_name(&name.text).is_none() {
                caps.diagnostics
                    .push(unknown_capability(FileSpan::new(def.file, name.span), name));
            }
        }
        let declared = (!f.caps.is_empty() || def.is_pub || is_main(program, id))
            .then(|| declared_caps(program, id));
        caps.fns.insert(
            id,
            FnCaps {
                declared,
                references: references(program, typed, id, f),
                ..FnCaps::default()
            },
        );
    }
    // 3. The fixpoint. First what fixed requirements (std entries,
    // declared functions) bring, then what inferred ones pass on.
    let mut callers: HashMap<DefId, Vec<DefId>> = HashMap::default();
    for (&id, f) in &caps.fns {
        for r in &f.references {
            callers.entry(r.callee).or_default().push(id);
        }
    }
    let fixed: HashMap<DefId, CapSet> = caps
        .fns
        .iter()
        .filter_map(|(&id, f)| f.declared.map(|d| (id, d)))
        .collect();
    let mut work: Vec<DefId> = Vec::new();
    for (&id, f) in &mut caps.fns {
        let needs: Vec<(usize, CapSet)> = f
            .references
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match fixed.get(&r.callee) {
                Some(d) => Some((i, *d)),
                None if program.is_std_def(r.callee) => Some((i, declared_caps(program, r.callee))),
                None => None,
            })
            .collect();
        for (i, need) in needs {
            add(f, need, i);
        }
        if f.declared.is_none() && !f.needed.is_empty() {
            work.push(id);
        }
    }
    while let Some(callee) = work.pop() {
        let need = caps.fns[&callee].needed;
        let Some(those) = callers.get(&callee) else {
            continue;
        };
        for &caller in those {
            let Some(f) = caps.fns.get_mut(&caller) else {
                continue;
            };
            if need.is_subset(f.needed) {
                continue;
            }
            let Some(i) = f.references.iter().position(|r| r.callee == callee) else {
                continue;
            };
            add(f, need, i);
            if f.declared.is_none() {
                work.push(caller);
            }
        }
    }
    // 4. Declared functions against their clauses.
    let mut diagnostics = Vec::new();
    for &(id, f) in &users {
        let fc = &caps.fns[&id];
        let Some(declared) = fc.declared else {
            continue;
        };
        for r in &fc.references {
            let missing = caps.requirement(program, r.callee).minus(declared);
            if !missing.is_empty() {
                diagnostics.push(missing_capability(program, typed, &caps, id, f, r, missing));
            }
        }
    }
    caps.diagnostics.extend(diagnostics);
    caps
}

/// Adds `need` to `f.needed`, recording reference `i` as the reason for
/// what is new.
fn add(f: &mut FnCaps, need: CapSet, i: usize) {
    for c in need.minus(f.needed).iter() {
        f.because[c as usize] = Some(i);
    }
    f.needed = f.needed.union(need);
}

/// 2. Every place in `def`'s body (closures included) naming a function.
fn references(program: &Program, typed: &TypedProgram, def: DefId, f: &Function) -> Vec<Reference> {
    let Some(types) = typed.bodies.get(&def) else {
        return Vec::new();
    };
    let body = &f.body;
    // A path that is a call's callee is reported at the whole call.
    let mut call_of: HashMap<ExprId, Span> = HashMap::default();
    for e in &body.exprs {
        if let ExprKind::Call { callee, .. } = &e.kind {
            call_of.insert(*callee, e.span);
        }
    }
    let mut out = Vec::new();
    for (i, e) in body.exprs.iter().enumerate() {
        let id = ExprId(u32::try_from(i).unwrap_or(u32::MAX));
        let Some(&callee) = types.expr_defs.get(&id) else {
            continue;
        };
        if !matches!(program.def(callee).kind, DefKind::Fn(_)) {
            continue;
        }
        let (span, called) = match &e.kind {
            ExprKind::MethodCall { method, .. } => (Span::new(method.span.start, e.span.end), true),
            ExprKind::Path(_) => match call_of.get(&id) {
                Some(call) => (*call, true),
                None => (e.span, false),
            },
            _ => continue,
        };
        out.push(Reference {
            span,
            callee,
            called,
        });
    }
    out.sort_by_key(|r| (r.span.start, r.span.end));
    out
}

fn unknown_capability(at: FileSpan, name: &Name) -> Diagnostic {
    let all: Vec<&str> = Capability::ALL.iter().map(|c| c.name()).collect();
    let mut d = Diagnostic::error(
        codes::UNKNOWN_CAPABILITY,
        at,
        format!("unknown capability `{}`", name.text),
    )
    .with_label("not a capability")
    .with_note(format!(
        "the capabilities are {}",
        all.iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    if let Some(similar) = crate::diagnostics::closest(&name.text, all.iter().copied()) {
        d = d.with_fix("a capability with a similar name exists", at, similar);
    }
    d
}

/// W0901: `reference` in `def` needs `missing`, which `def` does not
/// declare.
fn missing_capability(
    program: &Program,
    typed: &TypedProgram,
    caps: &Caps,
    def: DefId,
    f: &Function,
    reference: &Reference,
    missing: CapSet,
) -> Diagnostic {
    let d = program.def(def);
    let name = crate::codegen::function_name(program, typed, def);
    let callee = crate::codegen::function_name(program, typed, reference.callee);
    let what = describe(missing);
    let how = if f.caps.is_empty() {
        "which it does not declare"
    } else {
        "which its `uses` clause lacks"
    };
    let at = FileSpan::new(d.file, reference.span);
    let mut diag = Diagnostic::error(
        codes::MISSING_CAPABILITY,
        at,
        format!("`{name}` needs {what}, {how}"),
    )
    .with_label(format!("`{callee}` needs {what}"));
    // A std entry needs no chain: the label says it all.
    if !program.is_std_def(reference.callee) {
        for cap in missing.iter() {
            diag = diag.with_note(caps.explain(program, typed, def, reference, cap));
        }
    }
    if f.caps.is_empty() && (d.is_pub || is_main(program, def)) {
        let who = if is_main(program, def) {
            "`main`"
        } else {
            "a `pub` function"
        };
        diag = diag.with_note(format!(
            "{who} declares the capabilities it needs in a `uses` clause; only private functions without one have theirs inferred"
        ));
    }
    let (span, text) = clause_insertion(program, def, f, missing);
    diag.with_fix(
        format!("add {what} to the `uses` clause of `{name}`"),
        FileSpan::new(d.file, span),
        text,
    )
}

/// Where and what to insert to add `caps` to `f`'s clause: after its last
/// capability, or a new clause at the end of the signature.
pub fn clause_insertion(
    program: &Program,
    def: DefId,
    f: &Function,
    caps: CapSet,
) -> (Span, String) {
    let list = caps
        .iter()
        .map(Capability::name)
        .collect::<Vec<_>>()
        .join(", ");
    if let Some(last) = f.caps.last() {
        return (last.span.shrink_to_hi(), format!(", {list}"));
    }
    let end = signature_end(program, def, f);
    (Span::new(end, end), format!(" uses {list}"))
}

/// The byte just after the signature's last token (before the body).
pub fn signature_end(program: &Program, def: DefId, f: &Function) -> u32 {
    let text = &program.file(program.def(def).file).text;
    let sig = f.sig_span;
    let written = text.get(sig.range()).unwrap_or("");
    sig.start + u32::try_from(written.trim_end().len()).unwrap_or(0)
}
