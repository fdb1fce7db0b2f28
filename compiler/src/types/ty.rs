//! Semantic types, and the structural properties the language defines on
//! them: Copy, Send, `'static`, cloneable, printable with `{}`.

use crate::resolve::{DefId, Program};
use std::fmt::Write as _;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    Int,
    Float,
    Bool,
    Char,
    Str,
    /// `!`: the type of expressions that do not finish.
    Never,
    /// `()` is the empty tuple.
    Tuple(Vec<Ty>),
    /// `[T; N]`; `None` is a slice `[T]` (behind a reference).
    Array(Box<Ty>, Option<u64>),
    /// `&T` (false) or `&mut T` (true). Regions are the borrow checker's.
    Ref(bool, Box<Ty>),
    Fn(Vec<Ty>, Box<Ty>),
    /// A struct or enum (user or std) with its type arguments.
    Adt(DefId, Vec<Ty>),
    /// Type parameter `index` of the signature being checked.
    Param(u32, Arc<str>),
    /// An inference variable of the body being checked.
    Var(u32),
    /// A type that could not be determined; already reported.
    Error,
}

impl Ty {
    pub fn unit() -> Ty {
        Ty::Tuple(Vec::new())
    }

    pub fn is_unit(&self) -> bool {
        matches!(self, Ty::Tuple(v) if v.is_empty())
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Ty::Error)
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }

    /// Whether the type mentions `Error` anywhere (then messages about it
    /// would only repeat an earlier one).
    pub fn references_error(&self) -> bool {
        let mut found = false;
        self.walk(&mut |t| found |= t.is_error());
        found
    }

    pub fn has_vars(&self) -> bool {
        let mut found = false;
        self.walk(&mut |t| found |= matches!(t, Ty::Var(_)));
        found
    }

    pub fn walk(&self, f: &mut impl FnMut(&Ty)) {
        f(self);
        match self {
            Ty::Tuple(items) | Ty::Adt(_, items) => items.iter().for_each(|t| t.walk(f)),
            Ty::Array(t, _) | Ty::Ref(_, t) => t.walk(f),
            Ty::Fn(params, ret) => {
                for t in params {
                    t.walk(f);
                }
                ret.walk(f);
            }
            _ => {}
        }
    }

    /// [`Ty::walk`] that may change each type it visits.
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&mut Ty)) {
        f(self);
        match self {
            Ty::Tuple(items) | Ty::Adt(_, items) => items.iter_mut().for_each(|t| t.walk_mut(f)),
            Ty::Array(t, _) | Ty::Ref(_, t) => t.walk_mut(f),
            Ty::Fn(params, ret) => {
                for t in params {
                    t.walk_mut(f);
                }
                ret.walk_mut(f);
            }
            _ => {}
        }
    }

    /// Replaces `Param(i)` with `args[i]`.
    #[must_use]
    pub fn subst(&self, args: &[Ty]) -> Ty {
        match self {
            Ty::Param(i, _) => args.get(*i as usize).cloned().unwrap_or(Ty::Error),
            Ty::Tuple(items) => Ty::Tuple(items.iter().map(|t| t.subst(args)).collect()),
            Ty::Adt(d, items) => Ty::Adt(*d, items.iter().map(|t| t.subst(args)).collect()),
            Ty::Array(t, n) => Ty::Array(Box::new(t.subst(args)), *n),
            Ty::Ref(m, t) => Ty::Ref(*m, Box::new(t.subst(args))),
            Ty::Fn(params, ret) => Ty::Fn(
                params.iter().map(|t| t.subst(args)).collect(),
                Box::new(ret.subst(args)),
            ),
            other => other.clone(),
        }
    }

    /// The type with every reference removed from the outside.
    pub fn peel_refs(&self) -> &Ty {
        let mut t = self;
        while let Ty::Ref(_, inner) = t {
            t = inner;
        }
        t
    }
}

/// The type an `impl` block can be for (methods are looked up by it).
pub fn type_res(ty: &Ty) -> Option<crate::resolve::TypeRes> {
    use crate::resolve::{Prim, TypeRes};
    Some(match ty {
        Ty::Adt(d, _) => TypeRes::Def(*d),
        Ty::Int => TypeRes::Prim(Prim::Int),
        Ty::Float => TypeRes::Prim(Prim::Float),
        Ty::Bool => TypeRes::Prim(Prim::Bool),
        Ty::Char => TypeRes::Prim(Prim::Char),
        Ty::Str => TypeRes::Prim(Prim::Str),
        _ => return None,
    })
}

