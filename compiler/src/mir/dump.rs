//! The text form of MIR printed by `ward check --dump-mir`, close to
//! rustc's `-Zdump-mir` so it reads familiarly.

use super::{
    AggregateKind, Body, BorrowKind, Callee, CaptureKind, Const, FnMir, LocalKind, Operand, Place,
    Proj, Rvalue, StatementKind, TerminatorKind, UnOp,
};
use crate::resolve::Program;
use crate::types::ty;
use std::fmt::Write as _;

/// Prints a function and its closures.
pub fn dump_fn(program: &Program, mir: &FnMir) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "fn {} {{", mir.name);
    dump_body(program, &mir.body, &mut out);
    out.push_str("}\n");
    for (i, c) in mir.closures.iter().enumerate() {
        let parent = c
            .parent
            .map_or_else(|| mir.name.clone(), |p| format!("closure#{p}"));
        let _ = writeln!(out, "closure#{i} in {parent} {{");
        for cap in &c.captures {
            let how = match cap.kind {
                CaptureKind::Ref => "by ref",
                CaptureKind::MutRef => "by mut ref",
                CaptureKind::Value => "by value",
            };
            let _ = writeln!(
                out,
                "    capture {} = {} {how}",
                local_name(cap.local.0),
                place(program, &cap.place)
            );
        }
        dump_body(program, c, &mut out);
        out.push_str("}\n");
    }
    out
}

/// `Type::method` for methods, the path otherwise.
fn fn_name(program: &Program, d: crate::resolve::DefId) -> String {
    let def = program.def(d);
    match def.owner {
        Some(imp) => match &program.impls[imp.0 as usize].self_ty {
            crate::syntax::ast::TypeRef::Path(p) => format!("{}::{}", p.text(), def.name.text),
            _ => def.name.text.clone(),
        },
        None => program.def_path(d),
    }
}

fn local_name(l: u32) -> String {
    format!("_{l}")
}

fn dump_body(program: &Program, body: &Body, out: &mut String) {
    for (i, decl) in body.locals.iter().enumerate() {
        let what = match &decl.kind {
            LocalKind::Return => "return".to_string(),
            LocalKind::Arg => "arg".to_string(),
            LocalKind::User { name, .. } => name.clone(),
            LocalKind::Upvar { name, .. } => format!("upvar {name}"),
            LocalKind::Temp(k) => format!("{k:?}").to_lowercase(),
        };
        let arg = if i >= 1 && i <= body.arg_count as usize {
            " (arg)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "    let {}_{i}: {}; // {what}{arg}",
            if decl.mutable && !decl.is_temp() {
                "mut "
            } else {
                ""
            },
            ty::display(program, &decl.ty)
        );
    }
    for (i, block) in body.blocks.iter().enumerate() {
        let cleanup = if block.cleanup { " (cleanup)" } else { "" };
        let _ = writeln!(out, "    bb{i}{cleanup}: {{");
        for st in &block.statements {
            let text = match &st.kind {
                StatementKind::Assign(p, rv) => {
                    format!("{} = {}", place(program, p), rvalue(program, rv))
                }
                StatementKind::StorageLive(l) => format!("StorageLive(_{})", l.0),
                StatementKind::StorageDead(l) => format!("StorageDead(_{})", l.0),
                StatementKind::Drop(p) => format!("drop({})", place(program, p)),
                StatementKind::FakeRead(p) => format!("FakeRead({})", place(program, p)),
                StatementKind::ZoneEnter(None) => "zone_enter".into(),
                StatementKind::ZoneEnter(Some(op)) => {
                    format!("zone_enter({})", operand(program, op))
                }
                StatementKind::ZoneExit => "zone_exit".into(),
                StatementKind::Nop => "nop".into(),
            };
            let _ = writeln!(out, "        {text};");
        }
        let t = match &block.terminator.kind {
            TerminatorKind::Goto(b) => format!("goto -> bb{}", b.0),
            TerminatorKind::SwitchInt {
                discr,
                targets,
                otherwise,
            } => {
                let mut s = format!("switchInt({}) -> [", operand(program, discr));
                for (v, b) in targets {
                    let _ = write!(s, "{v}: bb{}, ", b.0);
                }
                let _ = write!(s, "otherwise: bb{}]", otherwise.0);
                s
            }
            TerminatorKind::Call {
                callee,
                args,
                dest,
                target,
                unwind,
            } => {
                let f = match callee {
                    Callee::Def(d) => fn_name(program, *d),
                    Callee::Value(op) => operand(program, op),
                    Callee::Builtin(b) => format!("builtin::{b:?}"),
                };
                let args: Vec<String> = args.iter().map(|a| operand(program, a)).collect();
                let mut s = format!("{} = {f}({})", place(program, dest), args.join(", "));
                let mut edges = Vec::new();
                if let Some(t) = target {
                    edges.push(format!("return: bb{}", t.0));
                }
                if let Some(u) = unwind {
                    edges.push(format!("unwind: bb{}", u.0));
                }
                if !edges.is_empty() {
                    let _ = write!(s, " -> [{}]", edges.join(", "));
                }
                s
            }
            TerminatorKind::Return => "return".into(),
            TerminatorKind::Resume => "resume".into(),
            TerminatorKind::Unreachable => "unreachable".into(),
        };
        let _ = writeln!(out, "        {t};");
        out.push_str("    }\n");
    }
}

