//! Collector settings: the modes of `gc::configure` and what they set.

/// A preset of collector parameters (`GcMode` in the language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GcMode {
    /// Balanced: 512 KiB nursery, 2 ms pause target, promotion at the
    /// first survival (what survives one young collection mostly lives on:
    /// copying it again costs more than the garbage it would have become),
    /// old cycles when the old generation doubles.
    #[default]
    Default,
    /// Fewer, longer pauses: a big nursery, old cycles when the old
    /// generation triples.
    Throughput,
    /// Short pauses: a small nursery, 0.5 ms slices, objects must survive
    /// three young collections before promotion.
    LowLatency,
    /// A small footprint: small nursery, old cycles at 25 % growth.
    Memory,
    /// Young collections as usual, but old cycles only when the program
    /// calls `gc::collect` (between batches) or the heap limit is hit.
    Batch,
}

impl GcMode {
    /// The variant index in the std table's `GcMode` enum.
    pub fn from_index(i: u32) -> Option<GcMode> {
        Some(match i {
            0 => GcMode::Default,
            1 => GcMode::Throughput,
            2 => GcMode::LowLatency,
            3 => GcMode::Memory,
            4 => GcMode::Batch,
            _ => return None,
        })
    }

    /// The mode called `name` (as `name()` spells it, any case).
    pub fn from_name(name: &str) -> Option<GcMode> {
        (0..5)
            .filter_map(GcMode::from_index)
            .find(|m| m.name().eq_ignore_ascii_case(name))
    }

    pub fn name(self) -> &'static str {
        match self {
            GcMode::Default => "Default",
            GcMode::Throughput => "Throughput",
            GcMode::LowLatency => "LowLatency",
            GcMode::Memory => "Memory",
            GcMode::Batch => "Batch",
        }
    }
}

/// The parameters the collector runs by.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub mode: GcMode,
    /// Each incremental slice (marking or sweeping) stops after this long.
    pub pause_target_us: u64,
    /// Bytes of one nursery semi-space.
    pub young_bytes: usize,
    /// Hard limit on the GC heap (0: none): a full collection when it is
    /// reached, a `HeapExhausted` panic if that does not help.
    pub max_heap_bytes: usize,
    /// Young collections an object survives before it is promoted.
    pub promote_after: u8,
    /// An old cycle starts when the old generation reaches this multiple
    /// of what the last cycle found live.
    pub growth: f64,
    /// … but never below this many bytes.
    pub min_old_trigger: usize,
    /// Whether collections start by themselves. Off in `Batch` mode: only
    /// `gc::collect`, `gc::collect_young` and the heap limit collect (also
    /// under `WARD_GC_STRESS`, which otherwise collects at every allocation).
    pub automatic: bool,
}

impl Params {
    pub fn for_mode(mode: GcMode) -> Params {
        let base = Params {
            mode,
            pause_target_us: 2000,
            young_bytes: 512 << 10,
            max_heap_bytes: 0,
            promote_after: 1,
            growth: 2.0,
            min_old_trigger: 16 << 20,
            automatic: true,
        };
        match mode {
            GcMode::Default => base,
            GcMode::Throughput => Params {
                pause_target_us: 10_000,
                young_bytes: 16 << 20,
                promote_after: 1,
                growth: 3.0,
                min_old_trigger: 64 << 20,
                ..base
            },
            GcMode::LowLatency => Params {
                pause_target_us: 500,
                young_bytes: 256 << 10,
                promote_after: 3,
                growth: 2.0,
                ..base
            },
            GcMode::Memory => Params {
                young_bytes: 256 << 10,
                promote_after: 1,
                growth: 1.25,
                min_old_trigger: 4 << 20,
                ..base
            },
            GcMode::Batch => Params {
                young_bytes: 16 << 20,
                automatic: false,
                ..base
            },
        }
    }
}

impl Default for Params {
    fn default() -> Params {
        Params::for_mode(GcMode::Default)
    }
}
