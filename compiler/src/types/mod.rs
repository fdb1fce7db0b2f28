//! Types: signatures and definitions lowered to [`Ty`], then every body
//! checked with local inference ([`check`]). Item-level rules live here:
//! generic argument counts, declared lifetimes and elision (`W0106`),
//! `#[derive(Copy)]` on types with non-Copy fields, duplicate fields.

mod cache;
mod check;
mod consts;
mod exhaustive;
mod format;
pub mod ty;

use crate::FxHashMap as HashMap;
use crate::diagnostics::{Diagnostic, FileId, FileSpan, Span, codes};
use crate::resolve::{DefId, DefKind, ImplId, ModuleId, Program, TypeRes};
use crate::syntax::ast::{ArrayLen, Fields, GenericArg, Generics, Name, TypeRef};
use std::sync::Arc;

pub use cache::BodyCache;
pub use check::{BodyTypes, Local, LocalId};
pub use consts::{ConstValue, eval_int};
pub use ty::Ty;

/// A field of a struct or variant.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    pub name: String,
    pub ty: Ty,
    pub is_pub: bool,
    pub span: Span,
}

/// Field types of every struct and variant, and the generics of every
/// struct and enum, in terms of `Ty::Param`.
#[derive(Debug, Default)]
pub struct Adts {
    pub generics: HashMap<DefId, Vec<Arc<str>>>,
    /// For a struct def or a variant def.
    pub fields: HashMap<DefId, Vec<FieldInfo>>,
    /// Each variant's enum.
    pub variant_parent: HashMap<DefId, DefId>,
}

impl Adts {
    /// The field types of a struct (or of all variants of an enum) with
    /// `args` substituted.
    pub fn field_types(&self, def: DefId, args: &[Ty]) -> Vec<Ty> {
        if let Some(fields) = self.fields.get(&def) {
            return fields.iter().map(|f| f.ty.subst(args)).collect();
        }
        self.variant_fields(def)
            .flat_map(|(_, fields)| fields.iter().map(|f| f.ty.subst(args)))
            .collect()
    }

    /// An enum's variants (they follow their enum) with their fields.
    pub fn variant_fields(&self, def: DefId) -> impl Iterator<Item = (DefId, &[FieldInfo])> {
        (def.0 + 1..).map(DefId).map_while(move |v| {
            self.fields
                .get(&v)
                .filter(|_| self.variant_parent.get(&v) == Some(&def))
                .map(|fields| (v, fields.as_slice()))
        })
    }
}

/// How a method takes its receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfKind {
    Value,
    Ref,
    RefMut,
}

/// A function's signature in terms of `Ty::Param` (impl generics first).
#[derive(Debug, Clone)]
pub struct FnSig {
    pub generics: Vec<Arc<str>>,
    /// The first `impl_generics` generics belong to the `impl`.
    pub impl_generics: usize,
    /// With the receiver first for methods.
    pub params: Vec<Ty>,
    pub ret: Ty,
    pub self_kind: Option<SelfKind>,
}