pub(super) fn place(program: &Program, p: &Place) -> String {
    let mut s = format!("_{}", p.local.0);
    for proj in &p.proj {
        s = match proj {
            Proj::Deref(_) => format!("(*{s})"),
            Proj::Field(i) => format!("{s}.{i}"),
            Proj::Index(l) => format!("{s}[_{}]", l.0),
            Proj::ConstIndex { offset, from_end } => {
                if *from_end {
                    format!("{s}[-{offset}]")
                } else {
                    format!("{s}[{offset}]")
                }
            }
            Proj::Downcast(v) => format!("({s} as {})", program.def(*v).name.text),
        };
    }
    s
}

fn operand(program: &Program, op: &Operand) -> String {
    match op {
        Operand::Copy(p, _) => format!("copy {}", place(program, p)),
        Operand::Move(p, _) => format!("move {}", place(program, p)),
        Operand::Const(c) => match c {
            Const::Int(n) => format!("const {n}"),
            Const::Float(f) => format!("const {f:?}"),
            Const::Bool(b) => format!("const {b}"),
            Const::Char(c) => format!("const {c:?}"),
            Const::Str(s) => format!("const {s:?}"),
            Const::Unit => "const ()".into(),
            Const::Fn(d) | Const::Item(d) => format!("const {}", program.def_path(*d)),
        },
    }
}

fn rvalue(program: &Program, rv: &Rvalue) -> String {
    match rv {
        Rvalue::Use(op) => operand(program, op),
        Rvalue::Ref(k, p) => match k {
            BorrowKind::Shared => format!("&{}", place(program, p)),
            BorrowKind::Mut { two_phase: false } => format!("&mut {}", place(program, p)),
            BorrowKind::Mut { two_phase: true } => format!("&two_phase {}", place(program, p)),
        },
        Rvalue::Binary(op, a, b) => format!(
            "{}({}, {})",
            op.as_str(),
            operand(program, a),
            operand(program, b)
        ),
        Rvalue::Unary(op, a) => format!(
            "{}({})",
            if *op == UnOp::Neg { "Neg" } else { "Not" },
            operand(program, a)
        ),
        Rvalue::Cast(a, t) => format!("{} as {}", operand(program, a), ty::display(program, t)),
        Rvalue::Aggregate(kind, ops) => {
            let args: Vec<String> = ops.iter().map(|a| operand(program, a)).collect();
            let head = match kind {
                AggregateKind::Tuple => String::new(),
                AggregateKind::Array => return format!("[{}]", args.join(", ")),
                AggregateKind::Adt(d) => program.def_path(*d),
                AggregateKind::Range { inclusive, .. } => {
                    if *inclusive {
                        "RangeInclusive".into()
                    } else {
                        "Range".into()
                    }
                }
                AggregateKind::Closure(i) => format!("closure#{i}"),
            };
            format!("{head}({})", args.join(", "))
        }
        Rvalue::Repeat(op, n) => format!("[{}; {n}]", operand(program, op)),
        Rvalue::Discriminant(p) => format!("discriminant({})", place(program, p)),
        Rvalue::Len(p) => format!("Len({})", place(program, p)),
    }
}
