//! What real-time code may not do (W0804–W0809), and how many times a
//! loop in it runs at most.

use std::collections::{HashMap, HashSet};

use ward_runtime::stdlib::table::Realtime as Fit;

use super::{Cx, Fn};
use crate::diagnostics::{Diagnostic, FileSpan, Span, codes};
use crate::resolve::{DefId, DefKind};
use crate::syntax::ast::{ExprId, ExprKind};
use crate::types::Ty;

/// Std functions that wait: each with the non-blocking one to use instead.
const BLOCKING: &[(&str, Option<&str>)] = &[
    ("Sender::send", Some("try_send")),
    ("Receiver::recv", Some("try_recv")),
    ("Receiver::recv_timeout", Some("try_recv")),
    ("Task::join", None),
    ("time::sleep", None),
    ("task::yield_now", None),
    ("io::read_line", None),
    ("TcpListener::accept", None),
    ("TcpStream::read", None),
    ("TcpStream::write", None),
    ("net::connect", None),
];

/// The calls between `#[realtime]` functions that close a cycle:
/// `(caller, callee)` where the callee reaches the caller again.
pub(super) fn recursive_calls(cx: &Cx<'_>) -> HashSet<(DefId, DefId)> {
    let mut edges: HashMap<DefId, Vec<DefId>> = HashMap::new();
    for (&def, func) in &cx.fns {
        if !cx.is_realtime(def) {
            continue;
        }
        let out = edges.entry(def).or_default();
        for (i, _) in func.body().exprs.iter().enumerate() {
            let e = ExprId(u32::try_from(i).unwrap_or(u32::MAX));
            if let Some(callee) = cx.callee(func, e)
                && cx.fns.contains_key(&callee)
                && cx.is_realtime(callee)
                && !out.contains(&callee)
            {
                out.push(callee);
            }
        }
    }
    let reaches = |from: DefId, to: DefId| -> bool {
        let mut seen = HashSet::new();
        let mut work = vec![from];
        while let Some(d) = work.pop() {
            if d == to {
                return true;
            }
            if seen.insert(d) {
                work.extend(edges.get(&d).into_iter().flatten().copied());
            }
        }
        false
    };
    let mut out = HashSet::new();
    for (&caller, callees) in &edges {
        for &callee in callees {
            if reaches(callee, caller) {
                out.insert((caller, callee));
            }
        }
    }
    out
}

/// Why a loop has no bound.
pub(super) enum NoBound {
    /// `#[bound(…)]` is not a non-negative integer or constant.
    BadAttribute(Span),
    /// Nothing says how often it runs.
    Missing,
}

/// How many times loop `e` runs at most: a `for` over a range with
/// constant ends or over a fixed-size array, or any loop with
/// `#[bound(N)]` (the promise the attribute makes).
pub(super) fn loop_count(cx: &Cx<'_>, func: &Fn<'_>, e: ExprId) -> Result<u64, NoBound> {
    let body = func.body();
    if let Some(attr) = body.loop_attrs(e).iter().find(|a| a.name == "bound") {
        return attr_bound(cx, func, &attr.args).ok_or(NoBound::BadAttribute(attr.span));
    }
    let ExprKind::For { iterable, .. } = &body.expr(e).kind else {
        return Err(NoBound::Missing);
    };
    let mut it = *iterable;
    while let ExprKind::Paren(inner) = &body.expr(it).kind {
        it = *inner;
    }
    if let ExprKind::Range {
        start: Some(s),
        end: Some(end),
        inclusive,
    } = &body.expr(it).kind
        && let (Some(a), Some(b)) = (cx.const_int(func, *s), cx.const_int(func, *end))
    {
        let n = i128::from(b) - i128::from(a) + i128::from(*inclusive);
        return Ok(u64::try_from(n.max(0)).unwrap_or(u64::MAX));
    }
    let mut ty: &Ty = func.types.expr_ty(it);
    while let Ty::Ref(_, inner) = ty {
        ty = inner.as_ref();
    }
    match ty {
        Ty::Array(_, Some(n)) => Ok(*n),
        _ => Err(NoBound::Missing),
    }
}

