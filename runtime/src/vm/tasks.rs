//! Tasks from inside a VM (LANGUAGE.md §9): `task::spawn`, channels,
//! `join`, `sleep`, `yield_now`, and how a VM stops and resumes as a task
//! (the scheduler itself is `crate::sched`).
//!
//! An operation that cannot complete — `recv` on an empty channel, `send`
//! to a full one, `join` on a running task, `sleep` — is a *poll*: it
//! registers the task's waker with what it waits for and fails with
//! [`Fault::Suspend`]. The VM stops with the frame's `pc` one past the
//! instruction (a native call, or the `for` step over a receiver), and
//! when the task is resumed it runs that instruction again, now likely to
//! complete. Arguments stay in their registers meanwhile (a `send` puts
//! its value back). Inside a native's callback (`opt.map(|x| rx.recv())`)
//! there is no instruction to stop at: the thread blocks instead, parked
//! until the waker unparks it.

use std::cell::Cell;
use std::io::Write;
use std::sync::Arc;
use std::task::Waker;
use std::time::{Duration, Instant};

use super::natives::{err, make_error, none, ok, some};
use super::{Args, Fault, Limits, TASK_STACK_SLOTS, Value, Vm, well_known};
use crate::caps::{CapSet, Capability};
use crate::error::{Panic, PanicKind};
use crate::sched::channel::{Channel, Recv, Send};
use crate::sched::handles::thread_waker;
use crate::sched::{Chan, HostObject, Joined, Message, Priority, Shared, SharedOut, Task};

type R = Result<Value, Fault>;

/// Polls with back-off before a task suspends (see `wait_for`): about a
/// microsecond in all.
const WAIT_SPINS: u32 = 7;

/// A VM's place in a run's scheduler.
pub(crate) struct TaskCtx<'p> {
    pub(crate) shared: Arc<Shared<'p>>,
    /// The task being run (set by the worker while it runs this VM).
    current: Option<Arc<Task<'p>>>,
    pub(crate) id: u64,
    pub(crate) priority: Priority,
    /// Profiling: time on a worker and resumptions.
    run_ns: u64,
    resumes: u64,
    /// The first limits check since the worker resumed it (read then, not
    /// at every resume: most runs of a task end before their first check,
    /// and a clock read is a tenth of a spawn).
    slice_start: Option<Instant>,
}

impl TaskCtx<'_> {
    pub(crate) fn heap_exceeded(&self) -> bool {
        self.shared.account.exceeded()
    }

    /// At a limits check: whether to yield the worker (`Ok(true)`), or
    /// stop because the run is over (`Err`).
    pub(crate) fn should_yield(&mut self) -> Result<bool, ()> {
        if self.shared.is_shutting_down() && self.id != 0 {
            return Err(());
        }
        if self.current.is_none() {
            return Ok(false);
        }
        if self.priority != Priority::High && self.shared.high_waiting() {
            return Ok(true);
        }
        let Some(start) = self.slice_start else {
            self.slice_start = Some(Instant::now());
            return Ok(false);
        };
        Ok(start.elapsed() >= crate::sched::SLICE && self.shared.others_waiting())
    }
}

/// How a task's run stopped.
#[derive(Debug)]
pub enum Step {
    /// It returned (or panicked out of its outermost frame).
    Done(Result<Value, Panic>),
    /// It waits (its waker is registered).
    Suspended,
    /// It can go on, later.
    Yielded,
}

/// Whole lines of one task's output into the run's shared stream, so that
/// lines of different tasks never mix.
struct TaskOut<'p> {
    to: SharedOut<'p>,
    buf: Vec<u8>,
    task: u64,
}

impl Write for TaskOut<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        if let Some(end) = self.buf.iter().rposition(|&b| b == b'\n') {
            let mut to = crate::sched::sync::lock(&self.to);
            to.write_from(self.task, &self.buf[..=end])?;
            drop(to);
            self.buf.drain(..=end);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let mut to = crate::sched::sync::lock(&self.to);
        if !self.buf.is_empty() {
            to.write_from(self.task, &self.buf)?;
            self.buf.clear();
        }
        to.flush()
    }
}

impl Drop for TaskOut<'_> {
    /// What is left (a last line without its newline) goes to the shared
    /// stream, unflushed: the host flushes the stream when the run ends.
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            let mut to = crate::sched::sync::lock(&self.to);
            let _ = to.write_from(self.task, &self.buf);
        }
    }
}

