//! Bounded channels between tasks (LANGUAGE.md §9): a queue under a lock,
//! with the tasks (or threads) waiting to send and to receive.
//!
//! Every operation is a *poll*: it completes, or it fails and — when the
//! caller passes a waiter — registers that waiter under the same lock, so a
//! change that could let it complete (a value, room, the other side going
//! away) wakes it. A woken waiter polls again; it may find that another
//! task was quicker and register once more. Nothing is ever lost:
//!
//! 1. A sender that finds room (fewer than `capacity` values queued, or a
//!    receiver registered and waiting: that is how `channel(0)` hands a value
//!    over) queues its value and wakes the first waiting receiver.
//! 2. A receiver that takes a value wakes the first waiting sender (there is
//!    room now).
//! 3. Dropping the last sender wakes every receiver (each sees
//!    `Disconnected` once the queue is empty); dropping the receiver wakes
//!    every sender (each gets its value back with `Disconnected`) and drops
//!    what was queued.
//! 4. A waiter is in a list at most once (registering again replaces it),
//!    and a poll that completes, or gives up (`recv_timeout`), takes its
//!    waiter out: a wake is never spent on someone no longer waiting.

use std::collections::VecDeque;

use super::sync::{AtomicBool, AtomicUsize, Mutex, MutexGuard, Ordering, lock};

/// Something that waits: a parked task or a blocked thread.
pub trait Wake {
    /// Makes it poll again.
    fn wake(&self);
    /// Whether `self` and `other` are the same waiter.
    fn same(&self, other: &Self) -> bool;
}

/// How a send went.
#[derive(Debug, PartialEq, Eq)]
pub enum Send<T> {
    Sent,
    /// No room: the value comes back (and the waiter, if any, waits).
    Full(T),
    /// The receiver is gone: the value comes back.
    Disconnected(T),
}

/// How a receive went.
#[derive(Debug, PartialEq, Eq)]
pub enum Recv<T> {
    Got(T),
    /// Nothing queued (the waiter, if any, waits).
    Empty,
    /// Nothing queued and every sender is gone.
    Disconnected,
}

/// A channel's shared state.
#[derive(Debug)]
pub struct Channel<T, W> {
    capacity: usize,
    inner: Mutex<Inner<T, W>>,
    /// What the state was when the lock was last released, for a waiter
    /// deciding whether polling again is worth taking the lock
    /// ([`Channel::may_recv`], [`Channel::may_send`]): hints only, every
    /// decision is made under the lock.
    queued: AtomicUsize,
    receivers_waiting: AtomicUsize,
    closed: AtomicBool,
}

#[derive(Debug)]
struct Inner<T, W> {
    queue: VecDeque<T>,
    senders: usize,
    receiver: bool,
    recv_waiting: VecDeque<W>,
    send_waiting: VecDeque<W>,
}

/// Puts `w` at the back of `list`, taking out an earlier entry for it.
fn register<W: Wake>(list: &mut VecDeque<W>, w: W) {
    list.retain(|x| !x.same(&w));
    list.push_back(w);
}

fn unregister<W: Wake>(list: &mut VecDeque<W>, w: &W) {
    list.retain(|x| !x.same(w));
}

impl<T, W: Wake> Channel<T, W> {
    /// A channel with one sender and the receiver; `capacity` 0 is a
    /// rendezvous (a send completes only into a waiting receiver's hands).
    pub fn new(capacity: usize) -> Channel<T, W> {
        Channel {
            capacity,
            inner: Mutex::new(Inner {
                // Not `with_capacity(capacity)`: `channel(1_000_000)` costs
                // nothing until it fills.
                queue: VecDeque::new(),
                senders: 1,
                receiver: true,
                recv_waiting: VecDeque::new(),
                send_waiting: VecDeque::new(),
            }),
            queued: AtomicUsize::new(0),
            receivers_waiting: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
        }
    }

    /// Publishes the hints (called with the lock held, after a change).
    fn publish(&self, s: &MutexGuard<'_, Inner<T, W>>) {
        self.queued.store(s.queue.len(), Ordering::Relaxed);
        self.receivers_waiting
            .store(s.recv_waiting.len(), Ordering::Relaxed);
        self.closed
            .store(s.senders == 0 || !s.receiver, Ordering::Relaxed);
    }