/// `N` of `#[bound(N)]`: an integer, or the name of an `int` constant of
/// the function's module.
fn attr_bound(cx: &Cx<'_>, func: &Fn<'_>, args: &[String]) -> Option<u64> {
    let [arg] = args else { return None };
    let arg = arg.trim();
    if let Ok(n) = arg.replace('_', "").parse::<u64>() {
        return Some(n);
    }
    let module = cx.program.def(func.def).module;
    let (id, _) = cx.program.defs_with_ids().find(|(_, d)| {
        d.module == module && d.name.text == arg && matches!(d.kind, DefKind::Const(_))
    })?;
    match cx.typed.const_values.get(&id)? {
        crate::types::ConstValue::Int(n) => u64::try_from(*n).ok(),
        _ => None,
    }
}

/// Checks `func`: all of it when it is `#[realtime]`, else its zones.
pub(super) fn check_function(
    cx: &Cx<'_>,
    func: &Fn<'_>,
    recursive: &HashSet<(DefId, DefId)>,
    out: &mut Vec<Diagnostic>,
) {
    let rt = cx.is_realtime(func.def);
    if rt {
        capabilities(cx, func, out);
    }
    if let Some(root) = func.body().root {
        let mut walk = Walk {
            cx,
            func,
            recursive,
            out,
        };
        walk.expr(root, rt);
    }
}

/// W0809: a `#[realtime]` function's clause names a capability other than
/// `device` and `clock`.
fn capabilities(cx: &Cx<'_>, func: &Fn<'_>, out: &mut Vec<Diagnostic>) {
    for name in &func.f.caps {
        if matches!(name.text.as_str(), "device" | "clock") {
            continue;
        }
        out.push(
            Diagnostic::error(
                codes::REALTIME_CAPABILITY,
                FileSpan::new(func.file, name.span),
                format!(
                    "real-time function `{}` uses `{}`",
                    cx.name(func.def),
                    name.text
                ),
            )
            .with_label("not allowed in real-time code")
            .with_note("real-time code may use only the `device` and `clock` capabilities: the others reach files, the network or processes, whose time has no bound"),
        );
    }
}

struct Walk<'c, 'a, 'o> {
    cx: &'c Cx<'a>,
    func: &'c Fn<'a>,
    recursive: &'c HashSet<(DefId, DefId)>,
    out: &'o mut Vec<Diagnostic>,
}