/// Task `task`'s writer of whole lines into `to` (a run's shared stdout
/// or stderr).
pub(crate) fn line_writer<'p>(to: &SharedOut<'p>, task: u64) -> Box<dyn Write + 'p> {
    Box::new(TaskOut {
        to: to.clone(),
        buf: Vec::new(),
        task,
    })
}

impl<'p> Vm<'p> {
    /// Makes this VM task `id` of `shared` (`main` is task 0).
    pub(crate) fn enter_scheduler(&mut self, shared: Arc<Shared<'p>>, id: u64, priority: Priority) {
        self.sched = Some(Box::new(TaskCtx {
            shared,
            current: None,
            id,
            priority,
            slice_start: None,
            run_ns: 0,
            resumes: 0,
        }));
    }

    /// The run is over (the host keeps `main`'s VM).
    pub(crate) fn leave_scheduler(&mut self) {
        self.sched = None;
    }

    /// This task's number in its run (0: `main`, or no scheduler).
    pub fn task_id(&self) -> u64 {
        self.sched.as_ref().map_or(0, |t| t.id)
    }

    /// The worker starts (`Some`) or stops running this VM.
    pub(crate) fn set_current_task(&mut self, task: Option<Arc<Task<'p>>>) {
        if let Some(t) = &mut self.sched {
            t.slice_start = None;
            t.current = task;
        }
    }

    /// Profiling: one more run of `d` on a worker.
    pub(crate) fn count_run(&mut self, d: Duration) {
        if let Some(t) = &mut self.sched {
            t.run_ns += u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
            t.resumes += 1;
        }
    }

    /// Profiling: time on workers and resumptions so far.
    pub(crate) fn run_counts(&self) -> (u64, u64) {
        self.sched
            .as_ref()
            .map_or((0, 0), |t| (t.run_ns, t.resumes))
    }

    /// The function a task runs (`main` for the first).
    pub(crate) fn body_name(&self) -> String {
        match self.entry_closure.as_deref() {
            Some(Value::Func(f)) => self.program.function_name(*f).to_string(),
            Some(Value::Closure(c)) => self.program.function_name(c.func()).to_string(),
            _ => "main".to_string(),
        }
    }

    /// The cell the heap budget pokes (see `accounting::set_fuel`).
    pub(crate) fn fuel_cell(&self) -> *const Cell<u32> {
        &raw const *self.fuel
    }

    pub(crate) fn flush_output(&mut self) {
        let _ = self.out.flush();
        let _ = self.err.flush();
    }

    /// Pushes the frame of function `f` (no arguments) for [`Vm::resume`].
    pub(crate) fn start(&mut self, f: u32) -> Result<(), Panic> {
        self.push_frame(f, Vec::new(), 0, std::ptr::null_mut())
            .map_err(|fault| self.make_panic(fault))
    }

    /// A spawned task's first run: its register stack (a spare one of this
    /// thread's, usually) and the frame of its body, a function or closure
    /// value the VM keeps while it runs. Until then a queued task holds no
    /// stack: spawning thousands before any runs costs little.
    fn start_body(&mut self) -> Result<(), Fault> {
        self.stack = super::Stack::new(TASK_STACK_SLOTS);
        let Some(body) = self.entry_closure.as_mut() else {
            return Err("internal error: a task without a body".into());
        };
        let (func, closure) = match &mut **body {
            Value::Func(f) => (*f, std::ptr::null_mut()),
            Value::Closure(c) => (c.func(), std::ptr::from_mut(c)),
            _ => return Err("internal error: spawned a value that is not a function".into()),
        };
        self.push_frame(func, Vec::new(), 0, closure)
    }

    /// Runs the task until it finishes, suspends or yields.
    pub(crate) fn resume(&mut self) -> Step {
        if self.frames.is_empty()
            && self.entry_closure.is_some()
            && let Err(fault) = self.start_body()
        {
            return Step::Done(Err(self.make_panic(fault)));
        }
        if std::mem::take(&mut self.retry)
            && let Some(fr) = self.frames.last_mut()
        {
            fr.pc -= 1;
        }
        loop {
            match self.run(0) {
                Ok(v) => return Step::Done(self.finish_outermost(v)),
                Err((Fault::Suspend, _)) => return Step::Suspended,
                Err((Fault::Yield, _)) => return Step::Yielded,
                Err((fault, skip_top)) => {
                    let panic = self.make_panic(fault);
                    if let Err(p) = self.unwind(panic, 0, skip_top) {
                        return Step::Done(Err(p));
                    }
                }
            }
        }
    }

