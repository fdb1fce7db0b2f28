//! Constant evaluation: `const` items and array lengths. A constant
//! expression is made of literals, other constants, unary and binary
//! operators and casts; arithmetic follows Rust (overflow and division by
//! zero are errors at compile time).

use super::{TyScope, TypedProgram};
use crate::diagnostics::{Diagnostic, FileId, FileSpan, codes};
use crate::resolve::{DefId, DefKind, Program, ValueRes};
use crate::syntax::ast::{BinaryOp, Body, ExprId, ExprKind, Literal, Path, TypeRef, UnaryOp};

#[derive(Debug, Clone, PartialEq)]
pub enum ConstValue {
    Int(i64),
    Float(f64),
    Bool(bool),
    Char(char),
    Str(String),
}

impl ConstValue {
    pub fn describe(&self) -> String {
        match self {
            ConstValue::Int(n) => n.to_string(),
            ConstValue::Float(f) => format!("{f:?}"),
            ConstValue::Bool(b) => b.to_string(),
            ConstValue::Char(c) => format!("{c:?}"),
            ConstValue::Str(s) => format!("{s:?}"),
        }
    }
}

struct Eval<'a> {
    program: &'a Program,
    /// Constants being evaluated, for cycle detection.
    stack: Vec<DefId>,
    /// The members of a cycle found, reported once for all of them.
    cycle: Vec<DefId>,
}

type EvalResult = Result<ConstValue, Box<Diagnostic>>;

impl Eval<'_> {
    fn const_def(&mut self, def: DefId) -> EvalResult {
        let d = self.program.def(def);
        let DefKind::Const(c) = &d.kind else {
            return Err(Box::new(Diagnostic::error(
                codes::CONST_NOT_CONST,
                d.file_span(),
                "not a constant",
            )));
        };
        if let Some(pos) = self.stack.iter().position(|x| *x == def) {
            self.cycle = self.stack[pos..].to_vec();
            let names: Vec<String> = self.stack[pos..]
                .iter()
                .map(|x| self.program.def(*x).name.text.clone())
                .collect();
            return Err(Box::new(
                Diagnostic::error(
                    codes::CONST_CYCLE,
                    d.file_span(),
                    format!("cycle detected when evaluating constant `{}`", d.name.text),
                )
                .with_note(format!(
                    "the cycle: {} -> {}",
                    names.join(" -> "),
                    d.name.text
                )),
            ));
        }
        self.stack.push(def);
        let result = match c.body.root {
            Some(root) => self.expr(d.file, d.module, &c.body, root),
            None => Err(Box::new(Diagnostic::error(
                codes::CONST_NOT_CONST,
                d.file_span(),
                "constant without a value",
            ))),
        };
        self.stack.pop();
        let value = result?;
        Ok(value)
    }

    fn error(
        file: FileId,
        span: crate::diagnostics::Span,
        message: impl Into<String>,
    ) -> Box<Diagnostic> {
        Box::new(
            Diagnostic::error(codes::CONST_EVAL, FileSpan::new(file, span), message.into())
                .with_label("the evaluation of this constant failed"),
        )
    }

    fn expr(
        &mut self,
        file: FileId,
        module: crate::resolve::ModuleId,
        body: &Body,
        id: ExprId,
    ) -> EvalResult {
        let e = body.expr(id);
        let span = e.span;
        match &e.kind {
            ExprKind::Literal(lit) => Ok(match lit {
                Literal::Int(n) => match i64::try_from(*n) {
                    Ok(v) => ConstValue::Int(v),
                    Err(_) => {
                        return Err(Self::error(
                            file,
                            span,
                            "integer literal is out of range for `int`",
                        ));
                    }
                },
                Literal::Float(f) => ConstValue::Float(*f),
                Literal::Bool(b) => ConstValue::Bool(*b),
                Literal::Char(c) => ConstValue::Char(*c),
                Literal::Str(s) => ConstValue::Str(s.clone()),
            }),
            ExprKind::Paren(inner) => self.expr(file, module, body, *inner),
            ExprKind::Path(path) => match self.program.resolve_value_path(module, file, path) {
                Ok(ValueRes::Def(d)) if matches!(self.program.def(d).kind, DefKind::Const(_)) => {
                    self.const_def(d)
                }
                Ok(_) => Err(Box::new(
                    Diagnostic::error(
                        codes::CONST_NOT_CONST,
                        FileSpan::new(file, span),
                        "attempt to use a non-constant value in a constant",
                    )
                    .with_label("non-constant value"),
                )),
                Err(e) => Err(e.0),
            },
            ExprKind::Unary { op, operand } => {
                let v = self.expr(file, module, body, *operand)?;
                match (op, v) {
                    (UnaryOp::Neg, ConstValue::Int(n)) => n
                        .checked_neg()
                        .map(ConstValue::Int)
                        .ok_or_else(|| Self::error(file, span, "attempt to negate with overflow")),
                    (UnaryOp::Neg, ConstValue::Float(f)) => Ok(ConstValue::Float(-f)),
                    (UnaryOp::Not, ConstValue::Bool(b)) => Ok(ConstValue::Bool(!b)),
                    (UnaryOp::Not, ConstValue::Int(n)) => Ok(ConstValue::Int(!n)),
                    _ => Err(Self::error(
                        file,
                        span,
                        "this operator cannot be applied to that constant",
                    )),
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let a = self.expr(file, module, body, *lhs)?;
                let b = self.expr(file, module, body, *rhs)?;
                binary(*op, a, b).map_err(|m| Self::error(file, span, m))
            }
            ExprKind::Cast { operand, ty } => {
                let v = self.expr(file, module, body, *operand)?;
                let target = match ty {
                    TypeRef::Path(p) => p.as_single().map(|n| n.text.clone()).unwrap_or_default(),
                    _ => String::new(),
                };
                #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
                match (v, target.as_str()) {
                    (ConstValue::Int(n), "float") => Ok(ConstValue::Float(n as f64)),
                    (ConstValue::Float(f), "int") => Ok(ConstValue::Int(f as i64)),
                    (ConstValue::Char(c), "int") => Ok(ConstValue::Int(i64::from(u32::from(c)))),
                    (ConstValue::Bool(b), "int") => Ok(ConstValue::Int(i64::from(b))),
                    (ConstValue::Int(n), "char") => u32::try_from(n)
                        .ok()
                        .and_then(char::from_u32)
                        .map(ConstValue::Char)
                        .ok_or_else(|| {
                            Self::error(file, span, format!("{n} is not a Unicode scalar value"))
                        }),
                    (v @ ConstValue::Int(_), "int")
                    | (v @ ConstValue::Float(_), "float")
                    | (v @ ConstValue::Char(_), "char") => Ok(v),
                    _ => Err(Self::error(
                        file,
                        span,
                        "this cast cannot be evaluated at compile time",
                    )),
                }
            }
            ExprKind::Missing => Err(Box::new(Diagnostic::error(
                codes::CONST_NOT_CONST,
                FileSpan::new(file, span),
                "missing constant value",
            ))),
            _ => Err(Box::new(
                Diagnostic::error(
                    codes::CONST_NOT_CONST,
                    FileSpan::new(file, span),
                    "this expression cannot be evaluated at compile time",
                )
                .with_label("not a constant expression")
                .with_note("constants are made of literals, other constants, operators and casts"),
            )),
        }
    }
}

