//! The verifier: a loaded module is checked once so the interpreter can
//! trust it — every instruction decodes, registers, constants, functions,
//! natives and types exist, jumps land on instruction boundaries, control
//! cannot run off the end of a function, and every typed instruction gets
//! registers of its types (so the VM never checks a value's type at run
//! time).

use super::ops::{Op, OperandKind, OperandValue};
use super::{Constant, Function, Module, RegType, RegType as T, TypeDef};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    pub function: Option<String>,
    pub pc: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.function, self.pc) {
            (Some(func), Some(pc)) => write!(f, "in `{func}` at byte {pc}: {}", self.message),
            (Some(func), None) => write!(f, "in `{func}`: {}", self.message),
            _ => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for VerifyError {}

type R = Result<(), VerifyError>;

fn err(message: impl Into<String>) -> VerifyError {
    VerifyError {
        function: None,
        pc: None,
        message: message.into(),
    }
}

/// A comparison code (`cmp_int` and kin) exists: 0 to 5.
fn comparison(cmp: u8) -> R {
    if cmp > 5 {
        return Err(err(format!("comparison {cmp} does not exist")));
    }
    Ok(())
}

/// Checks a whole module.
pub fn verify(m: &Module) -> R {
    let check_ty = |t: RegType| -> R {
        match t {
            RegType::Owned(n) | RegType::Gc(n) if n as usize >= m.types.len() => {
                Err(err(format!("type ty#{n} does not exist")))
            }
            _ => Ok(()),
        }
    };
    for t in &m.types {
        match t {
            TypeDef::Record { fields, .. } => fields.iter().try_for_each(|f| check_ty(*f))?,
            TypeDef::Enum { variants, .. } => {
                for (_, fs) in variants {
                    fs.iter().try_for_each(|f| check_ty(*f))?;
                }
            }
            TypeDef::List(e) => check_ty(*e)?,
            TypeDef::Map(k, v) => {
                check_ty(*k)?;
                check_ty(*v)?;
            }
            TypeDef::Closure { params, ret } => {
                params.iter().try_for_each(|f| check_ty(*f))?;
                check_ty(*ret)?;
            }
        }
    }
    if let Some(e) = m.entry {
        let f = m
            .functions
            .get(e as usize)
            .ok_or_else(|| err(format!("entry function fn#{e} does not exist")))?;
        if f.arity != 0 {
            return Err(err(format!("entry function `{}` takes arguments", f.name)));
        }
    }
    for f in &m.functions {
        let fail = |mut e: VerifyError| {
            e.function = Some(f.name.clone());
            e
        };
        f.regs.iter().try_for_each(|t| check_ty(*t)).map_err(fail)?;
        check_ty(f.ret).map_err(fail)?;
        function(m, f).map_err(fail)?;
    }
    Ok(())
}

fn function(m: &Module, f: &Function) -> R {
    if usize::from(f.arity) >= f.regs.len() {
        return Err(err("fewer registers than the result and parameters"));
    }
    if !m.files.is_empty() && f.file as usize >= m.files.len() {
        return Err(err(format!("source file #{} does not exist", f.file)));
    }
    let ops = f.instructions().map_err(|e| err(e.to_string()))?;
    let Some((_, last)) = ops.last() else {
        return Err(err("no code"));
    };
    if !last.is_terminator() {
        return Err(err("control runs off the end of the function"));
    }
    let mut boundary = vec![false; f.code.len()];
    for (pc, _) in &ops {
        boundary[*pc] = true;
    }
    for w in f.lines.windows(2) {
        if w[0].pc > w[1].pc {
            return Err(err("the line table is not sorted"));
        }
    }
    if f.lines.iter().any(|l| l.pc as usize >= f.code.len()) {
        return Err(err("a line table entry points past the code"));
    }
    for h in &f.handlers {
        let on_boundary = |pc: u32| boundary.get(pc as usize).copied() == Some(true);
        if h.start > h.end || h.end as usize > f.code.len() || !on_boundary(h.target) {
            return Err(err(format!(
                "handler {}..{} -> {} is not within the code",
                h.start, h.end, h.target
            )));
        }
    }
    for (i, (pc, op)) in ops.iter().enumerate() {
        let next = ops.get(i + 1).map_or(f.code.len(), |(p, _)| *p);
        instruction(m, f, op, next, &boundary).map_err(|mut e| {
            e.pc = Some(*pc);
            e.message = format!("`{}`: {}", op.text(), e.message);
            e
        })?;
    }
    Ok(())
}

/// Generic code shares one representation: a type parameter's register
/// (`any`) takes a value of any type, and gives one.
fn compatible(a: RegType, b: RegType) -> bool {
    a == b || a == RegType::Any || b == RegType::Any
}

fn reg(f: &Function, r: u16) -> Result<RegType, VerifyError> {
    f.regs.get(usize::from(r)).copied().ok_or_else(|| {
        err(format!(
            "register r{r} does not exist ({} registers)",
            f.regs.len()
        ))
    })
}

fn want(f: &Function, r: u16, t: RegType) -> R {
    let got = reg(f, r)?;
    if compatible(got, t) {
        Ok(())
    } else {
        Err(err(format!(
            "r{r} holds {}, expected {}",
            got.name(),
            t.name()
        )))
    }
}

/// A jump by `off` from the instruction ending at `next` must land on an
/// instruction.
fn jump_target(next: usize, off: i32, boundary: &[bool], what: &str) -> R {
    let target = next as i64 + i64::from(off);
    let ok = usize::try_from(target)
        .ok()
        .and_then(|t| boundary.get(t))
        .copied()
        == Some(true);
    if ok {
        Ok(())
    } else {
        Err(err(format!(
            "{what} to byte {target} is not an instruction"
        )))
    }
}

/// `dst: dt` computed from `a: at`.
fn unary(f: &Function, dst: u16, dt: RegType, a: u16, at: RegType) -> R {
    want(f, dst, dt)?;
    want(f, a, at)
}

fn same(f: &Function, first: u16, second: u16) -> R {
    let (t1, t2) = (reg(f, first)?, reg(f, second)?);
    if compatible(t1, t2) {
        Ok(())
    } else {
        Err(err(format!(
            "r{first} holds {} but r{second} holds {}",
            t1.name(),
            t2.name()
        )))
    }
}

/// Whether function `g` has the parameters and result of a closure type.
fn signature_matches(params: &[RegType], ret: RegType, g: &Function) -> bool {
    params.len() == usize::from(g.arity)
        && params
            .iter()
            .zip(g.params())
            .all(|(a, b)| compatible(*a, *b))
        && compatible(ret, g.ret)
}

fn constant(m: &Module, k: u32) -> Result<&Constant, VerifyError> {
    m.constants
        .get(k as usize)
        .ok_or_else(|| err(format!("constant k{k} does not exist")))
}

fn record_fields(m: &Module, t: RegType) -> Result<&[RegType], VerifyError> {
    match t {
        RegType::Owned(n) | RegType::Gc(n) => match m.types.get(n as usize) {
            Some(TypeDef::Record { fields, .. }) => Ok(fields),
            _ => Err(err(format!("ty#{n} is not a record"))),
        },
        other => Err(err(format!("{} is not a record", other.name()))),
    }
}

fn fields_match(f: &Function, want: &[RegType], regs: super::RegRange) -> R {
    if usize::from(regs.count) != want.len() {
        return Err(err(format!(
            "{} values for {} fields",
            regs.count,
            want.len()
        )));
    }
    for (r, t) in regs.iter().zip(want) {
        self::want(f, r, *t)?;
    }
    Ok(())
}

#[allow(clippy::too_many_lines)]
fn instruction(m: &Module, f: &Function, op: &Op, next: usize, boundary: &[bool]) -> R {
    // Generic operand checks from the table.
    for o in op.operands() {
        match o {
            OperandValue::Reg(_, r) => {
                reg(f, r)?;
            }
            OperandValue::Regs(range)
                if usize::from(range.first) + usize::from(range.count) > f.regs.len() =>
            {
                return Err(err("register range past the last register"));
            }
            OperandValue::Index(OperandKind::Const, k) => {
                constant(m, k)?;
            }
            OperandValue::Index(OperandKind::Func, k) if k as usize >= m.functions.len() => {
                return Err(err(format!("function fn#{k} does not exist")));
            }
            OperandValue::Index(OperandKind::Native, k) if k as usize >= m.natives.len() => {
                return Err(err(format!("native function #{k} does not exist")));
            }
            OperandValue::Index(OperandKind::Type, k) if k as usize >= m.types.len() => {
                return Err(err(format!("type ty#{k} does not exist")));
            }
            OperandValue::Off(off) => jump_target(next, off, boundary, "jump")?,
            _ => {}
        }
    }
    match *op {
        Op::Nop {}
        | Op::Jump { .. }
        | Op::Resume {}
        | Op::Unreachable {}
        | Op::Drop { .. }
        | Op::CaughtPanic { .. }
        | Op::ToError { .. }
        | Op::IntoIter { .. }
        // An item's type is its iterator's, which the register table does
        // not record (as for `iter_next`).
        | Op::ForIter { .. }
        | Op::ForIterLoop { .. }
        | Op::CellBorrowSite { .. }
        | Op::CellRelease { .. }
        | Op::ZoneExit {}
        // Natives are typed by the host that binds them.
        | Op::CallNative { .. } => {}
        // A copy of owned data is a deep copy (Copy structs, the by-value
        // reads of closures' captured references).
        Op::Copy { dst, src } | Op::Move { dst, src } => same(f, dst, src)?,
        Op::ZoneEnter { size } => want(f, size, T::Int)?,
        Op::JsonGet { dst, obj, k, mode, .. } => {
            want(f, obj, T::Ref)?;
            match mode {
                0..=4 => {}
                5 => want(f, dst, T::Bool)?,
                _ => return Err(err(format!("json_get mode {mode} is not one"))),
            }
            if !matches!(constant(m, k)?, Constant::Str(_)) {
                return Err(err(format!("k{k} is not a string")));
            }
        }
        Op::LoadInt { dst, k } => {
            want(f, dst, T::Int)?;
            if !matches!(constant(m, k)?, Constant::Int(_)) {
                return Err(err(format!("k{k} is not an int")));
            }
        }
        Op::LoadFloat { dst, k } => {
            want(f, dst, T::Float)?;
            if !matches!(constant(m, k)?, Constant::Float(_)) {
                return Err(err(format!("k{k} is not a float")));
            }
        }
        Op::LoadChar { dst, k } => {
            want(f, dst, T::Char)?;
            if !matches!(constant(m, k)?, Constant::Char(_)) {
                return Err(err(format!("k{k} is not a char")));
            }
        }
        Op::LoadStr { dst, k } => {
            want(f, dst, T::Str)?;
            if !matches!(constant(m, k)?, Constant::Str(_)) {
                return Err(err(format!("k{k} is not a string")));
            }
        }
        Op::LoadBool { dst, .. } => want(f, dst, T::Bool)?,
        // `()` is also the empty state of a register that can own or hold
        // GC pointers (moved out, or cleared when its storage dies).
        Op::LoadUnit { dst } => {
            if !reg(f, dst)?.is_root() {
                want(f, dst, T::Unit)?;
            }
        }
        Op::AddInt { dst, a, b }
        | Op::SubInt { dst, a, b }
        | Op::MulInt { dst, a, b }
        | Op::DivInt { dst, a, b }
        | Op::RemInt { dst, a, b }
        | Op::AndInt { dst, a, b }
        | Op::OrInt { dst, a, b }
        | Op::XorInt { dst, a, b }
        | Op::ShlInt { dst, a, b }
        | Op::ShrInt { dst, a, b } => {
            for r in [dst, a, b] {
                want(f, r, T::Int)?;
            }
        }
        Op::AddFloat { dst, a, b }
        | Op::SubFloat { dst, a, b }
        | Op::MulFloat { dst, a, b }
        | Op::DivFloat { dst, a, b }
        | Op::RemFloat { dst, a, b } => {
            for r in [dst, a, b] {
                want(f, r, T::Float)?;
            }
        }
        Op::NegInt { dst, a } | Op::NotInt { dst, a } => unary(f, dst, T::Int, a, T::Int)?,
        Op::NegFloat { dst, a } => unary(f, dst, T::Float, a, T::Float)?,
        Op::NotBool { dst, a } => unary(f, dst, T::Bool, a, T::Bool)?,
        Op::CmpInt { dst, a, b, cmp }
        | Op::CmpFloat { dst, a, b, cmp }
        | Op::CmpScalar { dst, a, b, cmp }
        | Op::CmpStr { dst, a, b, cmp } => {
            want(f, dst, T::Bool)?;
            comparison(cmp)?;
            let t = match op {
                Op::CmpInt { .. } => T::Int,
                Op::CmpFloat { .. } => T::Float,
                Op::CmpStr { .. } => T::Str,
                _ => {
                    same(f, a, b)?;
                    if !matches!(reg(f, a)?, T::Bool | T::Char | T::Unit) {
                        return Err(err("cmp_scalar compares bools, chars and units"));
                    }
                    return Ok(());
                }
            };
            want(f, a, t)?;
            want(f, b, t)?;
        }
        Op::EqDeep { dst, a, b, .. } => {
            want(f, dst, T::Bool)?;
            same(f, a, b)?;
        }
        Op::IntToFloat { dst, a } => unary(f, dst, T::Float, a, T::Int)?,
        Op::FloatToInt { dst, a } => unary(f, dst, T::Int, a, T::Float)?,
        Op::IntToChar { dst, a } => unary(f, dst, T::Char, a, T::Int)?,
        Op::CharToInt { dst, a } => unary(f, dst, T::Int, a, T::Char)?,
        Op::BoolToInt { dst, a } => unary(f, dst, T::Int, a, T::Bool)?,
        Op::JumpIf { cond, .. } | Op::JumpIfNot { cond, .. } => want(f, cond, T::Bool)?,
        Op::ForRange { dst, cur, end, .. } | Op::ForRangeLoop { dst, cur, end, .. } => {
            want(f, dst, T::Int)?;
            want(f, cur, T::Int)?;
            want(f, end, T::Int)?;
        }
        Op::RangeInclusiveEnd { end } => want(f, end, T::Int)?,
        Op::AddIntImm { dst, a, .. }
        | Op::SubIntImm { dst, a, .. }
        | Op::MulIntImm { dst, a, .. } => {
            want(f, dst, T::Int)?;
            want(f, a, T::Int)?;
        }
        Op::DivIntImm { dst, a, imm } | Op::RemIntImm { dst, a, imm } => {
            if imm == 0 || imm == -1 {
                return Err(err(format!(
                    "a division by the immediate {imm} (it must be neither 0 nor -1)"
                )));
            }
            want(f, dst, T::Int)?;
            want(f, a, T::Int)?;
        }
        Op::CmpIntImm { dst, a, cmp, .. } => {
            comparison(cmp)?;
            want(f, dst, T::Bool)?;
            want(f, a, T::Int)?;
        }
        Op::BrCmpIntImm { a, cmp, .. } => {
            comparison(cmp)?;
            want(f, a, T::Int)?;
        }
        Op::BrCmpInt { a, b, cmp, .. } => {
            comparison(cmp)?;
            want(f, a, T::Int)?;
            want(f, b, T::Int)?;
        }
        Op::BrCmpFloat { a, b, cmp, .. } => {
            comparison(cmp & !8)?;
            want(f, a, T::Float)?;
            want(f, b, T::Float)?;
        }
        Op::Call {
            dst,
            f: callee,
            args,
        } => {
            let g = &m.functions[callee as usize];
            fields_match(f, g.params(), args)
                .map_err(|e| err(format!("arguments of `{}`: {}", g.name, e.message)))?;
            want(f, dst, g.ret)?;
        }
        Op::Call2 {
            dst,
            f: callee,
            a,
            b,
        } => {
            let g = &m.functions[callee as usize];
            let params = g.params();
            if params.len() != 2 {
                return Err(err(format!(
                    "`call2` of `{}`, which takes {} arguments",
                    g.name,
                    params.len()
                )));
            }
            for (r, t) in [a, b].into_iter().zip(params) {
                // The argument is copied, not moved: only values whose
                // copy is their bits qualify.
                if !matches!(
                    t,
                    T::Int | T::Float | T::Bool | T::Char | T::Ref | T::Unit
                ) {
                    return Err(err(format!(
                        "`call2` copies its arguments, but `{}` takes a {}",
                        g.name,
                        t.name()
                    )));
                }
                want(f, r, *t)?;
            }
            want(f, dst, g.ret)?;
        }
        Op::CallClosure { dst, closure, args } => {
            let t = reg(f, closure)?;
            let T::Owned(n) = t else {
                return Err(err("call_closure needs a closure"));
            };
            let Some(TypeDef::Closure { params, ret }) = m.types.get(n as usize) else {
                return Err(err("call_closure needs a closure"));
            };
            fields_match(f, params, args)?;
            want(f, dst, *ret)?;
        }
        Op::Return { src } => want(f, src, f.ret)?,
        Op::MakeRecord { dst, ty, fields } => {
            want(f, dst, T::Owned(ty))?;
            let fs = record_fields(m, T::Owned(ty))?;
            fields_match(f, fs, fields)?;
        }
        Op::MakeVariant {
            dst,
            ty,
            variant,
            fields,
        } => {
            want(f, dst, T::Owned(ty))?;
            let Some(TypeDef::Enum { variants, .. }) = m.types.get(ty as usize) else {
                return Err(err(format!("ty#{ty} is not an enum")));
            };
            let (_, fs) = variants
                .get(usize::from(variant))
                .ok_or_else(|| err(format!("variant {variant} does not exist")))?;
            fields_match(f, fs, fields)?;
        }
        Op::Tag { dst, src } => {
            want(f, dst, T::Int)?;
            let t = reg(f, src)?;
            let is_enum = matches!(t, T::Owned(n) | T::Gc(n) if matches!(m.types.get(n as usize), Some(TypeDef::Enum { .. })));
            if !is_enum {
                return Err(err("tag needs an enum"));
            }
        }
        Op::GetField { dst, src, field } | Op::TakeField { dst, src, field } => {
            let fs = record_fields(m, reg(f, src)?)?;
            let t = fs
                .get(usize::from(field))
                .ok_or_else(|| err(format!("field {field} does not exist")))?;
            want(f, dst, *t)?;
        }
        Op::SetField { obj, field, src } => {
            let fs = record_fields(m, reg(f, obj)?)?;
            let t = fs
                .get(usize::from(field))
                .ok_or_else(|| err(format!("field {field} does not exist")))?;
            want(f, src, *t)?;
        }
        Op::MakeClosure {
            dst,
            f: callee,
            captures,
        } => {
            let g = &m.functions[callee as usize];
            let first = usize::from(g.arity) + 1;
            let Some(capture_regs) = g.regs.get(first..first + usize::from(captures.count)) else {
                return Err(err(format!("`{}` has fewer registers than captures", g.name)));
            };
            // The body reaches each capture through a reference the VM
            // puts in its register at every call (the value stays in the
            // closure object).
            if capture_regs.iter().any(|t| *t != T::Ref) {
                return Err(err(format!(
                    "`{}` must reach its captures through reference registers",
                    g.name
                )));
            }
            for r in captures.iter() {
                reg(f, r)?;
            }
            let T::Owned(n) = reg(f, dst)? else {
                return Err(err("make_closure makes a closure"));
            };
            let Some(TypeDef::Closure { params, ret }) = m.types.get(n as usize) else {
                return Err(err("make_closure makes a closure"));
            };
            if !signature_matches(params, *ret, g) {
                return Err(err(format!(
                    "`{}` does not have the closure's signature",
                    g.name
                )));
            }
        }
        Op::MakeList { dst, items } => {
            let T::Owned(n) = reg(f, dst)? else {
                return Err(err("make_list makes a list"));
            };
            let Some(TypeDef::List(e)) = m.types.get(n as usize) else {
                return Err(err("make_list makes a list"));
            };
            for r in items.iter() {
                want(f, r, *e)?;
            }
        }
        Op::Switch { src, table, .. } => {
            want(f, src, T::Int)?;
            let Constant::JumpTable(t) = constant(m, table)? else {
                return Err(err(format!("k{table} is not a jump table")));
            };
            for off in t {
                jump_target(next, *off, boundary, "jump table entry")?;
            }
        }
        Op::DropIf { flag, .. } => want(f, flag, T::Bool)?,
        Op::LoadFunc { dst, f: callee } => {
            let g = &m.functions[callee as usize];
            let ok = matches!(reg(f, dst)?, T::Owned(n) if matches!(m.types.get(n as usize),
                Some(TypeDef::Closure { params, ret }) if signature_matches(params, *ret, g)));
            if !ok {
                return Err(err(format!("`{}` does not fit the register's function type", g.name)));
            }
        }
        Op::AddrReg { dst, .. } | Op::GcDeref { dst, .. } | Op::Promote { dst, .. } => {
            want(f, dst, T::Ref)?;
        }
        Op::AddrField { dst, ptr, .. }
        | Op::AddrConstIndex { dst, ptr, .. }
        | Op::AddrIndex { dst, ptr, .. } => {
            want(f, dst, T::Ref)?;
            want(f, ptr, T::Ref)?;
        }
        Op::Load { ptr, .. }
        | Op::Take { ptr, .. }
        | Op::Store { ptr, .. }
        | Op::DropAt { ptr }
        | Op::Clone { ptr, .. }
        | Op::IterNext { ptr, .. }
        | Op::LoadField { ptr, .. }
        | Op::StoreField { ptr, .. }
        | Op::LoadIndex { ptr, .. }
        | Op::StoreIndex { ptr, .. }
        | Op::LoadIndexField { ptr, .. }
        | Op::StoreIndexField { ptr, .. } => want(f, ptr, T::Ref)?,
        Op::TagAt { dst, ptr } | Op::Len { dst, ptr } => {
            want(f, dst, T::Int)?;
            want(f, ptr, T::Ref)?;
        }
        Op::MakeRepeat { count, .. } => {
            if !matches!(constant(m, count)?, Constant::Int(n) if *n >= 0) {
                return Err(err(format!("k{count} is not a length")));
            }
        }
        Op::MakeRange { bounds, kind, .. } => {
            let present = u16::from(kind & 2 != 0) + u16::from(kind & 4 != 0);
            if bounds.count != present {
                return Err(err("the range's bounds do not match its kind"));
            }
            for r in bounds.iter() {
                want(f, r, T::Int)?;
            }
        }
        Op::CmpStrAt { dst, a, b, cmp } => {
            want(f, dst, T::Bool)?;
            comparison(cmp)?;
            want(f, a, T::Ref)?;
            want(f, b, T::Ref)?;
        }
        Op::EqAt { dst, a, b, .. } => {
            want(f, dst, T::Bool)?;
            want(f, a, T::Ref)?;
            want(f, b, T::Ref)?;
        }
        Op::Panic { msg } => want(f, msg, T::Str)?,
    }
    Ok(())
}
