//! Moving a lowered item to a new place in its file. The language
//! server's lowering cache reuses an unchanged item's syntax after an edit
//! above it, so every byte span inside the item moves by the same amount.

use super::ast::{
    ArrayLen, Attribute, Block, Body, ClosureParam, ConstDef, EnumDef, ExprKind, FieldDef,
    FieldName, Fields, Function, GenericArg, GenericParam, Generics, Impl, Import, Item, ItemKind,
    MatchArm, ModuleDef, Name, Param, PatKind, Path, SelfParam, Stmt, StructDef, TypeRef, Variant,
};
use crate::diagnostics::Span;

/// Moves every span inside by `delta` bytes.
pub trait Shift {
    fn shift(&mut self, delta: i64);
}

impl Shift for Span {
    fn shift(&mut self, delta: i64) {
        let by = |x: u32| u32::try_from(i64::from(x) + delta).unwrap_or(0);
        *self = Span::new(by(self.start), by(self.end));
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, delta: i64) {
        for x in self {
            x.shift(delta);
        }
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, delta: i64) {
        if let Some(x) = self {
            x.shift(delta);
        }
    }
}

impl<T: Shift> Shift for Box<T> {
    fn shift(&mut self, delta: i64) {
        (**self).shift(delta);
    }
}

/// A shared body is copied first unless this is its only owner.
impl<T: Shift + Clone> Shift for std::sync::Arc<T> {
    fn shift(&mut self, delta: i64) {
        std::sync::Arc::make_mut(self).shift(delta);
    }
}

/// `Shift` for a struct: each listed field moves.
macro_rules! shift_fields {
    ($ty:ty: $($field:ident),*) => {
        impl Shift for $ty {
            fn shift(&mut self, delta: i64) {
                $(self.$field.shift(delta);)*
            }
        }
    };
}

shift_fields!(Name: span);
shift_fields!(Attribute: span);
shift_fields!(Item: kind, attrs, span);
shift_fields!(Generics: params);
shift_fields!(GenericParam: name, bounds);
shift_fields!(Function: name, generics, self_param, ret, caps, body, sig_span);
shift_fields!(SelfParam: lifetime, span);
shift_fields!(Param: ty, span);
shift_fields!(StructDef: name, generics, fields);
shift_fields!(FieldDef: name, ty, span);
shift_fields!(EnumDef: name, generics, variants);
shift_fields!(Variant: name, fields, discriminant, span);
shift_fields!(Impl: generics, self_ty, items);
shift_fields!(ConstDef: name, ty, body);
shift_fields!(ModuleDef: name, items);
shift_fields!(Import: path, alias, span);
shift_fields!(Path: segments, span);
shift_fields!(super::ast::PathSegment: name, args);
shift_fields!(Body: exprs, pats, params, loop_attrs);
shift_fields!(super::ast::LoopAttrs: attrs);
shift_fields!(super::ast::Expr: kind, span);
shift_fields!(super::ast::Pat: kind, span);
shift_fields!(Block: stmts);
shift_fields!(super::ast::FieldInit: name);
shift_fields!(MatchArm: span);
shift_fields!(ClosureParam: ty);
shift_fields!(super::ast::FieldPat: name);
shift_fields!(super::ast::UseTree: imports);

impl Shift for ItemKind {
    fn shift(&mut self, delta: i64) {
        match self {
            ItemKind::Fn(f) => f.shift(delta),
            ItemKind::Struct(s) => s.shift(delta),
            ItemKind::Enum(e) => e.shift(delta),
            ItemKind::Impl(i) => i.shift(delta),
            ItemKind::Use(u) => u.shift(delta),
            ItemKind::Mod(m) => m.shift(delta),
            ItemKind::Const(c) => c.shift(delta),
        }
    }
}

impl Shift for Fields {
    fn shift(&mut self, delta: i64) {
        match self {
            Fields::Named(f) | Fields::Tuple(f) => f.shift(delta),
            Fields::Unit => {}
        }
    }
}

