//! What Ward values hold of the scheduler: a task's handle (`Task<T>`) and
//! the two ends of a channel (`Sender<T>`, `Receiver<T>`), behind
//! `Value::Host`. Waiters are `std::task::Waker`s: a parked task's (which
//! queues it again) or a blocked thread's (which unparks it).

use std::sync::Arc;
use std::task::{Wake as StdWake, Waker};

use super::channel::{Channel, Wake};
use super::sync::{AtomicBool, Mutex, Ordering, lock};
use crate::error::Panic;
use crate::value::Value;

/// A value on its way from one task to another.
#[derive(Debug)]
pub struct Message(pub Value);

// SAFETY: a message's type is `Send` — the checker rejects a channel, a
// spawned closure or a task result whose type holds a `Gc`, `Weak`,
// `RefCell`, `Cell` or reference (W0802) — so the value owns all it
// reaches: boxes that nothing else points to, which the receiving task's
// thread may use and free as the sending one could.
unsafe impl Send for Message {}

/// A channel as tasks share it.
pub type Chan = Channel<Message, Waker>;

impl Wake for Waker {
    fn wake(&self) {
        self.wake_by_ref();
    }

    fn same(&self, other: &Self) -> bool {
        self.will_wake(other)
    }
}

/// How a task ended, kept for its `join`.
#[derive(Debug, Default)]
pub struct JoinSlot {
    state: Mutex<JoinState>,
    /// Set once the result is stored (a hint for a joiner watching it).
    done: AtomicBool,
}

#[derive(Debug, Default)]
struct JoinState {
    result: Option<Result<Message, Panic>>,
    /// The result was taken (by `join`).
    taken: bool,
    waiter: Option<Waker>,
}

/// What `JoinSlot::poll` found.
#[derive(Debug)]
pub enum Joined {
    Done(Result<Message, Panic>),
    /// Not finished (the waiter is woken when it is).
    Running,
}

impl JoinSlot {
    pub fn new() -> JoinSlot {
        JoinSlot::default()
    }

    /// The task ended: stores its result and wakes the joiner.
    pub fn complete(&self, result: Result<Message, Panic>) {
        let waiter = {
            let mut s = lock(&self.state);
            s.result = Some(result);
            self.done.store(true, Ordering::Release);
            s.waiter.take()
        };
        if let Some(w) = waiter {
            w.wake();
        }
    }

    /// Takes the result if the task ended; otherwise `waiter` waits.
    pub fn poll(&self, waiter: Option<Waker>) -> Joined {
        let mut s = lock(&self.state);
        match s.result.take() {
            Some(r) => {
                s.taken = true;
                Joined::Done(r)
            }
            None if s.taken => Joined::Done(Err(Panic {
                kind: crate::error::PanicKind::Panic,
                message: "the task was already joined".into(),
                location: None,
                backtrace: Vec::new(),
                elided: 0,
                elided_repeat: false,
            })),
            None => {
                if waiter.is_some() {
                    s.waiter = waiter;
                }
                Joined::Running
            }
        }
    }

    /// Whether the task has ended (its result may already be taken).
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }
}

/// What a `Value::Host` holds.
#[derive(Debug)]
pub enum HostObject {
    /// `Task<T>`: the task's number and its result slot.
    Task { id: u64, slot: Arc<JoinSlot> },
    /// `Sender<T>`: dropping it (the last clone) is dropping the sender.
    Sender(Arc<Chan>),
    /// `Receiver<T>`.
    Receiver(Arc<Chan>),
}

impl Drop for HostObject {
    fn drop(&mut self) {
        match self {
            HostObject::Task { .. } => {}
            HostObject::Sender(c) => c.drop_sender(),
            HostObject::Receiver(c) => c.drop_receiver(),
        }
    }
}

impl HostObject {
    /// Its type's name, for `{:?}`.
    pub fn type_name(&self) -> &'static str {
        match self {
            HostObject::Task { .. } => "Task",
            HostObject::Sender(_) => "Sender",
            HostObject::Receiver(_) => "Receiver",
        }
    }
}

/// A thread blocked on a channel or a join outside the scheduler's reach
/// (a native's callback, a run without workers): waking unparks it.
#[derive(Debug)]
pub struct ThreadWaker(pub std::thread::Thread);

impl StdWake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// A waker for the current thread.
pub fn thread_waker() -> Waker {
    Waker::from(Arc::new(ThreadWaker(std::thread::current())))
}

/// Receives on this thread, parked while the channel is empty; `None`
/// once every sender is gone.
pub fn recv_blocking(chan: &Chan) -> Option<Value> {
    let waker = thread_waker();
    loop {
        match chan.recv(Some(waker.clone())) {
            super::channel::Recv::Got(Message(v)) => return Some(v),
            super::channel::Recv::Disconnected => return None,
            super::channel::Recv::Empty => {
                std::thread::park_timeout(std::time::Duration::from_millis(20));
            }
        }
    }
}
