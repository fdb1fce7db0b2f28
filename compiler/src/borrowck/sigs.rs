//! Region-annotated types. The type checker erases lifetimes (`Ty` has
//! none); the borrow checker rebuilds them from the written types: a
//! signature or struct field walked together with its `Ty` gives a
//! template whose references name lifetime parameters (or `'static`, or
//! an elided lifetime the elision rules resolved), and an instance of a
//! template gives every reference position a region variable.

use crate::FxHashMap as HashMap;
use crate::resolve::{DefId, DefKind, Program};
use crate::syntax::ast::{Fields, GenericArg, TypeRef};
use crate::types::TypedProgram;
use crate::types::ty::Ty;

/// A region in a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionRef {
    Static,
    /// A lifetime that is missing where it must be written (W0106 or
    /// W0261 was reported): it satisfies every constraint, so that the
    /// one mistake is not reported again as borrow errors.
    Error,
    /// The signature's (or struct's) region `i`.
    Param(u32),
}

#[derive(Debug, Clone)]
pub enum Tmpl {
    Leaf,
    Ref(RegionRef, Box<Tmpl>, bool),
    Adt(DefId, Vec<RegionRef>, Vec<Tmpl>),
    Tuple(Vec<Tmpl>),
    Seq(Box<Tmpl>),
    Param(u32),
    Fn(RegionRef),
}

/// Which parameter an elided lifetime belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamPos {
    SelfParam,
    /// The written parameter at this index.
    Param(usize),
}

/// A region parameter of a signature: named, or elided in a parameter.
#[derive(Debug, Clone)]
pub struct RegionParam {
    pub name: Option<String>,
    /// For an elided one: the parameter it appears in, and the
    /// reference's span.
    pub param: Option<ParamPos>,
    pub span: crate::diagnostics::Span,
}

#[derive(Debug, Clone)]
pub struct SigTmpl {
    /// With the receiver first for methods.
    pub params: Vec<Tmpl>,
    pub ret: Tmpl,
    pub regions: Vec<RegionParam>,
    /// Declared `'a: 'b` bounds.
    pub bounds: Vec<(u32, u32)>,
    /// Where the signature elides a lifetime (a `&` or a path to a struct
    /// with lifetime parameters) and which region elision chose.
    pub elided: Vec<(crate::diagnostics::Span, bool, RegionRef)>,
}

impl SigTmpl {
    /// The name a region goes by in messages and hints: its own name,
    /// or `'1`, `'2`… for elided ones in order.
    pub fn region_name(&self, r: RegionRef) -> String {
        match r {
            RegionRef::Static => "'static".into(),
            RegionRef::Error => "'_".into(),
            RegionRef::Param(i) => {
                let i = i as usize;
                if let Some(n) = self.regions.get(i).and_then(|p| p.name.clone()) {
                    n
                } else {
                    let k = self.regions[..=i.min(self.regions.len().saturating_sub(1))]
                        .iter()
                        .filter(|p| p.name.is_none())
                        .count();
                    format!("'{k}")
                }
            }
        }
    }
}

/// Templates built so far (std signatures are shared by every body).
#[derive(Debug, Default)]
pub struct Templates {
    sigs: HashMap<DefId, Option<std::rc::Rc<SigTmpl>>>,
    fields: HashMap<DefId, Vec<Tmpl>>,
}

struct Scope<'a> {
    names: &'a [String],
    /// `Self`'s written type and its `Ty`.
    self_tr: Option<&'a TypeRef>,
    regions: Vec<RegionParam>,
    /// What an elided lifetime means here: `None` makes a new parameter.
    elided: Option<RegionRef>,
    param_index: Option<ParamPos>,
    /// Every elided lifetime met, with where it was elided.
    uses: Vec<(crate::diagnostics::Span, bool, RegionRef)>,
}