/// Renders a type as a person writes it.
pub fn display(program: &Program, ty: &Ty) -> String {
    let mut out = String::new();
    write_ty(program, ty, &mut out, 0);
    out
}

/// Types nested deeper than this are shown with `…` inside (as rustc
/// shortens long type names): a message stays readable, and bounded.
const DISPLAY_DEPTH: usize = 24;

fn write_ty(program: &Program, ty: &Ty, out: &mut String, depth: usize) {
    if depth > DISPLAY_DEPTH {
        out.push('…');
        return;
    }
    let depth = depth + 1;
    match ty {
        Ty::Int => out.push_str("int"),
        Ty::Float => out.push_str("float"),
        Ty::Bool => out.push_str("bool"),
        Ty::Char => out.push_str("char"),
        Ty::Str => out.push_str("String"),
        Ty::Never => out.push('!'),
        Ty::Tuple(items) => {
            out.push('(');
            for (i, t) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_ty(program, t, out, depth);
            }
            if items.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        Ty::Array(t, n) => {
            out.push('[');
            write_ty(program, t, out, depth);
            if let Some(n) = n {
                let _ = write!(out, "; {n}");
            }
            out.push(']');
        }
        Ty::Ref(m, t) => {
            out.push_str(if *m { "&mut " } else { "&" });
            write_ty(program, t, out, depth);
        }
        Ty::Fn(params, ret) => {
            out.push_str("fn(");
            for (i, t) in params.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_ty(program, t, out, depth);
            }
            out.push(')');
            if !ret.is_unit() {
                out.push_str(" -> ");
                write_ty(program, ret, out, depth);
            }
        }
        Ty::Adt(d, args) => {
            out.push_str(&program.def_path(*d));
            if !args.is_empty() {
                out.push('<');
                for (i, t) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_ty(program, t, out, depth);
                }
                out.push('>');
            }
        }
        Ty::Param(_, name) => out.push_str(name),
        Ty::Var(_) => out.push('_'),
        Ty::Error => out.push_str("{unknown}"),
    }
}

/// The field types of a struct or variant, in terms of its generics.
pub fn is_copy(program: &Program, adts: &super::Adts, ty: &Ty) -> bool {
    match ty {
        Ty::Int | Ty::Float | Ty::Bool | Ty::Char | Ty::Never | Ty::Error | Ty::Fn(..) => true,
        Ty::Str | Ty::Param(..) | Ty::Var(_) => false,
        Ty::Tuple(items) => items.iter().all(|t| is_copy(program, adts, t)),
        Ty::Array(t, n) => n.is_some() && is_copy(program, adts, t),
        Ty::Ref(m, _) => !m,
        Ty::Adt(d, args) => {
            let def = program.def(*d);
            if def.has_attr("copy") {
                return true;
            }
            if !def.derives("Copy") {
                return false;
            }
            adts.field_types(*d, args)
                .iter()
                .all(|t| is_copy(program, adts, t))
        }
    }
}

/// Send is structural: no `Gc`, `Weak`, `RefCell`, `Cell`, `Pool`, `Pooled`
/// and no non-`'static` reference inside.
pub fn is_send(program: &Program, adts: &super::Adts, ty: &Ty) -> bool {
    let mut visiting = Vec::new();
    send_inner(program, adts, ty, &mut visiting)
}

fn send_inner(program: &Program, adts: &super::Adts, ty: &Ty, visiting: &mut Vec<DefId>) -> bool {
    match ty {
        Ty::Int
        | Ty::Float
        | Ty::Bool
        | Ty::Char
        | Ty::Str
        | Ty::Never
        | Ty::Error
        | Ty::Fn(..) => true,
        Ty::Param(..) | Ty::Var(_) | Ty::Ref(..) => false,
        Ty::Tuple(items) => items.iter().all(|t| send_inner(program, adts, t, visiting)),
        Ty::Array(t, _) => send_inner(program, adts, t, visiting),
        Ty::Adt(d, args) => {
            let def = program.def(*d);
            if def.has_attr("no_send") {
                return false;
            }
            if visiting.contains(d) {
                return true;
            }
            visiting.push(*d);
            let ok = args.iter().all(|t| send_inner(program, adts, t, visiting))
                && (def.has_attr("opaque")
                    || adts
                        .field_types(*d, args)
                        .iter()
                        .all(|t| send_inner(program, adts, t, visiting)));
            visiting.pop();
            ok
        }
    }
}