/// Everything the type checker learnt about a program.
#[derive(Debug, Default)]
pub struct TypedProgram {
    pub adts: Adts,
    pub sigs: HashMap<DefId, FnSig>,
    pub impl_self: HashMap<ImplId, (Vec<Arc<str>>, Ty)>,
    pub const_types: HashMap<DefId, Ty>,
    pub const_values: HashMap<DefId, ConstValue>,
    /// Shared with the cache of an incremental analysis.
    pub bodies: HashMap<DefId, Arc<BodyTypes>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Type-checks every user item and body of a resolved program.
pub fn check_program(program: &Program) -> TypedProgram {
    check_program_where(program, &|_| true)
}

/// [`check_program`] with only the bodies of the functions and constants
/// `keep` accepts checked (signatures, fields and constants' values are
/// always known): what an editor query about one function needs.
pub fn check_program_where(
    program: &Program,
    keep: &(dyn Fn(DefId) -> bool + Sync),
) -> TypedProgram {
    check_program_cached(
        program,
        keep,
        &crate::incremental::BodyKeys::new(),
        &mut BodyCache::default(),
    )
}

/// [`check_program_where`] reusing the results of bodies whose key (in
/// `keys`; a body without one is always checked) is in `cache`. The cache
/// keeps the results of this program's bodies only.
pub fn check_program_cached(
    program: &Program,
    keep: &(dyn Fn(DefId) -> bool + Sync),
    keys: &crate::incremental::BodyKeys,
    cache: &mut BodyCache,
) -> TypedProgram {
    let mut typed = TypedProgram::default();
    // Sized once: these tables are rebuilt on every analysis, and growing
    // them rehashes every entry several times.
    let defs = program.defs.len();
    typed.sigs.reserve(defs);
    typed.bodies.reserve(defs);
    typed.adts.fields.reserve(defs / 4);
    typed.adts.generics.reserve(defs / 4);
    typed.adts.variant_parent.reserve(defs / 4);
    let mut diags = Vec::new();
    collect_adts(program, &mut typed, &mut diags);
    collect_impls(program, &mut typed, &mut diags);
    collect_sigs(program, &mut typed, &mut diags);
    consts::evaluate_all(program, &mut typed, &mut diags);
    let bodies: Vec<DefId> = program
        .defs_with_ids()
        .filter(|(_, def)| def.file != program.std_file)
        .filter(|(_, def)| matches!(def.kind, DefKind::Fn(_) | DefKind::Const(_)))
        .map(|(id, _)| id)
        .collect();
    let mut old = std::mem::take(&mut cache.entries);
    cache.entries.reserve(bodies.len());
    let reused: Vec<Option<cache::Entry>> = bodies
        .iter()
        .map(|id| {
            let mut entry = keys.get(id).and_then(|k| old.remove(k))?;
            entry.update_ids(&keys.identities).then_some(entry)
        })
        .collect();
    let todo: Vec<DefId> = bodies
        .iter()
        .zip(&reused)
        .filter(|(_, r)| r.is_none())
        .map(|(id, _)| *id)
        .collect();
    let checked = crate::parallel::map(&todo, &|| false, &|&id| {
        keep(id).then(|| {
            let mut diags = Vec::new();
            let (body, imports) = program
                .recording_import_uses(|| check::check_body(program, &typed, id, &mut diags));
            (body, diags, imports)
        })
    });
    let mut checked: HashMap<DefId, _> = todo.into_iter().zip(checked).collect();
    cache.hits = 0;
    cache.misses = 0;
    for (id, reused) in bodies.into_iter().zip(reused) {
        let def = program.def(id);
        let start = def.span.start;
        if let Some(mut entry) = reused {
            cache.hits += 1;
            for &(m, i) in &entry.imports {
                program.mark_import_used(m, i);
            }
            entry.move_to(start);
            typed.bodies.insert(id, Arc::clone(&entry.body));
            diags.extend(entry.diagnostics.iter().cloned());
            if let Some(&k) = keys.get(&id) {
                cache.entries.insert(k, entry);
            }
        } else if let Some(Some(Some((body, body_diags, imports)))) = checked.remove(&id) {
            cache.misses += 1;
            let body = Arc::new(body);
            if let Some(&k) = keys.get(&id)
                && body_diags.iter().all(|d| d.is_within(def.file, def.span))
            {
                cache.entries.insert(
                    k,
                    cache::Entry {
                        start,
                        body: Arc::clone(&body),
                        diagnostics: body_diags.clone(),
                        imports,
                        defs: crate::incremental::DefRefs::new(
                            cache::def_refs(&body),
                            &keys.identities,
                        ),
                    },
                );
            }
            typed.bodies.insert(id, body);
            diags.extend(body_diags);
        }
    }
    typed.diagnostics = diags;
    typed
}

/// Where a type is being lowered, and what names are in scope there.
#[derive(Debug)]
pub struct TyScope<'a> {
    pub module: ModuleId,
    pub file: FileId,
    pub generics: &'a [Arc<str>],
    pub self_ty: Option<&'a Ty>,
    /// Declared lifetime names (`'a`), besides `'static`.
    pub lifetimes: &'a [String],
    /// `_` and omitted generic arguments are allowed (in bodies) and become
    /// fresh variables from this counter.
    pub fresh: Option<&'a std::cell::Cell<u32>>,
}