    /// The limits the host set (cancellation, deadline, budgets).
    pub(crate) fn host_limits(&self) -> &Limits {
        &self.limits
    }

    /// A host limit's panic at the place the task waits.
    pub(crate) fn stop_panic(&self, kind: PanicKind, message: &str) -> Panic {
        self.make_panic(self.stop(kind, message))
    }

    /// Where `main` waits when nothing can ever wake it.
    pub(crate) fn deadlock_panic(&self) -> Panic {
        let what = match self.calling_native() {
            Some(name) => format!("`{name}`"),
            None => "a `for` loop over a channel".to_string(),
        };
        let (backtrace, elided, elided_repeat) = self.backtrace();
        Panic {
            kind: PanicKind::Panic,
            message: format!(
                "deadlock: `main` waits in {what}, and every other task is waiting too, so nothing can wake it"
            ),
            location: self.innermost_location(),
            backtrace,
            elided,
            elided_repeat,
        }
    }

    /// Whether an operation that must wait can suspend the task (rather
    /// than block the thread).
    fn may_suspend(&self) -> bool {
        self.host_depth == 0
            && !self.in_finalizers
            && self.sched.as_ref().is_some_and(|t| t.current.is_some())
    }

    /// Polls `op` with a waker until it gives a result: between polls a
    /// task suspends ([`Fault::Suspend`], to poll again when resumed), and
    /// anything else parks its thread.
    fn wait_for<T>(
        &mut self,
        ready: Option<&dyn Fn() -> bool>,
        mut op: impl FnMut(&mut Vm<'p>, &Waker) -> Option<T>,
    ) -> Result<T, Fault> {
        if self.may_suspend() {
            let (waker, shared) = match self
                .sched
                .as_ref()
                .and_then(|t| Some((t, t.current.as_ref()?)))
            {
                Some((t, task)) => (task.waker(), t.shared.clone()),
                None => return Err("internal error: a task without its handle".into()),
            };
            if let Some(v) = op(self, &waker) {
                return Ok(v);
            }
            // Nothing else to run here: watch for a while, backing off,
            // before suspending — the other side, on another worker, is
            // usually about to act, and a suspension and wake cost both
            // workers far more. The watching reads `ready`'s hint (no lock);
            // only a hint that turned true is worth polling again.
            if let Some(ready) = ready {
                for round in 0..WAIT_SPINS {
                    if shared.others_waiting() {
                        break;
                    }
                    for _ in 0..(1u32 << round) {
                        std::hint::spin_loop();
                    }
                    if ready()
                        && let Some(v) = op(self, &waker)
                    {
                        return Ok(v);
                    }
                }
            }
            return Err(Fault::Suspend);
        }
        let waker = thread_waker();
        if let Some(t) = &self.sched {
            t.shared.enter_blocking();
        }
        let r = loop {
            if let Some(v) = op(self, &waker) {
                break Ok(v);
            }
            if self.sched.is_none() && self.wait_deadline.is_none() && !self.io_waiting {
                // One thread, one task: nothing else can ever act.
                break Err(Fault::from(
                    "deadlock: this wait can never end (the run has no other task to do what it waits for)",
                ));
            }
            if let Err(e) = self.check_host_limits() {
                break Err(e);
            }
            let mut nap = Duration::from_millis(20);
            if let Some(d) = self.wait_deadline {
                nap = nap.min(d.saturating_duration_since(Instant::now()));
            }
            std::thread::park_timeout(nap);
        };
        if let Some(t) = &self.sched {
            t.shared.leave_blocking();
        }
        r
    }

    /// The host's cancellation and deadline, and the end of the run, for a
    /// thread that waits.
    fn check_host_limits(&self) -> Result<(), Fault> {
        if self
            .limits
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
        {
            return Err(self.stop(PanicKind::Cancelled, "cancelled"));
        }
        if self.limits.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(self.stop(PanicKind::TimedOut, "time limit reached"));
        }
        if self
            .sched
            .as_ref()
            .is_some_and(|t| t.id != 0 && t.shared.is_shutting_down())
        {
            return Err(self.stop(PanicKind::Cancelled, "the run ended (`main` returned)"));
        }
        Ok(())
    }

