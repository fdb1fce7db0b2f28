//! Match exhaustiveness and unreachable arms: the usefulness algorithm
//! (Maranget, "Warnings for pattern matching"), with witnesses, over
//! patterns deconstructed into constructors. Integers, chars, strings and
//! floats are open types: only a wildcard completes them; a range covers
//! the literals inside it.

use super::Adts;
use super::ty::Ty;
use crate::resolve::{DefId, DefKind, Program};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ctor {
    /// Tuples, structs, fixed arrays: the one constructor of the type.
    Single,
    /// `&p`.
    Ref,
    Variant(usize),
    Bool(bool),
    /// An inclusive range of integers (or char code points).
    Int(i128, i128),
    Str(String),
    Float(u64),
    /// A constant of a type without structure.
    Opaque(DefId),
}

#[derive(Debug, Clone)]
pub enum DPat {
    Wild,
    Or(Vec<DPat>),
    Ctor(Ctor, Vec<DPat>),
}

impl Ctor {
    /// Whether a row whose head is `self` matches every value of `other`.
    fn covers(&self, other: &Ctor) -> bool {
        match (self, other) {
            (Ctor::Int(a, b), Ctor::Int(c, d)) => a <= c && d <= b,
            _ => self == other,
        }
    }
}

/// The earlier arms of one `match`, indexed by their first constructor so
/// that an arm headed by one value (`17 =>`, `"ADT" =>`, `Kind::A(..) =>`)
/// is checked against the arms that can match that value (same head, or a
/// wildcard, range or or-pattern head) instead of every earlier arm: a
/// `match` of 16 000 literal arms was quadratic.
#[derive(Debug, Default)]
pub struct Arms {
    rows: Vec<Vec<DPat>>,
    /// Rows headed by a wildcard, an or-pattern or a range: they can match
    /// any head.
    general: Vec<usize>,
    by_head: crate::FxHashMap<Ctor, Vec<usize>>,
}

impl Arms {
    pub fn push(&mut self, row: Vec<DPat>) {
        let i = self.rows.len();
        match row.first() {
            Some(DPat::Ctor(c, _)) if c.is_point() => {
                self.by_head.entry(c.clone()).or_default().push(i);
            }
            _ => self.general.push(i),
        }
        self.rows.push(row);
    }

    pub fn all(&self) -> &[Vec<DPat>] {
        &self.rows
    }

    /// The rows that can matter to the usefulness of `v`.
    fn relevant(&self, v: &[DPat]) -> std::borrow::Cow<'_, [Vec<DPat>]> {
        match v.first() {
            Some(DPat::Ctor(c, _)) if c.is_point() => {
                let same = self.by_head.get(c).map_or(&[][..], Vec::as_slice);
                let mut picked: Vec<usize> = same.iter().chain(&self.general).copied().collect();
                picked.sort_unstable();
                std::borrow::Cow::Owned(picked.into_iter().map(|i| self.rows[i].clone()).collect())
            }
            _ => std::borrow::Cow::Borrowed(&self.rows),
        }
    }
}

impl Ctor {
    /// Whether only a row with this same head (or a general one) can
    /// match a value with this head: every constructor but a range of
    /// more than one value.
    fn is_point(&self) -> bool {
        !matches!(self, Ctor::Int(a, b) if a != b)
    }
}

pub struct Matcher<'a> {
    pub program: &'a Program,
    pub adts: &'a Adts,
}

