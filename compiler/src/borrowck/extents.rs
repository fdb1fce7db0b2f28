//! How long each `RefCell` borrow lasts, for the run-time borrow flag.
//!
//! `borrow` and `borrow_mut` hand out plain references. The borrow they
//! take at run time lasts as long as the borrow checker says the returned
//! reference, or anything made from it, is live: the region of the call's
//! destination (references copied elsewhere make that region at least as
//! long as theirs). Codegen releases the flag where the region ends: after
//! the statement that is its last point in a block, and on entry to a block
//! it does not reach but a predecessor did. A region that reaches the
//! function's end lasts until the frame is popped, which releases it too.

use crate::FxHashMap as HashMap;

use super::BodyCx;
use super::dataflow::BitSet;
use super::regions;
use super::sigs::Templates;
use crate::diagnostics::FileId;
use crate::mir::{BlockId, Body, Local};
use crate::resolve::{DefId, Program};
use crate::types::TypedProgram;

/// A call of `RefCell::borrow`/`borrow_mut`/`try_borrow_mut`: the block it
/// ends and the local it returns into.
#[derive(Debug, Clone, Copy)]
pub struct CellSite {
    pub block: BlockId,
    pub dest: Local,
}

/// Where codegen releases each site's borrow (sites by index).
#[derive(Debug, Default)]
pub struct Releases {
    /// Per block: sites to release on entering it.
    pub at_entry: Vec<Vec<u16>>,
    /// `(block, statement)`: sites to release after that statement.
    pub after: HashMap<(usize, usize), Vec<u16>>,
}

impl Releases {
    /// Whether block `b` releases anything (so it is not an empty block
    /// that jumps may skip).
    pub fn in_block(&self, b: usize, statements: usize) -> bool {
        self.at_entry.get(b).is_some_and(|v| !v.is_empty())
            || (0..statements).any(|i| self.after.contains_key(&(b, i)))
    }
}

pub fn cell_releases(
    program: &Program,
    typed: &TypedProgram,
    body: &Body,
    file: FileId,
    def: DefId,
    sites: &[CellSite],
) -> Releases {
    let n = body.blocks.len();
    let mut out = Releases {
        at_entry: vec![Vec::new(); n],
        after: HashMap::default(),
    };
    if sites.is_empty() {
        return out;
    }
    let mut cx = BodyCx::new(program, typed, body, file);
    cx.want_facts = false;
    let mut templates = Templates::default();
    let r = regions::infer(&cx, &mut templates, Some(def));
    // Predecessors, counting the edges a panic takes to a cleanup block.
    let mut preds = body.predecessors();
    for (i, b) in body.blocks.iter().enumerate() {
        if let Some(u) = b.unwind {
            preds[u.index()].push(BlockId(i as u32));
        }
    }
    for (k, site) in sites.iter().enumerate() {
        let Ok(k) = u16::try_from(k) else { break };
        let mut rvs = Vec::new();
        if let Some(t) = r.local_rty.get(site.dest.index()) {
            t.regions(&mut rvs);
        }
        // Region values cover the points, then the universal end markers.
        let mut live = BitSet::new(r.points + r.universals.len());
        for rv in rvs {
            if let Some(v) = r.values.get(rv as usize) {
                live.union(v);
            }
        }
        let at = |b: usize, i: usize| live.contains(r.block_start[b] + i);
        for (b, block) in body.blocks.iter().enumerate() {
            let len = block.statements.len();
            for i in 0..len {
                if at(b, i) && !at(b, i + 1) {
                    out.after.entry((b, i)).or_default().push(k);
                }
            }
            if !at(b, 0)
                && preds[b].iter().any(|p| {
                    let pl = body.blocks[p.index()].statements.len();
                    *p == site.block || at(p.index(), pl)
                })
            {
                out.at_entry[b].push(k);
            }
        }
    }
    out
}
