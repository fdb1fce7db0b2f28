//! Checking function bodies on every core. Bodies are independent once the
//! program's surface (signatures, types, constants) is known, so the type
//! checker and the borrow checker hand them to a few scoped worker threads
//! and put the results back in program order: the output is the same as a
//! sequential run, only sooner.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Below this many jobs a sequential loop is faster than starting threads.
const MIN_PARALLEL_JOBS: usize = 64;

/// At most this many workers (the server analyses several documents at
/// once; more threads than cores only add switching).
const MAX_WORKERS: usize = 4;

/// `f` applied to each of `jobs`, in order; `None` for the jobs not run
/// because `stop` said so before they started.
pub fn map<T: Sync, R: Send>(
    jobs: &[T],
    stop: &(dyn Fn() -> bool + Sync),
    f: &(dyn Fn(&T) -> R + Sync),
) -> Vec<Option<R>> {
    map_with(jobs, stop, &|| (), &|(), job| f(job))
}

/// [`map`] where each worker keeps its own state, made by `init` on the
/// worker's thread (a memo table that is not `Send`, for instance).
pub fn map_with<T: Sync, R: Send, S>(
    jobs: &[T],
    stop: &(dyn Fn() -> bool + Sync),
    init: &(dyn Fn() -> S + Sync),
    f: &(dyn Fn(&mut S, &T) -> R + Sync),
) -> Vec<Option<R>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(MAX_WORKERS);
    if workers < 2 || jobs.len() < MIN_PARALLEL_JOBS {
        let mut state = init();
        return jobs
            .iter()
            .map(|job| (!stop()).then(|| f(&mut state, job)))
            .collect();
    }
    let next = AtomicUsize::new(0);
    // Each worker takes the next job index and keeps (index, result).
    let work = || {
        let mut done = Vec::new();
        let mut state = init();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = jobs.get(i) else { break };
            if stop() {
                break;
            }
            done.push((i, f(&mut state, job)));
        }
        done
    };
    let mut out: Vec<Option<R>> = std::iter::repeat_with(|| None).take(jobs.len()).collect();
    std::thread::scope(|scope| {
        // Passes recurse as deep as the nesting limit allows, so helpers
        // get the analysis stack too; one that cannot be started leaves
        // its share to the others (the calling thread always works).
        let helpers: Vec<_> = (1..workers)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("ward-analysis".into())
                    .stack_size(crate::ANALYSIS_STACK)
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut results = work();
        for helper in helpers {
            match helper.join() {
                Ok(done) => results.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        for (i, r) in results {
            out[i] = Some(r);
        }
    });
    out
}