/// The type each parameter of `decl` (a signature's type, in terms of
/// `Ty::Param`) stands for in `actual` (the same type at a use), in the
/// order met; a parameter is listed once.
pub fn bind_params(decl: &Ty, actual: &Ty, out: &mut Vec<(String, Ty)>) {
    match (decl, actual) {
        (Ty::Param(_, name), t) if !out.iter().any(|(n, _)| **n == **name) => {
            out.push((name.to_string(), t.clone()));
        }
        (Ty::Tuple(a), Ty::Tuple(b)) | (Ty::Adt(_, a), Ty::Adt(_, b)) => {
            for (x, y) in a.iter().zip(b) {
                bind_params(x, y, out);
            }
        }
        (Ty::Array(a, _), Ty::Array(b, _)) | (Ty::Ref(_, a), Ty::Ref(_, b)) => {
            bind_params(a, b, out);
        }
        (Ty::Fn(pa, ra), Ty::Fn(pb, rb)) => {
            for (x, y) in pa.iter().zip(pb) {
                bind_params(x, y, out);
            }
            bind_params(ra, rb, out);
        }
        _ => {}
    }
}

/// Why a type is not `Send`: the path to the first part that cannot
/// cross between tasks (`Reading.history`, empty when it is the type
/// itself) and that part's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendWitness {
    pub path: String,
    pub ty: Ty,
}

/// `None` when `ty` is `Send` (see [`is_send`]); otherwise where it is not.
/// `fn` types are not `Send` here: a `fn` value may be a closure holding
/// anything (as `Box<dyn Fn()>` is not `Send` in Rust).
pub fn send_witness(program: &Program, adts: &super::Adts, ty: &Ty) -> Option<SendWitness> {
    let mut visiting = Vec::new();
    witness_inner(program, adts, ty, String::new(), &mut visiting)
}

fn witness_inner(
    program: &Program,
    adts: &super::Adts,
    ty: &Ty,
    path: String,
    visiting: &mut Vec<DefId>,
) -> Option<SendWitness> {
    let bad = |path: String| {
        Some(SendWitness {
            path,
            ty: ty.clone(),
        })
    };
    match ty {
        Ty::Int | Ty::Float | Ty::Bool | Ty::Char | Ty::Str | Ty::Never | Ty::Error => None,
        Ty::Fn(..) | Ty::Param(..) | Ty::Var(_) | Ty::Ref(..) => bad(path),
        Ty::Tuple(items) => items.iter().enumerate().find_map(|(i, t)| {
            let p = if path.is_empty() {
                format!("{}.{i}", display(program, ty))
            } else {
                format!("{path}.{i}")
            };
            witness_inner(program, adts, t, p, visiting)
        }),
        Ty::Array(t, _) => witness_inner(program, adts, t, path, visiting),
        Ty::Adt(d, args) => {
            let def = program.def(*d);
            if def.has_attr("no_send") {
                return bad(path);
            }
            if visiting.contains(d) {
                return None;
            }
            visiting.push(*d);
            // A generic argument first (`List<Gc<int>>` holds `Gc<int>`),
            // then the fields of a type whose fields are known.
            let found = args
                .iter()
                .find_map(|t| witness_inner(program, adts, t, path.clone(), visiting))
                .or_else(|| {
                    if def.has_attr("opaque") {
                        return None;
                    }
                    adt_fields(program, adts, *d)
                        .into_iter()
                        .find_map(|(segment, fty)| {
                            let fty = fty.subst(args);
                            let p = if path.is_empty() {
                                format!("{}{segment}", program.def_path(*d))
                            } else {
                                format!("{path}{segment}")
                            };
                            witness_inner(program, adts, &fty, p, visiting)
                        })
                });
            visiting.pop();
            found
        }
    }
}