fn binary(op: BinaryOp, a: ConstValue, b: ConstValue) -> Result<ConstValue, String> {
    use ConstValue::{Bool, Float, Int};
    let overflow = |what: &str| format!("attempt to {what} with overflow");
    Ok(match (a, b) {
        (Int(x), Int(y)) => match op {
            BinaryOp::Add => Int(x.checked_add(y).ok_or_else(|| overflow("add"))?),
            BinaryOp::Sub => Int(x.checked_sub(y).ok_or_else(|| overflow("subtract"))?),
            BinaryOp::Mul => Int(x.checked_mul(y).ok_or_else(|| overflow("multiply"))?),
            BinaryOp::Div if y == 0 => return Err("attempt to divide by zero".into()),
            BinaryOp::Div => Int(x.checked_div(y).ok_or_else(|| overflow("divide"))?),
            BinaryOp::Rem if y == 0 => {
                return Err("attempt to calculate the remainder with a divisor of zero".into());
            }
            BinaryOp::Rem => Int(x
                .checked_rem(y)
                .ok_or_else(|| overflow("calculate the remainder"))?),
            BinaryOp::BitAnd => Int(x & y),
            BinaryOp::BitOr => Int(x | y),
            BinaryOp::BitXor => Int(x ^ y),
            BinaryOp::Shl => Int(u32::try_from(y)
                .ok()
                .and_then(|s| x.checked_shl(s))
                .ok_or_else(|| overflow("shift left"))?),
            BinaryOp::Shr => Int(u32::try_from(y)
                .ok()
                .and_then(|s| x.checked_shr(s))
                .ok_or_else(|| overflow("shift right"))?),
            BinaryOp::Eq => Bool(x == y),
            BinaryOp::Ne => Bool(x != y),
            BinaryOp::Lt => Bool(x < y),
            BinaryOp::Le => Bool(x <= y),
            BinaryOp::Gt => Bool(x > y),
            BinaryOp::Ge => Bool(x >= y),
            BinaryOp::And | BinaryOp::Or => return Err("`&&` and `||` take `bool`s".into()),
        },
        (Float(x), Float(y)) => match op {
            BinaryOp::Add => Float(x + y),
            BinaryOp::Sub => Float(x - y),
            BinaryOp::Mul => Float(x * y),
            BinaryOp::Div => Float(x / y),
            BinaryOp::Rem => Float(x % y),
            BinaryOp::Eq => Bool((x - y).abs() == 0.0),
            BinaryOp::Ne => Bool((x - y).abs() != 0.0),
            BinaryOp::Lt => Bool(x < y),
            BinaryOp::Le => Bool(x <= y),
            BinaryOp::Gt => Bool(x > y),
            BinaryOp::Ge => Bool(x >= y),
            _ => return Err(format!("`{}` cannot be applied to `float`s", op.as_str())),
        },
        (Bool(x), Bool(y)) => match op {
            BinaryOp::And | BinaryOp::BitAnd => Bool(x && y),
            BinaryOp::Or | BinaryOp::BitOr => Bool(x || y),
            BinaryOp::BitXor | BinaryOp::Ne => Bool(x != y),
            BinaryOp::Eq => Bool(x == y),
            _ => return Err(format!("`{}` cannot be applied to `bool`s", op.as_str())),
        },
        _ => return Err("the operands of this operator have different types".into()),
    })
}

