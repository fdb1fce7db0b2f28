//! MIR: each function body as a control-flow graph of basic blocks over
//! places. The borrow checker reads it (moves, loans, liveness, drops) and
//! the code generator will compile it, so everything the source leaves
//! implicit is explicit here: auto-ref of method receivers (two-phase for
//! `&mut self`), reborrows at coercion sites, overloaded deref and index as
//! borrows of their base, temporaries with their drop scopes, drops at the
//! end of every scope and on every early exit, `defer`s at every exit,
//! unwind edges from calls into cleanup, and closures as their own bodies
//! with explicit capture lists.
//!
//! Built by [`build::build_fn`]; printed by [`dump`].

// Counts of locals, blocks, fields and variants are bounded by the source
// text, whose offsets are `u32`.
#![allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]

pub mod build;
pub(crate) mod capture;
mod dump;
pub mod visit;

use crate::diagnostics::{FileId, Span};
use crate::resolve::DefId;
use crate::syntax::ast::{BinaryOp, ExprId};
use crate::types::LocalId;
use crate::types::ty::Ty;

pub use dump::dump_fn;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Local(pub u32);

impl Local {
    /// `_0` holds the return value.
    pub const RETURN: Local = Local(0);

    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockId(pub u32);

impl BlockId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Where a statement or terminator sits: block and index (the terminator
/// is at index `statements.len()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub block: BlockId,
    pub index: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalKind {
    /// `_0`.
    Return,
    /// A parameter (bound by its pattern into user locals when it is not a
    /// plain name).
    Arg,
    /// A variable the program names.
    User { name: String, source: LocalId },
    /// A variable captured by a closure body (index into its captures).
    Upvar { name: String, capture: u32 },
    /// An intermediate value.
    Temp(TempKind),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TempKind {
    Plain,
    /// The borrow behind an overloaded index `v[i]` (of this expression).
    Index,
    /// The borrow behind an overloaded deref (`Gc<T>` to `T`).
    Deref,
    /// A `for` loop's iterator.
    Iter,
    /// A user binding while its match guard runs (a read, not a move).
    GuardBinding,
    /// A closure's unique borrow of a capture it assigns to: without
    /// `mut` on the variable, that is an assignment error (W0594).
    CaptureForStore,
}

#[derive(Debug, Clone)]
pub struct LocalDecl {
    pub ty: Ty,
    pub mutable: bool,
    pub kind: LocalKind,
    pub span: Span,
}

impl LocalDecl {
    pub fn name(&self) -> Option<&str> {
        match &self.kind {
            LocalKind::User { name, .. } | LocalKind::Upvar { name, .. } => Some(name),
            _ => None,
        }
    }

    pub fn is_temp(&self) -> bool {
        matches!(self.kind, LocalKind::Temp(_))
    }
}

/// How a `*` projection reaches its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DerefKind {
    Shared,
    Mut,
}

impl DerefKind {
    pub fn of(mutable: bool) -> DerefKind {
        if mutable {
            DerefKind::Mut
        } else {
            DerefKind::Shared
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Proj {
    Deref(DerefKind),
    /// Field `i` of a struct, tuple or (after `Downcast`) variant.
    Field(u32),
    /// Indexing by the value in a local (lists, maps and arrays).
    Index(Local),
    /// A fixed element of an array or list matched by a slice pattern.
    ConstIndex {
        offset: u32,
        from_end: bool,
    },
    /// Viewing an enum value as its variant (the variant's def).
    Downcast(DefId),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Place {
    pub local: Local,
    pub proj: Vec<Proj>,
}

impl Place {
    pub fn local(local: Local) -> Place {
        Place {
            local,
            proj: Vec::new(),
        }
    }

    #[must_use]
    pub fn project(&self, p: Proj) -> Place {
        let mut proj = Vec::with_capacity(self.proj.len() + 1);
        proj.extend_from_slice(&self.proj);
        proj.push(p);
        Place {
            local: self.local,
            proj,
        }
    }

    pub fn as_local(&self) -> Option<Local> {
        self.proj.is_empty().then_some(self.local)
    }

    /// Whether reaching the place indexes a list or array (and so can
    /// panic on a bad index).
    pub fn has_index(&self) -> bool {
        self.proj
            .iter()
            .any(|p| matches!(p, Proj::Index(_) | Proj::ConstIndex { .. }))
    }

    /// Whether the place goes through a `*`.
    pub fn has_deref(&self) -> bool {
        self.proj.iter().any(|p| matches!(p, Proj::Deref(_)))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    Int(i64),
    Float(f64),
    Bool(bool),
    Char(char),
    /// A string literal: a fresh `String` each time it is evaluated.
    Str(String),
    Unit,
    /// A function item used as a value.
    Fn(DefId),
    /// A `const` item.
    Item(DefId),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A read that leaves the place initialised (Copy types, and the
    /// by-reference reads of `==` and of format arguments). The span is
    /// the expression the operand was lowered from.
    Copy(Place, Span),
    Move(Place, Span),
    Const(Const),
}

impl Operand {
    pub fn place(&self) -> Option<&Place> {
        match self {
            Operand::Copy(p, _) | Operand::Move(p, _) => Some(p),
            Operand::Const(_) => None,
        }
    }

    /// The source expression the value comes from.
    pub fn span(&self) -> Option<Span> {
        match self {
            Operand::Copy(_, s) | Operand::Move(_, s) => Some(*s),
            Operand::Const(_) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BorrowKind {
    Shared,
    /// `two_phase`: an auto-ref of a `&mut self` receiver, which acts as a
    /// shared borrow until the call activates it (`v.push(v.len())`).
    Mut {
        two_phase: bool,
    },
}

impl BorrowKind {
    /// `&` or (not two-phase) `&mut`.
    pub fn of(mutable: bool) -> BorrowKind {
        if mutable {
            BorrowKind::Mut { two_phase: false }
        } else {
            BorrowKind::Shared
        }
    }

    pub fn is_mut(self) -> bool {
        matches!(self, BorrowKind::Mut { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AggregateKind {
    Tuple,
    Array,
    /// A struct (its def) or an enum variant (the variant's def).
    Adt(DefId),
    /// `a..b` / `a..=b` (an absent end is `None`, encoded by arity).
    Range {
        inclusive: bool,
        has_start: bool,
        has_end: bool,
    },
    /// A closure value: index into [`FnMir::closures`]; the operands are
    /// its captures in order.
    Closure(u32),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Rvalue {
    Use(Operand),
    Ref(BorrowKind, Place),
    Binary(BinaryOp, Operand, Operand),
    Unary(UnOp, Operand),
    Cast(Operand, Ty),
    Aggregate(AggregateKind, Vec<Operand>),
    /// `[value; n]`.
    Repeat(Operand, u64),
    /// The variant index of an enum value.
    Discriminant(Place),
    /// The length of a list or array.
    Len(Place),
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    Assign(Place, Rvalue),
    StorageLive(Local),
    StorageDead(Local),
    /// Drops the value in the place if the borrow checker finds it (maybe)
    /// initialised; its drop elaboration says how.
    Drop(Place),
    /// A read that only checks the place is usable (a `match` scrutinee).
    FakeRead(Place),
    ZoneEnter(Option<Operand>),
    ZoneExit,
    Nop,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub kind: StatementKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Callee {
    /// A function or method item.
    Def(DefId),
    /// A closure or function value.
    Value(Operand),
    Builtin(Builtin),
}

/// Operations without a declaration in the std table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// The built-in deep `.clone()` (argument: a shared borrow).
    Clone,
    /// Turns a `for` loop's iterable into its iterator.
    IntoIter,
    /// The next item of an iterator (argument: `&mut` of it), as `Option`.
    IterNext,
    /// Converts the error of a `?` into the function's error type.
    TryConvert,
    /// The panic caught by `try { } recover e { }`.
    CaughtPanic,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TerminatorKind {
    Goto(BlockId),
    /// Jumps to the target whose value equals the operand (a bool is 0/1,
    /// an enum's discriminant is its variant index), else `otherwise`.
    SwitchInt {
        discr: Operand,
        targets: Vec<(i64, BlockId)>,
        otherwise: BlockId,
    },
    Call {
        callee: Callee,
        args: Vec<Operand>,
        dest: Place,
        /// `None` when the call cannot return (`!`).
        target: Option<BlockId>,
        /// The cleanup path if the call panics: `None` unwinds straight out.
        unwind: Option<BlockId>,
    },
    Return,
    /// Continues unwinding out of the function (end of a cleanup path).
    Resume,
    Unreachable,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Terminator {
    pub kind: TerminatorKind,
    pub span: Span,
}

impl StatementKind {
    /// Whether executing the statement can panic: arithmetic that can
    /// overflow or divide by zero, `as char`, and indexing.
    /// Whether the statement can panic by itself (overflow, an index out
    /// of bounds); `Body::may_panic` adds what depends on the locals.
    pub fn may_panic(&self) -> bool {
        let indexes = Place::has_index;
        let (place, rv) = match self {
            StatementKind::Assign(place, rv) => (place, rv),
            StatementKind::FakeRead(place) => return indexes(place),
            _ => return false,
        };
        let operand_indexes = |o: &Operand| o.place().is_some_and(indexes);
        indexes(place)
            || match rv {
                Rvalue::Binary(op, a, b) => {
                    !matches!(
                        op,
                        BinaryOp::Eq
                            | BinaryOp::Ne
                            | BinaryOp::Lt
                            | BinaryOp::Le
                            | BinaryOp::Gt
                            | BinaryOp::Ge
                            | BinaryOp::BitAnd
                            | BinaryOp::BitOr
                            | BinaryOp::BitXor
                    ) || operand_indexes(a)
                        || operand_indexes(b)
                }
                Rvalue::Unary(_, _) | Rvalue::Cast(_, _) => true,
                Rvalue::Use(o) | Rvalue::Repeat(o, _) => operand_indexes(o),
                Rvalue::Ref(_, p) | Rvalue::Discriminant(p) | Rvalue::Len(p) => indexes(p),
                Rvalue::Aggregate(_, ops) => ops.iter().any(operand_indexes),
            }
    }
}

impl Terminator {
    pub fn successors(&self) -> impl Iterator<Item = BlockId> + '_ {
        let (fixed, list): ([Option<BlockId>; 2], &[(i64, BlockId)]) = match &self.kind {
            TerminatorKind::Goto(b) => ([Some(*b), None], &[]),
            TerminatorKind::SwitchInt {
                targets, otherwise, ..
            } => ([Some(*otherwise), None], targets.as_slice()),
            TerminatorKind::Call { target, unwind, .. } => ([*target, *unwind], &[]),
            TerminatorKind::Return | TerminatorKind::Resume | TerminatorKind::Unreachable => {
                ([None, None], &[])
            }
        };
        list.iter()
            .map(|(_, b)| *b)
            .chain(fixed.into_iter().flatten())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BasicBlock {
    pub statements: Vec<Statement>,
    pub terminator: Terminator,
    /// Part of an unwind path (only reached by panics).
    pub cleanup: bool,
    /// Where a panic in one of the statements (overflow, division by zero,
    /// a bad index) unwinds to; calls carry their own edge. Set when the
    /// block has such a statement and its scopes need cleanup.
    pub unwind: Option<BlockId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureKind {
    /// By shared reference.
    Ref,
    /// By unique (mutable) reference.
    MutRef,
    /// By value (moved, or copied if Copy).
    Value,
}

/// A place of the enclosing body a closure captures (Rust 2021: the
/// precise field path it uses, not the whole variable).
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    /// In the enclosing body's locals.
    pub place: Place,
    pub kind: CaptureKind,
    /// The closure body's local holding it.
    pub local: Local,
    /// Where the closure first uses it.
    pub use_span: Span,
    pub name: String,
}

/// One function or closure body.
#[derive(Debug, Clone)]
pub struct Body {
    pub locals: Vec<LocalDecl>,
    pub blocks: Vec<BasicBlock>,
    /// Locals `1..=arg_count` are the arguments.
    pub arg_count: u32,
    pub captures: Vec<Capture>,
    /// For a closure: the body its captures refer to (`None`: the
    /// function's main body, else another closure's index).
    pub parent: Option<u32>,
    pub is_closure: bool,
    /// The source span of the function or closure.
    pub span: Span,
    /// For each closure expression of this body, its index.
    pub closure_exprs: Vec<(ExprId, u32)>,
    /// Closures passed where a `fn(A) -> B` value is expected that may be
    /// called more often (or more freely) than their kind allows.
    pub kind_errors: Vec<KindError>,
    /// Values that would cross to another task without being `Send`
    /// (W0802): a spawned closure's captures, a task's result, what a
    /// channel carries.
    pub send_errors: Vec<SendError>,
    /// Calls that start a task (`#[detaches]`): what each moves into it.
    pub spawns: Vec<SpawnSite>,
}

/// A call that starts a task, and what its body takes along.
#[derive(Debug, Clone)]
pub struct SpawnSite {
    /// The whole call.
    pub call: Span,
    /// A closure's captures by value (moved into the task): the path as
    /// the source names it and its type.
    pub moved: Vec<(String, Ty)>,
    /// Captures by reference (W0373: a task cannot borrow).
    pub borrowed: Vec<String>,
    /// A function item passed instead of a closure (it takes nothing).
    pub function: Option<String>,
}

/// A value that would cross between tasks without being `Send`.
#[derive(Debug, Clone)]
pub struct SendError {
    /// What crosses.
    pub what: SendCrossing,
    /// Where it is named (a capture's use, the call).
    pub span: Span,
    /// The spawned closure or the call (the secondary label).
    pub context: Span,
    /// The callee (`task::spawn`, `task::channel`).
    pub callee: String,
    /// Why the type is not `Send` (none: a `fn` value whose captures
    /// are unknown here).
    pub witness: Option<crate::types::ty::SendWitness>,
    /// The whole crossing value's type.
    pub ty: Ty,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendCrossing {
    /// A spawned closure's capture, by name.
    Capture(String),
    /// A closure value (a variable, a `fn` parameter) whose captures are
    /// not known to be `Send`.
    ClosureValue,
    /// A type argument that crosses: a task's result, a channel's items.
    TypeArg(String),
}

/// A closure of kind `found` passed where only `allowed` may go (a
/// `fn(A) -> B` parameter is `Fn`, a `mut` one `FnMut`).
#[derive(Debug, Clone)]
pub struct KindError {
    pub allowed: capture::ClosureKind,
    pub found: capture::ClosureKind,
    /// The argument.
    pub span: Span,
    /// What in the closure's body makes it more than `Fn` (for a literal).
    pub witnesses: Vec<capture::KindWitness>,
    /// The argument is the closure expression itself (rustc then reports
    /// the use inside it; otherwise the argument, E0525).
    pub literal: bool,
}

impl Body {
    /// Whether statement `s` can panic: its own rules, plus an overloaded
    /// deref (a `Gc` whose finalizer has run has no value to borrow).
    pub fn may_panic(&self, s: &StatementKind) -> bool {
        s.may_panic()
            || matches!(s, StatementKind::Assign(place, Rvalue::Ref(..))
                if place.proj.is_empty()
                    && matches!(self.locals[place.local.index()].kind, LocalKind::Temp(TempKind::Deref)))
    }

    pub fn local(&self, l: Local) -> &LocalDecl {
        &self.locals[l.index()]
    }

    pub fn block(&self, b: BlockId) -> &BasicBlock {
        &self.blocks[b.index()]
    }

    pub fn args(&self) -> impl Iterator<Item = Local> {
        (1..=self.arg_count).map(Local)
    }

    /// The span of the statement or terminator at `loc`.
    pub fn span_at(&self, loc: Location) -> Span {
        let b = &self.blocks[loc.block.index()];
        b.statements
            .get(loc.index as usize)
            .map_or(b.terminator.span, |s| s.span)
    }

    /// Temporaries assigned exactly once, from constants only: Rust's
    /// promotion. A shared borrow of one is `'static` (the borrow checker)
    /// and points at a static copy (codegen's `promote`).
    pub fn promoted_temps(&self) -> Vec<Local> {
        use crate::FxHashMap as HashMap;
        // Each temporary assigned exactly once, by an rvalue built only of
        // constants and of other such temporaries (`&[Cap::Net, Cap::Clock]`:
        // each unit variant is a temporary of its own).
        let mut only_value: HashMap<Local, Option<&Rvalue>> = HashMap::default();
        for block in &self.blocks {
            for st in &block.statements {
                if let StatementKind::Assign(dest, rv) = &st.kind
                    && let Some(l) = dest.as_local()
                {
                    only_value
                        .entry(l)
                        .and_modify(|v| *v = None)
                        .or_insert(Some(rv));
                }
            }
            if let TerminatorKind::Call { dest, .. } = &block.terminator.kind
                && let Some(l) = dest.as_local()
            {
                only_value.insert(l, None);
            }
        }
        let mut promoted: Vec<Local> = Vec::new();
        loop {
            let is_const = |op: &Operand| match op {
                Operand::Const(c) => !matches!(c, Const::Str(_)),
                Operand::Copy(p, _) | Operand::Move(p, _) => {
                    p.as_local().is_some_and(|l| promoted.contains(&l))
                }
            };
            let found: Vec<Local> = only_value
                .iter()
                .filter(|(l, _)| self.local(**l).is_temp() && !promoted.contains(l))
                .filter(|(_, rv)| match rv {
                    Some(Rvalue::Use(op) | Rvalue::Repeat(op, _)) => is_const(op),
                    Some(Rvalue::Aggregate(
                        AggregateKind::Tuple | AggregateKind::Array | AggregateKind::Adt(_),
                        ops,
                    )) => ops.iter().all(is_const),
                    _ => false,
                })
                .map(|(l, _)| *l)
                .collect();
            if found.is_empty() {
                return promoted;
            }
            promoted.extend(found);
        }
    }

    /// Predecessor lists, indexed by block.
    pub fn predecessors(&self) -> Vec<Vec<BlockId>> {
        let mut preds = vec![Vec::new(); self.blocks.len()];
        for (i, b) in self.blocks.iter().enumerate() {
            for s in b.terminator.successors() {
                preds[s.index()].push(BlockId(i as u32));
            }
        }
        preds
    }
}

/// A function's MIR: its body and the bodies of the closures inside it.
#[derive(Debug, Clone)]
pub struct FnMir {
    pub def: DefId,
    pub file: FileId,
    pub name: String,
    pub body: Body,
    pub closures: Vec<Body>,
}

impl FnMir {
    /// The body of `None` (the function) or a closure.
    pub fn body_of(&self, closure: Option<u32>) -> &Body {
        match closure {
            None => &self.body,
            Some(i) => &self.closures[i as usize],
        }
    }
}

/// The type of a literal constant (`None` for function items and `const`
/// items, whose types live in the type checker's tables).
pub fn literal_ty(c: &Const) -> Option<Ty> {
    Some(match c {
        Const::Int(_) => Ty::Int,
        Const::Float(_) => Ty::Float,
        Const::Bool(_) => Ty::Bool,
        Const::Char(_) => Ty::Char,
        Const::Str(_) => Ty::Str,
        Const::Unit => Ty::unit(),
        Const::Fn(_) | Const::Item(_) => return None,
    })
}

/// The type of a place: its local's type with each projection applied.
pub fn place_ty(
    program: &crate::resolve::Program,
    typed: &crate::types::TypedProgram,
    body: &Body,
    place: &Place,
) -> Ty {
    let mut ty = body.local(place.local).ty.clone();
    let mut variant: Option<DefId> = None;
    for p in &place.proj {
        ty = project_ty(program, typed, &ty, p, &mut variant);
    }
    ty
}

/// The type one projection reaches from `ty`; `variant` carries a
/// `Downcast` to the `Field` after it.
pub fn project_ty(
    program: &crate::resolve::Program,
    typed: &crate::types::TypedProgram,
    ty: &Ty,
    p: &Proj,
    variant: &mut Option<DefId>,
) -> Ty {
    match p {
        Proj::Deref(_) => match ty {
            Ty::Ref(_, inner) => (**inner).clone(),
            _ => Ty::Error,
        },
        Proj::Field(i) => {
            let i = *i as usize;
            let out = match ty {
                Ty::Tuple(items) => items.get(i).cloned().unwrap_or(Ty::Error),
                Ty::Adt(d, args) => {
                    let def = variant.unwrap_or(*d);
                    typed
                        .adts
                        .fields
                        .get(&def)
                        .and_then(|f| f.get(i))
                        .map_or(Ty::Error, |f| f.ty.subst(args))
                }
                _ => Ty::Error,
            };
            *variant = None;
            out
        }
        Proj::Downcast(v) => {
            *variant = Some(*v);
            ty.clone()
        }
        Proj::Index(_) | Proj::ConstIndex { .. } => match ty {
            Ty::Array(elem, _) => (**elem).clone(),
            Ty::Adt(d, args) => program
                .find_role(crate::resolve::TypeRes::Def(*d), "index")
                .and_then(|m| typed.sigs.get(&m))
                .map_or(Ty::Error, |s| s.ret.subst(args)),
            _ => Ty::Error,
        },
    }
}

/// The MIR of every user function with a body, in definition order.
pub fn build_program(
    program: &crate::resolve::Program,
    typed: &crate::types::TypedProgram,
) -> Vec<FnMir> {
    (0..program.defs.len())
        .map(|i| DefId(i as u32))
        .filter(|d| program.def(*d).file != program.std_file)
        .filter_map(|d| build::build_fn(program, typed, d))
        .collect()
}