/// Lowers a type as written to a `Ty`, reporting what does not resolve.
pub fn lower_type(
    program: &Program,
    adts: &Adts,
    scope: &TyScope,
    ty: &TypeRef,
    diags: &mut Vec<Diagnostic>,
) -> Ty {
    let fs = |span: Span| FileSpan::new(scope.file, span);
    match ty {
        TypeRef::Path(path) => {
            if let Some(name) = path.as_single() {
                if let Some(i) = scope.generics.iter().position(|g| **g == *name.text) {
                    return Ty::Param(
                        u32::try_from(i).unwrap_or(u32::MAX),
                        scope.generics[i].clone(),
                    );
                }
                if name.text == "Self" {
                    return if let Some(t) = scope.self_ty {
                        t.clone()
                    } else {
                        diags.push(
                            Diagnostic::error(
                                codes::UNRESOLVED_TYPE,
                                fs(name.span),
                                "cannot find type `Self` in this scope",
                            )
                            .with_label("`Self` is only available in impls"),
                        );
                        Ty::Error
                    };
                }
            }
            let res = match program.resolve_type_path(scope.module, scope.file, path) {
                Ok(res) => res,
                Err(e) => {
                    diags.push(*e.0);
                    return Ty::Error;
                }
            };
            let args: Vec<&GenericArg> = path.segments.iter().flat_map(|s| s.args.iter()).collect();
            let mut type_args = Vec::new();
            for arg in &args {
                match arg {
                    GenericArg::Type(t) => {
                        type_args.push(lower_type(program, adts, scope, t, diags));
                    }
                    GenericArg::Lifetime(l) => check_lifetime(scope, l, diags),
                }
            }
            match res {
                TypeRes::Prim(p) => {
                    if !type_args.is_empty() {
                        diags.push(
                            Diagnostic::error(
                                codes::WRONG_GENERIC_COUNT,
                                fs(path.span),
                                format!("type `{}` takes no type arguments", p.name()),
                            )
                            .with_label("unexpected type argument"),
                        );
                    }
                    prim_ty(p)
                }
                TypeRes::Def(d) => {
                    let expected = adts.generics.get(&d).map_or(0, Vec::len);
                    if type_args.len() != expected {
                        if type_args.is_empty()
                            && let Some(fresh) = scope.fresh
                        {
                            let vars = (0..expected).map(|_| fresh_var(fresh)).collect();
                            return Ty::Adt(d, vars);
                        }
                        let def = program.def(d);
                        diags.push(
                            Diagnostic::error(
                                codes::WRONG_GENERIC_COUNT,
                                fs(path.span),
                                if type_args.is_empty() {
                                    format!(
                                        "missing generics for {} `{}`",
                                        def.describe(),
                                        def.name.text
                                    )
                                } else {
                                    format!(
                                        "{} takes {expected} generic argument{} but {} {} supplied",
                                        def.describe(),
                                        if expected == 1 { "" } else { "s" },
                                        type_args.len(),
                                        if type_args.len() == 1 { "was" } else { "were" }
                                    )
                                },
                            )
                            .with_label(format!(
                                "expected {expected} generic argument{}",
                                if expected == 1 { "" } else { "s" }
                            ))
                            .with_secondary(
                                def.file_span(),
                                format!("{} defined here", def.describe()),
                            ),
                        );
                        type_args.resize(expected, Ty::Error);
                    }
                    Ty::Adt(d, type_args)
                }
            }
        }
        TypeRef::Ref {
            lifetime,
            mutable,
            inner,
            ..
        } => {
            if let Some(l) = lifetime {
                check_lifetime(scope, l, diags);
            }
            Ty::Ref(
                *mutable,
                Box::new(lower_type(program, adts, scope, inner, diags)),
            )
        }
        TypeRef::Tuple(items, _) => Ty::Tuple(
            items
                .iter()
                .map(|t| lower_type(program, adts, scope, t, diags))
                .collect(),
        ),
        TypeRef::Array { elem, len, .. } => {
            let elem = lower_type(program, adts, scope, elem, diags);
            let n = match len {
                None => None,
                Some(ArrayLen::Literal(n, _)) => Some(*n),
                Some(ArrayLen::Error(_)) => return Ty::Error,
                Some(ArrayLen::Path(path)) => {
                    match consts::array_len_const(program, scope, path, diags) {
                        Some(n) => Some(n),
                        None => return Ty::Error,
                    }
                }
            };
            Ty::Array(Box::new(elem), n)
        }
        TypeRef::Fn { params, ret, .. } => Ty::Fn(
            params
                .iter()
                .map(|t| lower_type(program, adts, scope, t, diags))
                .collect(),
            Box::new(
                ret.as_ref()
                    .map_or_else(Ty::unit, |r| lower_type(program, adts, scope, r, diags)),
            ),
        ),
        TypeRef::Never(_) => Ty::Never,
        TypeRef::Infer(span) => {
            if let Some(fresh) = scope.fresh {
                fresh_var(fresh)
            } else {
                diags.push(
                    Diagnostic::error(
                        codes::TYPE_ANNOTATIONS_NEEDED,
                        fs(*span),
                        "the placeholder `_` is not allowed within types on item signatures",
                    )
                    .with_label("not allowed in type signatures"),
                );
                Ty::Error
            }
        }
        TypeRef::Error(_) => Ty::Error,
    }
}

