//! The task scheduler (LANGUAGE.md §9): lightweight tasks on a
//! work-stealing pool of workers, one per core by default.
//!
//! Each task is a VM of its own — registers, frames and GC heap — so tasks
//! share no memory: what crosses between them (a spawned closure, a value
//! sent on a channel, a task's result) is `Send` (the checker's W0802),
//! owns everything it reaches, and is moved by moving its two words. A
//! task never blocks its worker: a channel operation, `join` or `sleep`
//! that cannot complete *suspends* the VM at the instruction, and the
//! worker runs another task until a wake queues this one again.
//!
//! **Spawn.** 1. `task::spawn` moves the closure into a new VM (heap,
//! capabilities narrowed from the parent's, the run's output and limits).
//! 2. The task is pushed: `Normal` onto the spawning worker's own deque
//! (LIFO for the owner, stolen FIFO by others), `High` and `Low` onto the
//! global injector of their priority. 3. One sleeping worker, if any, is
//! unparked (`idle.rs`).
//!
//! **Find work** (each worker, each time its task stops). 1. Every 61st
//! time, the `Low` injector first, so that `Low` work always progresses.
//! 2. The `High` injector — except every 8th time, when it comes after
//! step 6, so that `High` tasks yielding to each other cannot starve
//! `Normal` ones either. 3. The main task, on the thread that started the
//! run (it stays there: the host's thread-local state is its). 4. The
//! worker's own deque. 5. A batch from the `Normal` injector. 6. Steal
//! half of another worker's deque. 7. The `Low` injector.
//!
//! **Run.** The worker marks the task running (`state.rs`) and resumes its
//! VM until it finishes, suspends or yields. A task yields after its time
//! slice ([`SLICE`]) when other work waits, and within one limits check
//! (every 4 096 backward jumps and calls) when a `High` task waits and it
//! is not one; `yield_now` yields at once. A yielded task goes to the back
//! of its priority's injector.
//!
//! **Park and wake.** 1. A suspended task has left a `Waker` with what it
//! waits for (a channel, a task's result slot, a timer). 2. The worker
//! marks it parked — unless a wake already came while it ran, in which
//! case it is queued again at once. 3. A wake of a parked task queues it
//! (on the waking worker's deque when the waker runs on a worker of this
//! scheduler, else on an injector) and unparks a sleeping worker.
//!
//! **Idle.** A worker with nothing to do fires due timers, then looks for
//! work a few tens of microseconds more (spinning with back-off, then
//! yielding its thread: work often arrives that soon, and while a worker
//! spins a push wakes nobody), then sleeps as `idle.rs` describes, for at
//! most the time until the next timer. The run's thread, while `main` is
//! parked, also wakes every 20 ms to look at the host's cancellation and
//! time limit.
//!
//! **Shutdown.** 1. When `main` ends, the run is over: the flag is set and
//! every worker unparked. 2. Tasks still running stop at their next limits
//! check (as cancelled); workers leave their loops and are joined. 3.
//! Every task still alive — parked on a channel, queued, asleep — is
//! marked done and its VM dropped, which drops what it held (channels,
//! other tasks' handles) and so breaks the cycles of a task waiting on a
//! channel that its own registers keep alive. A task that never finished
//! has no result, and nobody is left to ask for it.
//!
//! **Deadlock.** When every worker is asleep, no timer is pending, no
//! thread is blocked outside the scheduler and `main` has not finished,
//! nothing can ever wake anything: `main` ends with a panic saying what it
//! waits for, as Go's runtime reports "all goroutines are asleep".

pub mod channel;
pub mod handles;
pub mod idle;
pub mod io;
pub mod state;
pub mod sync;

use std::cell::{Cell, UnsafeCell};
use std::collections::BinaryHeap;
use std::io::Write;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Weak};
use std::task::{RawWaker, RawWakerVTable, Waker};
use std::time::{Duration, Instant};

use crossbeam_deque::{Injector, Steal, Stealer, Worker};

pub use handles::{Chan, HostObject, JoinSlot, Joined, Message};
use idle::Idle;
use state::{AfterSuspend, RunState};
use sync::{AtomicBool, AtomicUsize, Mutex, Ordering, lock};

use crate::error::{Panic, PanicKind};
use crate::heap::accounting;
use crate::vm::{Program, Value, Vm};

/// Every this many turns a worker looks for `Low` work first, and for
/// `Normal` work before `High`: no priority starves another.
const LOW_TURN: u64 = 61;
const NORMAL_TURN: u64 = 8;

/// How often the run's thread, idle, looks at the host's cancellation
/// and time limit while `main` is parked.
const HOST_CHECK: Duration = Duration::from_millis(20);

