//! Help that teaches, for the type checker's errors, in rustc's words:
//! the near-miss name (a local, an item, a field, a method), the argument
//! a call lacks or has too many of, a literal or a wrapping that makes a
//! value's type right, the `;` that made a block `()`, the return type
//! `?` needs, and `expect`/`?` on an `Option`/`Result` receiver whose
//! inner value has the method. Each fix is an edit a tool can apply.

use super::{Checker, DiagMut as _};
use crate::diagnostics::{Applicability, Candidate, Diagnostic, Edit, Span, codes, suggest};
use crate::resolve::{DefKind, Ns};
use crate::syntax::ast::{Block, ExprId, ExprKind, Literal, Name, Stmt};
use crate::types::ty::{self, Ty};

impl Checker<'_> {
    fn source(&self) -> &str {
        &self.program.file(self.file).text
    }

    fn text_at(&self, span: Span) -> &str {
        self.source().get(span.range()).unwrap_or("")
    }

    fn edit(&self, span: Span, replacement: impl Into<String>) -> Edit {
        Edit {
            span: self.fs(span),
            replacement: replacement.into(),
        }
    }

    /// Whether `a` and `b` unify, leaving every inference variable as it
    /// was.
    fn would_unify(&mut self, a: &Ty, b: &Ty) -> bool {
        let snapshot = self.subst.clone();
        let ok = self.unify(a, b);
        self.subst = snapshot;
        ok
    }

    /// W0425 for a single name: the nearest local in scope or item. A local
    /// offered is marked used (its unused-variable warning would say the
    /// same thing again).
    pub(super) fn unresolved_value(&mut self, d: Diagnostic, name: &Name) -> Diagnostic {
        let mut candidates: Vec<Candidate> = self
            .scopes
            .iter()
            .flatten()
            .map(|(n, _)| Candidate {
                name: n.clone(),
                kind: "local variable",
                defined: None,
            })
            .collect();
        candidates.extend(
            self.program
                .candidates(self.program.names_in_scope(self.module, Ns::Values)),
        );
        let d = suggest(d, self.fs(name.span), &name.text, candidates);
        if let Some(fix) = d.fixes.first()
            && fix.message.contains("local variable")
            && let Some(id) = fix
                .edits
                .first()
                .and_then(|e| self.lookup_local(&e.replacement))
        {
            self.out.locals[id.0 as usize].used = true;
        }
        d
    }

    /// A `mismatched types` error for `e`, with the fix that makes its type
    /// right when there is a likely one.
    pub(super) fn coerce_mismatch(&mut self, e: ExprId, expected: &Ty, actual: &Ty) {
        let (x, a) = (self.deep(expected), self.deep(actual));
        if x.references_error() || a.references_error() {
            return;
        }
        let (xs, as_) = (self.show(&x), self.show(&a));
        let tail = self.tail_expr(e);
        let tail_span = self.span_of(tail);
        // A block whose value is `()` because its last statement ends with
        // `;`: point at the block's end, and offer to remove the `;`.
        if let ExprKind::Block(Block { stmts, tail: None }) = &self.body.expr(tail).kind
            && a.is_unit()
        {
            let block_end = Span::new(tail_span.end.saturating_sub(1), tail_span.end);
            let mut d = Diagnostic::error(
                codes::MISMATCHED_TYPES,
                self.fs(block_end),
                "mismatched types",
            )
            .with_label(format!("expected `{xs}`, found `()`"));
            if let Some(Stmt::Expr {
                expr,
                semi: true,
                span,
            }) = stmts.last()
            {
                let last_ty = self.deep(&self.out.expr_types[expr.index()]);
                let semi = Span::new(span.end.saturating_sub(1), span.end);
                if self.text_at(semi) == ";"
                    && !last_ty.references_error()
                    && !last_ty.is_unit()
                    && !matches!(last_ty, Ty::Never)
                    && self.would_unify(&last_ty, &x)
                {
                    d = d
                        .with_secondary(
                            self.fs(*span),
                            format!(
                                "this statement's value is `{}`, but the `;` discards it",
                                self.show(&last_ty)
                            ),
                        )
                        .with_fix(
                            "remove this semicolon to return this value",
                            self.fs(semi),
                            "",
                        );
                }
            }
            self.diags.push(d);
            return;
        }
        let mut d = Diagnostic::error(
            codes::MISMATCHED_TYPES,
            self.fs(tail_span),
            "mismatched types",
        )
        .with_label(format!("expected `{xs}`, found `{as_}`"));
        let tail_kind = &self.body.expr(tail).kind;
        if matches!(x, Ty::Float)
            && matches!(a, Ty::Int)
            && matches!(tail_kind, ExprKind::Literal(Literal::Int(_)))
            && self
                .text_at(tail_span)
                .chars()
                .all(|c| c.is_ascii_digit() || c == '_')
        {
            d = d.with_fix(
                "use a float literal",
                self.fs(tail_span.shrink_to_hi()),
                ".0",
            );
        } else if let Ty::Adt(def, args) = &x
            && let Some(wrapper) = self.wrapper_name(*def)
            && let Some(inner) = args.first()
            && self.would_unify(&a, inner)
        {
            d = d.with_edits(
                format!("try wrapping the expression in `{wrapper}`"),
                vec![
                    self.edit(tail_span.shrink_to_lo(), format!("{wrapper}(")),
                    self.edit(tail_span.shrink_to_hi(), ")"),
                ],
                Applicability::MachineApplicable,
            );
        } else if let Ty::Ref(false, inner) = &x
            && self.would_unify(&a, inner)
        {
            d = d.with_fix(
                "consider borrowing here",
                self.fs(tail_span.shrink_to_lo()),
                "&",
            );
        } else if let Ty::Ref(_, inner) = &a
            && self.would_unify(inner, &x)
            && ty::is_cloneable(self.program, &x)
        {
            d = d.with_fix(
                "consider using clone here",
                self.fs(tail_span.shrink_to_hi()),
                ".clone()",
            );
        }
        self.diags.push(d);
    }

    /// `Ok` for `Result`, `Some` for `Option`.
    fn wrapper_name(&self, def: crate::resolve::DefId) -> Option<&'static str> {
        if Some(def) == self.lang.result {
            Some("Ok")
        } else if Some(def) == self.lang.option {
            Some("Some")
        } else {
            None
        }
    }

    /// The expression that gives `e` its value (through blocks' tails and
    /// parentheses).
    fn tail_expr(&self, e: ExprId) -> ExprId {
        match &self.body.expr(e).kind {
            ExprKind::Block(Block { tail: Some(t), .. }) | ExprKind::Paren(t) => self.tail_expr(*t),
            _ => e,
        }
    }

    /// W0061 with the argument that is missing or extra, its type, and the
    /// edit: a placeholder `/* int */` to fill in, or the extra arguments
    /// removed (the arguments are inferred already).
    pub(super) fn arg_count_error(
        &mut self,
        params: &[Ty],
        args: &[ExprId],
        call: ExprId,
        what: &str,
    ) {
        let call_span = self.span_of(call);
        let n = params.len();
        let message = format!(
            "this {what} takes {n} argument{} but {} argument{} {} supplied",
            if n == 1 { "" } else { "s" },
            args.len(),
            if args.len() == 1 { "" } else { "s" },
            if args.len() == 1 { "was" } else { "were" }
        );
        let mut d = Diagnostic::error(codes::WRONG_ARG_COUNT, self.fs(call_span), message);
        let close = Span::new(call_span.end.saturating_sub(1), call_span.end);
        let closes = self.text_at(close) == ")";
        if args.len() < n {
            let missing: Vec<String> = params[args.len()..].iter().map(|t| self.show(t)).collect();
            d.label = match missing.as_slice() {
                [one] => format!("argument #{} of type `{one}` is missing", args.len() + 1),
                many => format!(
                    "{} arguments of type {} are missing",
                    many.len(),
                    many.iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let placeholders: Vec<String> = missing.iter().map(|t| format!("/* {t} */")).collect();
            let (at, text) = match args.last() {
                Some(last) => (
                    self.span_of(*last).shrink_to_hi(),
                    format!(", {}", placeholders.join(", ")),
                ),
                None => (close.shrink_to_lo(), placeholders.join(", ")),
            };
            if closes {
                let plural = if missing.len() == 1 { "" } else { "s" };
                d = d.with_edits(
                    format!("provide the argument{plural}"),
                    vec![self.edit(at, text)],
                    Applicability::HasPlaceholders,
                );
            }
        } else {
            d.label = format!("expected {n} argument{}", if n == 1 { "" } else { "s" });
            for (i, a) in args.iter().enumerate().skip(n) {
                let t = self.out.expr_types[a.index()].clone();
                let shown = self.show(&t);
                d = d.with_secondary(
                    self.fs(self.span_of(*a)),
                    format!("unexpected argument #{} of type `{shown}`", i + 1),
                );
            }
            let from = match n.checked_sub(1) {
                Some(k) => self.span_of(args[k]).end,
                None => self.span_of(args[0]).start,
            };
            let to = self.span_of(args[args.len() - 1]).end;
            if to > from {
                let plural = if args.len() - n == 1 { "" } else { "s" };
                d = d.with_fix(
                    format!("remove the extra argument{plural}"),
                    self.fs(Span::new(from, to)),
                    "",
                );
            }
        }
        if let Some(callee) = self.out.expr_defs.get(&call).copied() {
            let def = self.program.def(callee);
            if def.file != self.program.std_file && matches!(def.kind, DefKind::Fn(_)) {
                d = d.with_secondary(def.file_span(), format!("{what} defined here"));
            }
        }
        self.diags.push(d);
    }

    /// W0599's help: a method with a similar name, or the `Option`'s or
    /// `Result`'s inner value having the method (`expect`, or `?` in a
    /// function that returns the same kind).
    pub(super) fn method_suggestions(
        &mut self,
        d: Diagnostic,
        receiver_ty: &Ty,
        method: &Name,
        receiver: ExprId,
    ) -> Diagnostic {
        // Methods of the type and of what it dereferences to.
        let mut names: Vec<String> = Vec::new();
        let mut cur = self.shallow(receiver_ty);
        for _ in 0..8 {
            if let Some(key) = ty::type_res(&cur) {
                for name in self.program.assoc_names(key) {
                    let takes_self = self
                        .program
                        .find_assoc(key, &name)
                        .and_then(|m| self.typed.sigs.get(&m))
                        .is_some_and(|s| s.self_kind.is_some());
                    if takes_self {
                        names.push(name);
                    }
                }
            }
            match self.deref_target(&cur) {
                Some(next) => cur = self.shallow(&next),
                None => break,
            }
        }
        names.sort();
        names.dedup();
        if let Some(best) =
            crate::diagnostics::closest(&method.text, names.iter().map(String::as_str))
        {
            let best = best.to_string();
            return d.with_fix(
                format!("there is a method `{best}` with a similar name"),
                self.fs(method.span),
                best,
            );
        }
        // `opt.len()` where the value inside has `len`.
        let base = self.deep(receiver_ty.peel_refs());
        if let Ty::Adt(def, args) = &base
            && let Some(wrapper) = self.wrapper_name(*def)
            && let Some(inner) = args.first()
            && self.has_method(inner, &method.text)
        {
            let kind = if wrapper == "Ok" { "Result" } else { "Option" };
            let absent = if kind == "Result" {
                "a `Result::Err`"
            } else {
                "an `Option::None`"
            };
            let inner_shown = self.show(inner);
            let at = self.fs(self.span_of(receiver).shrink_to_hi());
            let returns_same = self.returns.len() == 1
                && matches!(self.shallow(&self.returns[0].clone()), Ty::Adt(r, _) if r == *def);
            if returns_same {
                return d.with_fix(
                    format!("use the `?` operator to extract the `{inner_shown}` value, propagating {absent} value to the caller"),
                    at,
                    "?",
                );
            }
            return d.with_fix(
                format!("consider using `{kind}::expect` to unwrap the `{inner_shown}` value, panicking if the value is {absent}"),
                at,
                ".expect(\"REASON\")",
            );
        }
        d
    }

    /// Whether a value of type `t` (or what it dereferences to) has a
    /// method `name` that takes `self`.
    fn has_method(&mut self, t: &Ty, name: &str) -> bool {
        let mut cur = self.shallow(t);
        for _ in 0..8 {
            if let Some(m) = ty::type_res(&cur).and_then(|k| self.program.find_assoc(k, name))
                && self
                    .typed
                    .sigs
                    .get(&m)
                    .is_some_and(|s| s.self_kind.is_some())
            {
                return true;
            }
            match self.deref_target(&cur) {
                Some(next) => cur = self.shallow(&next),
                None => return false,
            }
        }
        false
    }

    /// W0609's help: a field with a similar name.
    pub(super) fn field_suggestion(
        &self,
        d: Diagnostic,
        field_names: &[String],
        field: &Name,
    ) -> Diagnostic {
        let candidates = field_names
            .iter()
            .map(|n| Candidate {
                name: n.clone(),
                kind: "field",
                defined: None,
            })
            .collect();
        suggest(d, self.fs(field.span), &field.text, candidates)
    }

    /// The fix for `?` in a function that returns `()`: a return type
    /// (`-> Result<(), Error>` or `-> Option<()>`) and `Ok(())` / `Some(())`
    /// at the end of the body.
    pub(super) fn return_type_fix(&self, d: &mut Diagnostic, what: &str) {
        let DefKind::Fn(f) = &self.program.def(self.owner).kind else {
            return;
        };
        let Some(root) = self.body.root else { return };
        let sig_text = self.text_at(f.sig_span);
        if sig_text.contains("->") {
            return;
        }
        let Some(close) = sig_text.rfind(')') else {
            return;
        };
        let after_params = f.sig_span.start + u32::try_from(close + 1).unwrap_or(0);
        let (ret, value) = if what == "Option" {
            ("Option<()>", "Some(())")
        } else {
            ("Result<(), Error>", "Ok(())")
        };
        let body_span = self.span_of(root);
        let ExprKind::Block(block) = &self.body.expr(root).kind else {
            return;
        };
        // The body's indentation: that of its first statement.
        let indent = block
            .stmts
            .first()
            .map(|s| stmt_span(s).start)
            .or(block.tail.map(|t| self.span_of(t).start))
            .map_or_else(
                || "    ".to_string(),
                |at| {
                    let line_start = self.source()[..at as usize]
                        .rfind('\n')
                        .map_or(0, |i| i + 1);
                    self.source()[line_start..at as usize].to_string()
                },
            );
        let end_edit = match (block.tail, block.stmts.last()) {
            (Some(t), _) => {
                if !self
                    .shallow(&self.out.expr_types[t.index()].clone())
                    .is_unit()
                {
                    return;
                }
                self.edit(
                    self.span_of(t).shrink_to_hi(),
                    format!(";\n{indent}{value}"),
                )
            }
            (None, Some(last)) => {
                self.edit(stmt_span(last).shrink_to_hi(), format!("\n{indent}{value}"))
            }
            (None, None) => self.edit(
                Span::new(body_span.start + 1, body_span.start + 1),
                format!(" {value} "),
            ),
        };
        d.fixes.push(crate::diagnostics::Fix {
            message: "consider adding return type".into(),
            edits: vec![
                self.edit(Span::new(after_params, after_params), format!(" -> {ret}")),
                end_edit,
            ],
            applicability: Applicability::MachineApplicable,
        });
        d.with_note_mut(format!(
            "a function that uses `?` on `{what}` values returns `{ret}`"
        ));
    }

    /// W0004's fix: an arm for the witness, `panic("not handled")`, after
    /// the last arm (with the `,` that arm lacks), indented as the arms
    /// are. `close` is the offset of the match's `}`.
    pub(super) fn missing_arm_fix(&self, d: Diagnostic, close: u32, witness: &str) -> Diagnostic {
        let source = self.source();
        let close_at = close as usize;
        let Some(before) = source.get(..close_at) else {
            return d;
        };
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let own_line = before[line_start..].trim().is_empty();
        let arm = format!("{witness} => panic(\"not handled\"),");
        let last = before.trim_end();
        let mut edits = Vec::new();
        if !last.ends_with([',', '{', '}']) {
            let at = u32::try_from(last.len()).unwrap_or(close);
            edits.push(self.edit(Span::new(at, at), ","));
        }
        if own_line {
            let indent = &before[line_start..];
            let at = u32::try_from(line_start).unwrap_or(close);
            edits.push(self.edit(Span::new(at, at), format!("{indent}    {arm}\n")));
        } else {
            edits.push(self.edit(Span::new(close, close), format!(" {arm} ")));
        }
        d.with_edits(
            "add a match arm for the missing pattern",
            edits,
            Applicability::MachineApplicable,
        )
    }
}

fn stmt_span(s: &Stmt) -> Span {
    match s {
        Stmt::Let { span, .. } | Stmt::Expr { span, .. } | Stmt::Defer { span, .. } => *span,
        Stmt::Item(item) => item.span,
    }
}
