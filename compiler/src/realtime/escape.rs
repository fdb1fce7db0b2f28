//! W0803: nothing made in a zone may outlive it.
//!
//! A value built inside a zone — a string, list, record, variant or
//! closure, or anything holding one — lives in the zone's memory, which
//! its closing brace releases. The zone's body is walked for the ways such
//! a value could stay reachable after that:
//!
//! - assigned (or compound-assigned) to a place whose variable is declared
//!   outside the zone, or through a reference;
//! - moved into a container declared outside the zone (`push`, `insert`,
//!   `set`, `replace`), or sent to another task (`send`, `try_send`);
//! - passed to a user function together with a `&mut` to a place outside
//!   the zone, which the function could store it in;
//! - the zone's own value (unless that is the function's result), or the
//!   value of a `break` out of it.
//!
//! Growing a list or string declared outside the zone from inside it is
//! reported too: its new buffer would come from the zone. Leaving by
//! `return` or `?`, or as the function's result, is allowed: the VM
//! copies the value out of the zone as it leaves (`zone_exit`).

use super::{Cx, Fn};
use crate::diagnostics::{Diagnostic, FileSpan, Span, codes};
use crate::resolve::DefKind;
use crate::syntax::ast::{ExprId, ExprKind, Literal, UnaryOp};
use crate::types::Ty;

/// Std methods that grow their receiver.
const GROWS: &[&str] = &[
    "List::push",
    "List::insert",
    "String::push",
    "String::push_str",
    "Map::insert",
];

/// Std methods that keep an argument in their receiver.
const STORES: &[&str] = &[
    "List::push",
    "List::insert",
    "Map::insert",
    "RefCell::replace",
    "Cell::set",
    "Cell::replace",
];

/// Std methods that send an argument to another task.
const SENDS: &[&str] = &["Sender::send", "Sender::try_send"];

/// Std methods that hand back a value their receiver held (which was not
/// made in the zone just because it is taken out there).
const TAKES_OUT: &[&str] = &[
    "List::pop",
    "List::remove",
    "Option::take",
    "RefCell::replace",
    "Cell::replace",
];

/// Where a place's variable lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    Inside,
    Outside,
    Unknown,
}

struct Check<'c, 'a, 'o> {
    cx: &'c Cx<'a>,
    func: &'c Fn<'a>,
    /// The zone's body.
    inside: Span,
    /// The zone's closing brace.
    end: Span,
    /// Labels of the loops entered inside the zone (`None`: unlabelled).
    loops: Vec<Option<String>>,
    out: &'o mut Vec<Diagnostic>,
}

/// Checks zone expression `zone` of `func`.
pub(super) fn check_zone(cx: &Cx<'_>, func: &Fn<'_>, zone: ExprId, out: &mut Vec<Diagnostic>) {
    let body = func.body();
    let ExprKind::Zone { body: zb, .. } = &body.expr(zone).kind else {
        return;
    };
    let span = body.expr(zone).span;
    let mut check = Check {
        cx,
        func,
        inside: body.expr(*zb).span,
        end: Span::new(span.end.saturating_sub(1), span.end),
        loops: Vec::new(),
        out,
    };
    if let ExprKind::Block(block) = &body.expr(*zb).kind
        && let Some(tail) = block.tail
        && !returned(body, zone)
        && check.made_here(tail)
    {
        check.report(tail, "is the zone's value");
    }
    check.walk(*zb);
}

/// Whether `e` is the function's result: its body's tail, or a tail
/// within that (through blocks, `if` and `match`), like a `return`.
fn returned(body: &crate::syntax::ast::Body, e: ExprId) -> bool {
    fn tails(body: &crate::syntax::ast::Body, at: ExprId, e: ExprId) -> bool {
        if at == e {
            return true;
        }
        match &body.expr(at).kind {
            ExprKind::Paren(inner) => tails(body, *inner, e),
            ExprKind::Block(b) => b.tail.is_some_and(|t| tails(body, t, e)),
            ExprKind::If {
                then_branch,
                else_branch,
                ..
            } => tails(body, *then_branch, e) || else_branch.is_some_and(|x| tails(body, x, e)),
            ExprKind::Match { arms, .. } => arms.iter().any(|a| tails(body, a.body, e)),
            _ => false,
        }
    }
    body.root.is_some_and(|root| tails(body, root, e))
}