/// Rounds an idle worker looks for work before it sleeps (half spinning
/// with back-off, half yielding its thread): some tens of microseconds.
const SPIN_ROUNDS: u32 = 32;

/// How long a task runs before it lets waiting work of its priority have
/// the worker.
pub const SLICE: Duration = Duration::from_millis(2);

/// A task's priority (`Priority` in std: `High`, `Normal`, `Low`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    High,
    Normal,
    Low,
}

impl Priority {
    /// From a `Priority` value's tag (the order of the std enum).
    pub fn from_index(i: u32) -> Option<Priority> {
        match i {
            0 => Some(Priority::High),
            1 => Some(Priority::Normal),
            2 => Some(Priority::Low),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Priority::High => "High",
            Priority::Normal => "Normal",
            Priority::Low => "Low",
        }
    }
}

/// A task: its run state, its VM and where its result goes.
pub struct Task<'p> {
    pub id: u64,
    pub priority: Priority,
    state: RunState,
    /// Stays on the thread that started the run (`main`).
    pinned: bool,
    /// Only the party that owns the task (see `state.rs`) touches it.
    vm: UnsafeCell<Option<Box<Vm<'p>>>>,
    pub join: Arc<JoinSlot>,
    shared: Weak<Shared<'p>>,
}

// SAFETY: a task's VM is reached only by the worker that owns the task
// (RUNNING, after taking it from a queue; see `state.rs`), one at a time;
// the ownership hand-over goes through the run state's acquire/release
// exchanges and the queues' own synchronisation. Everything the VM holds —
// its heap, cells, registers — is reachable from it alone: values that
// cross between tasks are `Send` (checked: W0802). So moving the VM to
// another thread moves a whole single-threaded world, as a stolen task
// does. The rest of `Task` is atomics and `Arc`s.
unsafe impl Send for Task<'_> {}
// SAFETY: as above: shared references to a task reach only its atomics,
// its id, its result slot (a mutex) and the scheduler; the VM is behind
// the ownership protocol.
unsafe impl Sync for Task<'_> {}

impl std::fmt::Debug for Task<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("id", &self.id)
            .field("priority", &self.priority)
            .finish_non_exhaustive()
    }
}

type TaskRef<'p> = Arc<Task<'p>>;

impl<'p> Task<'p> {
    /// A waker that queues this task (a `RawWaker` over the task's `Arc`:
    /// `std::task::Waker` carries no lifetime, and every waker of a run is
    /// dropped before the run returns — they live in values of its tasks,
    /// which shutdown drops).
    pub fn waker(self: &Arc<Self>) -> Waker {
        let raw = RawWaker::new(Arc::into_raw(self.clone()).cast(), &Self::VTABLE);
        // SAFETY: the vtable's functions treat the data pointer as what
        // `Arc::into_raw` gave for a `Task<'p>`, keeping its count right.
        unsafe { Waker::from_raw(raw) }
    }

    const VTABLE: RawWakerVTable = RawWakerVTable::new(
        Self::waker_clone,
        Self::waker_wake,
        Self::waker_wake_by_ref,
        Self::waker_drop,
    );