impl Scope<'_> {
    fn lookup_at(
        &mut self,
        name: Option<&str>,
        span: crate::diagnostics::Span,
        is_ref: bool,
    ) -> RegionRef {
        let r = self.lookup(name, span);
        if name.is_none_or(|n| n == "'_") && span != crate::diagnostics::Span::default() {
            self.uses.push((span, is_ref, r));
        }
        r
    }

    /// The region of a type not written out (a function type's captures):
    /// elided as usual, but never an error region, since nothing was
    /// missing from the source.
    fn unwritten(&mut self, span: crate::diagnostics::Span) -> RegionRef {
        match self.lookup(None, span) {
            RegionRef::Error => RegionRef::Static,
            r => r,
        }
    }

    fn lookup(&mut self, name: Option<&str>, span: crate::diagnostics::Span) -> RegionRef {
        match name {
            Some("'static") => RegionRef::Static,
            Some(n) if n != "'_" => match self.names.iter().position(|x| x == n) {
                Some(i) => RegionRef::Param(i as u32),
                None => RegionRef::Error,
            },
            _ => {
                if let Some(r) = self.elided {
                    r
                } else {
                    self.regions.push(RegionParam {
                        name: None,
                        param: self.param_index,
                        span,
                    });
                    RegionRef::Param((self.regions.len() - 1) as u32)
                }
            }
        }
    }
}

pub fn adt_lifetimes(program: &Program, d: DefId) -> usize {
    match &program.def(d).kind {
        DefKind::Struct(s) => s.generics.lifetimes().count(),
        DefKind::Enum(e) => e.generics.lifetimes().count(),
        DefKind::Variant { parent, .. } => adt_lifetimes(program, *parent),
        _ => 0,
    }
}

fn is_self_path(tr: &TypeRef) -> bool {
    matches!(tr, TypeRef::Path(p) if p.as_single().is_some_and(|n| n.text == "Self"))
}