pub fn fresh_var(counter: &std::cell::Cell<u32>) -> Ty {
    let n = counter.get();
    counter.set(n + 1);
    Ty::Var(n)
}

pub fn prim_ty(p: crate::resolve::Prim) -> Ty {
    use crate::resolve::Prim;
    match p {
        Prim::Int => Ty::Int,
        Prim::Float => Ty::Float,
        Prim::Bool => Ty::Bool,
        Prim::Char => Ty::Char,
        Prim::Str => Ty::Str,
    }
}

fn check_lifetime(scope: &TyScope, l: &Name, diags: &mut Vec<Diagnostic>) {
    if l.text == "'static" || l.text == "'_" || scope.lifetimes.contains(&l.text) {
        return;
    }
    diags.push(
        Diagnostic::error(
            codes::UNDECLARED_LIFETIME,
            FileSpan::new(scope.file, l.span),
            format!("use of undeclared lifetime name `{}`", l.text),
        )
        .with_label("undeclared lifetime")
        .with_help(format!("declare it on the item: `<{}>`", l.text)),
    );
}

fn generic_names(generics: &Generics) -> Vec<Arc<str>> {
    generics
        .types()
        .map(|n| Arc::from(n.text.as_str()))
        .collect()
}

fn lifetime_names(generics: &Generics) -> Vec<String> {
    generics.lifetimes().map(|p| p.name.text.clone()).collect()
}