    /// Whether a receive might complete now (a value, or every sender
    /// gone), judged without the lock.
    pub fn may_recv(&self) -> bool {
        self.queued.load(Ordering::Relaxed) > 0 || self.closed.load(Ordering::Relaxed)
    }

    /// Whether a send might complete now (room, a waiting receiver, or the
    /// receiver gone), judged without the lock.
    pub fn may_send(&self) -> bool {
        self.queued.load(Ordering::Relaxed) < self.capacity
            || self.receivers_waiting.load(Ordering::Relaxed) > 0
            || self.closed.load(Ordering::Relaxed)
    }

    /// Queues `value` if there is room (step 1); otherwise registers
    /// `waiter` to be woken when there may be.
    pub fn send(&self, value: T, waiter: Option<W>) -> Send<T> {
        let woken = {
            let mut s = lock(&self.inner);
            if !s.receiver {
                if let Some(w) = &waiter {
                    unregister(&mut s.send_waiting, w);
                }
                return Send::Disconnected(value);
            }
            let taker = if s.queue.len() < self.capacity {
                s.recv_waiting.pop_front()
            } else if let Some(r) = s.recv_waiting.pop_front() {
                // Rendezvous (or a full queue that a waiting receiver is
                // about to drain): the value is handed to that receiver.
                Some(r)
            } else {
                if let Some(w) = waiter {
                    register(&mut s.send_waiting, w);
                }
                return Send::Full(value);
            };
            if let Some(w) = &waiter {
                unregister(&mut s.send_waiting, w);
            }
            s.queue.push_back(value);
            self.publish(&s);
            taker
        };
        // Woken outside the lock: the receiver may run at once elsewhere.
        if let Some(r) = woken {
            r.wake();
        }
        Send::Sent
    }

    /// Takes the oldest value (step 2); otherwise registers `waiter` to be
    /// woken when one may have arrived.
    pub fn recv(&self, waiter: Option<W>) -> Recv<T> {
        let (value, woken) = {
            let mut s = lock(&self.inner);
            match s.queue.pop_front() {
                Some(v) => {
                    if let Some(w) = &waiter {
                        unregister(&mut s.recv_waiting, w);
                    }
                    self.publish(&s);
                    (v, s.send_waiting.pop_front())
                }
                None if s.senders == 0 => {
                    if let Some(w) = &waiter {
                        unregister(&mut s.recv_waiting, w);
                    }
                    return Recv::Disconnected;
                }
                None => {
                    if let Some(w) = waiter {
                        register(&mut s.recv_waiting, w);
                    }
                    // A sender waiting on a rendezvous can hand its value
                    // over now.
                    let sender = if self.capacity == 0 {
                        s.send_waiting.pop_front()
                    } else {
                        None
                    };
                    self.publish(&s);
                    drop(s);
                    if let Some(w) = sender {
                        w.wake();
                    }
                    return Recv::Empty;
                }
            }
        };
        if let Some(w) = woken {
            w.wake();
        }
        Recv::Got(value)
    }

    /// Takes `waiter` out of the receivers' list (a `recv_timeout` that
    /// gave up).
    pub fn stop_waiting_to_recv(&self, waiter: &W) {
        let mut s = lock(&self.inner);
        unregister(&mut s.recv_waiting, waiter);
        self.publish(&s);
    }

    /// A sender is gone; the last one wakes every receiver (step 3).
    pub fn drop_sender(&self) {
        let woken = {
            let mut s = lock(&self.inner);
            s.senders = s.senders.saturating_sub(1);
            let woken = if s.senders == 0 {
                std::mem::take(&mut s.recv_waiting)
            } else {
                VecDeque::new()
            };
            self.publish(&s);
            woken
        };
        for w in woken {
            w.wake();
        }
    }

    /// The receiver is gone: queued values are dropped and every sender
    /// woken (step 3).
    pub fn drop_receiver(&self) {
        let (queued, woken) = {
            let mut s = lock(&self.inner);
            s.receiver = false;
            let taken = (
                std::mem::take(&mut s.queue),
                std::mem::take(&mut s.send_waiting),
            );
            self.publish(&s);
            taken
        };
        // Dropped outside the lock: a value's drop may be long.
        drop(queued);
        for w in woken {
            w.wake();
        }
    }
}
