//! Bit sets and a gen/kill fixed-point solver over a body's blocks.

use crate::mir::{BlockId, Body, Location};

/// A fixed-size set of small integers. Sets of up to 128 bits (most move
/// paths, loans and locals of a function) live inline, so copying and
/// cloning them never allocates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitSet {
    inline: [u64; 2],
    heap: Vec<u64>,
    words: usize,
}

impl BitSet {
    pub fn new(bits: usize) -> BitSet {
        let words = bits.div_ceil(64);
        BitSet {
            inline: [0; 2],
            heap: if words > 2 {
                vec![0; words]
            } else {
                Vec::new()
            },
            words,
        }
    }

    fn words(&self) -> &[u64] {
        if self.words > 2 {
            &self.heap
        } else {
            &self.inline[..self.words]
        }
    }

    fn words_mut(&mut self) -> &mut [u64] {
        if self.words > 2 {
            &mut self.heap
        } else {
            &mut self.inline[..self.words]
        }
    }

    pub fn insert(&mut self, i: usize) {
        self.words_mut()[i / 64] |= 1 << (i % 64);
    }

    pub fn remove(&mut self, i: usize) {
        self.words_mut()[i / 64] &= !(1 << (i % 64));
    }

    pub fn contains(&self, i: usize) -> bool {
        self.words()[i / 64] & (1 << (i % 64)) != 0
    }

    /// Makes `self` equal to `other` (of the same size) without allocating.
    pub fn copy_from(&mut self, other: &BitSet) {
        self.words_mut().copy_from_slice(other.words());
    }

    /// `self |= other`; whether anything changed.
    pub fn union(&mut self, other: &BitSet) -> bool {
        let mut changed = false;
        let other = other.words();
        for (a, b) in self.words_mut().iter_mut().zip(other) {
            let n = *a | *b;
            changed |= n != *a;
            *a = n;
        }
        changed
    }

    pub fn subtract(&mut self, other: &BitSet) {
        let other = other.words();
        for (a, b) in self.words_mut().iter_mut().zip(other) {
            *a &= !*b;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words().iter().all(|w| *w == 0)
    }

    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words().iter().enumerate().flat_map(|(wi, w)| {
            let mut w = *w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let b = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(wi * 64 + b)
            })
        })
    }

    pub fn fill(&mut self, bits: usize) {
        for i in 0..bits {
            self.insert(i);
        }
    }
}

/// Something a statement's effect is applied to: a running state, or a
/// block's accumulated gen/kill summary.
pub trait Effects {
    fn gen_bit(&mut self, i: usize);
    fn kill_bit(&mut self, i: usize);
    /// Kills every bit set in `words` (a set of the same size as raw
    /// words): a word at a time.
    fn kill_words(&mut self, words: &[u64]);
}

impl Effects for BitSet {
    fn gen_bit(&mut self, i: usize) {
        self.insert(i);
    }

    fn kill_bit(&mut self, i: usize) {
        self.remove(i);
    }

    fn kill_words(&mut self, words: &[u64]) {
        for (a, b) in self.words_mut().iter_mut().zip(words) {
            *a &= !*b;
        }
    }
}

#[derive(Debug, Clone)]
pub struct GenKill {
    pub gen_set: BitSet,
    pub kill_set: BitSet,
}

impl Effects for GenKill {
    fn gen_bit(&mut self, i: usize) {
        self.gen_set.insert(i);
        self.kill_set.remove(i);
    }

    fn kill_bit(&mut self, i: usize) {
        self.kill_set.insert(i);
        self.gen_set.remove(i);
    }

    fn kill_words(&mut self, words: &[u64]) {
        for (k, w) in self.kill_set.words_mut().iter_mut().zip(words) {
            *k |= *w;
        }
        self.gen_set.kill_words(words);
    }
}

/// Solves a forward gen/kill problem (union at joins). `effect` applies
/// the effect of the statement or terminator at a location. Returns the
/// state on entry to each block.
pub fn solve_forward(
    body: &Body,
    bits: usize,
    entry: BitSet,
    effect: &mut impl FnMut(Location, &mut dyn Effects),
) -> Vec<BitSet> {
    let n = body.blocks.len();
    let mut summaries = Vec::with_capacity(n);
    for (bi, block) in body.blocks.iter().enumerate() {
        let mut gk = GenKill {
            gen_set: BitSet::new(bits),
            kill_set: BitSet::new(bits),
        };
        for i in 0..=block.statements.len() {
            effect(
                Location {
                    block: BlockId(bi as u32),
                    index: i as u32,
                },
                &mut gk,
            );
        }
        summaries.push(gk);
    }
    let mut states = vec![BitSet::new(bits); n];
    if n == 0 {
        return states;
    }
    states[0] = entry;
    let mut queued = vec![true; n];
    let mut work: std::collections::VecDeque<usize> = (0..n).collect();
    let mut out = BitSet::new(bits);
    while let Some(b) = work.pop_front() {
        queued[b] = false;
        out.copy_from(&states[b]);
        out.subtract(&summaries[b].kill_set);
        out.union(&summaries[b].gen_set);
        for s in body.blocks[b].terminator.successors() {
            let si = s.index();
            if states[si].union(&out) && !queued[si] {
                queued[si] = true;
                work.push_back(si);
            }
        }
    }
    states
}
