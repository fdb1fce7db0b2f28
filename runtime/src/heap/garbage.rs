//! The values of dead objects, waiting to be dropped.
//!
//! A collection finds dead objects by the thousand; dropping what they own
//! (their boxes) inside the pause would make the pause as long as the
//! freeing. They go here instead, and each allocation drops a few. The
//! list is kept in fixed-size blocks, reused once empty, so that a sweep
//! that finds a million dead objects never waits on one huge reallocation.

use crate::value::Value;

/// Values per block.
const BLOCK: usize = 4096;
/// Empty blocks kept (a nursery's worth of dead objects fits in them).
const MAX_SPARE: usize = 16;

#[derive(Default)]
pub(crate) struct Garbage {
    /// Blocks in use; only the last may be partly filled.
    blocks: Vec<Vec<Value>>,
    /// Emptied blocks, kept for reuse.
    spare: Vec<Vec<Value>>,
    len: usize,
}

impl Garbage {
    pub(crate) fn push(&mut self, v: Value) {
        if self.blocks.last().is_none_or(|b| b.len() == BLOCK) {
            let block = self
                .spare
                .pop()
                .unwrap_or_else(|| Vec::with_capacity(BLOCK));
            self.blocks.push(block);
        }
        if let Some(b) = self.blocks.last_mut() {
            b.push(v);
            self.len += 1;
        }
    }

    /// Drops up to `n` values.
    pub(crate) fn drop_some(&mut self, mut n: usize) {
        while n > 0 {
            let Some(b) = self.blocks.last_mut() else {
                return;
            };
            let k = n.min(b.len());
            b.truncate(b.len() - k);
            n -= k;
            self.len -= k;
            if b.is_empty()
                && let Some(b) = self.blocks.pop()
                && self.spare.len() < MAX_SPARE
            {
                self.spare.push(b);
            }
        }
    }

    /// Drops everything.
    pub(crate) fn drop_all(&mut self) {
        self.drop_some(self.len);
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Extend<Value> for Garbage {
    fn extend<I: IntoIterator<Item = Value>>(&mut self, iter: I) {
        for v in iter {
            self.push(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_across_blocks_and_reuses_them() {
        let mut g = Garbage::default();
        for i in 0..(BLOCK * 2 + 10) {
            g.push(Value::str(i.to_string()));
        }
        assert_eq!(g.len(), BLOCK * 2 + 10);
        assert_eq!(g.blocks.len(), 3);
        g.drop_some(BLOCK + 20);
        assert_eq!(g.len(), BLOCK - 10);
        assert_eq!(g.blocks.len(), 1);
        assert_eq!(g.spare.len(), 2);
        g.drop_all();
        assert!(g.is_empty());
        g.push(Value::Int(1));
        assert_eq!(g.spare.len(), 2, "a spare block was reused");
    }
}
