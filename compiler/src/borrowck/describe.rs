//! Naming places and types in messages the way rustc does: `x`, `p.name`,
//! `*r`, `v[..]`.

use crate::FxHashMap as HashMap;
use crate::mir::{Body, LocalKind, Place, Proj, Rvalue, StatementKind, TempKind};
use crate::resolve::Program;
use crate::types::TypedProgram;
use crate::types::ty::{self, Ty};

/// What a body's helper temporaries borrow (overloaded index and deref).
#[derive(Debug)]
pub struct Origins {
    pub borrowed: HashMap<crate::mir::Local, Place>,
}

impl Origins {
    pub fn new(body: &Body) -> Origins {
        let mut borrowed = HashMap::default();
        for block in &body.blocks {
            for st in &block.statements {
                if let StatementKind::Assign(dest, Rvalue::Ref(_, p)) = &st.kind
                    && let Some(l) = dest.as_local()
                    && matches!(
                        body.local(l).kind,
                        LocalKind::Temp(TempKind::Index | TempKind::Deref)
                    )
                {
                    borrowed.insert(l, p.clone());
                }
            }
        }
        Origins { borrowed }
    }
}

#[derive(Debug)]
pub struct Describer<'a> {
    pub program: &'a Program,
    pub typed: &'a TypedProgram,
    pub body: &'a Body,
    pub origins: &'a Origins,
}

impl Describer<'_> {
    pub fn ty(&self, t: &Ty) -> String {
        ty::display(self.program, t)
    }

    pub fn place_ty(&self, place: &Place) -> Ty {
        crate::mir::place_ty(self.program, self.typed, self.body, place)
    }

    /// `p.name`, `*r`, `v[..]`; `None` for a place with no name (a
    /// temporary).
    pub fn place(&self, place: &Place) -> Option<String> {
        // rustc leaves a place inside an enum variant unnamed.
        if place.proj.iter().any(|p| matches!(p, Proj::Downcast(_))) {
            return None;
        }
        self.place_prefix(place, place.proj.len())
    }

    fn place_prefix(&self, place: &Place, n: usize) -> Option<String> {
        let decl = self.body.local(place.local);
        let mut s = match &decl.kind {
            LocalKind::User { name, .. } | LocalKind::Upvar { name, .. } => {
                // A by-reference capture reads as the variable itself.
                if matches!(decl.kind, LocalKind::Upvar { .. })
                    && matches!(decl.ty, Ty::Ref(..))
                    && matches!(place.proj.first(), Some(Proj::Deref(_)))
                    && n >= 1
                {
                    return Some(self.continue_from(name.clone(), place, 1, n));
                }
                name.clone()
            }
            LocalKind::Temp(TempKind::Index) => {
                let base = self.origins.borrowed.get(&place.local)?;
                let mut s = self.place(base)?;
                s.push_str("[..]");
                // Skip the `*` and the index.
                return Some(self.continue_from(s, place, 2, n));
            }
            LocalKind::Temp(TempKind::Deref) => {
                let base = self.origins.borrowed.get(&place.local)?;
                let s = format!("*{}", self.place(base)?);
                return Some(self.continue_from(s, place, 1, n));
            }
            _ => return None,
        };
        s = self.continue_from(s, place, 0, n);
        Some(s)
    }

    fn continue_from(&self, mut s: String, place: &Place, from: usize, n: usize) -> String {
        let mut ty = self.place_ty(&Place {
            local: place.local,
            proj: place.proj[..from.min(place.proj.len())].to_vec(),
        });
        let mut variant = None;
        for p in place.proj.iter().take(n).skip(from) {
            match p {
                Proj::Deref(_) => {
                    // `(*r).f` reads as `r.f`, as rustc writes it.
                    s = format!("*{s}");
                }
                Proj::Field(i) => {
                    let name = match &ty {
                        Ty::Adt(d, _) => self
                            .typed
                            .adts
                            .fields
                            .get(&variant.unwrap_or(*d))
                            .and_then(|f| f.get(*i as usize))
                            .map_or_else(|| i.to_string(), |f| f.name.clone()),
                        _ => i.to_string(),
                    };
                    let base = s.strip_prefix('*').map_or(s.clone(), str::to_string);
                    s = format!("{base}.{name}");
                }
                Proj::Index(_) | Proj::ConstIndex { .. } => s.push_str("[..]"),
                Proj::Downcast(v) => {
                    s = format!("({s} as {})", self.program.def(*v).name.text);
                }
            }
            ty = crate::mir::project_ty(self.program, self.typed, &ty, p, &mut variant);
        }
        s
    }

    /// The place description in backticks, or "value".
    pub fn quoted(&self, place: &Place) -> String {
        self.place(place)
            .map_or_else(|| "value".to_string(), |s| format!("`{s}`"))
    }
}