    /// Polls an I/O operation (`op`: its result, or `None` once it left
    /// the waker with the I/O driver) until it completes, or until
    /// `timeout` has passed since the first poll (`TimedOut`). While it
    /// waits, the run counts it as blocked outside the scheduler: a
    /// socket can wake it, so a quiet pool is no deadlock.
    pub(super) fn wait_for_io<T>(
        &mut self,
        timeout: Option<Duration>,
        mut op: impl FnMut(&Waker) -> Option<std::io::Result<T>>,
    ) -> Result<std::io::Result<T>, Fault> {
        let r = self.wait_for(None, |vm, w| {
            if let Some(r) = op(w) {
                return Some(r);
            }
            vm.begin_io_wait();
            if let Some(t) = timeout {
                let d = vm.deadline(t, w);
                if Instant::now() >= d {
                    return Some(Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("nothing within {} ms", t.as_millis()),
                    )));
                }
            }
            None
        });
        // A suspended task keeps its deadline and its count until the
        // operation, run again, completes.
        if !matches!(r, Err(Fault::Suspend)) {
            self.end_io_wait();
            self.wait_deadline = None;
        }
        r
    }

    fn begin_io_wait(&mut self) {
        if !self.io_waiting {
            self.io_waiting = true;
            if let Some(t) = &self.sched {
                t.shared.enter_blocking();
            }
        }
    }

    /// Ends the count of an I/O wait (also when the task is dropped
    /// while waiting).
    pub(super) fn end_io_wait(&mut self) {
        if self.io_waiting {
            self.io_waiting = false;
            if let Some(t) = &self.sched {
                t.shared.leave_blocking();
            }
        }
    }

    /// Starts the pending wait's deadline `after` from now, once (a
    /// suspended task keeps it across polls), with a timer to wake it.
    fn deadline(&mut self, after: Duration, waker: &Waker) -> Instant {
        if let Some(d) = self.wait_deadline {
            return d;
        }
        let d = Instant::now() + after;
        self.wait_deadline = Some(d);
        if self.may_suspend()
            && let Some(t) = &self.sched
        {
            t.shared.add_timer(d, waker.clone());
        }
        d
    }

    /// The next value of `for r in rx`: `None` once every sender is gone.
    pub(super) fn channel_next(&mut self, rx: &Arc<HostObject>) -> Result<Option<Value>, Fault> {
        let HostObject::Receiver(chan) = &**rx else {
            return Err("internal error: iterating a handle that is not a receiver".into());
        };
        self.wait_for(Some(&|| chan.may_recv()), |_, w| {
            match chan.recv(Some(w.clone())) {
                Recv::Got(Message(v)) => Some(Some(v)),
                Recv::Disconnected => Some(None),
                Recv::Empty => None,
            }
        })
    }

    /// A new VM for a task spawned by this one: an empty heap collecting
    /// as this one's, the run's output and limits, and `caps` of this
    /// task's capabilities.
    fn task_vm(
        &self,
        shared: &Arc<Shared<'p>>,
        id: u64,
        caps: CapSet,
        priority: Priority,
    ) -> Box<Vm<'p>> {
        let mut vm = Box::new(Vm::from_parts(
            self.program,
            line_writer(&shared.out, id),
            line_writer(&shared.err, id),
            // No register stack until the task first runs (`start_body`).
            super::Stack::new(0),
            None,
            self.heap.for_task(),
        ));
        vm.set_limits(Limits {
            max_heap_bytes: None,
            ..self.limits.clone()
        });
        vm.set_caps(self.caps.narrowed(caps));
        vm.args.clone_from(&self.args);
        if self.profiler.is_some() {
            vm.profiler = Some(Box::new(super::profile::Profiler::new(
                self.program.function_count(),
            )));
        }
        vm.enter_scheduler(shared.clone(), id, priority);
        vm
    }

    /// `task::spawn` and `task::spawn_with`.
    fn spawn(&mut self, body: Value, priority: Priority, caps: CapSet) -> R {
        let Some(shared) = self.sched.as_ref().map(|t| t.shared.clone()) else {
            return Err("`task::spawn` needs the task scheduler: run the program with `ward run` or `ward_runtime::embed` (a bare `Vm` has none)".into());
        };
        if shared.is_shutting_down() {
            return Err(self.stop(PanicKind::Cancelled, "the run ended (`main` returned)"));
        }
        let id = shared.next_task_id();
        let mut vm = self.task_vm(&shared, id, caps, priority);
        vm.entry_closure = Some(Box::new(body));
        let slot = shared.spawn(id, vm, priority);
        Ok(Value::Host(Arc::new(HostObject::Task { id, slot })))
    }
}