fn collect_adts(program: &Program, typed: &mut TypedProgram, diags: &mut Vec<Diagnostic>) {
    // Generics first: field types may name any ADT.
    for (i, def) in program.defs.iter().enumerate() {
        let id = DefId(u32::try_from(i).unwrap_or(u32::MAX));
        match &def.kind {
            DefKind::Struct(s) => {
                typed.adts.generics.insert(id, generic_names(&s.generics));
            }
            DefKind::Enum(e) => {
                typed.adts.generics.insert(id, generic_names(&e.generics));
            }
            DefKind::Variant { parent, .. } => {
                typed.adts.variant_parent.insert(id, *parent);
            }
            _ => {}
        }
    }
    for (i, def) in program.defs.iter().enumerate() {
        let id = DefId(u32::try_from(i).unwrap_or(u32::MAX));
        let (generics, fields, owner_generics) = match &def.kind {
            DefKind::Struct(s) => (typed.adts.generics[&id].clone(), &s.fields, &s.generics),
            DefKind::Variant { parent, index } => {
                let DefKind::Enum(e) = &program.def(*parent).kind else {
                    continue;
                };
                (
                    typed.adts.generics[parent].clone(),
                    &e.variants[*index].fields,
                    &e.generics,
                )
            }
            _ => continue,
        };
        let lifetimes = lifetime_names(owner_generics);
        let self_ty = Ty::Adt(
            match def.kind {
                DefKind::Variant { parent, .. } => parent,
                _ => id,
            },
            generics
                .iter()
                .enumerate()
                .map(|(i, n)| Ty::Param(u32::try_from(i).unwrap_or(0), n.clone()))
                .collect(),
        );
        let scope = TyScope {
            module: def.module,
            file: def.file,
            generics: &generics,
            self_ty: Some(&self_ty),
            lifetimes: &lifetimes,
            fresh: None,
        };
        let mut infos = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::default();
        for field in fields.all() {
            if let Some(prev) = seen.insert(&field.name.text, field.name.span) {
                diags.push(
                    Diagnostic::error(
                        codes::DUPLICATE_FIELD,
                        FileSpan::new(def.file, field.name.span),
                        format!("field `{}` is already declared", field.name.text),
                    )
                    .with_label("field already declared")
                    .with_secondary(
                        FileSpan::new(def.file, prev),
                        format!("`{}` first declared here", field.name.text),
                    ),
                );
            }
            if def.file != program.std_file {
                check_elided_in_field(&field.ty, def.file, diags);
            }
            let ty = lower_type(program, &typed.adts, &scope, &field.ty, diags);
            infos.push(FieldInfo {
                name: field.name.text.clone(),
                ty,
                is_pub: field.is_pub,
                span: field.span,
            });
        }
        if matches!(fields, Fields::Named(_) | Fields::Tuple(_) | Fields::Unit) {
            typed.adts.fields.insert(id, infos);
        }
    }
    // `#[derive(Copy)]` needs every field Copy.
    for (i, def) in program.defs.iter().enumerate() {
        let id = DefId(u32::try_from(i).unwrap_or(u32::MAX));
        if def.file == program.std_file
            || !def.derives("Copy")
            || !matches!(def.kind, DefKind::Struct(_) | DefKind::Enum(_))
        {
            continue;
        }
        let generics = &typed.adts.generics[&id];
        let args: Vec<Ty> = generics
            .iter()
            .enumerate()
            .map(|(i, n)| Ty::Param(u32::try_from(i).unwrap_or(0), n.clone()))
            .collect();
        let mut field_defs: Vec<(Ty, Span, String)> = Vec::new();
        if let Some(fields) = typed.adts.fields.get(&id) {
            field_defs.extend(
                fields
                    .iter()
                    .map(|f| (f.ty.clone(), f.span, f.name.clone())),
            );
        } else {
            for v in program.variants(id) {
                if let Some(fields) = typed.adts.fields.get(&v) {
                    field_defs.extend(
                        fields
                            .iter()
                            .map(|f| (f.ty.clone(), f.span, f.name.clone())),
                    );
                }
            }
        }
        for (ty, span, name) in field_defs {
            // Type parameters are Copy when the instantiation is; a
            // non-Copy concrete field type never is.
            let concrete = ty.subst(&args);
            let mut has_param = false;
            concrete.walk(&mut |t| has_param |= matches!(t, Ty::Param(..)));
            if !has_param && !ty::is_copy(program, &typed.adts, &concrete) {
                let attr_span = def
                    .attrs
                    .iter()
                    .find(|a| a.name == "derive")
                    .map_or(def.name.span, |a| a.span);
                diags.push(
                    Diagnostic::error(
                        codes::NOT_COPYABLE,
                        FileSpan::new(def.file, attr_span),
                        "the trait `Copy` cannot be implemented for this type",
                    )
                    .with_label("this derive asks for `Copy`")
                    .with_secondary(
                        FileSpan::new(def.file, span),
                        format!(
                            "this field does not implement `Copy` (`{name}: {}`)",
                            ty::display(program, &concrete)
                        ),
                    ),
                );
            }
        }
    }
}

fn check_elided_in_field(ty: &TypeRef, file: FileId, diags: &mut Vec<Diagnostic>) {
    visit_refs(ty, &mut |lifetime, span| {
        if lifetime.is_none() {
            diags.push(
                Diagnostic::error(codes::MISSING_LIFETIME, FileSpan::new(file, span), "missing lifetime specifier")
                    .with_label("expected named lifetime parameter")
                    .with_help("a struct that holds a reference declares a lifetime parameter: `struct View<'a> { rows: &'a List<T> }`"),
            );
        }
    });
}

