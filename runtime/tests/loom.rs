//! The scheduler's synchronisation protocols under loom's model checker,
//! which runs each test body under every interleaving (and every memory
//! ordering outcome) the C11 model allows, up to its bounds. The code
//! explored is the runtime's own: `sched::sync` swaps loom's atomics,
//! mutexes and threads in under `--cfg loom`.
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test -p ward-runtime --test loom --release
//! ```
//!
//! A lost wakeup shows up as a deadlock (every thread parked), which loom
//! reports as a failure; the assertions check that nothing is lost,
//! duplicated or reordered. Capacities are the smallest that exercise each
//! path (1, and 0 for the rendezvous), so the state space stays small.
#![cfg(loom)]

use std::sync::Arc as StdArc;
use std::task::{Wake, Waker};

use loom::sync::Arc;
use loom::thread;
use ward_runtime::sched::channel::{self, Channel, Recv};
use ward_runtime::sched::handles::{JoinSlot, Joined, Message};
use ward_runtime::sched::idle::Idle;
use ward_runtime::sched::state::{AfterSuspend, RunState};
use ward_runtime::value::Value;

/// A waiter that unparks a loom thread.
struct Unparker(thread::Thread);

impl Wake for Unparker {
    fn wake(self: StdArc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &StdArc<Self>) {
        self.0.unpark();
    }
}

fn waker() -> Waker {
    Waker::from(StdArc::new(Unparker(thread::current())))
}

/// A wake that races a task suspending is taken by exactly one side: the
/// waker queues it (it had parked) or the worker requeues it (the wake
/// came while it ran) — never both, never neither.
#[test]
fn a_wake_racing_a_suspend_queues_the_task_once() {
    loom::model(|| {
        let state = Arc::new(RunState::new());
        state.start_running();
        let s2 = state.clone();
        let waker = thread::spawn(move || s2.wake());
        let after = state.suspend();
        let woke = waker.join().expect("waker thread");
        let queued_by_worker = after == AfterSuspend::Requeue;
        assert!(
            woke ^ queued_by_worker,
            "woke {woke}, requeued {queued_by_worker}"
        );
    });
}

/// Two wakes of a parked task: one of them queues it.
#[test]
fn two_wakes_of_a_parked_task_queue_it_once() {
    loom::model(|| {
        let state = Arc::new(RunState::new());
        state.start_running();
        assert_eq!(state.suspend(), AfterSuspend::Parked);
        let s2 = state.clone();
        let other = thread::spawn(move || s2.wake());
        let mine = state.wake();
        let theirs = other.join().expect("waker thread");
        assert!(mine ^ theirs);
    });
}

/// Sends `items` on a thread, blocking as a thread does on a full channel.
fn send_all(chan: &Channel<u32, Waker>, items: &[u32]) {
    let w = waker();
    for &item in items {
        let mut v = item;
        loop {
            match chan.send(v, Some(w.clone())) {
                channel::Send::Sent => break,
                channel::Send::Full(back) => {
                    v = back;
                    thread::park();
                }
                channel::Send::Disconnected(_) => panic!("receiver gone"),
            }
        }
    }
}

/// Receives until every sender is gone.
fn recv_all(chan: &Channel<u32, Waker>) -> Vec<u32> {
    let w = waker();
    let mut got = Vec::new();
    loop {
        match chan.recv(Some(w.clone())) {
            Recv::Got(v) => got.push(v),
            Recv::Disconnected => return got,
            Recv::Empty => thread::park(),
        }
    }
}

/// A bounded channel of capacity 1 between two threads: every value
/// arrives once, in order, and the receiver's loop ends when the sender
/// is dropped (no wakeup lost on the way).
#[test]
fn a_bounded_channel_delivers_everything_in_order() {
    loom::model(|| {
        let chan = Arc::new(Channel::<u32, Waker>::new(1));
        let tx = chan.clone();
        let producer = thread::spawn(move || {
            send_all(&tx, &[1, 2, 3]);
            tx.drop_sender();
        });
        let got = recv_all(&chan);
        producer.join().expect("producer");
        assert_eq!(got, vec![1, 2, 3]);
    });
}

/// A rendezvous: a send completes only into a waiting receiver's hands.
#[test]
fn a_rendezvous_hands_each_value_over() {
    loom::model(|| {
        let chan = Arc::new(Channel::<u32, Waker>::new(0));
        let tx = chan.clone();
        let producer = thread::spawn(move || {
            send_all(&tx, &[7, 8]);
            tx.drop_sender();
        });
        let got = recv_all(&chan);
        producer.join().expect("producer");
        assert_eq!(got, vec![7, 8]);
    });
}

/// The receiver dropped while a sender waits for room: the sender wakes
/// and gets its value back.
#[test]
fn dropping_the_receiver_wakes_a_waiting_sender() {
    loom::model(|| {
        let chan = Arc::new(Channel::<u32, Waker>::new(1));
        let tx = chan.clone();
        let producer = thread::spawn(move || {
            let w = waker();
            let mut sent = 0;
            let mut v = 1;
            loop {
                match tx.send(v, Some(w.clone())) {
                    channel::Send::Sent => {
                        sent += 1;
                        v += 1;
                    }
                    channel::Send::Full(back) => {
                        v = back;
                        thread::park();
                    }
                    channel::Send::Disconnected(back) => return (sent, back),
                }
            }
        });
        chan.drop_receiver();
        let (sent, back) = producer.join().expect("producer");
        assert!(sent <= 1);
        assert_eq!(back, sent + 1);
    });
}

/// A join racing the task's end: the joiner either finds the result or is
/// woken for it.
#[test]
fn a_join_racing_completion_is_woken() {
    loom::model(|| {
        let slot = Arc::new(JoinSlot::new());
        let s2 = slot.clone();
        let task = thread::spawn(move || s2.complete(Ok(Message(Value::Int(42)))));
        let w = waker();
        let got = loop {
            match slot.poll(Some(w.clone())) {
                Joined::Done(r) => break r,
                Joined::Running => thread::park(),
            }
        };
        task.join().expect("task");
        assert!(matches!(got, Ok(Message(Value::Int(42)))));
    });
}

/// An idle worker and a pusher: the pushed work is always found — the
/// worker either sees it when it looks again after announcing itself, or
/// is unparked by the pusher. The queue is an atomic counter pushed with
/// `Release` and read with `Acquire`, as crossbeam's lock-free injector
/// is: nothing orders it against the sleepers' count but the fences.
#[test]
fn an_idle_worker_never_sleeps_through_new_work() {
    use loom::sync::atomic::{AtomicUsize, Ordering};
    loom::model(|| {
        let idle = Arc::new(Idle::new());
        let queue = Arc::new(AtomicUsize::new(0));
        let (i2, q2) = (idle.clone(), queue.clone());
        let pusher = thread::spawn(move || {
            q2.fetch_add(1, Ordering::Release);
            i2.notify_one();
        });
        loop {
            if queue.load(Ordering::Acquire) > 0 {
                break;
            }
            idle.announce();
            if queue.load(Ordering::Acquire) > 0 {
                idle.retract();
                continue;
            }
            thread::park();
            idle.retract();
        }
        pusher.join().expect("pusher");
        assert_eq!(idle.sleepers(), 0);
    });
}
