//! Every name in the program's user files and what it refers to: the table
//! behind go to definition, references, highlights, rename and semantic
//! tokens. Built once per analysis from the resolver's and the type
//! checker's side tables; nothing is re-resolved from text.

use crate::analysis::Analysis;
use crate::diagnostics::{FileId, Span};
use crate::resolve::{DefId, DefKind, ModuleId, Ns, Program};
use crate::syntax::ast::{Body, ExprKind, FieldName, PatKind, Path, Stmt, TypeRef};
use crate::types::Ty;
use crate::types::{BodyTypes, LocalId};

/// What a name refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A local variable (or parameter) of the body of `owner`.
    Local { owner: DefId, local: LocalId },
    /// An item: function, struct, enum, variant, constant or module.
    Def(DefId),
    /// A field of the struct or variant `adt`.
    Field { adt: DefId, name: String },
}

/// How an occurrence uses its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Where the name is introduced (a binding, an item's name, a field).
    Decl,
    Read,
    /// Assigned to, or borrowed mutably.
    Write,
}

/// One name in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub file: FileId,
    pub span: Span,
    pub target: Target,
    pub access: Access,
    /// `Point { x }` (a field and a local at once): renaming either one
    /// must spell out the other.
    pub shorthand: bool,
}

/// The occurrences of one analysis, sorted by file and position.
#[derive(Debug, Default)]
pub struct Index {
    pub occurrences: Vec<Occurrence>,
}

impl Index {
    pub fn build(analysis: &Analysis) -> Index {
        let mut b = Builder {
            program: &analysis.program,
            out: Vec::new(),
        };
        let program = &analysis.program;
        for (id, def) in program.defs_with_ids() {
            if def.file == program.std_file {
                continue;
            }
            if !matches!(def.kind, DefKind::Module(_)) || def.name.span != Span::default() {
                b.push(def.file, def.name.span, Target::Def(id), Access::Decl);
            }
            match &def.kind {
                DefKind::Fn(f) => {
                    let scope = b.scope(id);
                    for p in &f.body.params {
                        b.type_ref(scope, &p.ty);
                    }
                    if let Some(ret) = &f.ret {
                        b.type_ref(scope, ret);
                    }
                    if let Some(types) = analysis.typed.bodies.get(&id) {
                        b.body(id, &f.body, types);
                    }
                }
                DefKind::Const(c) => {
                    let scope = b.scope(id);
                    b.type_ref(scope, &c.ty);
                    if let Some(types) = analysis.typed.bodies.get(&id) {
                        b.body(id, &c.body, types);
                    }
                }
                DefKind::Struct(s) => {
                    let scope = b.scope(id);
                    for f in s.fields.all() {
                        b.field_decl(def.file, id, &f.name);
                        b.type_ref(scope, &f.ty);
                    }
                }
                DefKind::Enum(e) => {
                    let scope = b.scope(id);
                    for (variant, v) in program.variants(id).into_iter().zip(&e.variants) {
                        for f in v.fields.all() {
                            b.field_decl(def.file, variant, &f.name);
                            b.type_ref(scope, &f.ty);
                        }
                    }
                }
                DefKind::Variant { .. } | DefKind::Module(_) => {}
            }
        }
        for imp in &program.impls {
            if imp.file != program.std_file {
                b.type_ref((imp.module, imp.file), &imp.self_ty);
            }
        }
        for m in program.user_modules() {
            for entry in &program.module(m).imports {
                let Some(last) = entry.import.path.last() else {
                    continue;
                };
                if let Some(d) = entry.target.values.or(entry.target.types) {
                    b.push(entry.file, last.span, Target::Def(d), Access::Read);
                }
            }
        }
        let mut occurrences = b.out;
        occurrences.sort_by_key(|o| (o.file, o.span.start, o.span.end));
        occurrences.dedup();
        Index { occurrences }
    }

    /// The occurrence under `offset` in `file` (its end counts, so that a
    /// cursor just after a name still finds it); locals win over fields at
    /// shorthand sites.
    pub fn at(&self, file: FileId, offset: u32) -> Option<&Occurrence> {
        let mut best: Option<&Occurrence> = None;
        for o in self.in_file(file) {
            if o.span.start > offset {
                break;
            }
            if o.span.end >= offset {
                let better = match best {
                    None => true,
                    // Prefer the occurrence starting at the cursor over one
                    // ending there, then locals.
                    Some(b) => {
                        (b.span.end == offset && o.span.start == offset)
                            || (b.span == o.span && matches!(o.target, Target::Local { .. }))
                    }
                };
                if better {
                    best = Some(o);
                }
            }
        }
        best
    }

    pub fn in_file(&self, file: FileId) -> impl Iterator<Item = &Occurrence> {
        let start = self.occurrences.partition_point(|o| o.file < file);
        self.occurrences[start..]
            .iter()
            .take_while(move |o| o.file == file)
    }

