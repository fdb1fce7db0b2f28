//! Allocation-site pretenuring: objects made at a site (a `Gc::new` call
//! in the bytecode) whose objects mostly outlive their first young
//! collection are made straight in the old space, so young collections
//! stop copying them (`HotSpot` and V8 learn the same from allocation
//! sites).
//!
//! Sites are judged in *probe* cycles: nursery fills during which every
//! site makes its objects young, each carrying its site's slot in the
//! header's `link` word (unused until the object is copied). The young
//! collection that ends a probe counts, per site, the objects that survive
//! it; a site that made enough objects is then pretenured or sent back to
//! the nursery by the share that survived. Between probes (one cycle in
//! [`PROBE_EVERY`] while any site is pretenured, every cycle otherwise)
//! pretenured sites make their objects old, and only sites not yet
//! judged are counted (so a new site need not wait for the next probe).
//!
//! Probing a whole cycle at once, rather than sampling single objects,
//! keeps the judgement honest: a `Gc` value cannot point at an object made
//! after it, so the only old objects that can keep a probe's young objects
//! alive are ones made after them by a pretenured site — and during a
//! probe there are none. (A sampled young object under an old parent
//! looks long-lived even when the parent is already garbage.)
//!
//! The table is direct-mapped and small: two sites that share a slot take
//! it from each other (the newcomer starts afresh), which costs only a
//! missed pretenuring, never correctness: where an object is made changes
//! how much copying it costs, not whether it is collected.

/// Slots in the table (a power of two).
const SLOTS: usize = 256;

/// Objects a site makes in probes before it is judged.
const WINDOW: u32 = 128;

/// Surviving share (in percent) from which a site is pretenured …
const PRETENURE_AT: u64 = 85;

/// … and below which a pretenured site goes back to the nursery.
const RETURN_BELOW: u64 = 50;

/// While any site is pretenured, one young cycle in this many is a probe.
const PROBE_EVERY: u32 = 16;

#[derive(Clone, Copy, Default)]
struct Site {
    /// The site's key (0: an unused slot).
    key: u64,
    /// Objects made in probes since the site was last judged …
    young: u32,
    /// … and how many of them survived a young collection.
    survived: u32,
    pretenured: bool,
    /// Judged at least once.
    judged: bool,
}

/// The allocation sites' survival records.
pub(crate) struct Sites {
    /// `SLOTS` records once a site has been seen (empty before: a task
    /// that never makes a `Gc` does not clear 4 KB for them).
    table: Vec<Site>,
    /// The current nursery cycle is a probe.
    probing: bool,
    /// Young collections since the last probe.
    since_probe: u32,
    /// Objects made straight in the old space, in all.
    pub(crate) pretenured_objects: u64,
}

impl Default for Sites {
    fn default() -> Sites {
        Sites {
            table: Vec::new(),
            probing: true,
            since_probe: 0,
            pretenured_objects: 0,
        }
    }
}

/// Where an object of a site is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Placement {
    /// In the nursery, tagged with this slot tag (0: not counted).
    Young(usize),
    /// In the old space.
    Old,
}

impl Sites {
    /// Where the next object of site `key` (non-zero) goes.
    pub(crate) fn place(&mut self, key: u64) -> Placement {
        let slot = slot_of(key);
        if self.table.is_empty() {
            self.table = vec![Site::default(); SLOTS];
        }
        let s = &mut self.table[slot];
        if s.key != key {
            *s = Site {
                key,
                ..Site::default()
            };
        }
        if !self.probing && s.judged {
            if s.pretenured {
                self.pretenured_objects += 1;
                return Placement::Old;
            }
            return Placement::Young(0);
        }
        s.young = s.young.saturating_add(1);
        Placement::Young(slot + 1)
    }

    /// A young collection found alive, for the first time, an object
    /// tagged `tag` (0: no site).
    pub(crate) fn survived(&mut self, tag: usize) {
        if let Some(s) = tag.checked_sub(1).and_then(|i| self.table.get_mut(i)) {
            s.survived = s.survived.saturating_add(1);
        }
    }

    /// After a young collection: judges the sites a probe has seen make
    /// enough objects, and says whether the next cycle is a probe.
    pub(crate) fn decide(&mut self) {
        let probing = self.probing;
        for s in &mut self.table {
            // Outside probes only new sites are counted: their objects may
            // be kept by old ones of a pretenured site (see the module
            // comment), which the next probe corrects.
            if s.key == 0 || s.young < WINDOW || (!probing && s.judged) {
                continue;
            }
            let share = u64::from(s.survived.min(s.young)) * 100 / u64::from(s.young);
            if share >= PRETENURE_AT {
                s.pretenured = true;
            } else if share < RETURN_BELOW {
                s.pretenured = false;
            }
            s.judged = true;
            s.young = 0;
            s.survived = 0;
        }
        if probing {
            self.since_probe = 0;
        } else {
            self.since_probe += 1;
        }
        let any = self.table.iter().any(|s| s.pretenured);
        self.probing = !any || self.since_probe + 1 >= PROBE_EVERY;
    }

    /// Forgets every site (a new mode may promote differently).
    pub(crate) fn reset(&mut self) {
        *self = Sites {
            pretenured_objects: self.pretenured_objects,
            ..Sites::default()
        };
    }
}

fn slot_of(key: u64) -> usize {
    // Fibonacci hashing: the top bits of the product.
    let h = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    usize::try_from(h >> (64 - SLOTS.trailing_zeros())).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Makes `n` objects at `key`, `per_cycle` per nursery cycle; the
    /// `i`th survives its first young collection if `survive(i)`.
    /// Returns how many were made old.
    fn run(sites: &mut Sites, key: u64, n: usize, survive: impl Fn(usize) -> bool) -> usize {
        let per_cycle = 200;
        let mut old = 0;
        for i in 0..n {
            match sites.place(key) {
                Placement::Old => old += 1,
                Placement::Young(tag) => {
                    if survive(i) {
                        sites.survived(tag);
                    }
                }
            }
            if i % per_cycle == per_cycle - 1 {
                sites.decide();
            }
        }
        old
    }

    #[test]
    fn long_lived_sites_are_pretenured_and_short_lived_ones_are_not() {
        let mut sites = Sites::default();
        assert_eq!(run(&mut sites, 7, 5000, |_| false), 0);
        let old = run(&mut sites, 9, 20_000, |_| true);
        // All but the first cycle and one cycle in `PROBE_EVERY`.
        assert!(old > 17_000, "{old} of 20000 made old");
        // The short-lived site stays young while the other is pretenured.
        assert_eq!(sites.place(7), Placement::Young(0));
    }

    #[test]
    fn a_pretenured_site_whose_objects_start_dying_goes_back() {
        let mut sites = Sites::default();
        run(&mut sites, 9, 2000, |_| true);
        assert_eq!(sites.place(9), Placement::Old);
        // The next probe finds the objects dying: the site is young again.
        run(&mut sites, 9, 200 * PROBE_EVERY as usize, |_| false);
        assert_eq!(run(&mut sites, 9, 1000, |_| false), 0);
    }

    #[test]
    fn a_site_that_loses_its_slot_starts_afresh() {
        let mut sites = Sites::default();
        run(&mut sites, 9, 2000, |_| true);
        let other = (10..1_000_000)
            .find(|&k| slot_of(k) == slot_of(9))
            .expect("a colliding key");
        assert!(matches!(sites.place(other), Placement::Young(_)));
        assert!(matches!(sites.place(9), Placement::Young(_)));
    }
}
