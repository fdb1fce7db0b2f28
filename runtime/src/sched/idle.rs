//! Idle workers: parked, not spinning, and never asleep while work waits.
//!
//! A worker that found nothing to run:
//!
//! 1. puts its thread on the sleepers' list and counts itself (`SeqCst`);
//! 2. looks at every queue once more — work that arrived before step 1 is
//!    seen here;
//! 3. finds some: takes itself off the list and runs it; finds none: parks
//!    (until woken, or until the next timer is due).
//!
//! Whoever makes work (a spawn, a wake) pushes it first, then reads the
//! count (`SeqCst`, after a `SeqCst` fence). Either the pusher sees the
//! sleeper counted and unparks one — a park after an unpark returns at
//! once, so an unpark that overtakes the park is not lost — or the sleeper
//! counted itself after the push and its step 2 sees the work. The fast
//! path, nobody asleep, is one load.

use super::sync::{AtomicUsize, Mutex, Ordering, fence, lock, thread};

#[derive(Debug, Default)]
pub struct Idle {
    sleeping: Mutex<Vec<thread::Thread>>,
    count: AtomicUsize,
}

impl Idle {
    pub fn new() -> Idle {
        Idle::default()
    }

    /// Step 1.
    pub fn announce(&self) {
        lock(&self.sleeping).push(thread::current());
        self.count.fetch_add(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
    }

    /// Step 3 when work turned up after all, and after every park: this
    /// thread is awake (if a waker already took it off, nothing to do).
    pub fn retract(&self) {
        let me = thread::current().id();
        let mut list = lock(&self.sleeping);
        if let Some(i) = list.iter().position(|t| t.id() == me) {
            list.swap_remove(i);
            self.count.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// After pushing work: wakes one sleeper, if any.
    pub fn notify_one(&self) {
        fence(Ordering::SeqCst);
        if self.count.load(Ordering::SeqCst) == 0 {
            return;
        }
        let woken = {
            let mut list = lock(&self.sleeping);
            let t = list.pop();
            if t.is_some() {
                self.count.fetch_sub(1, Ordering::SeqCst);
            }
            t
        };
        if let Some(t) = woken {
            t.unpark();
        }
    }

    /// Wakes every sleeper (shutdown).
    pub fn notify_all(&self) {
        let all = {
            let mut list = lock(&self.sleeping);
            self.count.store(0, Ordering::SeqCst);
            std::mem::take(&mut *list)
        };
        for t in all {
            t.unpark();
        }
    }

    /// Workers asleep now.
    pub fn sleepers(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}
