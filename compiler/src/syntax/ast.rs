//! The abstract syntax tree: what the later stages read. Items are plain
//! trees; the expressions and patterns of each body (function, constant) live
//! in that body's arenas and are named by [`ExprId`] and [`PatId`], so the
//! type checker and the borrow checker keep their results in side tables
//! indexed by id, and a body can be re-checked on its own.
//!
//! Every node has a byte [`Span`]. Damage in the source becomes
//! [`ExprKind::Missing`], [`PatKind::Missing`] or [`TypeRef::Error`]; the
//! rest of the file is lowered as usual.

use crate::diagnostics::Span;

/// An identifier with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// A lowered source file.
#[derive(Debug, Clone, Default)]
pub struct SourceFile {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub struct Attribute {
    pub name: String,
    /// The arguments as written: `Copy`, `64`.
    pub args: Vec<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Item {
    pub kind: ItemKind,
    pub is_pub: bool,
    pub attrs: Vec<Attribute>,
    /// The `///` lines before the item, without the slashes.
    pub doc: Option<String>,
    pub span: Span,
}

impl Item {
    pub fn name(&self) -> Option<&Name> {
        match &self.kind {
            ItemKind::Fn(f) => Some(&f.name),
            ItemKind::Struct(s) => Some(&s.name),
            ItemKind::Enum(e) => Some(&e.name),
            ItemKind::Const(c) => Some(&c.name),
            ItemKind::Mod(m) => Some(&m.name),
            ItemKind::Impl(_) | ItemKind::Use(_) => None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum ItemKind {
    Fn(Function),
    Struct(StructDef),
    Enum(EnumDef),
    Impl(Impl),
    Use(UseTree),
    Mod(ModuleDef),
    Const(ConstDef),
}

#[derive(Debug, Clone, Default)]
pub struct Generics {
    pub params: Vec<GenericParam>,
}

impl Generics {
    pub fn types(&self) -> impl Iterator<Item = &Name> {
        self.params
            .iter()
            .filter(|p| !p.is_lifetime)
            .map(|p| &p.name)
    }

    pub fn lifetimes(&self) -> impl Iterator<Item = &GenericParam> {
        self.params.iter().filter(|p| p.is_lifetime)
    }
}

#[derive(Debug, Clone)]
pub struct GenericParam {
    /// `T`, or `'a` with its quote.
    pub name: Name,
    pub is_lifetime: bool,
    /// Outlives bounds of a lifetime parameter: `'b: 'a`.
    pub bounds: Vec<Name>,
}

#[derive(Debug, Clone)]
pub struct Function {
    pub name: Name,
    pub generics: Generics,
    pub self_param: Option<SelfParam>,
    pub ret: Option<TypeRef>,
    pub caps: Vec<Name>,
    /// Parameters (their patterns live in the body) and the body itself
    /// (shared with the lowering cache of an incremental analysis).
    pub body: std::sync::Arc<Body>,
    /// The span of the signature, `fn` to the return type / `uses` clause.
    pub sig_span: Span,
}

#[derive(Debug, Clone)]
pub struct SelfParam {
    pub reference: bool,
    pub mutable: bool,
    pub lifetime: Option<Name>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub pat: PatId,
    pub ty: TypeRef,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct StructDef {
    pub name: Name,
    pub generics: Generics,
    pub fields: Fields,
}

#[derive(Debug, Clone)]
pub enum Fields {
    Named(Vec<FieldDef>),
    Tuple(Vec<FieldDef>),
    Unit,
}

impl Fields {
    pub fn all(&self) -> &[FieldDef] {
        match self {
            Fields::Named(f) | Fields::Tuple(f) => f,
            Fields::Unit => &[],
        }
    }
}

#[derive(Debug, Clone)]
pub struct FieldDef {
    /// The field's name; `0`, `1`… for tuple fields.
    pub name: Name,
    pub ty: TypeRef,
    pub is_pub: bool,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct EnumDef {
    pub name: Name,
    pub generics: Generics,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub name: Name,
    pub fields: Fields,
    pub discriminant: Option<Body>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Impl {
    pub generics: Generics,
    pub self_ty: TypeRef,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub struct ConstDef {
    pub name: Name,
    pub ty: TypeRef,
    pub body: std::sync::Arc<Body>,
}

#[derive(Debug, Clone)]
pub struct ModuleDef {
    pub name: Name,
    /// `Some` for `mod m { … }`; `None` for `mod m;`, loaded from `m.ward`.
    pub items: Option<Vec<Item>>,
}

/// A `use` tree, flattened: one entry per imported name.
#[derive(Debug, Clone, Default)]
pub struct UseTree {
    pub imports: Vec<Import>,
}

#[derive(Debug, Clone)]
pub struct Import {
    /// The path as written, including any prefix from enclosing `{…}` lists.
    pub path: Vec<Name>,
    /// `as alias`; `None` imports under the last segment's name.
    pub alias: Option<Name>,
    /// `path::*`.
    pub glob: bool,
    pub span: Span,
}

impl Import {
    /// The name this import binds, if it binds one (`self` imports the
    /// parent, `*` binds many).
    pub fn binding(&self) -> Option<&Name> {
        if self.glob {
            return None;
        }
        self.alias.as_ref().or_else(|| self.path.last())
    }
}

// ---------------------------------------------------------------------------
// Types as written

#[derive(Debug, Clone)]
pub enum TypeRef {
    Path(Path),
    Ref {
        lifetime: Option<Name>,
        mutable: bool,
        inner: Box<TypeRef>,
        span: Span,
    },
    Tuple(Vec<TypeRef>, Span),
    Array {
        elem: Box<TypeRef>,
        len: Option<ArrayLen>,
        span: Span,
    },
    Fn {
        params: Vec<TypeRef>,
        ret: Option<Box<TypeRef>>,
        span: Span,
    },
    Never(Span),
    Infer(Span),
    Error(Span),
}

impl TypeRef {
    pub fn span(&self) -> Span {
        match self {
            TypeRef::Path(p) => p.span,
            TypeRef::Ref { span, .. }
            | TypeRef::Tuple(_, span)
            | TypeRef::Array { span, .. }
            | TypeRef::Fn { span, .. }
            | TypeRef::Never(span)
            | TypeRef::Infer(span)
            | TypeRef::Error(span) => *span,
        }
    }
}

#[derive(Debug, Clone)]
pub enum ArrayLen {
    Literal(u64, Span),
    Path(Path),
    Error(Span),
}

/// `a::b::<T>::c` in an expression, pattern or type.
#[derive(Debug, Clone)]
pub struct Path {
    pub segments: Vec<PathSegment>,
    pub span: Span,
}

impl Path {
    pub fn single(name: Name) -> Path {
        let span = name.span;
        Path {
            segments: vec![PathSegment {
                name,
                args: Vec::new(),
            }],
            span,
        }
    }

    pub fn last(&self) -> &PathSegment {
        // Lowering never builds an empty path.
        &self.segments[self.segments.len() - 1]
    }

    pub fn as_single(&self) -> Option<&Name> {
        match self.segments.as_slice() {
            [segment] if segment.args.is_empty() => Some(&segment.name),
            _ => None,
        }
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        for (i, segment) in self.segments.iter().enumerate() {
            if i > 0 {
                out.push_str("::");
            }
            out.push_str(&segment.name.text);
        }
        out
    }
}

#[derive(Debug, Clone)]
pub struct PathSegment {
    pub name: Name,
    pub args: Vec<GenericArg>,
}

#[derive(Debug, Clone)]
pub enum GenericArg {
    Type(TypeRef),
    Lifetime(Name),
}

// ---------------------------------------------------------------------------
// Bodies

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PatId(pub u32);

impl ExprId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl PatId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The expressions and patterns of one function or constant.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub exprs: Vec<Expr>,
    pub pats: Vec<Pat>,
    pub params: Vec<Param>,
    /// The function body block or the constant's value.
    pub root: Option<ExprId>,
    /// Whether a block in it declares items (name resolution then gives
    /// that block a module; most bodies need no search for them).
    pub has_items: bool,
    /// Attributes written on loops (`#[bound(64)] while …`), by loop.
    pub loop_attrs: Vec<LoopAttrs>,
}

/// The attributes of one `while`, `loop` or `for` expression.
#[derive(Debug, Clone)]
pub struct LoopAttrs {
    pub expr: ExprId,
    pub attrs: Vec<Attribute>,
}

impl Body {
    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id.index()]
    }

    pub fn pat(&self, id: PatId) -> &Pat {
        &self.pats[id.index()]
    }

    /// The attributes written on loop `id`.
    pub fn loop_attrs(&self, id: ExprId) -> &[Attribute] {
        self.loop_attrs
            .iter()
            .find(|l| l.expr == id)
            .map_or(&[], |l| l.attrs.as_slice())
    }
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    And,
    Or,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinaryOp {
    pub fn from_token(token: &str) -> Option<BinaryOp> {
        Some(match token {
            "+" | "+=" => BinaryOp::Add,
            "-" | "-=" => BinaryOp::Sub,
            "*" | "*=" => BinaryOp::Mul,
            "/" | "/=" => BinaryOp::Div,
            "%" | "%=" => BinaryOp::Rem,
            "&&" => BinaryOp::And,
            "||" => BinaryOp::Or,
            "&" | "&=" => BinaryOp::BitAnd,
            "|" | "|=" => BinaryOp::BitOr,
            "^" | "^=" => BinaryOp::BitXor,
            "<<" | "<<=" => BinaryOp::Shl,
            ">>" | ">>=" => BinaryOp::Shr,
            "==" => BinaryOp::Eq,
            "!=" => BinaryOp::Ne,
            "<" => BinaryOp::Lt,
            "<=" => BinaryOp::Le,
            ">" => BinaryOp::Gt,
            ">=" => BinaryOp::Ge,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
            BinaryOp::BitAnd => "&",
            BinaryOp::BitOr => "|",
            BinaryOp::BitXor => "^",
            BinaryOp::Shl => "<<",
            BinaryOp::Shr => ">>",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
    Deref,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Int(u64),
    Float(f64),
    Bool(bool),
    Char(char),
    Str(String),
}

/// The condition of `if` / `while`: a boolean or `let PAT = EXPR`.
#[derive(Debug, Clone, Copy)]
pub enum Condition {
    Expr(ExprId),
    Let { pat: PatId, value: ExprId },
}

#[derive(Debug, Clone)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub tail: Option<ExprId>,
}

#[derive(Debug, Clone)]
pub enum Stmt {
    Let {
        pat: PatId,
        ty: Option<TypeRef>,
        init: Option<ExprId>,
        else_block: Option<ExprId>,
        span: Span,
    },
    /// An expression statement; `semi` says whether a `;` ended it.
    Expr {
        expr: ExprId,
        semi: bool,
        span: Span,
    },
    Defer {
        expr: ExprId,
        span: Span,
    },
    Item(Box<Item>),
}

#[derive(Debug, Clone)]
pub struct FieldInit {
    pub name: Name,
    pub value: ExprId,
    pub shorthand: bool,
}

#[derive(Debug, Clone)]
pub struct MatchArm {
    pub pat: PatId,
    pub guard: Option<Condition>,
    pub body: ExprId,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ClosureParam {
    pub pat: PatId,
    pub ty: Option<TypeRef>,
}

#[derive(Debug, Clone)]
pub enum FieldName {
    Named(Name),
    Index(u32, Span),
}

impl FieldName {
    pub fn span(&self) -> Span {
        match self {
            FieldName::Named(n) => n.span,
            FieldName::Index(_, span) => *span,
        }
    }

    pub fn text(&self) -> String {
        match self {
            FieldName::Named(n) => n.text.clone(),
            FieldName::Index(i, _) => i.to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    /// Source damage or a missing expression; already reported.
    Missing,
    Literal(Literal),
    Path(Path),
    /// `self` in a method body.
    SelfValue,
    Unary {
        op: UnaryOp,
        operand: ExprId,
    },
    Binary {
        op: BinaryOp,
        lhs: ExprId,
        rhs: ExprId,
    },
    Assign {
        lhs: ExprId,
        rhs: ExprId,
    },
    CompoundAssign {
        op: BinaryOp,
        lhs: ExprId,
        rhs: ExprId,
    },
    Ref {
        mutable: bool,
        operand: ExprId,
    },
    Cast {
        operand: ExprId,
        ty: TypeRef,
    },
    Try(ExprId),
    Call {
        callee: ExprId,
        args: Vec<ExprId>,
    },
    MethodCall {
        receiver: ExprId,
        method: Name,
        generic_args: Vec<GenericArg>,
        args: Vec<ExprId>,
    },
    Field {
        base: ExprId,
        field: FieldName,
    },
    Index {
        base: ExprId,
        index: ExprId,
    },
    Range {
        start: Option<ExprId>,
        end: Option<ExprId>,
        inclusive: bool,
    },
    Closure {
        is_move: bool,
        params: Vec<ClosureParam>,
        ret: Option<TypeRef>,
        body: ExprId,
    },
    Return(Option<ExprId>),
    Break {
        label: Option<Name>,
        value: Option<ExprId>,
    },
    Continue {
        label: Option<Name>,
    },
    Tuple(Vec<ExprId>),
    Array(Vec<ExprId>),
    ArrayRepeat {
        elem: ExprId,
        len: ExprId,
    },
    Struct {
        path: Path,
        fields: Vec<FieldInit>,
        base: Option<ExprId>,
    },
    If {
        cond: Condition,
        then_branch: ExprId,
        else_branch: Option<ExprId>,
    },
    Match {
        scrutinee: ExprId,
        arms: Vec<MatchArm>,
    },
    While {
        label: Option<Name>,
        cond: Condition,
        body: ExprId,
    },
    Loop {
        label: Option<Name>,
        body: ExprId,
    },
    For {
        label: Option<Name>,
        pat: PatId,
        iterable: ExprId,
        body: ExprId,
    },
    Block(Block),
    Zone {
        size: Option<ExprId>,
        body: ExprId,
    },
    TryRecover {
        body: ExprId,
        binding: Option<PatId>,
        handler: ExprId,
    },
    Paren(ExprId),
}

impl ExprKind {
    /// Calls `f` on each expression directly inside this one, in source
    /// order (a block's statements, a condition's scrutinee, match guards
    /// and arms; items declared in a block are not part of the body).
    pub fn each_child(&self, f: &mut impl FnMut(ExprId)) {
        let cond = |c: &Condition, f: &mut dyn FnMut(ExprId)| match c {
            Condition::Expr(e) => f(*e),
            Condition::Let { value, .. } => f(*value),
        };
        match self {
            ExprKind::Missing
            | ExprKind::Literal(_)
            | ExprKind::Path(_)
            | ExprKind::SelfValue
            | ExprKind::Continue { .. } => {}
            ExprKind::Unary { operand, .. }
            | ExprKind::Ref { operand, .. }
            | ExprKind::Cast { operand, .. } => f(*operand),
            ExprKind::Binary { lhs, rhs, .. }
            | ExprKind::Assign { lhs, rhs }
            | ExprKind::CompoundAssign { lhs, rhs, .. } => {
                f(*lhs);
                f(*rhs);
            }
            ExprKind::Try(e) | ExprKind::Paren(e) => f(*e),
            ExprKind::Call { callee, args } => {
                f(*callee);
                for a in args {
                    f(*a);
                }
            }
            ExprKind::MethodCall { receiver, args, .. } => {
                f(*receiver);
                for a in args {
                    f(*a);
                }
            }
            ExprKind::Field { base, .. } => f(*base),
            ExprKind::Index { base, index } => {
                f(*base);
                f(*index);
            }
            ExprKind::Range { start, end, .. } => {
                if let Some(e) = start {
                    f(*e);
                }
                if let Some(e) = end {
                    f(*e);
                }
            }
            ExprKind::Return(v) | ExprKind::Break { value: v, .. } => v.iter().for_each(|e| f(*e)),
            ExprKind::Tuple(items) | ExprKind::Array(items) => items.iter().for_each(|e| f(*e)),
            ExprKind::ArrayRepeat { elem, len } => {
                f(*elem);
                f(*len);
            }
            ExprKind::Struct { fields, base, .. } => {
                for fi in fields {
                    f(fi.value);
                }
                if let Some(e) = base {
                    f(*e);
                }
            }
            ExprKind::If {
                cond: c,
                then_branch,
                else_branch,
            } => {
                cond(c, f);
                f(*then_branch);
                if let Some(e) = else_branch {
                    f(*e);
                }
            }
            ExprKind::Match { scrutinee, arms } => {
                f(*scrutinee);
                for arm in arms {
                    if let Some(g) = &arm.guard {
                        cond(g, f);
                    }
                    f(arm.body);
                }
            }
            ExprKind::While { cond: c, body, .. } => {
                cond(c, f);
                f(*body);
            }
            ExprKind::Loop { body, .. } | ExprKind::Closure { body, .. } => f(*body),
            ExprKind::For { iterable, body, .. } => {
                f(*iterable);
                f(*body);
            }
            ExprKind::Block(block) => block.each_expr(f),
            ExprKind::Zone { size, body } => {
                if let Some(e) = size {
                    f(*e);
                }
                f(*body);
            }
            ExprKind::TryRecover { body, handler, .. } => {
                f(*body);
                f(*handler);
            }
        }
    }
}

impl Block {
    /// The expressions of its statements and its tail, in order.
    pub fn each_expr(&self, f: &mut impl FnMut(ExprId)) {
        for stmt in &self.stmts {
            match stmt {
                Stmt::Let {
                    init, else_block, ..
                } => {
                    if let Some(e) = init {
                        f(*e);
                    }
                    if let Some(e) = else_block {
                        f(*e);
                    }
                }
                Stmt::Expr { expr, .. } | Stmt::Defer { expr, .. } => f(*expr),
                Stmt::Item(_) => {}
            }
        }
        if let Some(e) = &self.tail {
            f(*e);
        }
    }
}

#[derive(Debug, Clone)]
pub struct Pat {
    pub kind: PatKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct FieldPat {
    pub name: Name,
    pub pat: PatId,
    pub shorthand: bool,
}

#[derive(Debug, Clone)]
pub enum PatKind {
    Missing,
    Wild,
    Rest,
    /// A plain name: a binding, or a unit variant / constant when one by that
    /// name is in scope (the resolver decides).
    Ident {
        name: Name,
        mutable: bool,
        by_ref: bool,
        ref_mut: bool,
        sub: Option<PatId>,
    },
    /// A path that can only name a variant or constant: `Alert::Ok`.
    Path(Path),
    Literal {
        lit: Literal,
        negative: bool,
    },
    Range {
        start: Option<PatId>,
        end: Option<PatId>,
        inclusive: bool,
    },
    Tuple(Vec<PatId>),
    TupleStruct {
        path: Path,
        elems: Vec<PatId>,
    },
    Struct {
        path: Path,
        fields: Vec<FieldPat>,
        rest: bool,
    },
    Slice(Vec<PatId>),
    Ref {
        mutable: bool,
        inner: PatId,
    },
    Or(Vec<PatId>),
}
