//! What the collector has done: counts, bytes and pause distributions.

// Pause figures are reported in microseconds as floats: precision past
// 2^52 ns does not matter.
#![allow(clippy::cast_precision_loss)]

use std::time::Duration;

use hdrhistogram::Histogram;

/// Which kind of work a pause did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseKind {
    /// A young collection.
    Young,
    /// Old-generation work: a marking or sweeping slice, the final mark,
    /// or a full collection.
    Old,
}

/// Pause times in nanoseconds, bounded in memory however long a program
/// runs (2 significant digits up to a minute). The histograms are made at
/// the first pause: a task that never collects (most short ones) does not
/// pay for clearing their 20 KB.
#[derive(Debug, Clone, Default)]
pub struct Pauses {
    hist: Option<Box<Histograms>>,
    total_ns: u64,
}

#[derive(Debug, Clone)]
struct Histograms {
    all: Histogram<u64>,
    young: Histogram<u64>,
    old: Histogram<u64>,
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000_000, 2).expect("static histogram bounds are valid")
}

impl Pauses {
    pub fn record(&mut self, kind: PauseKind, d: Duration) {
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX).max(1);
        self.total_ns = self.total_ns.saturating_add(ns);
        let h = self.hist.get_or_insert_with(|| {
            Box::new(Histograms {
                all: histogram(),
                young: histogram(),
                old: histogram(),
            })
        });
        h.all.saturating_record(ns);
        match kind {
            PauseKind::Young => h.young.saturating_record(ns),
            PauseKind::Old => h.old.saturating_record(ns),
        }
    }

    /// How many pauses fell in each of [`PAUSE_BUCKETS_US`]' ranges (a
    /// last bucket for longer ones).
    fn buckets(&self) -> Vec<u64> {
        let mut counts = vec![0; PAUSE_BUCKETS_US.len() + 1];
        let Some(h) = &self.hist else {
            return counts;
        };
        for v in h.all.iter_recorded() {
            let us = v.value_iterated_to() as f64 / 1000.0;
            let i = PAUSE_BUCKETS_US
                .iter()
                .position(|&bound| us <= bound)
                .unwrap_or(PAUSE_BUCKETS_US.len());
            counts[i] += v.count_at_value();
        }
        counts
    }

    fn summary(h: Option<&Histogram<u64>>) -> PauseSummary {
        let Some(h) = h else {
            return PauseSummary::default();
        };
        let us = |ns: u64| ns as f64 / 1000.0;
        PauseSummary {
            count: h.len(),
            p50_us: us(h.value_at_quantile(0.5)),
            p99_us: us(h.value_at_quantile(0.99)),
            max_us: us(h.max()),
        }
    }
}

/// The upper bounds, in microseconds, of the pause histogram's buckets.
pub const PAUSE_BUCKETS_US: [f64; 13] = [
    10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1e3, 2e3, 5e3, 10e3, 20e3, 50e3, 100e3,
];

/// The distribution of one kind of pause.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PauseSummary {
    pub count: u64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
}

/// A snapshot of the collector's figures (`gc::stats()`, `--gc-stats`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GcStats {
    pub young_collections: u64,
    /// Completed old-generation cycles (incremental or full).
    pub old_collections: u64,
    pub total_pause_us: f64,
    pub all: PauseSummary,
    pub young: PauseSummary,
    pub old: PauseSummary,
    /// Bytes of objects made, counting what their values own.
    pub bytes_allocated: u64,
    pub bytes_freed: u64,
    /// Bytes held by the GC heap now (objects and what they own).
    pub heap_bytes: u64,
    pub peak_heap_bytes: u64,
    /// Free slots of the old space as a share of its slots.
    pub fragmentation: f64,
    /// Finalizers run.
    pub finalized: u64,
    /// Objects made straight in the old space because their allocation
    /// site's objects live long (see `heap::sites`).
    pub pretenured: u64,
    /// Pauses per bucket of [`PAUSE_BUCKETS_US`], then the longer ones.
    pub pause_histogram: Vec<u64>,
}

impl GcStats {
    pub(crate) fn fill_pauses(&mut self, p: &Pauses) {
        self.total_pause_us = p.total_ns as f64 / 1000.0;
        self.all = Pauses::summary(p.hist.as_ref().map(|h| &h.all));
        self.young = Pauses::summary(p.hist.as_ref().map(|h| &h.young));
        self.old = Pauses::summary(p.hist.as_ref().map(|h| &h.old));
        self.pause_histogram = p.buckets();
    }

    /// One line of JSON, as `ward run --gc-stats` prints it.
    pub fn to_json(&self) -> String {
        format!(
            concat!(
                "{{\"young_collections\":{},\"old_collections\":{},",
                "\"total_pause_us\":{:.1},\"max_pause_us\":{:.1},\"p99_pause_us\":{:.1},\"p50_pause_us\":{:.1},",
                "\"young_pause_p50_us\":{:.1},\"young_pause_p99_us\":{:.1},\"young_pause_max_us\":{:.1},",
                "\"old_pause_p50_us\":{:.1},\"old_pause_p99_us\":{:.1},\"old_pause_max_us\":{:.1},",
                "\"bytes_allocated\":{},\"bytes_freed\":{},\"heap_bytes\":{},\"peak_heap_bytes\":{},",
                "\"fragmentation\":{:.3},\"finalized\":{},\"pretenured\":{}}}"
            ),
            self.young_collections,
            self.old_collections,
            self.total_pause_us,
            self.all.max_us,
            self.all.p99_us,
            self.all.p50_us,
            self.young.p50_us,
            self.young.p99_us,
            self.young.max_us,
            self.old.p50_us,
            self.old.p99_us,
            self.old.max_us,
            self.bytes_allocated,
            self.bytes_freed,
            self.heap_bytes,
            self.peak_heap_bytes,
            self.fragmentation,
            self.finalized,
            self.pretenured,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_fall_into_histogram_buckets() {
        let mut p = Pauses::default();
        for us in [5, 9, 15, 700, 3_000, 250_000] {
            p.record(PauseKind::Young, Duration::from_micros(us));
        }
        let mut s = GcStats::default();
        s.fill_pauses(&p);
        assert_eq!(s.pause_histogram.len(), PAUSE_BUCKETS_US.len() + 1);
        // ≤10 µs: 5 and 9; ≤20 µs: 15; ≤1 ms: 700; ≤5 ms: 3000; over 100 ms.
        assert_eq!(s.pause_histogram[0], 2);
        assert_eq!(s.pause_histogram[1], 1);
        assert_eq!(s.pause_histogram[6], 1);
        assert_eq!(s.pause_histogram[8], 1);
        assert_eq!(s.pause_histogram[13], 1);
        assert_eq!(s.pause_histogram.iter().sum::<u64>(), 6);
    }
}