    pub fn of<'a>(&'a self, target: &'a Target) -> impl Iterator<Item = &'a Occurrence> {
        self.occurrences.iter().filter(move |o| &o.target == target)
    }
}

/// Where a target is declared.
pub fn definition(analysis: &Analysis, target: &Target) -> Option<(FileId, Span)> {
    let program = &analysis.program;
    match target {
        Target::Local { owner, local } => {
            let l = analysis
                .typed
                .bodies
                .get(owner)?
                .locals
                .get(local.0 as usize)?;
            Some((program.def(*owner).file, l.span))
        }
        Target::Def(d) => {
            let def = program.def(*d);
            if let DefKind::Module(m) = def.kind
                && def.name.span == Span::default()
            {
                return Some((program.module(m).file, Span::new(0, 0)));
            }
            Some((def.file, def.name.span))
        }
        Target::Field { adt, name } => {
            let f = analysis
                .typed
                .adts
                .fields
                .get(adt)?
                .iter()
                .find(|f| &f.name == name)?;
            Some((program.def(*adt).file, f.span))
        }
    }
}

/// Where a target is declared, at its name when the index has it.
pub fn declaration(analysis: &Analysis, index: &Index, target: &Target) -> Option<(FileId, Span)> {
    index
        .of(target)
        .find(|o| o.access == Access::Decl)
        .map(|o| (o.file, o.span))
        .or_else(|| definition(analysis, target))
}

/// The struct or variant a value of type `ty` has fields from.
pub fn adt_of(ty: &Ty) -> Option<DefId> {
    match ty.peel_refs() {
        Ty::Adt(d, _) => Some(*d),
        _ => None,
    }
}

struct Builder<'a> {
    program: &'a Program,
    out: Vec<Occurrence>,
}