/// Evaluates every constant, reporting failures once per constant.
pub fn evaluate_all(program: &Program, typed: &mut TypedProgram, diags: &mut Vec<Diagnostic>) {
    let mut in_cycle: Vec<DefId> = Vec::new();
    for (i, def) in program.defs.iter().enumerate() {
        let id = DefId(u32::try_from(i).unwrap_or(u32::MAX));
        let DefKind::Const(c) = &def.kind else {
            continue;
        };
        let scope = TyScope {
            module: def.module,
            file: def.file,
            generics: &[],
            self_ty: None,
            lifetimes: &[],
            fresh: None,
        };
        let ty = super::lower_type(program, &typed.adts, &scope, &c.ty, diags);
        typed.const_types.insert(id, ty);
        let mut eval = Eval {
            program,
            stack: Vec::new(),
            cycle: Vec::new(),
        };
        match eval.const_def(id) {
            Ok(v) => {
                typed.const_values.insert(id, v);
            }
            Err(d) => {
                let in_reported_cycle = eval.cycle.iter().any(|c| in_cycle.contains(c));
                in_cycle.extend(eval.cycle.iter().copied());
                if def.file != program.std_file && d.span.file == def.file && !in_reported_cycle {
                    diags.push(*d);
                }
            }
        }
    }
}

/// An array length written as a constant's path.
pub fn array_len_const(
    program: &Program,
    scope: &TyScope,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Option<u64> {
    match program.resolve_value_path(scope.module, scope.file, path) {
        Ok(ValueRes::Def(d)) if matches!(program.def(d).kind, DefKind::Const(_)) => {
            let mut eval = Eval {
                program,
                stack: Vec::new(),
                cycle: Vec::new(),
            };
            match eval.const_def(d) {
                Ok(ConstValue::Int(n)) if n >= 0 => u64::try_from(n).ok(),
                Ok(_) => {
                    diags.push(Diagnostic::error(
                        codes::MISMATCHED_TYPES,
                        FileSpan::new(scope.file, path.span),
                        "an array length must be a non-negative `int`",
                    ));
                    None
                }
                Err(_) => None,
            }
        }
        Ok(_) => {
            diags.push(Diagnostic::error(
                codes::CONST_NOT_CONST,
                FileSpan::new(scope.file, path.span),
                "an array length must be a constant",
            ));
            None
        }
        Err(e) => {
            diags.push(*e.0);
            None
        }
    }
}

/// The value of an `int` constant expression in a body (array repeat
/// lengths), if it is one.
pub fn eval_int(
    program: &Program,
    file: FileId,
    module: crate::resolve::ModuleId,
    body: &Body,
    id: ExprId,
) -> Result<i64, Box<Diagnostic>> {
    let mut eval = Eval {
        program,
        stack: Vec::new(),
        cycle: Vec::new(),
    };
    match eval.expr(file, module, body, id)? {
        ConstValue::Int(n) => Ok(n),
        _ => Err(Box::new(Diagnostic::error(
            codes::MISMATCHED_TYPES,
            FileSpan::new(file, body.expr(id).span),
            "expected an `int` constant",
        ))),
    }
}