impl Shift for TypeRef {
    fn shift(&mut self, delta: i64) {
        match self {
            TypeRef::Path(p) => p.shift(delta),
            TypeRef::Ref {
                lifetime,
                inner,
                span,
                ..
            } => {
                lifetime.shift(delta);
                inner.shift(delta);
                span.shift(delta);
            }
            TypeRef::Tuple(elems, span) => {
                elems.shift(delta);
                span.shift(delta);
            }
            TypeRef::Array { elem, len, span } => {
                elem.shift(delta);
                len.shift(delta);
                span.shift(delta);
            }
            TypeRef::Fn { params, ret, span } => {
                params.shift(delta);
                ret.shift(delta);
                span.shift(delta);
            }
            TypeRef::Never(span) | TypeRef::Infer(span) | TypeRef::Error(span) => {
                span.shift(delta);
            }
        }
    }
}

impl Shift for ArrayLen {
    fn shift(&mut self, delta: i64) {
        match self {
            ArrayLen::Literal(_, span) | ArrayLen::Error(span) => span.shift(delta),
            ArrayLen::Path(p) => p.shift(delta),
        }
    }
}

impl Shift for GenericArg {
    fn shift(&mut self, delta: i64) {
        match self {
            GenericArg::Type(t) => t.shift(delta),
            GenericArg::Lifetime(n) => n.shift(delta),
        }
    }
}

impl Shift for Stmt {
    fn shift(&mut self, delta: i64) {
        match self {
            Stmt::Let { ty, span, .. } => {
                ty.shift(delta);
                span.shift(delta);
            }
            Stmt::Expr { span, .. } | Stmt::Defer { span, .. } => span.shift(delta),
            Stmt::Item(item) => item.shift(delta),
        }
    }
}

impl Shift for FieldName {
    fn shift(&mut self, delta: i64) {
        match self {
            FieldName::Named(n) => n.shift(delta),
            FieldName::Index(_, span) => span.shift(delta),
        }
    }
}

impl Shift for ExprKind {
    fn shift(&mut self, delta: i64) {
        match self {
            ExprKind::Path(p) => p.shift(delta),
            ExprKind::Cast { ty, .. } => ty.shift(delta),
            ExprKind::MethodCall {
                method,
                generic_args,
                ..
            } => {
                method.shift(delta);
                generic_args.shift(delta);
            }
            ExprKind::Field { field, .. } => field.shift(delta),
            ExprKind::Closure { params, ret, .. } => {
                params.shift(delta);
                ret.shift(delta);
            }
            ExprKind::Break { label, .. }
            | ExprKind::Continue { label }
            | ExprKind::While { label, .. }
            | ExprKind::Loop { label, .. }
            | ExprKind::For { label, .. } => label.shift(delta),
            ExprKind::Struct { path, fields, .. } => {
                path.shift(delta);
                fields.shift(delta);
            }
            ExprKind::Match { arms, .. } => arms.shift(delta),
            ExprKind::Block(block) => block.shift(delta),
            // The rest hold ids and literals only.
            ExprKind::Missing
            | ExprKind::Literal(_)
            | ExprKind::SelfValue
            | ExprKind::Unary { .. }
            | ExprKind::Binary { .. }
            | ExprKind::Assign { .. }
            | ExprKind::CompoundAssign { .. }
            | ExprKind::Ref { .. }
            | ExprKind::Try(_)
            | ExprKind::Call { .. }
            | ExprKind::Index { .. }
            | ExprKind::Range { .. }
            | ExprKind::Return(_)
            | ExprKind::Tuple(_)
            | ExprKind::Array(_)
            | ExprKind::ArrayRepeat { .. }
            | ExprKind::If { .. }
            | ExprKind::Zone { .. }
            | ExprKind::TryRecover { .. }
            | ExprKind::Paren(_) => {}
        }
    }
}

impl Shift for PatKind {
    fn shift(&mut self, delta: i64) {
        match self {
            PatKind::Ident { name, .. } => name.shift(delta),
            PatKind::Path(p) | PatKind::TupleStruct { path: p, .. } => p.shift(delta),
            PatKind::Struct { path, fields, .. } => {
                path.shift(delta);
                fields.shift(delta);
            }
            PatKind::Missing
            | PatKind::Wild
            | PatKind::Rest
            | PatKind::Literal { .. }
            | PatKind::Range { .. }
            | PatKind::Tuple(_)
            | PatKind::Slice(_)
            | PatKind::Ref { .. }
            | PatKind::Or(_) => {}
        }
    }
}