/// The channel behind a `&Sender` / `&Receiver` argument.
fn chan(a: &Args, i: usize) -> Result<Arc<Chan>, Fault> {
    match a.get(i)? {
        Value::Host(h) => match &**h {
            HostObject::Sender(c) | HostObject::Receiver(c) => Ok(c.clone()),
            HostObject::Task { .. } => Err("internal error: expected a channel".into()),
        },
        _ => Err("internal error: expected a channel".into()),
    }
}

fn error(vm: &Vm, kind: &str, message: &str) -> Value {
    err(make_error(vm, kind, message))
}

/// `task::spawn(body)`: the parent's capabilities, `Normal`.
pub(crate) fn task_spawn(vm: &mut Vm, a: &mut Args) -> R {
    let body = a.take(0);
    vm.spawn(body, Priority::Normal, CapSet::ALL)
}

/// `task::spawn_with(TaskOptions { priority, caps }, body)`.
pub(crate) fn task_spawn_with(vm: &mut Vm, a: &mut Args) -> R {
    let (priority, caps) = match a.get(0)? {
        Value::Record(r) => {
            let priority = match r.fields().first() {
                Some(Value::Tag(_, t)) => Priority::from_index(*t),
                _ => None,
            }
            .ok_or_else(|| {
                Fault::from("internal error: `TaskOptions.priority` is not a `Priority`")
            })?;
            let caps = match r.fields().get(1) {
                // SAFETY: a field of an argument: a reference in it
                // satisfies `target`'s contract (see `Args`).
                Some(v) => cap_list(unsafe { v.target() })?,
                None => return Err("internal error: `TaskOptions` without `caps`".into()),
            };
            (priority, caps)
        }
        _ => return Err("internal error: expected `TaskOptions`".into()),
    };
    let body = a.take(1);
    vm.spawn(body, priority, caps)
}

/// The capabilities a `&[Cap]` lists.
fn cap_list(v: &Value) -> Result<CapSet, Fault> {
    let Value::List(l) = v else {
        return Err("internal error: `TaskOptions.caps` is not a list of `Cap`".into());
    };
    let mut set = CapSet::EMPTY;
    for c in l.iter() {
        match c {
            Value::Tag(_, t) => match Capability::from_index(*t as usize) {
                Some(cap) => set = set.with(cap),
                None => return Err("internal error: not a `Cap`".into()),
            },
            _ => return Err("internal error: not a `Cap`".into()),
        }
    }
    Ok(set)
}

/// `task::channel(capacity)`.
pub(crate) fn task_channel(vm: &mut Vm, a: &mut Args) -> R {
    let n = a.int(0)?;
    let Ok(capacity) = usize::try_from(n) else {
        return Err(format!("a channel's capacity cannot be negative (got {n})").into());
    };
    let _ = vm;
    let chan: Arc<Chan> = Arc::new(Channel::new(capacity));
    Ok(Value::record(
        well_known::PAIR,
        vec![
            Value::Host(Arc::new(HostObject::Sender(chan.clone()))),
            Value::Host(Arc::new(HostObject::Receiver(chan))),
        ],
    ))
}

/// `task::yield_now()`.
pub(crate) fn task_yield_now(vm: &mut Vm, _: &mut Args) -> R {
    if vm.may_suspend() && vm.sched.as_ref().is_some_and(|t| t.shared.others_waiting()) {
        // Continue after the call: the frame's `pc` is already past it.
        return Err(Fault::Yield);
    }
    Ok(Value::Unit)
}

/// `Task::join(self)`: the task's value, or `Err(TaskPanicked)`.
pub(crate) fn task_join(vm: &mut Vm, a: &mut Args) -> R {
    let (id, slot) = match a.get(0)? {
        Value::Host(h) => match &**h {
            HostObject::Task { id, slot } => (*id, slot.clone()),
            _ => return Err("internal error: expected a `Task`".into()),
        },
        _ => return Err("internal error: expected a `Task`".into()),
    };
    let result = vm.wait_for(Some(&|| slot.is_done()), |_, w| {
        match slot.poll(Some(w.clone())) {
            Joined::Done(r) => Some(r),
            Joined::Running => None,
        }
    })?;
    Ok(match result {
        Ok(Message(v)) => ok(v),
        Err(p) => error(vm, "TaskPanicked", &format!("task {id} panicked: {p}")),
    })
}