impl Builder<'_> {
    fn push(&mut self, file: FileId, span: Span, target: Target, access: Access) {
        self.out.push(Occurrence {
            file,
            span,
            target,
            access,
            shorthand: false,
        });
    }

    fn scope(&self, def: DefId) -> (ModuleId, FileId) {
        let d = self.program.def(def);
        (d.module, d.file)
    }

    fn field_decl(&mut self, file: FileId, adt: DefId, name: &crate::syntax::ast::Name) {
        let target = Target::Field {
            adt,
            name: name.text.clone(),
        };
        self.push(file, name.span, target, Access::Decl);
    }

    /// The segments of a path before the last: modules, types, enums.
    fn prefix(&mut self, (module, file): (ModuleId, FileId), path: &Path, upto: usize) {
        let mut cur: Option<DefId> = None;
        for (i, seg) in path.segments.iter().take(upto).enumerate() {
            let found = match cur {
                None if i == 0 => self.program.lookup_name(module, &seg.name.text, Ns::Types),
                Some(c) => self.program.member(c, &seg.name.text, Ns::Types),
                None => None,
            };
            let Some(d) = found else { return };
            self.push(file, seg.name.span, Target::Def(d), Access::Read);
            cur = Some(d);
        }
    }

    fn type_ref(&mut self, scope: (ModuleId, FileId), ty: &TypeRef) {
        match ty {
            TypeRef::Path(p) => {
                self.prefix(scope, p, p.segments.len());
                self.generic_args(scope, p);
            }
            TypeRef::Ref { inner, .. } => self.type_ref(scope, inner),
            TypeRef::Tuple(items, _) => {
                for t in items {
                    self.type_ref(scope, t);
                }
            }
            TypeRef::Array { elem, .. } => self.type_ref(scope, elem),
            TypeRef::Fn { params, ret, .. } => {
                for t in params {
                    self.type_ref(scope, t);
                }
                if let Some(r) = ret {
                    self.type_ref(scope, r);
                }
            }
            TypeRef::Never(_) | TypeRef::Infer(_) | TypeRef::Error(_) => {}
        }
    }

    fn body(&mut self, owner: DefId, body: &Body, types: &BodyTypes) {
        let scope = self.scope(owner);
        let file = scope.1;
        let local = |l: LocalId| Target::Local { owner, local: l };
        let first = self.out.len();
        // Places written to: assignment targets and `&mut` operands.
        let mut written = std::collections::HashSet::new();
        for e in &body.exprs {
            match &e.kind {
                ExprKind::Assign { lhs, .. } | ExprKind::CompoundAssign { lhs, .. } => {
                    written.insert(*lhs);
                }
                ExprKind::Ref {
                    mutable: true,
                    operand,
                } => {
                    written.insert(*operand);
                }
                _ => {}
            }
        }
        for (i, e) in body.exprs.iter().enumerate() {
            let id = crate::syntax::ast::ExprId(u32::try_from(i).unwrap_or(u32::MAX));
            let access = if written.contains(&id) {
                Access::Write
            } else {
                Access::Read
            };
            match &e.kind {
                ExprKind::Path(p) => {
                    let last = &p.last().name;
                    if let Some(l) = types.expr_locals.get(&id) {
                        self.push(file, last.span, local(*l), access);
                    } else if let Some(d) = types.expr_defs.get(&id) {
                        self.push(file, last.span, Target::Def(*d), access);
                    }
                    self.prefix(scope, p, p.segments.len() - 1);
                    self.generic_args(scope, p);
                }
                ExprKind::SelfValue => {
                    if let Some(l) = types.expr_locals.get(&id) {
                        self.push(file, e.span, local(*l), access);
                    }
                }
                ExprKind::MethodCall { method, .. } => {
                    if let Some(d) = types.expr_defs.get(&id) {
                        self.push(file, method.span, Target::Def(*d), Access::Read);
                    }
                }
                ExprKind::Field {
                    base,
                    field: FieldName::Named(name),
                } => {
                    if let Some(adt) = types.expr_types.get(base.index()).and_then(adt_of) {
                        let target = Target::Field {
                            adt,
                            name: name.text.clone(),
                        };
                        self.push(file, name.span, target, access);
                    }
                }
                ExprKind::Struct { path, fields, .. } => {
                    let adt = types.expr_defs.get(&id).copied();
                    if let Some(d) = adt {
                        self.push(file, path.last().name.span, Target::Def(d), Access::Read);
                    }
                    self.prefix(scope, path, path.segments.len() - 1);
                    if let Some(adt) = adt {
                        for f in fields {
                            self.out.push(Occurrence {
                                file,
                                span: f.name.span,
                                target: Target::Field {
                                    adt,
                                    name: f.name.text.clone(),
                                },
                                access: Access::Write,
                                shorthand: f.shorthand,
                            });
                        }
                    }
                }
                ExprKind::Block(block) => {
                    for s in &block.stmts {
                        if let Stmt::Let { ty: Some(t), .. } = s {
                            self.type_ref(scope, t);
                        }
                    }
                }
                ExprKind::Closure { params, ret, .. } => {
                    for p in params {
                        if let Some(t) = &p.ty {
                            self.type_ref(scope, t);
                        }
                    }
                    if let Some(t) = ret {
                        self.type_ref(scope, t);
                    }
                }
                ExprKind::Cast { ty, .. } => self.type_ref(scope, ty),
                _ => {}
            }
        }
        for (i, p) in body.pats.iter().enumerate() {
            let id = crate::syntax::ast::PatId(u32::try_from(i).unwrap_or(u32::MAX));
            match &p.kind {
                PatKind::Ident { name, .. } => {
                    if let Some(l) = types.pat_locals.get(&id) {
                        self.push(file, name.span, local(*l), Access::Decl);
                    } else if let Some(d) = types.pat_defs.get(&id) {
                        self.push(file, name.span, Target::Def(*d), Access::Read);
                    }
                }
                PatKind::Path(path) | PatKind::TupleStruct { path, .. } => {
                    if let Some(d) = types.pat_defs.get(&id) {
                        self.push(file, path.last().name.span, Target::Def(*d), Access::Read);
                    }
                    self.prefix(scope, path, path.segments.len() - 1);
                }
                PatKind::Struct { path, fields, .. } => {
                    let adt = types.pat_defs.get(&id).copied();
                    if let Some(d) = adt {
                        self.push(file, path.last().name.span, Target::Def(d), Access::Read);
                        for f in fields {
                            self.out.push(Occurrence {
                                file,
                                span: f.name.span,
                                target: Target::Field {
                                    adt: d,
                                    name: f.name.text.clone(),
                                },
                                access: Access::Read,
                                shorthand: f.shorthand,
                            });
                        }
                    }
                    self.prefix(scope, path, path.segments.len() - 1);
                }
                _ => {}
            }
        }
        // Shorthand fields (`Point { x }` in literals and patterns): the
        // local sits at the same span as the field.
        let shorthand: std::collections::HashSet<Span> = self.out[first..]
            .iter()
            .filter(|o| o.shorthand && o.file == file)
            .map(|o| o.span)
            .collect();
        for o in &mut self.out[first..] {
            if o.file == file
                && matches!(o.target, Target::Local { .. })
                && shorthand.contains(&o.span)
            {
                o.shorthand = true;
            }
        }
    }

    fn generic_args(&mut self, scope: (ModuleId, FileId), p: &Path) {
        for seg in &p.segments {
            for arg in &seg.args {
                if let crate::syntax::ast::GenericArg::Type(t) = arg {
                    self.type_ref(scope, t);
                }
            }
        }
    }
}