/// Calls `f` for every reference type (with its lifetime, if written),
/// outside `fn` types (which have their own elision scope).
/// Calls `f` with the lifetime (if written) and span of every reference
/// type inside `ty`.
pub(crate) fn visit_refs(ty: &TypeRef, f: &mut impl FnMut(Option<&Name>, Span)) {
    match ty {
        TypeRef::Ref {
            lifetime,
            inner,
            span,
            ..
        } => {
            f(lifetime.as_ref(), *span);
            visit_refs(inner, f);
        }
        TypeRef::Path(p) => {
            for seg in &p.segments {
                for arg in &seg.args {
                    if let GenericArg::Type(t) = arg {
                        visit_refs(t, f);
                    }
                }
            }
        }
        TypeRef::Tuple(items, _) => items.iter().for_each(|t| visit_refs(t, f)),
        TypeRef::Array { elem, .. } => visit_refs(elem, f),
        TypeRef::Fn { .. } | TypeRef::Never(_) | TypeRef::Infer(_) | TypeRef::Error(_) => {}
    }
}

fn collect_impls(program: &Program, typed: &mut TypedProgram, diags: &mut Vec<Diagnostic>) {
    for (i, imp) in program.impls.iter().enumerate() {
        let id = ImplId(u32::try_from(i).unwrap_or(u32::MAX));
        let generics = generic_names(&imp.generics);
        let lifetimes = lifetime_names(&imp.generics);
        let scope = TyScope {
            module: imp.module,
            file: imp.file,
            generics: &generics,
            self_ty: None,
            lifetimes: &lifetimes,
            fresh: None,
        };
        let ty = lower_type(program, &typed.adts, &scope, &imp.self_ty, diags);
        typed.impl_self.insert(id, (generics, ty));
    }
}

fn collect_sigs(program: &Program, typed: &mut TypedProgram, diags: &mut Vec<Diagnostic>) {
    for (i, def) in program.defs.iter().enumerate() {
        let id = DefId(u32::try_from(i).unwrap_or(u32::MAX));
        let DefKind::Fn(f) = &def.kind else { continue };
        let (mut generics, self_ty, mut lifetimes) = match def.owner {
            Some(imp) => {
                let (g, t) = &typed.impl_self[&imp];
                (
                    g.clone(),
                    Some(t.clone()),
                    lifetime_names(&program.impls[imp.0 as usize].generics),
                )
            }
            None => (Vec::new(), None, Vec::new()),
        };
        let impl_generics = generics.len();
        generics.extend(generic_names(&f.generics));
        lifetimes.extend(lifetime_names(&f.generics));
        let scope = TyScope {
            module: def.module,
            file: def.file,
            generics: &generics,
            self_ty: self_ty.as_ref(),
            lifetimes: &lifetimes,
            fresh: None,
        };
        let mut params = Vec::new();
        let self_kind = f
            .self_param
            .as_ref()
            .map(|s| match (s.reference, s.mutable) {
                (false, _) => SelfKind::Value,
                (true, false) => SelfKind::Ref,
                (true, true) => SelfKind::RefMut,
            });
        if let Some(kind) = self_kind {
            if let Some(t) = &self_ty {
                params.push(match kind {
                    SelfKind::Value => t.clone(),
                    SelfKind::Ref => Ty::Ref(false, Box::new(t.clone())),
                    SelfKind::RefMut => Ty::Ref(true, Box::new(t.clone())),
                });
            } else {
                let span = f.self_param.as_ref().map_or(f.name.span, |s| s.span);
                diags.push(
                    Diagnostic::error(
                        codes::UNSUPPORTED,
                        FileSpan::new(def.file, span),
                        "`self` parameter is only allowed in methods",
                    )
                    .with_label("not semantically valid as function parameter")
                    .with_note("associated functions are those in `impl` blocks"),
                );
                params.push(Ty::Error);
            }
        }
        for p in &f.body.params {
            params.push(lower_type(program, &typed.adts, &scope, &p.ty, diags));
        }
        let ret = f.ret.as_ref().map_or_else(Ty::unit, |r| {
            lower_type(program, &typed.adts, &scope, r, diags)
        });
        if def.file != program.std_file {
            check_elision(def.file, f, diags);
        }
        typed.sigs.insert(
            id,
            FnSig {
                generics,
                impl_generics,
                params,
                ret,
                self_kind,
            },
        );
    }
}

