//! The worst case of zone and pool operations, in one table, next to the
//! system allocator, mimalloc (the runtime's own heap) and the `rlsf`
//! crate's TLSF, measured in the same run on the same sizes.
//!
//! Run: `cargo run --release -p ward-tests --example zone_bench [-- N]`
//!
//! Each operation is timed on its own with the monotonic clock, 10⁷ times
//! by default (`N` to change it) in five rounds, into an HDR histogram:
//! p50, p99, p99.99, the maximum, and the best round's maximum. The clock's own cost (an empty timed section)
//! is the first row; every other row includes it once. Allocations are
//! 32 bytes, the size of a small record; each allocator's operation is an
//! allocation and a free, except the zone's, whose free is the reset that
//! releases a whole zone at once (measured as its own row: leave the zone
//! and enter the next). The maximum includes whatever the operating system
//! does to the thread meanwhile (a page fault, a preemption) — that is what
//! a device loop would see too.

// Figures are nanoseconds far below 2^52.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::many_single_char_names
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::mem::MaybeUninit;
use std::time::Instant;

use hdrhistogram::Histogram;
use ward_runtime::value::Value;
use ward_runtime::zone::pool::PoolRef;
use ward_runtime::zone::{Arena, Installed, Route, Site};

const SIZE: usize = 32;
/// A zone of this many bytes holds 2 048 allocations of 32 bytes.
const ZONE_BYTES: i64 = 64 << 10;

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000_000, 3).expect("valid bounds")
}

fn ns(t: Instant) -> u64 {
    u64::try_from(t.elapsed().as_nanos())
        .unwrap_or(u64::MAX)
        .max(1)
}

struct Row {
    name: &'static str,
    h: Histogram<u64>,
}

fn timer_overhead(n: u64) -> Row {
    let mut h = histogram();
    for _ in 0..n {
        let t = Instant::now();
        black_box(());
        let _ = h.record(ns(t));
    }
    Row {
        name: "clock alone (timer overhead)",
        h,
    }
}

/// Zone allocations through the runtime's path (the global allocator
/// routed to the innermost zone), and zone resets.
fn zone(n: u64) -> (Row, Row) {
    let site = Site { func: 0, pc: 0 };
    let arena = Arena::new();
    // SAFETY: the arena outlives the guard (both local, the guard dropped
    // first).
    let _installed = unsafe { Installed::new(&raw const arena) };
    let layout = Layout::from_size_align(SIZE, 16).expect("layout");
    let (mut allocs, mut resets) = (histogram(), histogram());
    arena.enter(ZONE_BYTES, site, 1).expect("a zone");
    let mut kept: Vec<*mut u8> = Vec::with_capacity(4096);
    for _ in 0..n {
        let t = Instant::now();
        let p = {
            let _route = Route::on();
            // SAFETY: a valid layout; the block is released with its zone.
            unsafe { std::alloc::alloc(layout) }
        };
        let _ = allocs.record(ns(t));
        black_box(p);
        if arena.take_exhausted().is_some() {
            // The zone is full: the block came from the heap instead.
            // SAFETY: allocated just above with this layout.
            unsafe { std::alloc::dealloc(p, layout) };
            for q in kept.drain(..) {
                // SAFETY: each a zone block of this layout, freed once.
                unsafe { std::alloc::dealloc(q, layout) };
            }
            let t = Instant::now();
            arena.exit();
            arena.enter(ZONE_BYTES, site, 1).expect("a zone");
            let _ = resets.record(ns(t));
        } else {
            kept.push(p);
        }
    }
    for q in kept.drain(..) {
        // SAFETY: as above.
        unsafe { std::alloc::dealloc(q, layout) };
    }
    arena.exit();
    (
        Row {
            name: "zone allocation (32 B)",
            h: allocs,
        },
        Row {
            name: "zone reset (leave + enter 64 KiB)",
            h: resets,
        },
    )
}

fn pool(n: u64) -> Row {
    let pool = PoolRef::new(1024, false).expect("a pool");
    let mut h = histogram();
    for i in 0..n {
        let t = Instant::now();
        let slot = pool.alloc(Value::Int(i as i64)).ok();
        drop(black_box(slot));
        let _ = h.record(ns(t));
    }
    Row {
        name: "pool alloc + free",
        h,
    }
}