impl Check<'_, '_, '_> {
    fn at(&self, span: Span) -> FileSpan {
        FileSpan::new(self.func.file, span)
    }

    fn ty(&self, e: ExprId) -> &Ty {
        self.func.types.expr_ty(e)
    }

    fn report(&mut self, e: ExprId, how: &str) {
        let span = self.func.body().expr(e).span;
        self.out.push(
            Diagnostic::error(
                codes::ZONE_ESCAPE,
                self.at(span),
                format!("a value made in a zone {how}, outliving the zone"),
            )
            .with_label("made in the zone")
            .with_secondary(self.at(self.end), "the zone's memory is released here")
            .with_note("what a zone builds is released at its closing brace: build what must last before the zone, or keep only plain values (`int`, `float`, `bool`) from it"),
        );
    }

    fn walk(&mut self, e: ExprId) {
        let body = self.func.body();
        let kind = &body.expr(e).kind;
        match kind {
            // A nested zone is checked on its own.
            ExprKind::Zone { size, .. } => {
                if let Some(s) = size {
                    self.walk(*s);
                }
                return;
            }
            ExprKind::Assign { lhs, rhs } | ExprKind::CompoundAssign { lhs, rhs, .. }
                if self.root(*lhs) != Root::Inside && self.made_here(*rhs) =>
            {
                let what = self.place_name(*lhs);
                self.report(*rhs, &format!("is stored in {what}"));
            }
            ExprKind::MethodCall { receiver, args, .. } => self.method(e, *receiver, args),
            ExprKind::Call { args, .. } => self.call(e, args),
            ExprKind::Break { label, value } => {
                let leaves = match label {
                    None => self.loops.is_empty(),
                    Some(l) => !self.loops.iter().any(|x| x.as_deref() == Some(&l.text)),
                };
                if leaves
                    && let Some(v) = value
                    && self.made_here(*v)
                {
                    self.report(*v, "leaves it with `break`");
                }
            }
            _ => {}
        }
        let label = match kind {
            ExprKind::While { label, .. }
            | ExprKind::Loop { label, .. }
            | ExprKind::For { label, .. } => Some(label.as_ref().map(|l| l.text.clone())),
            _ => None,
        };
        if let Some(l) = &label {
            self.loops.push(l.clone());
        }
        let mut kids = Vec::new();
        kind.each_child(&mut |c| kids.push(c));
        for c in kids {
            self.walk(c);
        }
        if label.is_some() {
            self.loops.pop();
        }
    }

    fn method(&mut self, e: ExprId, receiver: ExprId, args: &[ExprId]) {
        let Some(def) = self.cx.callee(self.func, e) else {
            return;
        };
        let name = self.cx.name(def);
        let outside = self.root(receiver) == Root::Outside;
        if SENDS.contains(&name.as_str()) {
            for a in args {
                if self.made_here(*a) {
                    self.report(*a, "is sent to another task");
                }
            }
            return;
        }
        if outside && STORES.contains(&name.as_str()) {
            let what = self.place_name(receiver);
            for a in args {
                if self.made_here(*a) {
                    self.report(*a, &format!("is moved into {what}"));
                }
            }
        }
        if outside && GROWS.contains(&name.as_str()) {
            let what = self.place_name(receiver);
            let span = self.func.body().expr(e).span;
            self.out.push(
                Diagnostic::error(
                    codes::ZONE_ESCAPE,
                    self.at(span),
                    format!("{what} is declared outside the zone and grown inside it"),
                )
                .with_label("its new memory would come from the zone")
                .with_secondary(self.at(self.end), "the zone's memory is released here")
                .with_note("reserve the room before the zone (`List::with_capacity(n)`), or build the list inside the zone and keep only plain values from it"),
            );
        }
        if !self.cx.program.is_std_def(def) {
            let mut all = vec![receiver];
            all.extend_from_slice(args);
            self.user_call(&all, &name);
        }
    }

    fn call(&mut self, e: ExprId, args: &[ExprId]) {
        let Some(def) = self.cx.callee(self.func, e) else {
            return;
        };
        if self.cx.program.is_std_def(def) {
            return;
        }
        let name = self.cx.name(def);
        self.user_call(args, &name);
    }

    /// A user function given a value made here and a `&mut` to a place
    /// outside: it could keep the one in the other.
    fn user_call(&mut self, args: &[ExprId], name: &str) {
        let outside_mut = args.iter().find_map(|a| self.mut_ref_outside(*a));
        let Some(place) = outside_mut else { return };
        for a in args {
            if self.made_here(*a) {
                self.report(
                    *a,
                    &format!("is passed to `{name}` with a `&mut` to {place}, which may keep it"),
                );
            }
        }
    }

    /// `&mut place` (or a `&mut` variable) reaching outside the zone.
    fn mut_ref_outside(&self, e: ExprId) -> Option<String> {
        let body = self.func.body();
        match &body.expr(e).kind {
            ExprKind::Ref {
                mutable: true,
                operand,
            } if self.root(*operand) == Root::Outside => Some(self.place_name(*operand)),
            ExprKind::Paren(inner) => self.mut_ref_outside(*inner),
            _ if matches!(self.ty(e), Ty::Ref(true, _)) && self.root(e) == Root::Outside => {
                Some(self.place_name(e))
            }
            _ => None,
        }
    }

    /// Where the variable of place expression `e` is declared.
    fn root(&self, e: ExprId) -> Root {
        let body = self.func.body();
        match &body.expr(e).kind {
            ExprKind::Paren(inner)
            | ExprKind::Field { base: inner, .. }
            | ExprKind::Index { base: inner, .. } => self.root(*inner),
            ExprKind::Unary {
                op: UnaryOp::Deref,
                operand,
            } => {
                // Through a reference: inside only when the reference is a
                // variable of the zone's pointing at… anything; be safe.
                let _ = operand;
                Root::Outside
            }
            ExprKind::Path(_) | ExprKind::SelfValue => {
                match self.func.types.expr_locals.get(&e) {
                    Some(l) => match self.func.types.locals.get(l.0 as usize) {
                        Some(local)
                            if self.inside.start <= local.span.start
                                && local.span.end <= self.inside.end =>
                        {
                            // A reference variable of the zone may point out.
                            if matches!(local.ty, Ty::Ref(true, _)) {
                                Root::Outside
                            } else {
                                Root::Inside
                            }
                        }
                        Some(_) => Root::Outside,
                        None => Root::Unknown,
                    },
                    None => Root::Unknown,
                }
            }
            _ => Root::Unknown,
        }
    }

    fn place_name(&self, e: ExprId) -> String {
        let body = self.func.body();
        match &body.expr(e).kind {
            ExprKind::Paren(inner)
            | ExprKind::Field { base: inner, .. }
            | ExprKind::Index { base: inner, .. }
            | ExprKind::Unary { operand: inner, .. } => self.place_name(*inner),
            ExprKind::Path(_) | ExprKind::SelfValue => self
                .func
                .types
                .expr_locals
                .get(&e)
                .and_then(|l| self.func.types.locals.get(l.0 as usize))
                .map_or_else(
                    || "a place outside the zone".into(),
                    |l| format!("`{}`", l.name),
                ),
            _ => "a place outside the zone".into(),
        }
    }

    /// Whether the value of `e` may be (or hold) memory of the zone.
    fn made_here(&self, e: ExprId) -> bool {
        if !self.allocates(self.ty(e)) {
            return false;
        }
        let body = self.func.body();
        let copy = crate::types::ty::is_copy(self.cx.program, &self.cx.typed.adts, self.ty(e));
        match &body.expr(e).kind {
            ExprKind::Paren(inner) => self.made_here(*inner),
            ExprKind::Path(_)
            | ExprKind::SelfValue
            | ExprKind::Field { .. }
            | ExprKind::Index { .. } => {
                // Moving a value of the zone's own variables; a copy of a
                // `Copy` value is made on the ordinary heap.
                !copy && self.root(e) == Root::Inside
            }
            ExprKind::Unary { .. } | ExprKind::Ref { .. } => false,
            ExprKind::Literal(l) => matches!(l, Literal::Str(_)),
            ExprKind::Block(b) => b.tail.is_some_and(|t| self.made_here(t)),
            ExprKind::If {
                then_branch,
                else_branch,
                ..
            } => self.made_here(*then_branch) || else_branch.is_some_and(|b| self.made_here(b)),
            ExprKind::Match { arms, .. } => arms.iter().any(|a| self.made_here(a.body)),
            ExprKind::MethodCall { receiver, .. } => {
                let takes_out = self
                    .cx
                    .callee(self.func, e)
                    .is_some_and(|d| TAKES_OUT.contains(&self.cx.name(d).as_str()));
                !(takes_out && self.root(*receiver) == Root::Outside)
            }
            _ => true,
        }
    }

    /// Whether a value of `ty` takes memory of its own (or holds a value
    /// that does).
    fn allocates(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Int | Ty::Float | Ty::Bool | Ty::Char | Ty::Never | Ty::Ref(..) | Ty::Error => {
                false
            }
            Ty::Tuple(items) => !items.is_empty(),
            Ty::Adt(d, args) => {
                let program = self.cx.program;
                let def = program.def(*d);
                if program.is_std_def(*d) {
                    return match def.name.text.as_str() {
                        "Gc" | "Weak" | "Pool" | "Instant" | "Sender" | "Receiver" | "Task" => {
                            false
                        }
                        "Pooled" => args.iter().any(|a| self.allocates(a)),
                        _ => true,
                    };
                }
                match &def.kind {
                    DefKind::Enum(en) => en.variants.iter().any(|v| !v.fields.all().is_empty()),
                    _ => true,
                }
            }
            _ => true,
        }
    }
}