/// The fields of a struct, or of every variant of an enum, as the path
/// segment that names each (`.field`; `::Variant.0` for a variant's,
/// counting tuple fields from 0).
fn adt_fields(program: &Program, adts: &super::Adts, def: DefId) -> Vec<(String, Ty)> {
    if let Some(fields) = adts.fields.get(&def) {
        return fields
            .iter()
            .map(|f| (format!(".{}", f.name), f.ty.clone()))
            .collect();
    }
    adts.variant_fields(def)
        .flat_map(|(v, fields)| {
            let variant = &program.def(v).name.text;
            fields
                .iter()
                .map(move |f| (format!("::{variant}.{}", f.name), f.ty.clone()))
        })
        .collect()
}

/// Whether a type holds no borrowed reference (`T: 'static`).
pub fn is_static(ty: &Ty) -> bool {
    let mut ok = true;
    ty.walk(&mut |t| ok &= !matches!(t, Ty::Ref(..) | Ty::Param(..)));
    ok
}

/// Whether a value of the type can hold a borrowed reference anywhere
/// inside it: directly, or in a field of a struct or enum (`View<'a>`
/// holding `&'a T`), however deeply nested.
pub fn holds_reference(program: &Program, adts: &super::Adts, ty: &Ty) -> bool {
    let mut visiting = Vec::new();
    holds_reference_inner(program, adts, ty, &mut visiting)
}

fn holds_reference_inner(
    program: &Program,
    adts: &super::Adts,
    ty: &Ty,
    visiting: &mut Vec<DefId>,
) -> bool {
    match ty {
        Ty::Ref(..) => true,
        Ty::Tuple(items) => items
            .iter()
            .any(|t| holds_reference_inner(program, adts, t, visiting)),
        Ty::Array(t, _) => holds_reference_inner(program, adts, t, visiting),
        Ty::Fn(params, ret) => {
            params
                .iter()
                .any(|t| holds_reference_inner(program, adts, t, visiting))
                || holds_reference_inner(program, adts, ret, visiting)
        }
        Ty::Adt(d, args) => {
            if visiting.contains(d) {
                return false;
            }
            visiting.push(*d);
            let found = args
                .iter()
                .any(|t| holds_reference_inner(program, adts, t, visiting))
                || (!program.def(*d).has_attr("opaque")
                    && adts
                        .field_types(*d, args)
                        .iter()
                        .any(|t| holds_reference_inner(program, adts, t, visiting)));
            visiting.pop();
            found
        }
        Ty::Int
        | Ty::Float
        | Ty::Bool
        | Ty::Char
        | Ty::Str
        | Ty::Never
        | Ty::Error
        | Ty::Param(..)
        | Ty::Var(_) => false,
    }
}

/// The built-in deep `.clone()` exists for every type but references and
/// the std types marked `no_clone` (tasks, receivers, pools).
pub fn is_cloneable(program: &Program, ty: &Ty) -> bool {
    match ty {
        Ty::Ref(..) => false,
        Ty::Adt(d, args) => {
            !program.def(*d).has_attr("no_clone") && args.iter().all(|t| is_cloneable(program, t))
        }
        Ty::Tuple(items) => items.iter().all(|t| is_cloneable(program, t)),
        Ty::Array(t, _) => is_cloneable(program, t),
        _ => true,
    }
}

/// Printable with `{}`: numbers, `bool`, `char`, `String`, std types
/// marked `display`, and references to those.
pub fn is_display(program: &Program, ty: &Ty) -> bool {
    match ty.peel_refs() {
        Ty::Int | Ty::Float | Ty::Bool | Ty::Char | Ty::Str | Ty::Error | Ty::Never => true,
        Ty::Adt(d, _) => program.def(*d).has_attr("display"),
        _ => false,
    }
}

/// Printable with `{:?}`: everything but functions.
pub fn is_debug(ty: &Ty) -> bool {
    let mut ok = true;
    ty.walk(&mut |t| ok &= !matches!(t, Ty::Fn(..)));
    ok
}

/// `==` works on every type without functions or `Gc` (structurally).
pub fn is_comparable(program: &Program, ty: &Ty) -> bool {
    let mut ok = true;
    ty.walk(&mut |t| {
        ok &= match t {
            Ty::Fn(..) => false,
            Ty::Adt(d, _) => !program.def(*d).has_attr("no_eq"),
            _ => true,
        };
    });
    ok
}