    /// # Safety
    ///
    /// `p` came from `Arc::into_raw` of a live `Arc<Task<'p>>`.
    unsafe fn waker_clone(p: *const ()) -> RawWaker {
        // SAFETY: the caller's promise; one more count for the new waker.
        unsafe { Arc::increment_strong_count(p.cast::<Task<'p>>()) };
        RawWaker::new(p, &Self::VTABLE)
    }

    /// # Safety
    ///
    /// As [`Task::waker_clone`]; the waker's count is consumed.
    unsafe fn waker_wake(p: *const ()) {
        // SAFETY: the caller's promise: this takes over the waker's count.
        let task = unsafe { Arc::from_raw(p.cast::<Task<'p>>()) };
        Task::wake(&task);
    }

    /// # Safety
    ///
    /// As [`Task::waker_clone`].
    unsafe fn waker_wake_by_ref(p: *const ()) {
        // SAFETY: the caller's promise; `ManuallyDrop` leaves the count
        // with the waker.
        let task = std::mem::ManuallyDrop::new(unsafe { Arc::from_raw(p.cast::<Task<'p>>()) });
        Task::wake(&task);
    }

    /// # Safety
    ///
    /// As [`Task::waker_wake`].
    unsafe fn waker_drop(p: *const ()) {
        // SAFETY: the caller's promise: the waker's count goes.
        drop(unsafe { Arc::from_raw(p.cast::<Task<'p>>()) });
    }

    /// Something it waits for happened: queue it if it was parked.
    fn wake(task: &Arc<Self>) {
        if task.state.wake()
            && let Some(shared) = task.shared.upgrade()
        {
            shared.push(task.clone());
        }
    }
}

/// A timer: wake `waker` at `at` (`sleep`, `recv_timeout`).
struct Timer {
    at: Instant,
    seq: u64,
    waker: Waker,
}

impl PartialEq for Timer {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Timer {}
impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Timer {
    /// Reversed: the standard heap is a max-heap, the earliest comes first.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// How a run's tasks are scheduled.
#[derive(Debug, Clone)]
pub struct Config {
    /// Worker threads, the run's own thread included (at least 1).
    pub workers: usize,
}

impl Config {
    /// One worker per core, or `WARD_WORKERS` when set.
    pub fn from_env() -> Config {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let workers = std::env::var("WARD_WORKERS")
            .ok()
            .and_then(|w| w.trim().parse::<usize>().ok())
            .filter(|&w| w > 0)
            .unwrap_or(cores);
        Config { workers }
    }
}

/// One task's figures in a profiled run (`ward run --profile`, the
/// editor's Profile lens).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskProfile {
    /// 0 for `main`.
    pub id: u64,
    pub priority: Priority,
    /// The function or closure the task ran.
    pub body: String,
    /// Time on a worker (not counting time parked or queued).
    pub run_ns: u64,
    /// Times a worker resumed it (1 when it never waited or yielded).
    pub resumes: u64,
    /// Its heap's collector figures.
    pub gc: crate::heap::GcStats,
}

/// Counters a run's scheduler kept.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SchedStats {
    pub spawned: u64,
    pub steals: u64,
    pub parks: u64,
    pub yields: u64,
    /// Per worker: tasks run (resumptions).
    pub runs: Vec<u64>,
    /// The most bytes the run's tasks held at once.
    pub heap_peak: usize,
    /// In a profiled run: every task that finished, `main` first.
    pub tasks: Vec<TaskProfile>,
}

/// Where the tasks of a run write: whole lines at a time, each with the
/// number of the task that wrote it (0: `main`), so that a host can tell
/// them apart (the editor's Run output marks other tasks' lines).
pub trait TaskWrite: Send {
    fn write_from(&mut self, task: u64, bytes: &[u8]) -> std::io::Result<()>;
    fn flush(&mut self) -> std::io::Result<()>;
}

/// Any writer as a [`TaskWrite`] that does not mark lines (`ward run`'s
/// standard output: a program's output is its own).
#[derive(Debug)]
pub struct Plain<W>(pub W);

impl<W: Write + Send> TaskWrite for Plain<W> {
    fn write_from(&mut self, _: u64, bytes: &[u8]) -> std::io::Result<()> {
        self.0.write_all(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// A run's shared stdout or stderr.
pub type SharedOut<'p> = Arc<Mutex<Box<dyn TaskWrite + 'p>>>;

/// What the tasks of one run share.
pub struct Shared<'p> {
    pub program: &'p Program,
    high: Injector<TaskRef<'p>>,
    normal: Injector<TaskRef<'p>>,
    low: Injector<TaskRef<'p>>,
    stealers: Vec<Stealer<TaskRef<'p>>>,
    /// The main task, when it is queued: only the run's own thread takes it.
    main_slot: Mutex<Option<TaskRef<'p>>>,
    /// `main_slot` holds the task: read without the lock where workers
    /// only ask whether there is other work (at every limits check).
    main_queued: AtomicBool,
    main_thread: std::thread::Thread,
    idle: Idle,
    /// Workers looking for work before they sleep (see `spin`): while one
    /// is, a push wakes nobody.
    spinning: AtomicUsize,
    timers: Mutex<BinaryHeap<Timer>>,
    /// How many timers `timers` holds (read without the lock: most loops
    /// of a worker find none and skip reading the clock).
    timer_count: AtomicUsize,
    timer_seq: AtomicU64,
    shutdown: AtomicBool,
    /// Every task made, to drop the VMs of those left at shutdown: a list
    /// per worker, each pushed to by the worker that spawns (so spawning
    /// takes no lock another worker wants).
    tasks: Vec<Mutex<Vec<Weak<Task<'p>>>>>,
    next_id: AtomicU64,
    /// Threads blocked on a channel or join outside the scheduler (a
    /// native's callback): while any is, a quiet pool is no deadlock.
    blocked: AtomicUsize,
    /// `High` tasks queued and not yet started: running tasks of lower
    /// priority yield to them.
    high_waiting: AtomicUsize,
    pub out: SharedOut<'p>,
    pub err: SharedOut<'p>,
    /// The host's cancellation flag and deadline (`main`'s limits).
    host_cancel: Option<Arc<std::sync::atomic::AtomicBool>>,
    host_deadline: Option<Instant>,
    host_may_stop: bool,
    pub account: accounting::RunAccount,
    /// Profiling: tasks' figures as they finish, and their functions'
    /// counters summed (added to `main`'s at the end).
    profile: bool,
    task_profiles: Mutex<Vec<TaskProfile>>,
    fn_profiles: Mutex<Option<crate::vm::profile::Profiler>>,
    workers: usize,
    spawned: AtomicU64,
    steals: AtomicU64,
    parks: AtomicU64,
    yields: AtomicU64,
}

impl std::fmt::Debug for Shared<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

thread_local! {
    /// The worker this thread is: its scheduler and its deque (type-erased:
    /// `Shared<'p>` and `Worker<TaskRef<'p>>`), set while it works.
    static WORKER: Cell<(*const (), *const ())> = const { Cell::new((std::ptr::null(), std::ptr::null())) };
    /// Its index among the scheduler's workers (0 elsewhere).
    static WORKER_INDEX: Cell<usize> = const { Cell::new(0) };
}

impl<'p> Shared<'p> {
    /// Queues a runnable task where its priority says, and wakes a worker.
    fn push(&self, task: TaskRef<'p>) {
        if task.pinned {
            self.queue_main(task);
            self.main_thread.unpark();
            self.idle.notify_one();
            return;
        }
        match task.priority {
            Priority::High => {
                self.high_waiting.fetch_add(1, Ordering::Relaxed);
                self.high.push(task);
            }
            Priority::Low => self.low.push(task),
            Priority::Normal => {
                let (shared, local) = WORKER.get();
                if std::ptr::eq(shared, std::ptr::from_ref(self).cast()) && !local.is_null() {
                    // SAFETY: `WORKER` names this thread's own deque while
                    // `work` runs on it, and is cleared before it returns;
                    // the pointer is to a `Worker` of this scheduler (the
                    // first half matched), so the type is the one erased.
                    unsafe { (*local.cast::<Worker<TaskRef<'p>>>()).push(task) };
                } else {
                    self.normal.push(task);
                }
            }
        }
        self.notify();
    }

    /// A yielded task: the back of its priority's global queue.
    fn push_yielded(&self, task: TaskRef<'p>) {
        if task.pinned {
            self.queue_main(task);
            return;
        }
        match task.priority {
            Priority::High => {
                self.high_waiting.fetch_add(1, Ordering::Relaxed);
                self.high.push(task);
            }
            Priority::Normal => self.normal.push(task),
            Priority::Low => self.low.push(task),
        }
        self.notify();
    }

    /// New work is queued: a spinning worker will find it; otherwise one
    /// sleeping worker is woken.
    fn notify(&self) {
        sync::fence(Ordering::SeqCst);
        if self.spinning.load(Ordering::SeqCst) > 0 {
            return;
        }
        self.idle.notify_one();
    }

    /// Looks for work a while before sleeping: work often arrives within
    /// microseconds (the other side of a channel), and a worker that finds
    /// it spinning costs neither side a system call. Gives up after about
    /// [`SPIN_ROUNDS`] backed-off rounds.
    fn spin(
        &self,
        index: usize,
        local: &Worker<TaskRef<'p>>,
        turn: u64,
        main: &Task<'p>,
    ) -> Option<TaskRef<'p>> {
        self.spinning.fetch_add(1, Ordering::SeqCst);
        let mut found = None;
        for round in 0..SPIN_ROUNDS {
            if self.is_shutting_down() || (index == 0 && main.join.is_done()) {
                break;
            }
            found = self.find(index, local, turn);
            if found.is_some() {
                break;
            }
            if round < SPIN_ROUNDS / 2 {
                for _ in 0..(1u32 << round.min(6)) {
                    std::hint::spin_loop();
                }
            } else {
                std::thread::yield_now();
            }
        }
        self.spinning.fetch_sub(1, Ordering::SeqCst);
        found
    }

    /// A number for a new task.
    pub fn next_task_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Starts task `id` running `vm` (made for it, with its body).
    pub fn spawn(self: &Arc<Self>, id: u64, vm: Box<Vm<'p>>, priority: Priority) -> Arc<JoinSlot> {
        let join = Arc::new(JoinSlot::new());
        let task = Arc::new(Task {
            id,
            priority,
            state: RunState::new(),
            pinned: false,
            vm: UnsafeCell::new(Some(vm)),
            join: join.clone(),
            shared: Arc::downgrade(self),
        });
        {
            let shard = WORKER_INDEX.get() % self.tasks.len().max(1);
            if let Some(list) = self.tasks.get(shard) {
                let mut all = lock(list);
                if all.len() >= 64 && all.len().is_power_of_two() {
                    all.retain(|t| t.strong_count() > 0);
                }
                all.push(Arc::downgrade(&task));
            }
        }
        self.spawned.fetch_add(1, Ordering::Relaxed);
        self.push(task);
        join
    }

    /// Wakes `waker` at `at`.
    pub fn add_timer(&self, at: Instant, waker: Waker) {
        let seq = self.timer_seq.fetch_add(1, Ordering::Relaxed);
        {
            let mut timers = lock(&self.timers);
            timers.push(Timer { at, seq, waker });
            self.timer_count.store(timers.len(), Ordering::Release);
        }
        // A sleeping worker must recompute how long it may sleep.
        self.idle.notify_one();
    }

    /// Wakes the tasks whose timers are due; the time until the next one.
    fn fire_timers(&self) -> Option<Duration> {
        if self.timer_count.load(Ordering::Acquire) == 0 {
            return None;
        }
        let now = Instant::now();
        let mut due = Vec::new();
        let next = {
            let mut timers = lock(&self.timers);
            while timers.peek().is_some_and(|t| t.at <= now) {
                if let Some(t) = timers.pop() {
                    due.push(t.waker);
                }
            }
            self.timer_count.store(timers.len(), Ordering::Release);
            timers.peek().map(|t| t.at.saturating_duration_since(now))
        };
        for w in due {
            w.wake();
        }
        next
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutdown.load(Ordering::Acquire)
    }

    /// A `High` task waits and the running one is not `High`.
    pub fn high_waiting(&self) -> bool {
        self.high_waiting.load(Ordering::Relaxed) > 0
    }

    /// Whether any queue has work (a worker about to sleep looks again).
    fn has_work(&self, index: usize) -> bool {
        !self.high.is_empty()
            || !self.normal.is_empty()
            || !self.low.is_empty()
            || self.stealers.iter().any(|s| !s.is_empty())
            || (index == 0 && self.main_queued.load(Ordering::SeqCst))
    }

    /// Other work is queued (a task past its slice yields to it).
    pub fn others_waiting(&self) -> bool {
        !self.high.is_empty()
            || !self.normal.is_empty()
            || !self.low.is_empty()
            || self.stealers.iter().any(|s| !s.is_empty())
            || self.main_queued.load(Ordering::SeqCst)
    }

    /// A thread blocks outside the scheduler (see `blocked`).
    pub fn enter_blocking(&self) {
        self.blocked.fetch_add(1, Ordering::SeqCst);
    }

    pub fn leave_blocking(&self) {
        self.blocked.fetch_sub(1, Ordering::SeqCst);
    }

    /// Puts the main task where only the run's thread takes it.
    fn queue_main(&self, task: TaskRef<'p>) {
        let mut slot = lock(&self.main_slot);
        *slot = Some(task);
        self.main_queued.store(true, Ordering::SeqCst);
    }

    fn take_main(&self) -> Option<TaskRef<'p>> {
        if !self.main_queued.load(Ordering::SeqCst) {
            return None;
        }
        let mut slot = lock(&self.main_slot);
        self.main_queued.store(false, Ordering::SeqCst);
        slot.take()
    }

    /// The next task from the queues, in the order of the module comment.
    fn find(&self, index: usize, local: &Worker<TaskRef<'p>>, turn: u64) -> Option<TaskRef<'p>> {
        if turn % LOW_TURN == LOW_TURN - 1
            && let Some(t) = steal_one(&self.low)
        {
            return Some(t);
        }
        // `High` first, except on every `NORMAL_TURN`th turn: `High` tasks
        // that keep yielding to each other get most of the worker, never
        // all of it.
        let normal_turn = turn % NORMAL_TURN == NORMAL_TURN - 1;
        if !normal_turn && let Some(t) = self.find_high() {
            return Some(t);
        }
        if let Some(t) = self.find_normal(index, local) {
            return Some(t);
        }
        if normal_turn && let Some(t) = self.find_high() {
            return Some(t);
        }
        steal_one(&self.low)
    }

    fn find_high(&self) -> Option<TaskRef<'p>> {
        let t = steal_one(&self.high)?;
        self.high_waiting.fetch_sub(1, Ordering::Relaxed);
        Some(t)
    }

    /// `main` (on the run's thread), this worker's deque, the `Normal`
    /// injector, then the other workers' deques.
    fn find_normal(&self, index: usize, local: &Worker<TaskRef<'p>>) -> Option<TaskRef<'p>> {
        if index == 0
            && let Some(t) = self.take_main()
        {
            return Some(t);
        }
        if let Some(t) = local.pop() {
            return Some(t);
        }
        loop {
            match self.normal.steal_batch_and_pop(local) {
                Steal::Success(t) => return Some(t),
                Steal::Retry => {}
                Steal::Empty => break,
            }
        }
        let n = self.stealers.len();
        for k in 1..n {
            let victim = &self.stealers[(index + k) % n];
            loop {
                match victim.steal_batch_and_pop(local) {
                    Steal::Success(t) => {
                        self.steals.fetch_add(1, Ordering::Relaxed);
                        return Some(t);
                    }
                    Steal::Retry => {}
                    Steal::Empty => break,
                }
            }
        }
        None
    }

    /// Resumes `task` on this worker until it stops.
    fn run_task(&self, task: TaskRef<'p>) {
        task.state.start_running();
        // SAFETY: this worker owns the task now (it took it from a queue
        // and marked it running): nobody else touches its VM until it is
        // parked, queued or done below.
        let slot = unsafe { &mut *task.vm.get() };
        let Some(vm) = slot.as_mut() else {
            return;
        };
        accounting::set_fuel(vm.fuel_cell());
        vm.set_current_task(Some(task.clone()));
        let started = self.profile.then(Instant::now);
        let step = vm.resume();
        if let Some(t0) = started {
            vm.count_run(t0.elapsed());
        }
        vm.set_current_task(None);
        accounting::set_fuel(std::ptr::null());
        match step {
            crate::vm::tasks::Step::Done(result) => {
                task.state.finish();
                let mut vm = slot.take();
                // An uncaught panic is reported as it happens (as Rust
                // reports a thread's), whether or not anyone joins.
                if let Some(vm) = &mut vm
                    && let Err(p) = &result
                    && task.id != 0
                    && !self.is_shutting_down()
                {
                    let line = format!("task {} panicked: {p}\n", task.id);
                    let _ = vm.err.write_all(line.as_bytes());
                    let _ = vm.err.flush();
                }
                if self.profile
                    && let Some(vm) = &mut vm
                {
                    self.record_profile(&task, vm);
                }
                let result = result.map(Message);
                if task.pinned {
                    // `main`'s VM goes back to the host with the result.
                    *slot = vm;
                    task.join.complete(result);
                } else {
                    task.join.complete(result);
                    drop(vm);
                }
            }
            crate::vm::tasks::Step::Suspended => {
                self.parks.fetch_add(1, Ordering::Relaxed);
                if task.state.suspend() == AfterSuspend::Requeue {
                    self.push(task);
                }
            }
            crate::vm::tasks::Step::Yielded => {
                self.yields.fetch_add(1, Ordering::Relaxed);
                task.state.yielded();
                self.push_yielded(task);
            }
        }
    }

    /// A finished task's figures, kept for the run's profile.
    fn record_profile(&self, task: &Task<'p>, vm: &mut Vm<'p>) {
        let (run_ns, resumes) = vm.run_counts();
        let body = vm.body_name();
        lock(&self.task_profiles).push(TaskProfile {
            id: task.id,
            priority: task.priority,
            body,
            run_ns,
            resumes,
            gc: vm.heap.stats(),
        });
        if task.pinned {
            return;
        }
        if let Some(mut p) = vm.profiler.take() {
            p.finish();
            let mut all = lock(&self.fn_profiles);
            match all.as_mut() {
                Some(sum) => sum.merge(&p),
                None => *all = Some(*p),
            }
        }
    }

    /// The host stopped the run (cancelled it, or its time is up).
    fn host_stop(&self) -> Option<(PanicKind, &'static str)> {
        if self
            .host_cancel
            .as_ref()
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
        {
            return Some((PanicKind::Cancelled, "cancelled"));
        }
        if self.host_deadline.is_some_and(|d| Instant::now() >= d) {
            return Some((PanicKind::TimedOut, "time limit reached"));
        }
        None
    }

    /// True when nothing can ever run again (see "Deadlock").
    fn deadlocked(&self) -> bool {
        self.idle.sleepers() >= self.workers
            && self.blocked.load(Ordering::SeqCst) == 0
            && lock(&self.timers).is_empty()
            && !self.has_work(0)
    }
}

fn steal_one<T>(q: &Injector<T>) -> Option<T> {
    loop {
        match q.steal() {
            Steal::Success(t) => return Some(t),
            Steal::Retry => {}
            Steal::Empty => return None,
        }
    }
}

/// Sets `WORKER` for the life of a worker loop.
struct WorkerGuard;

impl WorkerGuard {
    fn enter<'p>(shared: &Shared<'p>, index: usize, local: &Worker<TaskRef<'p>>) -> WorkerGuard {
        WORKER.set((
            std::ptr::from_ref(shared).cast(),
            std::ptr::from_ref(local).cast(),
        ));
        WORKER_INDEX.set(index);
        WorkerGuard
    }
}

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        WORKER.set((std::ptr::null(), std::ptr::null()));
        WORKER_INDEX.set(0);
    }
}

/// A worker's loop; worker 0 (the run's thread) returns when `main` is
/// done, the others at shutdown. `runs` counts the tasks it resumed.
fn work<'p>(
    shared: &Shared<'p>,
    index: usize,
    local: &Worker<TaskRef<'p>>,
    main: &Task<'p>,
) -> u64 {
    let _guard = WorkerGuard::enter(shared, index, local);
    let _account = accounting::join_account(&shared.account);
    let mut turn = 0u64;
    loop {
        if shared.is_shutting_down() || (index == 0 && main.join.is_done()) {
            return turn;
        }
        let next_timer = shared.fire_timers();
        if let Some(task) = shared
            .find(index, local, turn)
            .or_else(|| shared.spin(index, local, turn, main))
        {
            turn += 1;
            shared.run_task(task);
            continue;
        }
        shared.idle.announce();
        if index != 0 && shared.idle.sleepers() >= shared.workers {
            // The last worker to go quiet: the run's thread looks for a
            // deadlock.
            shared.main_thread.unpark();
        }
        if shared.has_work(index)
            || shared.is_shutting_down()
            || (index == 0 && main.join.is_done())
        {
            shared.idle.retract();
            continue;
        }
        if index == 0 && next_timer.is_none() && shared.deadlocked() {
            shared.idle.retract();
            end_main(main, Vm::deadlock_panic);
            continue;
        }
        // A parked `main` checks no limits: the run's thread does, while
        // it waits (the host's cancellation and time limit).
        if index == 0
            && let Some((kind, why)) = shared.host_stop()
        {
            shared.idle.retract();
            end_main(main, |vm| vm.stop_panic(kind, why));
            continue;
        }
        let nap = if index == 0 && shared.host_may_stop {
            Some(next_timer.map_or(HOST_CHECK, |d| d.min(HOST_CHECK)))
        } else {
            next_timer
        };
        match nap {
            Some(d) => std::thread::park_timeout(d),
            None => std::thread::park(),
        }
        shared.idle.retract();
    }
}

/// `main` is parked and can never continue (every task waits on something
/// nothing will do), or the host stopped the run while it waits: `main`
/// ends with the panic `why` makes at the place it waits.
fn end_main<'p>(main: &Task<'p>, why: impl FnOnce(&Vm<'p>) -> Panic) {
    // Taking `main` over is safe once the wake exchange (PARKED ->
    // SCHEDULED) succeeds: nobody else owns it then.
    if !main.state.wake() {
        return;
    }
    main.state.start_running();
    // SAFETY: this thread owns `main` now (the exchange above).
    let slot = unsafe { &mut *main.vm.get() };
    let panic = match slot.as_mut() {
        Some(vm) => why(vm),
        None => Panic {
            kind: PanicKind::Panic,
            message: "internal error: `main` without its VM".into(),
            location: None,
            backtrace: Vec::new(),
            elided: 0,
            elided_repeat: false,
        },
    };
    main.state.finish();
    main.join.complete(Err(panic));
}

/// Runs `main` (its VM with the entry frame pushed) with the tasks it
/// spawns, on `config.workers` workers, this thread being the first.
/// Returns `main`'s result, its VM, and the scheduler's counters.
pub fn run<'p>(
    program: &'p Program,
    main: Box<Vm<'p>>,
    out: SharedOut<'p>,
    err: SharedOut<'p>,
    max_heap_bytes: Option<usize>,
    config: &Config,
) -> (Result<Value, Panic>, Box<Vm<'p>>, SchedStats) {
    let workers = config.workers.max(1);
    let locals: Vec<Worker<TaskRef<'p>>> = (0..workers).map(|_| Worker::new_lifo()).collect();
    let shared = Arc::new(Shared {
        program,
        high: Injector::new(),
        normal: Injector::new(),
        low: Injector::new(),
        stealers: locals.iter().map(Worker::stealer).collect(),
        main_slot: Mutex::new(None),
        main_queued: AtomicBool::new(false),
        main_thread: std::thread::current(),
        idle: Idle::new(),
        spinning: AtomicUsize::new(0),
        timers: Mutex::new(BinaryHeap::new()),
        timer_count: AtomicUsize::new(0),
        timer_seq: AtomicU64::new(0),
        shutdown: AtomicBool::new(false),
        tasks: (0..workers).map(|_| Mutex::new(Vec::new())).collect(),
        next_id: AtomicU64::new(1),
        blocked: AtomicUsize::new(0),
        high_waiting: AtomicUsize::new(0),
        out,
        err,
        host_cancel: main.host_limits().cancel.clone(),
        host_deadline: main.host_limits().deadline,
        host_may_stop: main.host_limits().cancel.is_some() || main.host_limits().deadline.is_some(),
        account: accounting::RunAccount::new(max_heap_bytes),
        profile: main.profiler.is_some(),
        task_profiles: Mutex::new(Vec::new()),
        fn_profiles: Mutex::new(None),
        workers,
        spawned: AtomicU64::new(0),
        steals: AtomicU64::new(0),
        parks: AtomicU64::new(0),
        yields: AtomicU64::new(0),
    });
    let mut main = main;
    main.enter_scheduler(shared.clone(), 0, Priority::Normal);
    let main_task = Arc::new(Task {
        id: 0,
        priority: Priority::Normal,
        state: RunState::new(),
        pinned: true,
        vm: UnsafeCell::new(Some(main)),
        join: Arc::new(JoinSlot::new()),
        shared: Arc::downgrade(&shared),
    });
    shared.queue_main(main_task.clone());
    let mut locals = locals.into_iter();
    let local0 = locals.next().expect("at least one worker");
    let runs = std::thread::scope(|scope| {
        let handles: Vec<_> = locals
            .enumerate()
            .map(|(i, local)| {
                let shared = shared.clone();
                let main_task = main_task.clone();
                std::thread::Builder::new()
                    .name(format!("ward-worker-{}", i + 1))
                    .spawn_scoped(scope, move || work(&shared, i + 1, &local, &main_task))
            })
            .collect();
        let mut runs = vec![work(&shared, 0, &local0, &main_task)];
        // `main` is done: the run is over.
        shared.shutdown.store(true, Ordering::Release);
        shared.idle.notify_all();
        for h in handles {
            runs.push(match h {
                Ok(h) => h.join().unwrap_or(0),
                Err(_) => 0,
            });
        }
        drop(local0);
        runs
    });
    let stats = SchedStats {
        spawned: shared.spawned.load(Ordering::Relaxed),
        steals: shared.steals.load(Ordering::Relaxed),
        parks: shared.parks.load(Ordering::Relaxed),
        yields: shared.yields.load(Ordering::Relaxed),
        runs,
        heap_peak: 0,
        tasks: Vec::new(),
    };
    shutdown(&shared);
    let mut tasks = std::mem::take(&mut *lock(&shared.task_profiles));
    tasks.sort_by_key(|t| t.id);
    let stats = SchedStats {
        heap_peak: shared.account.peak(),
        tasks,
        ..stats
    };
    let result = match main_task.join.poll(None) {
        Joined::Done(r) => r.map(|Message(v)| v),
        Joined::Running => Err(Panic {
            kind: PanicKind::Panic,
            message: "internal error: the run ended before `main`".into(),
            location: None,
            backtrace: Vec::new(),
            elided: 0,
            elided_repeat: false,
        }),
    };
    // SAFETY: every worker has been joined and every other task dropped:
    // this thread is the only one left to touch `main`'s VM.
    let vm = unsafe { &mut *main_task.vm.get() }.take();
    let mut vm = vm.expect("main's VM is kept for the host");
    if let (Some(main_profile), Some(tasks)) =
        (vm.profiler.as_mut(), lock(&shared.fn_profiles).take())
    {
        main_profile.merge(&tasks);
    }
    vm.leave_scheduler();
    (result, vm, stats)
}

/// Step 3 of "Shutdown": every task still alive is done and its VM dropped.
fn shutdown(shared: &Arc<Shared<'_>>) {
    while steal_one(&shared.high).is_some() {}
    while steal_one(&shared.normal).is_some() {}
    while steal_one(&shared.low).is_some() {}
    lock(&shared.timers).clear();
    shared.timer_count.store(0, Ordering::Release);
    let all: Vec<_> = shared
        .tasks
        .iter()
        .flat_map(|list| std::mem::take(&mut *lock(list)))
        .filter_map(|t| t.upgrade())
        .collect();
    for t in &all {
        t.state.finish();
    }
    for t in &all {
        // SAFETY: every worker has been joined: no thread runs any task,
        // and the `Done` state makes every later wake a no-op, so this
        // thread alone touches the VM.
        let vm = unsafe { &mut *t.vm.get() }.take();
        drop(vm);
    }
}