/// Rust's elision rules for a signature's output: a `&` without a lifetime
/// in the return type takes the lifetime of `&self`, or of the one input
/// lifetime position; otherwise it must be named (W0106).
fn check_elision(file: FileId, f: &crate::syntax::ast::Function, diags: &mut Vec<Diagnostic>) {
    let mut input_positions = 0;
    for p in &f.body.params {
        visit_refs(&p.ty, &mut |_, _| input_positions += 1);
    }
    let self_ref = f.self_param.as_ref().is_some_and(|s| s.reference);
    let Some(ret) = &f.ret else { return };
    let mut missing = Vec::new();
    visit_refs(ret, &mut |lifetime, span| {
        if lifetime.is_none() {
            missing.push(span);
        }
    });
    if missing.is_empty() || self_ref || input_positions == 1 {
        return;
    }
    for span in missing {
        let mut d = Diagnostic::error(
            codes::MISSING_LIFETIME,
            FileSpan::new(file, span),
            "missing lifetime specifier",
        )
        .with_label("expected named lifetime parameter");
        if input_positions == 0 {
            d = d
                .with_help("this function's return type contains a borrowed value, but there is no value for it to be borrowed from")
                .with_help("return an owned value instead, or use `'static`");
            d = d.with_fix(
                "consider using the `'static` lifetime",
                FileSpan::new(file, Span::new(span.start + 1, span.start + 1)),
                "'static ",
            );
        } else {
            d = d.with_help(format!(
                "this function's return type contains a borrowed value, but the signature does not say whether it is borrowed from {}",
                borrowed_from(f)
            ));
            d = named_lifetime_fix(d, file, f);
        }
        diags.push(d);
    }
}

/// The parameters a reference in the return type may come from, as rustc
/// names them: "`a` or `b`", or "one of its 3 borrowed parameters".
fn borrowed_from(f: &crate::syntax::ast::Function) -> String {
    let mut names = Vec::new();
    for p in &f.body.params {
        let mut refs = 0;
        visit_refs(&p.ty, &mut |_, _| refs += 1);
        if refs > 0 {
            match &f.body.pat(p.pat).kind {
                crate::syntax::ast::PatKind::Ident { name, .. } => {
                    names.push(format!("`{}`", name.text));
                }
                _ => names.push("a pattern".to_string()),
            }
        }
    }
    match names.as_slice() {
        [a, b] => format!("{a} or {b}"),
        _ => format!("one of its {} borrowed parameters", names.len()),
    }
}

/// The concrete fix for W0106: a new lifetime parameter (`'a`, or the
/// first of `'b`, `'c`… not declared yet) on the function and on every
/// reference of its signature that has none, as rustc suggests; applied,
/// the signature checks.
fn named_lifetime_fix(d: Diagnostic, file: FileId, f: &crate::syntax::ast::Function) -> Diagnostic {
    let declared: Vec<&str> = f
        .generics
        .lifetimes()
        .map(|p| p.name.text.as_str())
        .collect();
    let Some(name) = ('a'..='z')
        .map(|c| format!("'{c}"))
        .find(|n| !declared.contains(&n.as_str()))
    else {
        return d;
    };
    let at = |offset: u32| FileSpan::new(file, Span::new(offset, offset));
    let mut edits = vec![match f.generics.params.first() {
        Some(first) => crate::diagnostics::Edit {
            span: at(first.name.span.start),
            replacement: format!("{name}, "),
        },
        None => crate::diagnostics::Edit {
            span: at(f.name.span.end),
            replacement: format!("<{name}>"),
        },
    }];
    let mut elided = |lifetime: Option<&crate::syntax::ast::Name>, span: Span| {
        if lifetime.is_none() {
            edits.push(crate::diagnostics::Edit {
                span: at(span.start + 1),
                replacement: format!("{name} "),
            });
        }
    };
    for p in &f.body.params {
        visit_refs(&p.ty, &mut elided);
    }
    if let Some(ret) = &f.ret {
        visit_refs(ret, &mut elided);
    }
    d.with_edits(
        "consider introducing a named lifetime parameter",
        edits,
        crate::diagnostics::Applicability::MachineApplicable,
    )
}