/// `Sender::send(&self, value)`.
pub(crate) fn sender_send(vm: &mut Vm, a: &mut Args) -> R {
    let chan = chan(a, 0)?;
    let mut value = Some(a.take(1));
    let r = vm.wait_for(Some(&|| chan.may_send()), |_, w| {
        let v = value.take()?;
        match chan.send(Message(v), Some(w.clone())) {
            Send::Sent => Some(true),
            Send::Full(Message(v)) => {
                value = Some(v);
                None
            }
            Send::Disconnected(Message(v)) => {
                drop(v);
                Some(false)
            }
        }
    });
    match r {
        Ok(true) => Ok(Value::OkUnit),
        Ok(false) => Ok(error(vm, "Disconnected", "the channel's receiver is gone")),
        Err(e) => {
            // Suspended: the value waits in its register for the next try.
            if let Some(v) = value.take()
                && let Some(slot) = a.registers().get_mut(1)
            {
                *slot = v;
            }
            Err(e)
        }
    }
}

/// `Sender::try_send(&self, value)`.
pub(crate) fn sender_try_send(vm: &mut Vm, a: &mut Args) -> R {
    let chan = chan(a, 0)?;
    let v = a.take(1);
    Ok(match chan.send(Message(v), None) {
        Send::Sent => Value::OkUnit,
        Send::Full(_) => error(vm, "Full", "the channel is full"),
        Send::Disconnected(_) => error(vm, "Disconnected", "the channel's receiver is gone"),
    })
}

/// `Receiver::recv(&self)`.
pub(crate) fn receiver_recv(vm: &mut Vm, a: &mut Args) -> R {
    let chan = chan(a, 0)?;
    let got = vm.wait_for(Some(&|| chan.may_recv()), |_, w| {
        match chan.recv(Some(w.clone())) {
            Recv::Got(Message(v)) => Some(Some(v)),
            Recv::Disconnected => Some(None),
            Recv::Empty => None,
        }
    })?;
    Ok(match got {
        Some(v) => ok(v),
        None => error(vm, "Disconnected", "every sender of the channel is gone"),
    })
}

/// `Receiver::try_recv(&self)`.
pub(crate) fn receiver_try_recv(_: &mut Vm, a: &mut Args) -> R {
    let chan = chan(a, 0)?;
    Ok(match chan.recv(None) {
        Recv::Got(Message(v)) => some(v),
        Recv::Empty | Recv::Disconnected => none(),
    })
}

/// `Receiver::recv_timeout(&self, ms)`.
pub(crate) fn receiver_recv_timeout(vm: &mut Vm, a: &mut Args) -> R {
    let chan = chan(a, 0)?;
    let ms = u64::try_from(a.int(1)?).unwrap_or(0);
    let got = vm.wait_for(Some(&|| chan.may_recv()), |vm, w| {
        let deadline = vm.deadline(Duration::from_millis(ms), w);
        match chan.recv(Some(w.clone())) {
            Recv::Got(Message(v)) => {
                vm.wait_deadline = None;
                Some(Ok(v))
            }
            Recv::Disconnected => {
                vm.wait_deadline = None;
                Some(Err(false))
            }
            Recv::Empty if Instant::now() >= deadline => {
                chan.stop_waiting_to_recv(w);
                vm.wait_deadline = None;
                Some(Err(true))
            }
            Recv::Empty => None,
        }
    })?;
    Ok(match got {
        Ok(v) => ok(v),
        Err(true) => error(vm, "Timeout", &format!("nothing arrived within {ms} ms")),
        Err(false) => error(vm, "Disconnected", "every sender of the channel is gone"),
    })
}

/// `time::sleep(ms)`: parks the task (or, outside a scheduler, the thread).
pub(crate) fn time_sleep(vm: &mut Vm, a: &mut Args) -> R {
    let ms = u64::try_from(a.int(0)?).unwrap_or(0);
    vm.flush_output();
    vm.wait_for(None, |vm, w| {
        let deadline = vm.deadline(Duration::from_millis(ms), w);
        if Instant::now() >= deadline {
            vm.wait_deadline = None;
            Some(())
        } else {
            None
        }
    })?;
    Ok(Value::Unit)
}
