//! A task's run state: who may run it, and what a wake does to it.
//!
//! ```text
//!            pop from a queue                 suspend (nothing to do)
//! SCHEDULED ─────────────────▶ RUNNING ──────────────────────────────▶ PARKED
//!     ▲                         │  ▲ │ wake                               │
//!     │ yield, or suspend       │  │ ▼                                    │
//!     │ after a wake            │  NOTIFIED                               │
//!     └─────────────────────────┘◀──────┘                                 │
//!     ▲                                               wake: push to a queue│
//!     └───────────────────────────────────────────────────────────────────┘
//! ```
//!
//! Exactly one party owns the task at a time: the queue entry (SCHEDULED),
//! the worker running it (RUNNING, NOTIFIED), or whoever wakes it first
//! (PARKED: the one `wake` whose exchange succeeds pushes it). A wake that
//! arrives while the task runs is not lost: it turns RUNNING into
//! NOTIFIED, and a task that suspends from NOTIFIED goes straight back to
//! a queue, because the thing it waits for may already have happened.

use super::sync::{AtomicU8, Ordering};

const SCHEDULED: u8 = 0;
const RUNNING: u8 = 1;
const NOTIFIED: u8 = 2;
const PARKED: u8 = 3;
const DONE: u8 = 4;

/// See the module comment.
#[derive(Debug)]
pub struct RunState(AtomicU8);

/// What the worker does with a task that stopped running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterSuspend {
    /// Parked: a wake will queue it.
    Parked,
    /// A wake came while it ran: queue it again now.
    Requeue,
}

impl Default for RunState {
    fn default() -> Self {
        RunState::new()
    }
}

impl RunState {
    /// A new task, about to be queued.
    pub fn new() -> RunState {
        RunState(AtomicU8::new(SCHEDULED))
    }

    /// A worker took it from a queue.
    pub fn start_running(&self) {
        debug_assert_eq!(self.0.load(Ordering::Relaxed), SCHEDULED);
        self.0.store(RUNNING, Ordering::Release);
    }

    /// The task suspended (waiting on a channel, a join or a timer).
    pub fn suspend(&self) -> AfterSuspend {
        match self
            .0
            .compare_exchange(RUNNING, PARKED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => AfterSuspend::Parked,
            Err(s) => {
                debug_assert_eq!(s, NOTIFIED);
                self.0.store(SCHEDULED, Ordering::Release);
                AfterSuspend::Requeue
            }
        }
    }

    /// The task gave its worker up but can go on (`yield_now`, the end of
    /// its time slice): it goes back to a queue.
    pub fn yielded(&self) {
        self.0.store(SCHEDULED, Ordering::Release);
    }

    /// The task finished: wakes are ignored from now on.
    pub fn finish(&self) {
        self.0.store(DONE, Ordering::Release);
    }

    /// Something it waits for happened. True when the caller must queue it
    /// (it was parked and this wake is the one that unparked it).
    pub fn wake(&self) -> bool {
        let mut s = self.0.load(Ordering::Acquire);
        loop {
            let next = match s {
                PARKED => SCHEDULED,
                RUNNING => NOTIFIED,
                _ => return false,
            };
            match self
                .0
                .compare_exchange_weak(s, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return next == SCHEDULED,
                Err(now) => s = now,
            }
        }
    }

    pub fn is_done(&self) -> bool {
        self.0.load(Ordering::Acquire) == DONE
    }
}