impl Matcher<'_> {
    /// The field types of a constructor of `ty`.
    fn fields(&self, ctor: &Ctor, ty: &Ty) -> Vec<Ty> {
        match (ctor, ty) {
            (Ctor::Single, Ty::Tuple(items)) => items.clone(),
            (Ctor::Single, Ty::Array(t, Some(n))) => {
                vec![(**t).clone(); usize::try_from(*n).unwrap_or(0)]
            }
            (Ctor::Single, Ty::Adt(d, args)) => self
                .adts
                .fields
                .get(d)
                .map(|f| f.iter().map(|f| f.ty.subst(args)).collect())
                .unwrap_or_default(),
            (Ctor::Ref, Ty::Ref(_, t)) => vec![(**t).clone()],
            (Ctor::Variant(i), Ty::Adt(d, args)) => self
                .program
                .variants(*d)
                .get(*i)
                .and_then(|v| self.adts.fields.get(v))
                .map(|f| f.iter().map(|f| f.ty.subst(args)).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Every constructor of a type, or `None` for open types.
    fn all_ctors(&self, ty: &Ty) -> Option<Vec<Ctor>> {
        match ty {
            Ty::Bool => Some(vec![Ctor::Bool(true), Ctor::Bool(false)]),
            Ty::Never => Some(Vec::new()),
            Ty::Tuple(_) | Ty::Array(_, Some(_)) => Some(vec![Ctor::Single]),
            Ty::Ref(..) => Some(vec![Ctor::Ref]),
            Ty::Adt(d, _) => match &self.program.def(*d).kind {
                DefKind::Enum(e) => Some((0..e.variants.len()).map(Ctor::Variant).collect()),
                DefKind::Struct(_) if !self.program.def(*d).has_attr("opaque") => {
                    Some(vec![Ctor::Single])
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The rows with or-patterns at their head split into one row per
    /// alternative; borrowed when there are none (the common case: copying
    /// every row at every step made checking a long `match` quadratic in
    /// allocations).
    fn expand_or(rows: &[Vec<DPat>]) -> std::borrow::Cow<'_, [Vec<DPat>]> {
        if !rows.iter().any(|r| matches!(r.first(), Some(DPat::Or(_)))) {
            return std::borrow::Cow::Borrowed(rows);
        }
        std::borrow::Cow::Owned(Self::expand_or_owned(rows))
    }

    fn expand_or_owned(rows: &[Vec<DPat>]) -> Vec<Vec<DPat>> {
        let mut out = Vec::new();
        for row in rows {
            match row.first() {
                Some(DPat::Or(alts)) => {
                    let expanded: Vec<Vec<DPat>> = alts
                        .iter()
                        .map(|a| {
                            let mut r = vec![a.clone()];
                            r.extend_from_slice(&row[1..]);
                            r
                        })
                        .collect();
                    out.extend(Self::expand_or_owned(&expanded));
                }
                _ => out.push(row.clone()),
            }
        }
        out
    }

    fn specialize(rows: &[Vec<DPat>], ctor: &Ctor, arity: usize) -> Vec<Vec<DPat>> {
        let mut out = Vec::new();
        for row in rows {
            match &row[0] {
                DPat::Wild => {
                    let mut r = vec![DPat::Wild; arity];
                    r.extend_from_slice(&row[1..]);
                    out.push(r);
                }
                DPat::Ctor(c, subs) if c.covers(ctor) => {
                    let mut r = subs.clone();
                    r.resize(arity, DPat::Wild);
                    r.extend_from_slice(&row[1..]);
                    out.push(r);
                }
                _ => {}
            }
        }
        out
    }

    /// [`Matcher::useful`] against the earlier arms of a `match`.
    pub fn useful_after(&self, arms: &Arms, v: &[DPat], tys: &[Ty]) -> Option<Vec<DPat>> {
        self.useful(&arms.relevant(v), v, tys)
    }

    /// If `v` matches a value no row matches, a witness of such a value.
    pub fn useful(&self, rows: &[Vec<DPat>], v: &[DPat], tys: &[Ty]) -> Option<Vec<DPat>> {
        if v.is_empty() {
            return if rows.is_empty() {
                Some(Vec::new())
            } else {
                None
            };
        }
        let rows = Self::expand_or(rows);
        let ty = &tys[0];
        match &v[0] {
            DPat::Or(alts) => alts.iter().find_map(|alt| {
                let mut v2 = vec![alt.clone()];
                v2.extend_from_slice(&v[1..]);
                self.useful(&rows, &v2, tys)
            }),
            DPat::Ctor(ctor, subs) => {
                let fields = self.fields(ctor, ty);
                let arity = fields.len().max(subs.len());
                let mut sub_tys = fields;
                sub_tys.resize(arity, Ty::Error);
                sub_tys.extend_from_slice(&tys[1..]);
                let mut v2 = subs.clone();
                v2.resize(arity, DPat::Wild);
                v2.extend_from_slice(&v[1..]);
                let w = self.useful(&Self::specialize(&rows, ctor, arity), &v2, &sub_tys)?;
                Some(rebuild(ctor.clone(), arity, w))
            }
            DPat::Wild => {
                let heads: Vec<Ctor> = rows
                    .iter()
                    .filter_map(|r| match &r[0] {
                        DPat::Ctor(c, _) => Some(c.clone()),
                        _ => None,
                    })
                    .collect();
                let all = self.all_ctors(ty);
                if let Some(all) = &all {
                    let complete = all.iter().all(|c| heads.iter().any(|h| h.covers(c)));
                    if complete {
                        for ctor in all {
                            let fields = self.fields(ctor, ty);
                            let arity = fields.len();
                            let mut sub_tys = fields;
                            sub_tys.extend_from_slice(&tys[1..]);
                            let mut v2 = vec![DPat::Wild; arity];
                            v2.extend_from_slice(&v[1..]);
                            if let Some(w) =
                                self.useful(&Self::specialize(&rows, ctor, arity), &v2, &sub_tys)
                            {
                                return Some(rebuild(ctor.clone(), arity, w));
                            }
                        }
                        return None;
                    }
                }
                let default: Vec<Vec<DPat>> = rows
                    .iter()
                    .filter(|r| matches!(r[0], DPat::Wild))
                    .map(|r| r[1..].to_vec())
                    .collect();
                let mut w = self.useful(&default, &v[1..], &tys[1..])?;
                let head = match &all {
                    Some(all) if !heads.is_empty() => {
                        match all.iter().find(|c| !heads.iter().any(|h| h.covers(c))) {
                            Some(missing) => DPat::Ctor(
                                missing.clone(),
                                vec![DPat::Wild; self.fields(missing, ty).len()],
                            ),
                            None => DPat::Wild,
                        }
                    }
                    _ => DPat::Wild,
                };
                w.insert(0, head);
                Some(w)
            }
        }
    }

    /// A witness as source text: `Alert::Ok`, `Some(_)`, `(true, _)`.
    pub fn show(&self, pat: &DPat, ty: &Ty) -> String {
        match pat {
            DPat::Wild => "_".to_string(),
            DPat::Or(alts) => alts
                .iter()
                .map(|a| self.show(a, ty))
                .collect::<Vec<_>>()
                .join(" | "),
            DPat::Ctor(ctor, subs) => {
                let tys = self.fields(ctor, ty);
                let parts: Vec<String> = subs
                    .iter()
                    .zip(tys.iter().chain(std::iter::repeat(&Ty::Error)))
                    .map(|(p, t)| self.show(p, t))
                    .collect();
                match (ctor, ty) {
                    (Ctor::Ref, _) => {
                        format!("&{}", parts.first().cloned().unwrap_or_else(|| "_".into()))
                    }
                    (Ctor::Bool(b), _) => b.to_string(),
                    (Ctor::Single, Ty::Tuple(_)) => {
                        if parts.len() == 1 {
                            format!("({},)", parts[0])
                        } else {
                            format!("({})", parts.join(", "))
                        }
                    }
                    (Ctor::Single, Ty::Array(..)) => format!("[{}]", parts.join(", ")),
                    (Ctor::Single, Ty::Adt(d, _)) => self.show_fields(*d, &parts),
                    (Ctor::Variant(i), Ty::Adt(d, _)) => match self.program.variants(*d).get(*i) {
                        Some(v) => self.show_fields(*v, &parts),
                        None => "_".into(),
                    },
                    _ => "_".to_string(),
                }
            }
        }
    }

    fn show_fields(&self, def: DefId, parts: &[String]) -> String {
        let name = self.program.def_path(def);
        let (fields, named) = match &self.program.def(def).kind {
            DefKind::Struct(s) => (
                s.fields.all().to_vec(),
                matches!(s.fields, crate::syntax::ast::Fields::Named(_)),
            ),
            DefKind::Variant { parent, index } => match &self.program.def(*parent).kind {
                DefKind::Enum(e) => (
                    e.variants[*index].fields.all().to_vec(),
                    matches!(
                        e.variants[*index].fields,
                        crate::syntax::ast::Fields::Named(_)
                    ),
                ),
                _ => (Vec::new(), false),
            },
            _ => (Vec::new(), false),
        };
        if fields.is_empty() {
            return name;
        }
        if named {
            let shown: Vec<String> = fields
                .iter()
                .zip(parts)
                .filter(|(_, p)| *p != "_")
                .map(|(f, p)| format!("{}: {p}", f.name.text))
                .collect();
            if shown.is_empty() {
                format!("{name} {{ .. }}")
            } else {
                format!("{name} {{ {}, .. }}", shown.join(", "))
            }
        } else {
            format!("{name}({})", parts.join(", "))
        }
    }
}

fn rebuild(ctor: Ctor, arity: usize, mut w: Vec<DPat>) -> Vec<DPat> {
    let rest = w.split_off(arity.min(w.len()));
    let mut out = vec![DPat::Ctor(ctor, w)];
    out.extend(rest);
    out
}