impl Templates {
    fn build(program: &Program, tr: &TypeRef, ty: &Ty, scope: &mut Scope<'_>) -> Tmpl {
        if is_self_path(tr)
            && let Some(s) = scope.self_tr
        {
            return Self::build(program, s, ty, scope);
        }
        match (tr, ty) {
            (
                TypeRef::Ref {
                    lifetime,
                    inner,
                    span,
                    ..
                },
                Ty::Ref(m, ity),
            ) => {
                let r = scope.lookup_at(lifetime.as_ref().map(|l| l.text.as_str()), *span, true);
                Tmpl::Ref(r, Box::new(Self::build(program, inner, ity, scope)), *m)
            }
            (TypeRef::Path(p), Ty::Adt(d, args)) => {
                let seg = p.last();
                let n = adt_lifetimes(program, *d);
                let mut lts: Vec<RegionRef> = seg
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        GenericArg::Lifetime(l) => Some(l),
                        GenericArg::Type(_) => None,
                    })
                    .map(|l| scope.lookup(Some(&l.text), l.span))
                    .collect();
                while lts.len() < n {
                    lts.push(scope.lookup_at(None, p.span, false));
                }
                lts.truncate(n);
                let targs: Vec<&TypeRef> = seg
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        GenericArg::Type(t) => Some(t),
                        GenericArg::Lifetime(_) => None,
                    })
                    .collect();
                let args = if targs.len() == args.len() {
                    targs
                        .iter()
                        .zip(args)
                        .map(|(t, a)| Self::build(program, t, a, scope))
                        .collect()
                } else {
                    args.iter()
                        .map(|a| Self::tmpl_of_ty(program, a, scope))
                        .collect()
                };
                Tmpl::Adt(*d, lts, args)
            }
            (TypeRef::Tuple(items, _), Ty::Tuple(tys)) if items.len() == tys.len() => Tmpl::Tuple(
                items
                    .iter()
                    .zip(tys)
                    .map(|(t, a)| Self::build(program, t, a, scope))
                    .collect(),
            ),
            (TypeRef::Array { elem, .. }, Ty::Array(e, _)) => {
                Tmpl::Seq(Box::new(Self::build(program, elem, e, scope)))
            }
            _ => Self::tmpl_of_ty(program, ty, scope),
        }
    }

    /// A template from a type alone: every region elided.
    fn tmpl_of_ty(program: &Program, ty: &Ty, scope: &mut Scope<'_>) -> Tmpl {
        let span = crate::diagnostics::Span::default();
        match ty {
            Ty::Ref(m, inner) => {
                let r = scope.unwritten(span);
                Tmpl::Ref(r, Box::new(Self::tmpl_of_ty(program, inner, scope)), *m)
            }
            Ty::Adt(d, args) => {
                let n = adt_lifetimes(program, *d);
                let lts = (0..n).map(|_| scope.unwritten(span)).collect();
                Tmpl::Adt(
                    *d,
                    lts,
                    args.iter()
                        .map(|a| Self::tmpl_of_ty(program, a, scope))
                        .collect(),
                )
            }
            Ty::Tuple(items) => Tmpl::Tuple(
                items
                    .iter()
                    .map(|t| Self::tmpl_of_ty(program, t, scope))
                    .collect(),
            ),
            Ty::Array(e, _) => Tmpl::Seq(Box::new(Self::tmpl_of_ty(program, e, scope))),
            Ty::Param(i, _) => Tmpl::Param(*i),
            Ty::Fn(..) => Tmpl::Fn(scope.unwritten(span)),
            _ => Tmpl::Leaf,
        }
    }

    /// The template of a function's signature, shared.
    pub fn sig_rc(
        &mut self,
        program: &Program,
        typed: &TypedProgram,
        d: DefId,
    ) -> Option<std::rc::Rc<SigTmpl>> {
        self.sig(program, typed, d)?;
        self.sigs.get(&d).cloned().flatten()
    }

    /// The template of a function's signature.
    pub fn sig(&mut self, program: &Program, typed: &TypedProgram, d: DefId) -> Option<&SigTmpl> {
        self.sigs
            .entry(d)
            .or_insert_with(|| Self::build_sig(program, typed, d).map(std::rc::Rc::new));
        self.sigs.get(&d).and_then(Option::as_deref)
    }

    #[allow(clippy::many_single_char_names)]
    fn build_sig(program: &Program, typed: &TypedProgram, d: DefId) -> Option<SigTmpl> {
        let def = program.def(d);
        let DefKind::Fn(f) = &def.kind else {
            return None;
        };
        let sig = typed.sigs.get(&d)?;
        let imp = def.owner.map(|i| &program.impls[i.0 as usize]);
        let mut names: Vec<String> = imp
            .map(|i| {
                i.generics
                    .lifetimes()
                    .map(|p| p.name.text.clone())
                    .collect()
            })
            .unwrap_or_default();
        names.extend(f.generics.lifetimes().map(|p| p.name.text.clone()));
        let mut bounds = Vec::new();
        let generic_lts = imp
            .into_iter()
            .flat_map(|i| i.generics.lifetimes())
            .chain(f.generics.lifetimes());
        for (i, p) in generic_lts.enumerate() {
            for b in &p.bounds {
                if let Some(j) = names.iter().position(|n| *n == b.text) {
                    bounds.push((i as u32, j as u32));
                }
            }
        }
        let regions = imp
            .into_iter()
            .flat_map(|i| i.generics.lifetimes())
            .chain(f.generics.lifetimes())
            .map(|p| RegionParam {
                name: Some(p.name.text.clone()),
                param: None,
                span: p.name.span,
            })
            .collect();
        let mut scope = Scope {
            names: &names,
            self_tr: imp.map(|i| &i.self_ty),
            regions,
            elided: None,
            param_index: None,
            uses: Vec::new(),
        };
        let mut params = Vec::new();
        let mut tys = sig.params.iter();
        let mut self_region = None;
        if let Some(sp) = &f.self_param {
            let ty = tys.next()?;
            scope.param_index = Some(ParamPos::SelfParam);
            let t = match (imp, ty) {
                (Some(i), Ty::Ref(m, inner)) => {
                    let r = scope.lookup_at(
                        sp.lifetime.as_ref().map(|l| l.text.as_str()),
                        sp.span,
                        true,
                    );
                    self_region = Some(r);
                    Tmpl::Ref(
                        r,
                        Box::new(Self::build(program, &i.self_ty, inner, &mut scope)),
                        *m,
                    )
                }
                (Some(i), _) => Self::build(program, &i.self_ty, ty, &mut scope),
                (None, _) => Self::tmpl_of_ty(program, ty, &mut scope),
            };
            params.push(t);
        }
        // The functions of a `#[static_args]` type (`Gc::with_finalizer`)
        // keep what they are given in the GC heap, so a closure handed to
        // them must be `'static`: it may run after this frame is gone.
        // So must one handed to a function that runs it on another task.
        let keeps_closures = def.has_attr("detaches")
            || def.owner.and_then(|i| typed.impl_self.get(&i)).is_some_and(
                |(_, t)| matches!(t, Ty::Adt(a, _) if program.def(*a).has_attr("static_args")),
            );
        for (k, (p, ty)) in f.body.params.iter().zip(tys).enumerate() {
            scope.param_index = Some(ParamPos::Param(k));
            let t = Self::build(program, &p.ty, ty, &mut scope);
            params.push(match t {
                Tmpl::Fn(_) if keeps_closures => Tmpl::Fn(RegionRef::Static),
                other => other,
            });
        }
        // Elision for the return type: `&self`'s region, else the only
        // input region, else none (W0106 was reported).
        let inputs = distinct_regions(&params);
        scope.elided = Some(match (self_region, inputs.as_slice()) {
            (Some(r), _) => r,
            (None, [only]) => *only,
            _ => RegionRef::Error,
        });
        scope.param_index = None;
        let ret = match &f.ret {
            Some(r) => Self::build(program, r, &sig.ret, &mut scope),
            None => Tmpl::Leaf,
        };
        let elided = scope
            .uses
            .iter()
            .map(|(span, is_ref, r)| (*span, *is_ref, *r))
            .collect();
        Some(SigTmpl {
            params,
            ret,
            regions: scope.regions,
            bounds,
            elided,
        })
    }

    /// The field templates of a struct or variant (regions are the ADT's
    /// lifetime parameters).
    pub fn fields(&mut self, program: &Program, typed: &TypedProgram, def: DefId) -> &[Tmpl] {
        self.fields
            .entry(def)
            .or_insert_with(|| Self::build_fields(program, typed, def));
        &self.fields[&def]
    }

    fn build_fields(program: &Program, typed: &TypedProgram, def: DefId) -> Vec<Tmpl> {
        let (generics, fields) = match &program.def(def).kind {
            DefKind::Struct(s) => (&s.generics, &s.fields),
            DefKind::Variant { parent, index } => match &program.def(*parent).kind {
                DefKind::Enum(e) => match e.variants.get(*index) {
                    Some(v) => (&e.generics, &v.fields),
                    None => return Vec::new(),
                },
                _ => return Vec::new(),
            },
            _ => return Vec::new(),
        };
        let names: Vec<String> = generics.lifetimes().map(|p| p.name.text.clone()).collect();
        let infos = typed
            .adts
            .fields
            .get(&def)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let written = match fields {
            Fields::Named(f) | Fields::Tuple(f) => f.as_slice(),
            Fields::Unit => &[],
        };
        written
            .iter()
            .zip(infos)
            .map(|(w, info)| {
                let mut scope = Scope {
                    names: &names,
                    self_tr: None,
                    regions: names
                        .iter()
                        .map(|n| RegionParam {
                            name: Some(n.clone()),
                            param: None,
                            span: crate::diagnostics::Span::default(),
                        })
                        .collect(),
                    // A field's reference must name its lifetime (W0106).
                    elided: Some(RegionRef::Error),
                    param_index: None,
                    uses: Vec::new(),
                };
                Self::build(program, &w.ty, &info.ty, &mut scope)
            })
            .collect()
    }
}

fn distinct_regions(params: &[Tmpl]) -> Vec<RegionRef> {
    fn walk(t: &Tmpl, out: &mut Vec<RegionRef>) {
        match t {
            Tmpl::Ref(r, inner, _) => {
                out.push(*r);
                walk(inner, out);
            }
            Tmpl::Adt(_, lts, args) => {
                out.extend(lts.iter().copied());
                for a in args {
                    walk(a, out);
                }
            }
            Tmpl::Tuple(items) => {
                for a in items {
                    walk(a, out);
                }
            }
            Tmpl::Seq(e) => walk(e, out),
            Tmpl::Fn(r) => out.push(*r),
            Tmpl::Leaf | Tmpl::Param(_) => {}
        }
    }
    let mut all = Vec::new();
    for p in params {
        walk(p, &mut all);
    }
    let mut distinct = Vec::new();
    for r in all {
        if !distinct.contains(&r) {
            distinct.push(r);
        }
    }
    distinct
}
