//! The mechanical translation of LANGUAGE §5 from the common subset of
//! Ward to Rust (edition 2021): `int`/`float`/`List`/`Map` to
//! `i64`/`f64`/`Vec`/`HashMap`, integer literals with their `i64` suffix,
//! string literals to `String::from(…)` (borrowed where `&String` is
//! expected), the print family to macros, lengths and indices converted,
//! `fn(A) -> B` parameters to `impl Fn(A) -> B`, matches on `String` through
//! `as_str()`, and every struct and enum deriving `Clone, PartialEq,
//! Debug`. It reads the typed AST, so it knows each literal's type and
//! which method a call resolved to. Constructs outside the common subset
//! are an error, not a guess.

use std::fmt::Write as _;
use ward_compiler::analysis::Analysis;
use ward_compiler::resolve::{DefId, DefKind, Program};
use ward_compiler::syntax::ast::{
    self, Block, Condition, ExprId, ExprKind, FieldName, Fields, GenericArg, Literal, PatId,
    PatKind, Stmt, TypeRef, UnaryOp,
};
use ward_compiler::types::{BodyTypes, Ty, TypedProgram};

pub type Result<T> = std::result::Result<T, String>;

/// Translates the user program of an analysis to one Rust file.
pub fn translate(analysis: &Analysis) -> Result<String> {
    let program = &analysis.program;
    let mut out = String::from(
        "#![allow(unused, unused_mut, unused_variables, dead_code, unreachable_code)]\nuse std::cell::{Cell, RefCell};\nuse std::collections::HashMap;\n\n/// `Gc::new`: a Copy pointer to a value that lives as long as anything\n/// uses it, which (as Ward's `Gc<T>`) must not borrow anything.\nfn gc_new<T: 'static>(v: T) -> &'static T {\n    Box::leak(Box::new(v))\n}\n\n",
    );
    for (i, def) in program.defs.iter().enumerate() {
        if def.file == program.std_file || def.owner.is_some() {
            continue;
        }
        let id = DefId(u32::try_from(i).map_err(|_| "too many items")?);
        match &def.kind {
            DefKind::Struct(s) => {
                out.push_str(&derives(def.derives("Copy")));
                let _ = write!(out, "struct {}{}", s.name.text, generics(&s.generics));
                match &s.fields {
                    Fields::Named(fs) => {
                        out.push_str(" {\n");
                        for f in fs {
                            let _ = writeln!(out, "    {}: {},", f.name.text, ty(&f.ty, false)?);
                        }
                        out.push_str("}\n\n");
                    }
                    Fields::Tuple(fs) => {
                        let tys: Result<Vec<String>> =
                            fs.iter().map(|f| ty(&f.ty, false)).collect();
                        let _ = writeln!(out, "({});\n", tys?.join(", "));
                    }
                    Fields::Unit => out.push_str(";\n\n"),
                }
            }
            DefKind::Enum(e) => {
                out.push_str(&derives(def.derives("Copy")));
                let _ = writeln!(out, "enum {}{} {{", e.name.text, generics(&e.generics));
                for v in &e.variants {
                    match &v.fields {
                        Fields::Named(fs) => {
                            let parts: Result<Vec<String>> = fs
                                .iter()
                                .map(|f| Ok(format!("{}: {}", f.name.text, ty(&f.ty, false)?)))
                                .collect();
                            let _ =
                                writeln!(out, "    {} {{ {} }},", v.name.text, parts?.join(", "));
                        }
                        Fields::Tuple(fs) => {
                            let tys: Result<Vec<String>> =
                                fs.iter().map(|f| ty(&f.ty, false)).collect();
                            let _ = writeln!(out, "    {}({}),", v.name.text, tys?.join(", "));
                        }
                        Fields::Unit => {
                            let _ = writeln!(out, "    {},", v.name.text);
                        }
                    }
                }
                out.push_str("}\n\n");
            }
            DefKind::Fn(_) => {
                out.push_str(&function(program, &analysis.typed, id)?);
                out.push('\n');
            }
            DefKind::Const(c) => {
                let bt = analysis
                    .typed
                    .bodies
                    .get(&id)
                    .ok_or("const without a body")?;
                let root = c.body.root.ok_or("const without a value")?;
                let cx = Cx {
                    program,
                    typed: &analysis.typed,
                    body: &c.body,
                    bt,
                };
                let _ = writeln!(
                    out,
                    "const {}: {} = {};\n",
                    c.name.text,
                    ty(&c.ty, false)?,
                    cx.expr(root)?
                );
            }
            DefKind::Module(_) => return Err("modules are outside the one-file translation".into()),
            DefKind::Variant { .. } => {}
        }
    }
    for imp in &program.impls {
        if imp.file == program.std_file {
            continue;
        }
        let _ = writeln!(
            out,
            "impl{} {} {{",
            generics(&imp.generics),
            ty(&imp.self_ty, false)?
        );
        for m in &imp.methods {
            for line in function(program, &analysis.typed, *m)?.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
        out.push_str("}\n\n");
    }
    Ok(out)
}

fn derives(copy: bool) -> String {
    if copy {
        "#[derive(Copy, Clone, PartialEq, Debug)]\n".into()
    } else {
        "#[derive(Clone, PartialEq, Debug)]\n".into()
    }
}

fn generics(g: &ast::Generics) -> String {
    if g.params.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = g
        .params
        .iter()
        .map(|p| {
            if p.bounds.is_empty() {
                p.name.text.clone()
            } else {
                let b: Vec<&str> = p.bounds.iter().map(|b| b.text.as_str()).collect();
                format!("{}: {}", p.name.text, b.join(" + "))
            }
        })
        .collect();
    format!("<{}>", parts.join(", "))
}

/// A written type in Rust; `param` is a parameter position (where
/// `fn(A) -> B` becomes `impl Fn(A) -> B`, `impl FnMut` for a `mut`
/// parameter).
fn ty(t: &TypeRef, param: bool) -> Result<String> {
    Ok(match t {
        TypeRef::Path(p) => {
            let seg = p.last();
            let name = match seg.name.text.as_str() {
                "int" => "i64",
                "float" => "f64",
                "List" => "Vec",
                "Map" => "HashMap",
                other => other,
            };
            if p.segments.len() > 1 {
                return Err(format!("path type `{}`", p.text()));
            }
            // `Gc<T>` is a Copy pointer to a value that lives as long as
            // anything uses it: a leaked box's `&'static T`.
            if name == "Gc"
                && let [GenericArg::Type(inner)] = seg.args.as_slice()
            {
                return Ok(format!("&'static {}", ty(inner, false)?));
            }
            if seg.args.is_empty() {
                name.to_string()
            } else {
                let args: Result<Vec<String>> = seg
                    .args
                    .iter()
                    .map(|a| match a {
                        GenericArg::Type(t) => ty(t, false),
                        GenericArg::Lifetime(l) => Ok(l.text.clone()),
                    })
                    .collect();
                format!("{name}<{}>", args?.join(", "))
            }
        }
        TypeRef::Ref {
            lifetime,
            mutable,
            inner,
            ..
        } => {
            let lt = lifetime
                .as_ref()
                .map(|l| format!("{} ", l.text))
                .unwrap_or_default();
            let m = if *mutable { "mut " } else { "" };
            format!("&{lt}{m}{}", ty(inner, false)?)
        }
        TypeRef::Tuple(items, _) => {
            let parts: Result<Vec<String>> = items.iter().map(|t| ty(t, false)).collect();
            let parts = parts?;
            if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
        TypeRef::Array { elem, len, .. } => match len {
            Some(ast::ArrayLen::Literal(n, _)) => format!("[{}; {n}]", ty(elem, false)?),
            _ => return Err("array type without a literal length".into()),
        },
        TypeRef::Fn { params, ret, .. } => {
            if !param {
                return Err("a function type outside a parameter".into());
            }
            let ps: Result<Vec<String>> = params.iter().map(|t| ty(t, false)).collect();
            let r = match ret {
                Some(r) => format!(" -> {}", ty(r, false)?),
                None => String::new(),
            };
            format!("impl Fn({}){r}", ps?.join(", "))
        }
        TypeRef::Never(_) => "!".into(),
        TypeRef::Infer(_) => "_".into(),
        TypeRef::Error(_) => return Err("a damaged type".into()),
    })
}

fn function(program: &Program, typed: &TypedProgram, id: DefId) -> Result<String> {
    let def = program.def(id);
    let DefKind::Fn(f) = &def.kind else {
        return Err("not a function".into());
    };
    if def.has_attr("native") || !f.caps.is_empty() {
        return Err("capabilities are outside the common subset".into());
    }
    let bt = typed
        .bodies
        .get(&id)
        .ok_or("function without a typed body")?;
    let cx = Cx {
        program,
        typed,
        body: &f.body,
        bt,
    };
    let mut params = Vec::new();
    if let Some(sp) = &f.self_param {
        let lt = sp
            .lifetime
            .as_ref()
            .map(|l| format!("{} ", l.text))
            .unwrap_or_default();
        params.push(match (sp.reference, sp.mutable) {
            (true, true) => format!("&{lt}mut self"),
            (true, false) => format!("&{lt}self"),
            (false, true) => "mut self".into(),
            (false, false) => "self".into(),
        });
    }
    for p in &f.body.params {
        let mut t = ty(&p.ty, true)?;
        // A `mut f: fn(A) -> B` parameter takes `FnMut` closures.
        if matches!(p.ty, TypeRef::Fn { .. })
            && matches!(
                f.body.pat(p.pat).kind,
                ast::PatKind::Ident { mutable: true, .. }
            )
        {
            t = t.replacen("impl Fn(", "impl FnMut(", 1);
        }
        params.push(format!("{}: {t}", cx.pat(p.pat)?));
    }
    let ret = match &f.ret {
        Some(r) => format!(" -> {}", ty(r, false)?),
        None => String::new(),
    };
    let body = match f.body.root {
        Some(r) => cx.expr(r)?,
        None => "{}".into(),
    };
    Ok(format!(
        "fn {}{}({}){ret} {body}\n",
        f.name.text,
        generics(&f.generics),
        params.join(", ")
    ))
}

struct Cx<'a> {
    program: &'a Program,
    typed: &'a TypedProgram,
    body: &'a ast::Body,
    bt: &'a BodyTypes,
}

impl Cx<'_> {
    fn ty_of(&self, e: ExprId) -> &Ty {
        self.bt.expr_ty(e)
    }

    fn is_str_literal(&self, e: ExprId) -> bool {
        match &self.body.expr(e).kind {
            ExprKind::Literal(Literal::Str(_)) => true,
            ExprKind::Paren(inner) => self.is_str_literal(*inner),
            _ => false,
        }
    }

    /// An argument where the callee expects `expected`: a string literal
    /// where `&String` is expected is borrowed.
    fn arg(&self, e: ExprId, expected: Option<&Ty>) -> Result<String> {
        let s = self.expr(e)?;
        if let Some(Ty::Ref(false, inner)) = expected
            && matches!(**inner, Ty::Str)
            && self.is_str_literal(e)
        {
            return Ok(format!("&{s}"));
        }
        Ok(s)
    }

    fn std_type_name(&self, t: &Ty) -> Option<String> {
        match t.peel_refs() {
            Ty::Adt(d, _) if self.program.is_std_def(*d) => {
                Some(self.program.def(*d).name.text.clone())
            }
            Ty::Str => Some("String".into()),
            _ => None,
        }
    }

    #[allow(clippy::too_many_lines)]
    fn expr(&self, e: ExprId) -> Result<String> {
        let kind = &self.body.expr(e).kind;
        Ok(match kind {
            ExprKind::Missing => return Err("a damaged expression".into()),
            ExprKind::Literal(lit) => match lit {
                Literal::Int(n) => match self.ty_of(e) {
                    Ty::Float => format!("{n}f64"),
                    _ => format!("{n}i64"),
                },
                Literal::Float(f) => format!("{f:?}f64"),
                Literal::Bool(b) => b.to_string(),
                Literal::Char(c) => format!("{c:?}"),
                Literal::Str(s) => format!("String::from({s:?})"),
            },
            ExprKind::Path(p) => {
                let mut parts: Vec<String> =
                    p.segments.iter().map(|s| s.name.text.clone()).collect();
                if let Some(first) = parts.first_mut() {
                    match first.as_str() {
                        "List" => *first = "Vec".into(),
                        "Map" => *first = "HashMap".into(),
                        _ => {}
                    }
                }
                parts.join("::")
            }
            ExprKind::SelfValue => "self".into(),
            ExprKind::Paren(inner) => format!("({})", self.expr(*inner)?),
            ExprKind::Unary { op, operand } => {
                let o = self.expr(*operand)?;
                match op {
                    UnaryOp::Neg => format!("(-{o})"),
                    UnaryOp::Not => format!("(!{o})"),
                    UnaryOp::Deref => format!("(*{o})"),
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                format!(
                    "({} {} {})",
                    self.expr(*lhs)?,
                    op.as_str(),
                    self.expr(*rhs)?
                )
            }
            ExprKind::Assign { lhs, rhs } => format!("{} = {}", self.expr(*lhs)?, self.expr(*rhs)?),
            ExprKind::CompoundAssign { op, lhs, rhs } => {
                format!("{} {}= {}", self.expr(*lhs)?, op.as_str(), self.expr(*rhs)?)
            }
            ExprKind::Ref { mutable, operand } => {
                let m = if *mutable { "mut " } else { "" };
                format!("(&{m}{})", self.expr(*operand)?)
            }
            ExprKind::Cast { operand, ty: t } => {
                format!("({} as {})", self.expr(*operand)?, ty(t, false)?)
            }
            ExprKind::Try(inner) => format!("{}?", self.expr(*inner)?),
            ExprKind::Call { callee, args } => self.call(e, *callee, args)?,
            ExprKind::MethodCall {
                receiver,
                method,
                args,
                ..
            } => self.method_call(e, *receiver, &method.text, args)?,
            ExprKind::Field { base, field } => match field {
                FieldName::Named(n) => format!("{}.{}", self.expr(*base)?, n.text),
                FieldName::Index(i, _) => format!("{}.{i}", self.expr(*base)?),
            },
            ExprKind::Index { base, index } => {
                let b = self.expr(*base)?;
                let i = self.expr(*index)?;
                match self.std_type_name(self.ty_of(*base)).as_deref() {
                    Some("Map") => format!("{b}[&{i}]"),
                    _ => format!("{b}[({i}) as usize]"),
                }
            }
            ExprKind::Range {
                start,
                end,
                inclusive,
            } => {
                let s = start.map(|s| self.expr(s)).transpose()?.unwrap_or_default();
                let t = end.map(|t| self.expr(t)).transpose()?.unwrap_or_default();
                format!("({s}{}{t})", if *inclusive { "..=" } else { ".." })
            }
            ExprKind::Closure {
                is_move,
                params,
                ret,
                body,
            } => {
                let mut ps = Vec::new();
                for p in params {
                    match &p.ty {
                        Some(t) => ps.push(format!("{}: {}", self.pat(p.pat)?, ty(t, false)?)),
                        None => ps.push(self.pat(p.pat)?),
                    }
                }
                let r = match ret {
                    Some(t) => format!(" -> {}", ty(t, false)?),
                    None => String::new(),
                };
                let b = self.expr(*body)?;
                let b = if r.is_empty() {
                    b
                } else {
                    format!("{{ {b} }}")
                };
                format!(
                    "({}|{}|{r} {b})",
                    if *is_move { "move " } else { "" },
                    ps.join(", ")
                )
            }
            ExprKind::Return(v) => match v {
                Some(v) => format!("return {}", self.expr(*v)?),
                None => "return".into(),
            },
            ExprKind::Break { label, value } => {
                let l = label
                    .as_ref()
                    .map(|l| format!(" {}", l.text))
                    .unwrap_or_default();
                match value {
                    Some(v) => format!("break{l} {}", self.expr(*v)?),
                    None => format!("break{l}"),
                }
            }
            ExprKind::Continue { label } => {
                let l = label
                    .as_ref()
                    .map(|l| format!(" {}", l.text))
                    .unwrap_or_default();
                format!("continue{l}")
            }
            ExprKind::Tuple(items) => {
                let parts: Result<Vec<String>> = items.iter().map(|i| self.expr(*i)).collect();
                let parts = parts?;
                if parts.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(", "))
                }
            }
            ExprKind::Array(items) => {
                let parts: Result<Vec<String>> = items.iter().map(|i| self.expr(*i)).collect();
                format!("[{}]", parts?.join(", "))
            }
            ExprKind::ArrayRepeat { elem, len } => {
                format!("[{}; ({}) as usize]", self.expr(*elem)?, self.expr(*len)?)
            }
            ExprKind::Struct { path, fields, base } => {
                let mut parts = Vec::new();
                let field_tys = self.struct_field_types(e);
                for f in fields {
                    let expected = field_tys
                        .iter()
                        .find(|(n, _)| *n == f.name.text)
                        .map(|(_, t)| t);
                    if f.shorthand {
                        parts.push(f.name.text.clone());
                    } else {
                        parts.push(format!("{}: {}", f.name.text, self.arg(f.value, expected)?));
                    }
                }
                if let Some(b) = base {
                    parts.push(format!("..{}", self.expr(*b)?));
                }
                format!("{} {{ {} }}", path.text(), parts.join(", "))
            }
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                let c = self.condition(*cond)?;
                let t = self.expr(*then_branch)?;
                match else_branch {
                    Some(eb) => format!("if {c} {t} else {}", self.expr(*eb)?),
                    None => format!("if {c} {t}"),
                }
            }
            ExprKind::Match { scrutinee, arms } => {
                let mut s = self.expr(*scrutinee)?;
                if matches!(self.ty_of(*scrutinee), Ty::Str) {
                    s = format!("{s}.as_str()");
                }
                let mut out = format!("match {s} {{\n");
                for arm in arms {
                    let g = match &arm.guard {
                        Some(Condition::Expr(g)) => format!(" if {}", self.expr(*g)?),
                        Some(Condition::Let { .. }) => return Err("`if let` guards".into()),
                        None => String::new(),
                    };
                    let _ = writeln!(
                        out,
                        "{}{g} => {},",
                        self.pat(arm.pat)?,
                        self.expr(arm.body)?
                    );
                }
                out.push('}');
                out
            }
            ExprKind::While { label, cond, body } => {
                let l = label
                    .as_ref()
                    .map(|l| format!("{}: ", l.text))
                    .unwrap_or_default();
                format!("{l}while {} {}", self.condition(*cond)?, self.expr(*body)?)
            }
            ExprKind::Loop { label, body } => {
                let l = label
                    .as_ref()
                    .map(|l| format!("{}: ", l.text))
                    .unwrap_or_default();
                format!("{l}loop {}", self.expr(*body)?)
            }
            ExprKind::For {
                label,
                pat,
                iterable,
                body,
            } => {
                let l = label
                    .as_ref()
                    .map(|l| format!("{}: ", l.text))
                    .unwrap_or_default();
                format!(
                    "{l}for {} in {} {}",
                    self.pat(*pat)?,
                    self.expr(*iterable)?,
                    self.expr(*body)?
                )
            }
            ExprKind::Block(b) => self.block(b)?,
            ExprKind::Zone { .. } => return Err("zones are Ward-only".into()),
            ExprKind::TryRecover { .. } => return Err("try/recover is Ward-only".into()),
        })
    }

    fn struct_field_types(&self, e: ExprId) -> Vec<(String, Ty)> {
        let Some(d) = self.bt.expr_defs.get(&e) else {
            return Vec::new();
        };
        let args = match self.ty_of(e) {
            Ty::Adt(_, a) => a.clone(),
            _ => Vec::new(),
        };
        self.typed
            .adts
            .fields
            .get(d)
            .map(|fs| {
                fs.iter()
                    .map(|f| (f.name.clone(), f.ty.subst(&args)))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn call(&self, e: ExprId, callee: ExprId, args: &[ExprId]) -> Result<String> {
        let def = self.bt.expr_defs.get(&e).copied();
        if let Some(d) = def
            && self.program.is_std_def(d)
        {
            let name = self.program.def(d).name.text.as_str();
            let parts: Result<Vec<String>> = args
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    // A format string stays a literal.
                    if i == 0
                        && self.program.def(d).has_attr("format")
                        && let ExprKind::Literal(Literal::Str(s)) = &self.body.expr(*a).kind
                    {
                        return Ok(format!("{s:?}"));
                    }
                    self.expr(*a)
                })
                .collect();
            let parts = parts?;
            return Ok(match name {
                "print" | "println" | "eprintln" | "assert" | "assert_eq" | "format" => {
                    format!("{name}!({})", parts.join(", "))
                }
                "panic" => format!("panic!(\"{{}}\", {})", parts.join(", ")),
                "drop" => format!("drop({})", parts.join(", ")),
                "new" if self.expr(callee)? == "Gc::new" => {
                    format!("gc_new({})", parts.join(", "))
                }
                "Some" | "None" | "Ok" | "Err" => format!("{name}({})", parts.join(", ")),
                _ => {
                    // An associated function of a std type (`List::new`).
                    let c = self.expr(callee)?;
                    if ["Vec::", "HashMap::", "String::", "RefCell::", "Cell::"]
                        .iter()
                        .any(|p| c.starts_with(p))
                    {
                        format!("{c}({})", parts.join(", "))
                    } else {
                        return Err(format!("std function `{c}` has no translation"));
                    }
                }
            });
        }
        let params: Vec<Ty> = def
            .and_then(|d| self.typed.sigs.get(&d))
            .map(|s| s.params.clone())
            .unwrap_or_default();
        let mut parts = Vec::new();
        for (i, a) in args.iter().enumerate() {
            parts.push(self.arg(*a, params.get(i))?);
        }
        Ok(format!("{}({})", self.expr(callee)?, parts.join(", ")))
    }

    fn method_call(
        &self,
        e: ExprId,
        receiver: ExprId,
        method: &str,
        args: &[ExprId],
    ) -> Result<String> {
        let r = self.expr(receiver)?;
        let def = self.bt.expr_defs.get(&e).copied();
        let params: Vec<Ty> = def
            .and_then(|d| self.typed.sigs.get(&d))
            .map(|s| s.params.clone())
            .unwrap_or_default();
        let mut parts = Vec::new();
        for (i, a) in args.iter().enumerate() {
            parts.push(self.arg(*a, params.get(i + 1))?);
        }
        let std_ty = def
            .filter(|d| self.program.is_std_def(*d))
            .and(self.std_type_name(self.ty_of(receiver)));
        Ok(match (std_ty.as_deref(), method) {
            (Some("List" | "String" | "Map"), "len") => format!("({r}.len() as i64)"),
            // Ward's cell borrows are references; Rust's guards deref to one.
            (Some("RefCell"), "borrow") => format!("(&*{r}.borrow())"),
            (Some("RefCell"), "borrow_mut") => format!("(&mut *{r}.borrow_mut())"),
            (Some("List"), "insert") if parts.len() == 2 => {
                format!("{r}.insert(({}) as usize, {})", parts[0], parts[1])
            }
            (Some("List"), "remove") if parts.len() == 1 => {
                format!("{r}.remove(({}) as usize)", parts[0])
            }
            (Some("List"), "get" | "get_mut") if parts.len() == 1 => {
                format!("{r}.{method}(({}) as usize)", parts[0])
            }
            (Some("List"), "swap") if parts.len() == 2 => {
                format!("{r}.swap(({}) as usize, ({}) as usize)", parts[0], parts[1])
            }
            (Some("List"), "truncate") if parts.len() == 1 => {
                format!("{r}.truncate(({}) as usize)", parts[0])
            }
            // Ward's names for Rust's `str` methods.
            (Some("String"), "parse_int") => format!("{r}.parse::<i64>()"),
            (Some("String"), "parse_float") => format!("{r}.parse::<f64>()"),
            (Some("String"), "to_upper") => format!("{r}.to_uppercase()"),
            (Some("String"), "to_lower") => format!("{r}.to_lowercase()"),
            _ => format!("{r}.{method}({})", parts.join(", ")),
        })
    }

    fn condition(&self, c: Condition) -> Result<String> {
        match c {
            Condition::Expr(e) => self.expr(e),
            Condition::Let { pat, value } => {
                let mut v = self.expr(value)?;
                if matches!(self.ty_of(value), Ty::Str) {
                    v = format!("{v}.as_str()");
                }
                Ok(format!("let {} = {v}", self.pat(pat)?))
            }
        }
    }

    fn block(&self, b: &Block) -> Result<String> {
        let mut out = String::from("{\n");
        for s in &b.stmts {
            match s {
                Stmt::Let {
                    pat,
                    ty: t,
                    init,
                    else_block,
                    ..
                } => {
                    let annot = match t {
                        Some(t) => format!(": {}", ty(t, false)?),
                        None => String::new(),
                    };
                    let expected = t.as_ref().map(|_| self.bt.pat_types[pat.index()].clone());
                    let init = match init {
                        Some(i) => format!(" = {}", self.arg(*i, expected.as_ref())?),
                        None => String::new(),
                    };
                    let els = match else_block {
                        Some(eb) => format!(" else {}", self.expr(*eb)?),
                        None => String::new(),
                    };
                    let _ = writeln!(out, "let {}{annot}{init}{els};", self.pat(*pat)?);
                }
                Stmt::Expr { expr, semi, .. } => {
                    let _ = writeln!(out, "{}{}", self.expr(*expr)?, if *semi { ";" } else { "" });
                }
                Stmt::Defer { .. } => return Err("defer is Ward-only".into()),
                Stmt::Item(_) => return Err("items inside blocks".into()),
            }
        }
        if let Some(t) = b.tail {
            let _ = writeln!(out, "{}", self.expr(t)?);
        }
        out.push('}');
        Ok(out)
    }

    fn pat(&self, p: PatId) -> Result<String> {
        Ok(match &self.body.pat(p).kind {
            PatKind::Missing => return Err("a damaged pattern".into()),
            PatKind::Wild => "_".into(),
            PatKind::Rest => "..".into(),
            PatKind::Ident {
                name,
                mutable,
                by_ref,
                ref_mut,
                sub,
            } => {
                let mut s = String::new();
                if *by_ref {
                    s.push_str(if *ref_mut { "ref mut " } else { "ref " });
                }
                if *mutable {
                    s.push_str("mut ");
                }
                s.push_str(&name.text);
                if let Some(sub) = sub {
                    let _ = write!(s, " @ {}", self.pat(*sub)?);
                }
                s
            }
            PatKind::Path(path) => path.text(),
            PatKind::Literal { lit, negative } => {
                let sign = if *negative { "-" } else { "" };
                match lit {
                    Literal::Int(n) => format!("{sign}{n}"),
                    Literal::Float(f) => format!("{sign}{f:?}"),
                    Literal::Bool(b) => b.to_string(),
                    Literal::Char(c) => format!("{c:?}"),
                    Literal::Str(s) => format!("{s:?}"),
                }
            }
            PatKind::Range {
                start,
                end,
                inclusive,
            } => {
                let s = start.map(|s| self.pat(s)).transpose()?.unwrap_or_default();
                let t = end.map(|t| self.pat(t)).transpose()?.unwrap_or_default();
                format!("{s}{}{t}", if *inclusive { "..=" } else { ".." })
            }
            PatKind::Tuple(items) => {
                let parts: Result<Vec<String>> = items.iter().map(|i| self.pat(*i)).collect();
                let parts = parts?;
                if parts.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(", "))
                }
            }
            PatKind::TupleStruct { path, elems } => {
                let parts: Result<Vec<String>> = elems.iter().map(|i| self.pat(*i)).collect();
                format!("{}({})", path.text(), parts?.join(", "))
            }
            PatKind::Struct { path, fields, rest } => {
                let mut parts = Vec::new();
                for f in fields {
                    if f.shorthand {
                        parts.push(self.pat(f.pat)?);
                    } else {
                        parts.push(format!("{}: {}", f.name.text, self.pat(f.pat)?));
                    }
                }
                if *rest {
                    parts.push("..".into());
                }
                format!("{} {{ {} }}", path.text(), parts.join(", "))
            }
            PatKind::Slice(items) => {
                let parts: Result<Vec<String>> = items.iter().map(|i| self.pat(*i)).collect();
                format!("[{}]", parts?.join(", "))
            }
            PatKind::Ref { mutable, inner } => {
                format!(
                    "&{}{}",
                    if *mutable { "mut " } else { "" },
                    self.pat(*inner)?
                )
            }
            PatKind::Or(alts) => {
                let parts: Result<Vec<String>> = alts.iter().map(|i| self.pat(*i)).collect();
                parts?.join(" | ")
            }
        })
    }
}
