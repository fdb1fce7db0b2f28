//! A closure reaches its captures in place.
//!
//! The closure object holds its captured values. Rather than move them into
//! the frame's registers on every call and back on every return, the VM
//! puts in each capture's register a reference to the capture inside the
//! object (one pointer write per capture, nothing on return). This pass
//! rewrites the closure body to match, in the code generator's copy of the
//! MIR (the borrow checker has run): each capture local becomes a `&mut`
//! to its type, and every place rooted at it goes through that reference
//! (`x` becomes `*x`, `x.f` becomes `(*x).f`). A move out of a capture
//! (a closure that gives its capture away) takes it from the object,
//! leaving `()` as the register did before.

use crate::mir::visit::for_each_place_mut;
use crate::mir::{Body, DerefKind, LocalKind, Proj};
use crate::types::ty::Ty;

pub(super) fn by_reference(body: &mut Body) {
    let mut upvar = vec![false; body.locals.len()];
    for (i, decl) in body.locals.iter_mut().enumerate() {
        if matches!(decl.kind, LocalKind::Upvar { .. }) {
            upvar[i] = true;
            decl.ty = Ty::Ref(true, Box::new(decl.ty.clone()));
        }
    }
    if !upvar.contains(&true) {
        return;
    }
    for_each_place_mut(body, &mut |place, _, _| {
        if upvar[place.local.index()] {
            place.proj.insert(0, Proj::Deref(DerefKind::Mut));
        }
    });
}