impl Walk<'_, '_, '_> {
    fn at(&self, span: Span) -> FileSpan {
        FileSpan::new(self.func.file, span)
    }

    /// What the context is called in messages.
    fn context(&self) -> String {
        if self.cx.is_realtime(self.func.def) {
            format!("real-time function `{}`", self.cx.name(self.func.def))
        } else {
            "a zone".to_string()
        }
    }

    fn expr(&mut self, e: ExprId, rt: bool) {
        let body = self.func.body();
        let kind = &body.expr(e).kind;
        let mut inner_rt = rt;
        match kind {
            ExprKind::Zone { .. } => inner_rt = true,
            ExprKind::Call { callee, .. } if rt => self.call(e, Some(*callee)),
            ExprKind::MethodCall { .. } if rt => self.call(e, None),
            ExprKind::While { .. } | ExprKind::Loop { .. } | ExprKind::For { .. } if rt => {
                self.loop_bound(e);
            }
            _ => {}
        }
        if let ExprKind::Zone { size, body: zb } = kind {
            if let Some(s) = size {
                self.expr(*s, rt);
            }
            self.expr(*zb, inner_rt);
            return;
        }
        let mut children = Vec::new();
        kind.each_child(&mut |c| children.push(c));
        for c in children {
            self.expr(c, inner_rt);
        }
    }

    fn loop_bound(&mut self, e: ExprId) {
        let body = self.func.body();
        let expr = body.expr(e);
        let (head_end, keyword) = match &expr.kind {
            ExprKind::While { body: b, .. } => (body.expr(*b).span.start, "while"),
            ExprKind::Loop { body: b, .. } => (body.expr(*b).span.start, "loop"),
            ExprKind::For { body: b, .. } => (body.expr(*b).span.start, "for"),
            _ => return,
        };
        let head = Span::new(expr.span.start, head_end.max(expr.span.start));
        match loop_count(self.cx, self.func, e) {
            Ok(_) => {}
            Err(NoBound::BadAttribute(span)) => self.out.push(
                Diagnostic::error(
                    codes::REALTIME_UNBOUNDED_LOOP,
                    self.at(span),
                    "`#[bound(…)]` takes the most times the loop runs",
                )
                .with_label("expected a non-negative integer or an `int` constant")
                .with_note("write the bound as `#[bound(64)]` or `#[bound(WINDOW)]`"),
            ),
            Err(NoBound::Missing) => {
                let ctx = self.context();
                let how = if keyword == "for" {
                    "a `for` loop is bounded when it runs over a range with constant ends (`for i in 0..64`) or over a fixed-size array; any other loop needs `#[bound(N)]`, the most times it runs"
                } else {
                    "write the most times it runs before it: `#[bound(64)] while …`"
                };
                self.out.push(
                    Diagnostic::error(
                        codes::REALTIME_UNBOUNDED_LOOP,
                        self.at(head),
                        format!("`{keyword}` loop without a bound in {ctx}"),
                    )
                    .with_label("nothing says how many times this runs")
                    .with_note(how),
                );
            }
        }
    }

    /// A call (`callee`: the callee expression of a plain call) or method
    /// call `e` in real-time code.
    fn call(&mut self, e: ExprId, callee: Option<ExprId>) {
        let body = self.func.body();
        let expr = body.expr(e);
        let span = match &expr.kind {
            ExprKind::MethodCall { method, .. } => Span::new(method.span.start, expr.span.end),
            _ => expr.span,
        };
        let Some(def) = self.cx.callee(self.func, e) else {
            // A variant or struct constructor, or a call through a value.
            if let Some(c) = callee
                && !self.func.types.expr_defs.contains_key(&c)
                && !self.calls_local_closure(c)
            {
                let ctx = self.context();
                self.out.push(
                    Diagnostic::error(
                        codes::REALTIME_CALL,
                        self.at(span),
                        format!("call through a function value in {ctx}"),
                    )
                    .with_label("which function runs is not known here")
                    .with_note("real-time code calls functions by name, so that each callee can be verified; a closure written in the same real-time code may be called too"),
                );
            }
            return;
        };
        if let Some(entry) = self.cx.std_entry(def) {
            if entry.realtime == Fit::No {
                self.std_call(def, span, e);
            }
            return;
        }
        if !self.cx.fns.contains_key(&def) {
            return;
        }
        if !self.cx.is_realtime(def) {
            self.user_call(def, span);
        } else if self.recursive.contains(&(self.func.def, def)) {
            let callee_name = self.cx.name(def);
            let ctx = self.context();
            self.out.push(
                Diagnostic::error(
                    codes::REALTIME_RECURSION,
                    self.at(span),
                    format!("recursion in {ctx}"),
                )
                .with_label(if def == self.func.def {
                    "calls itself".to_string()
                } else {
                    format!("`{callee_name}` calls back into `{}`", self.cx.name(self.func.def))
                })
                .with_note("real-time code may not recurse: its stack depth and time would have no bound; write the recursion as a loop with a bound"),
            );
        }
    }

    /// Whether callee expression `c` names a local holding a closure
    /// written in this function (whose body this walk checks).
    fn calls_local_closure(&self, c: ExprId) -> bool {
        self.func.types.expr_locals.contains_key(&c)
            && matches!(self.func.types.expr_ty(c), Ty::Fn(..))
            && !self.is_parameter(c)
    }

    fn is_parameter(&self, c: ExprId) -> bool {
        let Some(&local) = self.func.types.expr_locals.get(&c) else {
            return false;
        };
        let Some(l) = self.func.types.locals.get(local.0 as usize) else {
            return false;
        };
        let body = self.func.body();
        body.params.iter().any(|p| Some(p.pat) == l.pat)
    }

    fn std_call(&mut self, def: DefId, span: Span, e: ExprId) {
        let name = self.cx.name(def);
        let ctx = self.context();
        if let Some((_, instead)) = BLOCKING.iter().find(|(n, _)| *n == name) {
            let mut d = Diagnostic::error(
                codes::REALTIME_BLOCKING,
                self.at(span),
                format!("`{name}` may block in {ctx}"),
            )
            .with_label("waits for another task or the outside world")
            .with_note("real-time code never waits: a channel is used with `try_send` and `try_recv`, which answer at once");
            if let Some(instead) = instead
                && let ExprKind::MethodCall { method, .. } = &self.func.body().expr(e).kind
            {
                d = d.with_fix(
                    format!("use `{instead}`, which does not wait"),
                    self.at(method.span),
                    *instead,
                );
            }
            self.out.push(d);
            return;
        }
        if name.starts_with("Gc::") || name.starts_with("Weak::") || name.starts_with("gc::") {
            self.out.push(
                Diagnostic::error(
                    codes::REALTIME_GC,
                    self.at(span),
                    format!("`{name}` uses the garbage-collected heap in {ctx}"),
                )
                .with_label("`Gc` is not allowed in real-time code")
                .with_note("a collection's pause has no bound a real-time loop can plan for; allocate in a zone or take a slot of a `Pool` instead"),
            );
            return;
        }
        let why = match name.as_str() {
            "Pool::growable" => {
                "a growable pool allocates when it fills up; make a fixed pool with `Pool::new` outside real-time code and take slots from it here"
            }
            "Pool::new" => {
                "a pool is made once, before the real-time loop, and its slots taken inside it"
            }
            n if n.starts_with("fs::") || n.starts_with("net::") || n.starts_with("io::") => {
                "it waits for the outside world"
            }
            "println" | "print" | "eprintln" => {
                "printing writes to an output stream, which may block; record the values and print them outside real-time code"
            }
            _ => {
                "real-time code calls only std functions whose time and memory have a bound; `docs/reference.md` marks them"
            }
        };
        self.out.push(
            Diagnostic::error(
                codes::REALTIME_CALL,
                self.at(span),
                format!("`{name}` is not fit for real-time code"),
            )
            .with_label(format!("called in {ctx}"))
            .with_note(why),
        );
    }

    fn user_call(&mut self, def: DefId, span: Span) {
        let name = self.cx.name(def);
        let ctx = self.context();
        let d = self.cx.program.def(def);
        let file = self.cx.program.file(d.file);
        let text = &file.text;
        let start = d.span.start as usize;
        let line_start = text[..start.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let indent: String = text[line_start..start.min(text.len())]
            .chars()
            .take_while(|c| c.is_whitespace())
            .collect();
        self.out.push(
            Diagnostic::error(
                codes::REALTIME_CALL,
                self.at(span),
                format!("call of `{name}`, which is not `#[realtime]`, in {ctx}"),
            )
            .with_label("not verified for real time")
            .with_secondary(FileSpan::new(d.file, d.name.span), "declared here without `#[realtime]`")
            .with_note("real-time code calls only functions verified the same way, so that their time and memory have a bound too")
            .with_fix(
                format!("mark `{name}` `#[realtime]` (it is then checked as real-time code)"),
                FileSpan::new(d.file, Span::new(d.span.start, d.span.start)),
                format!("#[realtime]\n{indent}"),
            ),
        );
    }
}