fn allocator(name: &'static str, n: u64, a: &dyn GlobalAlloc) -> Row {
    let layout = Layout::from_size_align(SIZE, 16).expect("layout");
    let mut h = histogram();
    // A working set, as a program has: some blocks stay allocated.
    let mut live: Vec<*mut u8> = Vec::with_capacity(1024);
    for i in 0..n {
        let t = Instant::now();
        // SAFETY: a valid layout; freed with the same allocator below.
        let p = unsafe { a.alloc(layout) };
        let freed = if live.len() == 1024 {
            let q = live.swap_remove((i as usize * 7919) % 1024);
            // SAFETY: allocated by `a` with this layout.
            unsafe { a.dealloc(q, layout) };
            true
        } else {
            false
        };
        let _ = h.record(ns(t));
        let _ = freed;
        live.push(black_box(p));
    }
    for q in live {
        // SAFETY: as above.
        unsafe { a.dealloc(q, layout) };
    }
    Row { name, h }
}

fn tlsf(n: u64) -> Row {
    let mut pool: Vec<MaybeUninit<u8>> = vec![MaybeUninit::uninit(); 1 << 20];
    let mut tlsf: rlsf::Tlsf<'_, u16, u16, 16, 16> = rlsf::Tlsf::new();
    tlsf.insert_free_block(&mut pool);
    let layout = Layout::from_size_align(SIZE, 16).expect("layout");
    let mut h = histogram();
    let mut live = Vec::with_capacity(1024);
    for i in 0..n {
        let t = Instant::now();
        let p = tlsf.allocate(layout).expect("room in the pool");
        if live.len() == 1024 {
            let q = live.swap_remove((i as usize * 7919) % 1024);
            // SAFETY: allocated by this TLSF with this alignment.
            unsafe { tlsf.deallocate(q, layout.align()) };
        }
        let _ = h.record(ns(t));
        live.push(black_box(p));
    }
    Row {
        name: "rlsf TLSF alloc + free",
        h,
    }
}

/// The rounds the operations are measured in (the total split evenly):
/// the best round's maximum shows how much of the overall one is the
/// machine (an interrupt, a preemption), which the clock-alone row shows
/// too.
const ROUNDS: u64 = 5;

struct Total {
    name: &'static str,
    all: Histogram<u64>,
    best_max: u64,
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let per = (n / ROUNDS).max(1);
    println!("{n} operations each ({ROUNDS} rounds of {per}), 32-byte blocks; nanoseconds\n");
    let mut totals: Vec<Total> = Vec::new();
    for _ in 0..ROUNDS {
        let mut rows = vec![timer_overhead(per)];
        let (allocs, resets) = zone(per);
        rows.push(allocs);
        rows.push(resets);
        rows.push(pool(per));
        rows.push(tlsf(per));
        rows.push(allocator(
            "system allocator (glibc) alloc + free",
            per,
            &System,
        ));
        rows.push(allocator(
            "mimalloc (Ward's heap) alloc + free",
            per,
            &ward_runtime::heap::accounting::CountingAlloc,
        ));
        for (i, r) in rows.into_iter().enumerate() {
            if let Some(t) = totals.get_mut(i) {
                let _ = t.all.add(&r.h);
                t.best_max = t.best_max.min(r.h.max());
            } else {
                totals.push(Total {
                    name: r.name,
                    best_max: r.h.max(),
                    all: r.h,
                });
            }
        }
    }
    println!(
        "{:<40} {:>9} {:>6} {:>6} {:>8} {:>9} {:>11}",
        "operation", "count", "p50", "p99", "p99.99", "max", "best round"
    );
    for t in &totals {
        println!(
            "{:<40} {:>9} {:>6} {:>6} {:>8} {:>9} {:>11}",
            t.name,
            t.all.len(),
            t.all.value_at_quantile(0.5),
            t.all.value_at_quantile(0.99),
            t.all.value_at_quantile(0.9999),
            t.all.max(),
            t.best_max
        );
    }
    let worst = totals[1..4].iter().map(|t| t.all.max()).max().unwrap_or(0);
    let best = totals[1..4].iter().map(|t| t.best_max).max().unwrap_or(0);
    println!(
        "\nworst zone or pool operation: {worst} ns over all rounds, {best} ns in the best round \
         (required ≤ 50 000, aim ≤ 1 000); the clock alone: {} ns, best round {} ns",
        totals[0].all.max(),
        totals[0].best_max
    );
}
