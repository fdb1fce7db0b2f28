//! The interpreter: a register machine over verified bytecode.
//!
//! A [`Program`] is a verified module prepared for execution: code decoded
//! once into instruction arrays (jumps become instruction indices), constants
//! turned into values and natives bound by name. A [`Vm`] runs it: one fiber
//! with a register stack and a call stack (a task, once tasks exist).
//! Registers of all frames live in one fixed buffer that never moves, which
//! is what lets references (`Value::Ref`) point at registers.
//!
//! Panics are values: an instruction that faults yields a [`Fault`], and the
//! loop unwinds — in each frame the function's handler table says where its
//! cleanup (drops, `defer`s) or `recover` block starts; with no handler the
//! frame's registers are dropped and the caller is next. The happy path
//! never touches the handler tables.

// Registers, counts and code offsets come from a verified module whose
// tables are `u16`/`u32`; `i64` ↔ `usize` conversions are range-checked
// where a program's value is involved.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]
// One arm per opcode reads better than merged arms, and `match` on a
// checked result keeps the fault path visible next to the happy one.
#![allow(clippy::match_same_arms, clippy::single_match_else)]
// Float comparison and `int as float` are Ward's (Rust's) semantics.
#![allow(clippy::float_cmp, clippy::cast_precision_loss)]

pub mod args;
mod arith;
pub mod caps;
pub mod device;
pub mod fhir;
pub mod fmt;
pub mod gc;
pub mod hl7;
pub mod json;
pub mod natives;
pub mod net;
pub mod profile;
pub mod system;
pub mod tasks;
pub mod zones;

use std::cell::Cell;
use std::collections::HashMap;
use std::io::Write;
use std::mem::MaybeUninit;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::bytecode::{Constant, Module, Op, TypeDef};
use crate::error::{Frame as TraceFrame, KEPT_FRAMES, Location, Panic, PanicKind};
use crate::heap::Heap;
use crate::heap::accounting::BudgetGuard;
use crate::stdlib::table::Native;
pub use crate::value::Value;

use crate::value::{self, Closure, Iter, List, Record, host_stack};

/// A native function: gets the VM (for output and callbacks) and its
/// arguments (registers it may move out of).
pub type NativeFn = fn(&mut Vm, &mut Args) -> Result<Value, Fault>;

/// A native a host provides, and the capabilities a task must hold to
/// call it (on top of what the std entry of the same name needs).
#[derive(Clone, Copy)]
pub struct HostNative {
    pub f: NativeFn,
    pub needs: crate::caps::CapSet,
}

impl std::fmt::Debug for HostNative {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostNative")
            .field("needs", &self.needs)
            .finish_non_exhaustive()
    }
}

/// Why an instruction or native did not complete.
#[derive(Debug)]
pub enum Fault {
    /// A panic raised here, with this message.
    Message(String),
    /// A panic that already unwound a nested call (its location and
    /// backtrace are where it started).
    Panic(Panic),
    /// A task's operation cannot complete yet (a channel, `join`,
    /// `sleep`): the VM stops at the instruction, to run it again when the
    /// task is woken (`vm/tasks.rs`). Only a task's outermost run stops so.
    Suspend,
    /// A task gives its worker up (`yield_now`, the end of its slice) and
    /// continues where its top frame's `pc` says.
    Yield,
}

impl From<String> for Fault {
    fn from(m: String) -> Fault {
        Fault::Message(m)
    }
}

impl From<&str> for Fault {
    fn from(m: &str) -> Fault {
        Fault::Message(m.to_string())
    }
}

pub use crate::value::well_known;
pub use args::Args;

/// Why a module cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrepareError(pub String);

impl std::fmt::Display for PrepareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PrepareError {}

struct Func {
    name: String,
    code: Vec<Op>,
    nregs: usize,
    /// Registers whose type may own heap data (strings, records, lists,
    /// `any`): the only ones a returning frame has to drop.
    owning: Box<[u16]>,
    /// Registers holding references (which the collector updates when
    /// they point into an object it moves).
    refs: Box<[u16]>,
    arity: usize,
    /// Switch tables as instruction indices.
    tables: Vec<Vec<u32>>,
    /// `(first instruction, line, col)`, sorted.
    lines: Vec<(u32, u32, u32)>,
    /// `(start, end, target)` instruction indices.
    handlers: Vec<(u32, u32, u32)>,
    file: u32,
}

/// A verified module ready to run.
pub struct Program {
    pub module: Module,
    funcs: Vec<Func>,
    consts: Vec<Value>,
    natives: Vec<NativeFn>,
    /// What each native needs, as `CapSet` bits (0 for most): tested at
    /// every call against the task's set.
    native_caps: Vec<u8>,
    /// Whether each native is a std function fit for real time whose
    /// allocations inside a zone come from the zone (see `zone`).
    native_zoned: Vec<bool>,
}

// SAFETY: a prepared program is not written after `Program::new`: its
// constants are scalars and strings the VM only clones, the rest is plain
// data and function pointers. The tasks of a run, on several workers, read
// it at once.
unsafe impl Sync for Program {}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Program")
            .field("module", &self.module.name)
            .finish_non_exhaustive()
    }
}

impl Program {
    /// The type-table index of the std record named `name` (what a native
    /// builds a std struct with, so that it prints as one), or `u32::MAX`
    /// when the program never names the type.
    pub fn record_type(&self, name: &str) -> u32 {
        self.module
            .types
            .iter()
            .position(|t| matches!(t, TypeDef::Record { name: n, .. } if n == name))
            .map_or(u32::MAX, |i| i as u32)
    }

    /// Prepares a verified module; natives are bound by name, host ones
    /// (`extra`) first. A native needs the capability of its std entry and
    /// those the host registered it with.
    pub fn new(
        module: Module,
        extra: &HashMap<String, HostNative>,
    ) -> Result<Program, PrepareError> {
        crate::bytecode::verify::verify(&module)
            .map_err(|e| PrepareError(format!("invalid bytecode: {e}")))?;
        for (i, name) in well_known::NAMES.iter().enumerate() {
            let ok = match module.types.get(i) {
                Some(TypeDef::Enum { name: n, .. } | TypeDef::Record { name: n, .. }) => n == name,
                _ => false,
            };
            if !ok && !module.functions.is_empty() {
                return Err(PrepareError(format!(
                    "type ty#{i} must be the built-in `{name}`"
                )));
            }
        }
        let mut natives = Vec::with_capacity(module.natives.len());
        let mut native_caps = Vec::with_capacity(module.natives.len());
        let mut native_zoned = Vec::with_capacity(module.natives.len());
        for name in &module.natives {
            let entry = crate::stdlib::table::entry(name);
            let mut needs = crate::caps::CapSet::of(entry.and_then(|e| e.cap));
            let f = match extra.get(name) {
                Some(host) => {
                    needs = needs.union(host.needs);
                    host.f
                }
                None => match entry.map(|e| e.native) {
                    Some(Native::Fn(f)) => f,
                    // Reaching the call is the error, not naming it.
                    Some(Native::Missing) => natives::missing,
                    Some(Native::Intrinsic) => {
                        return Err(PrepareError(format!(
                            "`{name}` is computed by the compiler; a call of it cannot run"
                        )));
                    }
                    None => {
                        return Err(PrepareError(format!(
                            "this runtime does not provide `{name}`"
                        )));
                    }
                },
            };
            native_zoned.push(
                !extra.contains_key(name)
                    && entry.is_some_and(|e| e.realtime == crate::stdlib::table::Realtime::Routed),
            );
            natives.push(f);
            native_caps.push(needs.bits());
        }
        let consts = module
            .constants
            .iter()
            .map(|c| match c {
                Constant::Int(i) => Value::Int(*i),
                Constant::Float(f) => Value::Float(*f),
                Constant::Char(c) => Value::Char(*c),
                Constant::Str(s) => Value::str(s.clone()),
                Constant::JumpTable(_) => Value::Unit,
            })
            .collect();
        let mut funcs = Vec::with_capacity(module.functions.len());
        for f in &module.functions {
            funcs.push(prepare_function(&module, f)?);
        }
        Ok(Program {
            module,
            funcs,
            consts,
            natives,
            native_caps,
            native_zoned,
        })
    }

    /// The index of the function named `name`.
    pub fn function(&self, name: &str) -> Option<u32> {
        self.funcs
            .iter()
            .position(|f| f.name == name)
            .map(|i| i as u32)
    }

    /// How many functions the program has (indices `0..len`).
    /// Whether the program can start tasks (it names `task::spawn` or
    /// `task::spawn_with`): then it runs on the scheduler.
    pub fn uses_tasks(&self) -> bool {
        self.module
            .natives
            .iter()
            .any(|n| n == "task::spawn" || n == "task::spawn_with")
    }

    pub fn function_count(&self) -> usize {
        self.funcs.len()
    }

    pub fn function_name(&self, f: u32) -> &str {
        &self.funcs[f as usize].name
    }
}

/// Decodes a function once: byte offsets become instruction indices.
fn prepare_function(m: &Module, f: &crate::bytecode::Function) -> Result<Func, PrepareError> {
    let decoded = f
        .instructions()
        .map_err(|e| PrepareError(format!("in `{}`: {e}", f.name)))?;
    let mut index_of = HashMap::with_capacity(decoded.len() + 1);
    for (i, (pc, _)) in decoded.iter().enumerate() {
        index_of.insert(*pc, i as u32);
    }
    index_of.insert(f.code.len(), decoded.len() as u32);
    let ends: Vec<usize> = decoded
        .iter()
        .skip(1)
        .map(|(pc, _)| *pc)
        .chain(std::iter::once(f.code.len()))
        .collect();
    // The interpreter fetches instructions unchecked (`Vm::run`), which
    // is sound because every jump lands on an instruction (never at the
    // end) and the last instruction does not fall through: checked here,
    // whatever the verifier did.
    let target = |next: usize, off: i32| -> Result<i32, PrepareError> {
        let at = (next as i64 + i64::from(off)) as usize;
        index_of
            .get(&at)
            .filter(|i| (**i as usize) < decoded.len())
            .map(|i| *i as i32)
            .ok_or_else(|| PrepareError(format!("in `{}`: a jump misses", f.name)))
    };
    if !decoded.last().is_some_and(|(_, op)| op.is_terminator()) {
        return Err(PrepareError(format!(
            "in `{}`: control runs off the end",
            f.name
        )));
    }
    let mut tables = Vec::new();
    let mut code = Vec::with_capacity(decoded.len());
    for (i, (_, op)) in decoded.iter().enumerate() {
        let next = ends[i];
        let op = match *op {
            Op::Switch {
                src,
                table,
                otherwise,
            } => {
                let Some(Constant::JumpTable(offs)) = m.constants.get(table as usize) else {
                    return Err(PrepareError("switch without a jump table".into()));
                };
                let t = offs
                    .iter()
                    .map(|o| target(next, *o).map(|x| x as u32))
                    .collect::<Result<Vec<_>, _>>()?;
                tables.push(t);
                Op::Switch {
                    src,
                    table: (tables.len() - 1) as u32,
                    otherwise: target(next, otherwise)?,
                }
            }
            // Every other jump: its one offset becomes an instruction index.
            other => match other.jump_offsets().first() {
                Some(&off) => other.with_jump(target(next, off)?),
                None => other,
            },
        };
        code.push(op);
    }
    let idx = |pc: u32| {
        index_of
            .get(&(pc as usize))
            .copied()
            .filter(|i| (*i as usize) < decoded.len())
            .ok_or_else(|| PrepareError(format!("in `{}`: a handler misses", f.name)))
    };
    // A handler range may end inside an instruction only if the module is
    // malformed; the verifier checked targets, so map ends conservatively.
    let idx_end = |pc: u32| {
        decoded
            .iter()
            .position(|(p, _)| *p >= pc as usize)
            .map_or(decoded.len() as u32, |i| i as u32)
    };
    Ok(Func {
        name: f.name.clone(),
        code,
        nregs: f.regs.len(),
        owning: f
            .regs
            .iter()
            .enumerate()
            .filter(|(_, t)| t.may_own())
            .map(|(i, _)| i as u16)
            .collect(),
        refs: f
            .regs
            .iter()
            .enumerate()
            .filter(|(_, t)| matches!(t, crate::bytecode::RegType::Ref))
            .map(|(i, _)| i as u16)
            .collect(),
        arity: usize::from(f.arity),
        tables,
        lines: f
            .lines
            .iter()
            .map(|l| (idx_end(l.pc), l.line, l.col))
            .collect(),
        handlers: f
            .handlers
            .iter()
            .map(|h| Ok((idx_end(h.start), idx_end(h.end), idx(h.target)?)))
            .collect::<Result<_, PrepareError>>()?,
        file: f.file,
    })
}

/// Limits a host puts on a run.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    /// Stop after about this many instructions.
    pub max_instructions: Option<u64>,
    /// Stop at this moment.
    pub deadline: Option<Instant>,
    /// Stop when another thread sets this.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Stop when the run holds more than this many bytes (needs the
    /// counting allocator, [`crate::heap::accounting::ENABLED`]).
    pub max_heap_bytes: Option<usize>,
}

/// Registers of all frames: a fixed buffer that never moves (references
/// point into it). Slots below `init` are initialised; those at and above
/// `top` (left by returned frames) own nothing, so a new frame reuses them
/// as they are: a register is always written before it is read, and a
/// stale scalar in a drop-flag register frees nothing when dropped.
pub(crate) struct Stack {
    buf: Box<[MaybeUninit<Value>]>,
    top: usize,
    init: usize,
}

/// Register slots of a spawned task (16 bytes each, reserved, touched as
/// used): a sixteenth of `main`'s, as a thread's stack is smaller than
/// the main thread's.
pub(crate) const TASK_STACK_SLOTS: usize = 1 << 16;

thread_local! {
    /// Buffers of finished tasks' register stacks, for the next tasks
    /// spawned on this thread: a task's start then allocates no megabyte.
    static SPARE_STACKS: std::cell::RefCell<Vec<Box<[MaybeUninit<Value>]>>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Spare task stacks a thread keeps.
const SPARE_STACKS_KEPT: usize = 8;

impl Stack {
    pub(crate) fn new(slots: usize) -> Stack {
        let spare = if slots == TASK_STACK_SLOTS {
            SPARE_STACKS
                .try_with(|s| s.borrow_mut().pop())
                .ok()
                .flatten()
        } else {
            None
        };
        Stack {
            buf: spare.unwrap_or_else(|| Box::new_uninit_slice(slots)),
            top: 0,
            init: 0,
        }
    }

    fn ptr(&mut self) -> *mut Value {
        self.buf.as_mut_ptr().cast::<Value>()
    }

    /// Makes `n` more slots; false when full. Slots never used before are
    /// initialised to `()` (untouched pages of the buffer cost nothing).
    fn grow(&mut self, n: usize) -> bool {
        let top = self.top + n;
        if top > self.buf.len() {
            return false;
        }
        if top > self.init {
            for slot in &mut self.buf[self.init..top] {
                slot.write(Value::Unit);
            }
            self.init = top;
        }
        self.top = top;
        true
    }

    /// Pops the slots from `base` up, dropping what the registers in
    /// `owning` (relative to `base`) hold: only they can own anything.
    fn pop(&mut self, base: usize, owning: &[u16]) {
        let regs = self.ptr();
        for &r in owning {
            // SAFETY: `base + r` < `top` <= `init` (a verified register of
            // the frame being popped), so the slot is initialised; the value
            // is replaced by `()`, so nothing is dropped twice.
            unsafe {
                let slot = &mut *regs.add(base + usize::from(r));
                if slot.owns_heap() {
                    drop(std::mem::take(slot));
                } else if slot.is_gc_pointer() {
                    // A stale GC pointer in a reused register would look
                    // like a root to the collector.
                    std::ptr::write(slot, Value::Unit);
                }
            }
        }
        if cfg!(debug_assertions) {
            for slot in &self.buf[base..self.top] {
                // SAFETY: below `top`, so initialised.
                let v = unsafe { slot.assume_init_ref() };
                debug_assert!(
                    !v.owns_heap(),
                    "a register typed as owning nothing owns {v:?}"
                );
            }
        }
        self.top = base;
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        for slot in &mut self.buf[..self.init] {
            // SAFETY: slots below `init` are initialised; each is dropped
            // once, here, as the buffer goes.
            unsafe { slot.assume_init_drop() };
        }
        if self.buf.len() == TASK_STACK_SLOTS {
            // Every slot is uninitialised again: the next task starts with
            // `init` at 0.
            let buf = std::mem::replace(&mut self.buf, Box::new_uninit_slice(0));
            let _ = SPARE_STACKS.try_with(|s| {
                let mut s = s.borrow_mut();
                if s.len() < SPARE_STACKS_KEPT {
                    s.push(buf);
                }
            });
        }
    }
}

struct Frame {
    func: u32,
    base: usize,
    /// The next instruction (while a callee runs: the one after the call).
    pc: usize,
    /// Where the caller wants the result.
    dst: u16,
}

/// Register slots per fiber (16 bytes each; untouched pages cost nothing).
const STACK_SLOTS: usize = 1 << 20;
/// Calls deeper than this panic with a stack overflow.
const MAX_DEPTH: usize = 20_000;
/// Backward jumps and calls between checks of limits and cancellation.
const CHECK_EVERY: u32 = 4096;

/// One running fiber over a program.
// Its flags are independent facts of a running task.
#[allow(clippy::struct_excessive_bools)]
pub struct Vm<'p> {
    pub program: &'p Program,
    stack: Stack,
    /// The promoted constants (`Op::Promote`), by slot: boxed, so that a
    /// `'static` reference to one stays valid as more are added.
    statics: Vec<Option<Box<Value>>>,
    frames: Vec<Frame>,
    /// The panic being unwound (read by `caught_panic`).
    panicking: Option<Panic>,
    pub out: Box<dyn Write + 'p>,
    pub err: Box<dyn Write + 'p>,
    limits: Limits,
    /// Bytes held since the VM was made, and the heap budget (declared
    /// before `fuel` so that it is dropped, and stops pointing at it, first).
    /// A spawned task has none: the run's account counts for all its
    /// tasks (`sched::Shared::account`), whichever thread they are on.
    budget: Option<BudgetGuard>,
    /// Counts down to the next limit check; boxed so that the allocator can
    /// set it to 1 when the heap budget is passed (its address is stable).
    fuel: Box<Cell<u32>>,
    executed: u64,
    /// Program arguments (`ward run FILE -- ARGS`).
    pub args: Vec<String>,
    /// The task's garbage-collected heap (declared last: dropped after
    /// the registers that point into it).
    pub heap: Heap,
    /// Finalizers are running (they do not start more finalizers).
    in_finalizers: bool,
    /// Cells borrowed mutably by live frames (see `gc::hold_mut_borrow`).
    mut_borrows: Vec<std::rc::Rc<crate::heap::CellBox>>,
    /// The frame being popped returns a value that may hold a reference.
    returning_refs: bool,
    /// Live `RefCell` borrows, oldest first (so by frame).
    cell_borrows: Vec<gc::CellBorrow>,
    /// Per-function counters, when profiling (`ward run --profile`).
    pub profiler: Option<Box<profile::Profiler>>,
    /// The capabilities this task holds (none until a host grants some).
    caps: caps::TaskCaps,
    /// The task's place in a scheduler (none: a run without tasks).
    sched: Option<Box<tasks::TaskCtx<'p>>>,
    /// The top frame stopped at an instruction to run again when resumed
    /// (`Fault::Suspend`): its `pc` is one past it, as during a call.
    retry: bool,
    /// When the pending `sleep` or `recv_timeout` ends.
    wait_deadline: Option<Instant>,
    /// Natives calling back into the VM, nested (a task cannot suspend
    /// inside one: it blocks its thread instead).
    host_depth: u32,
    /// A spawned task's closure: its frame's captures point into it.
    entry_closure: Option<Box<Value>>,
    /// The task's zones (made by its first `zone_enter`; see `zone`),
    /// and whether one is active: the instructions that build values
    /// route their allocations to it then.
    zones: Option<Box<crate::zone::Arena>>,
    zoned: bool,
    /// The simulated device host's state for this task (`std::device`).
    device: device::SimDevice,
    /// The `json_get` sites' inline cache entries for this task.
    member_cache: json::MemberCache,
    /// An I/O operation of this task waits on a socket (`wait_for_io`).
    io_waiting: bool,
    /// A `net::connect` in progress across the task's suspensions.
    connecting: Option<Box<crate::stdlib::net::Connecting>>,
}

impl Drop for Vm<'_> {
    fn drop(&mut self) {
        // Registers may hold zone memory (a run stopped inside a zone):
        // they go while the arena can still say so.
        self.drop_registers_with_zones();
        self.end_io_wait();
    }
}

impl std::fmt::Debug for Vm<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vm")
            .field("depth", &self.frames.len())
            .finish_non_exhaustive()
    }
}

impl<'p> Vm<'p> {
    pub fn new(program: &'p Program, out: Box<dyn Write + 'p>, err: Box<dyn Write + 'p>) -> Vm<'p> {
        // The register stack is the VM's, not the program's: made before
        // the guard starts counting.
        let stack = Stack::new(STACK_SLOTS);
        let budget = Some(BudgetGuard::new(None, std::ptr::null()));
        Vm::from_parts(program, out, err, stack, budget, Heap::from_env())
    }

    /// A VM over `stack`, with a budget guard or none (a spawned task:
    /// its run's account counts it), and `heap`.
    pub(crate) fn from_parts(
        program: &'p Program,
        out: Box<dyn Write + 'p>,
        err: Box<dyn Write + 'p>,
        stack: Stack,
        budget: Option<BudgetGuard>,
        heap: Heap,
    ) -> Vm<'p> {
        let fuel = Box::new(Cell::new(CHECK_EVERY));
        // `main`'s frame list is reserved whole (untouched pages cost
        // nothing): a call never waits for it to grow. A task's starts
        // small, as its register stack does.
        let frames = if stack.buf.len() >= STACK_SLOTS {
            Vec::with_capacity(MAX_DEPTH)
        } else {
            Vec::with_capacity(64)
        };
        Vm {
            program,
            stack,
            statics: Vec::new(),
            frames,
            panicking: None,
            out,
            err,
            limits: Limits::default(),
            budget,
            fuel,
            executed: 0,
            args: Vec::new(),
            heap,
            in_finalizers: false,
            mut_borrows: Vec::new(),
            returning_refs: false,
            cell_borrows: Vec::new(),
            profiler: None,
            caps: caps::TaskCaps::default(),
            sched: None,
            retry: false,
            wait_deadline: None,
            host_depth: 0,
            entry_closure: None,
            zones: None,
            zoned: false,
            device: device::SimDevice::default(),
            member_cache: json::MemberCache::default(),
            io_waiting: false,
            connecting: None,
        }
    }

    pub fn set_limits(&mut self, limits: Limits) {
        if let Some(b) = &mut self.budget {
            b.set_limit(limits.max_heap_bytes, &raw const *self.fuel);
        }
        self.limits = limits;
    }

    /// Instructions executed so far (to the nearest check).
    pub fn instructions(&self) -> u64 {
        self.executed + u64::from(CHECK_EVERY.saturating_sub(self.fuel.get()))
    }

    /// The most bytes the run has held at once.
    pub fn heap_peak(&self) -> usize {
        self.budget.as_ref().map_or(0, BudgetGuard::peak)
    }

    /// Fails with the heap-budget stop if allocating `bytes` at once would
    /// pass the budget (before allocations large enough to fail outright).
    pub fn reserve(&self, bytes: usize) -> Result<(), Fault> {
        if self.budget.as_ref().is_some_and(|b| b.would_exceed(bytes)) {
            return Err(self.heap_exhausted());
        }
        Ok(())
    }

    fn heap_exhausted(&self) -> Fault {
        let limit = self.limits.max_heap_bytes.unwrap_or(0);
        self.stop(
            PanicKind::HeapExhausted,
            &format!("heap budget of {limit} bytes exhausted"),
        )
    }

    /// Calls function `f` with `args` and runs it to completion.
    pub fn call(&mut self, f: u32, args: Vec<Value>) -> Result<Value, Panic> {
        let depth = self.frames.len();
        if let Err(fault) = self.push_frame(f, args, 0, std::ptr::null_mut()) {
            return Err(self.make_panic(fault));
        }
        let v = self.execute(depth)?;
        if depth == 0 {
            return self.finish_outermost(v);
        }
        Ok(v)
    }

    /// The outermost frame returned `v`: objects collected during the run
    /// get their finalizers before it ends (objects still alive do not).
    fn finish_outermost(&mut self, v: Value) -> Result<Value, Panic> {
        if self.heap.has_pending() {
            self.heap.hold(v);
            let r = self.run_finalizers();
            let v = self.heap.unhold();
            if let Err(fault) = r {
                return Err(self.make_panic(fault));
            }
            return Ok(v);
        }
        Ok(v)
    }

    /// Calls a function or closure value (from a native: `Option::map`).
    pub fn call_value(&mut self, callee: &mut Value, args: Vec<Value>) -> Result<Value, Fault> {
        // The native holds values the collector cannot see until it
        // returns: no collection meanwhile.
        self.heap.no_gc += 1;
        self.host_depth += 1;
        let r = self.call_callee(callee, args);
        self.host_depth -= 1;
        self.heap.no_gc -= 1;
        r
    }

    /// Calls a function or closure value from the VM itself, where every
    /// value is in a register (finalizers).
    fn call_callee(&mut self, callee: &mut Value, args: Vec<Value>) -> Result<Value, Fault> {
        let depth = self.frames.len();
        // SAFETY: the callee is a register or a finalizer the heap kept (a
        // reference in either points at a place the borrow checker keeps
        // live).
        let pushed = match unsafe { callee.target_mut() } {
            Value::Func(f) => self.push_frame(*f, args, 0, std::ptr::null_mut()),
            Value::Closure(c) => {
                let func = c.func();
                let ptr: *mut Closure = std::ptr::from_mut(c);
                self.push_frame(func, args, 0, ptr)
            }
            _ => Err(Fault::Message(
                "called a value that is not a function".into(),
            )),
        };
        pushed?;
        // A native calling back into the VM nests `execute` on the host
        // stack: recursion through natives (`o.map(|x| f(x))`) would
        // overflow it long before `MAX_DEPTH` frames. Near the end of the
        // stack the nested run continues on a fresh segment instead.
        host_stack::grow(|| self.execute(depth)).map_err(Fault::Panic)
    }

    /// Pushes a frame for `f`, moving `args` into its registers (and
    /// references to a closure's captures after them).
    fn push_frame(
        &mut self,
        f: u32,
        args: impl IntoIterator<Item = Value>,
        dst: u16,
        closure: *mut Closure,
    ) -> Result<(), Fault> {
        let regs = self.push_frame_regs(f, dst, closure)?;
        let arity = self.program.funcs[f as usize].arity;
        for (i, a) in args.into_iter().enumerate().take(arity) {
            // SAFETY: `1 + i` < the frame's register count (a verified
            // function has a register per parameter), and a slot of a new
            // frame owns nothing, so it is written without a drop.
            unsafe { std::ptr::write(regs.add(1 + i), a) };
        }
        Ok(())
    }

    /// Pushes a frame for `f` (with references to a closure's captures in
    /// the registers after the parameters) and returns its registers; the caller puts
    /// the arguments in registers 1..=arity.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn push_frame_regs(
        &mut self,
        f: u32,
        dst: u16,
        closure: *mut Closure,
    ) -> Result<*mut Value, Fault> {
        // Most calls: a plain function, registers initialised before, no
        // profiler: a few compares and stores, inline in the dispatch loop.
        let base = self.stack.top;
        let top = base + self.program.funcs[f as usize].nregs;
        if closure.is_null()
            && top <= self.stack.init
            && self.frames.len() < MAX_DEPTH
            && self.profiler.is_none()
        {
            self.stack.top = top;
            self.frames.push(Frame {
                func: f,
                base,
                pc: 0,
                dst,
            });
            // SAFETY: `base` < `top` <= `init` <= the buffer's length.
            return Ok(unsafe { self.stack.ptr().add(base) });
        }
        self.push_frame_regs_slow(f, dst, closure)
    }

    #[inline(never)]
    fn push_frame_regs_slow(
        &mut self,
        f: u32,
        dst: u16,
        closure: *mut Closure,
    ) -> Result<*mut Value, Fault> {
        let func = &self.program.funcs[f as usize];
        let base = self.stack.top;
        if self.frames.len() >= MAX_DEPTH || !self.stack.grow(func.nregs) {
            return Err(Fault::Message("stack overflow".into()));
        }
        // SAFETY: `base` < `top`, inside the buffer.
        let regs = unsafe { self.stack.ptr().add(base) };
        if !closure.is_null() {
            // SAFETY: the closure value outlives the call (the caller holds
            // it, and the borrow checker keeps it from being dropped or
            // replaced meanwhile); the registers after the parameters get
            // references to its captures, which stay in the object (its
            // fields are one allocation that does not move).
            let c = unsafe { &mut *closure };
            for (i, v) in c.captures_mut().iter_mut().enumerate() {
                let slot = 1 + func.arity + i;
                if slot < func.nregs {
                    // SAFETY: in the frame just made, whose slots own
                    // nothing yet.
                    unsafe { std::ptr::write(regs.add(slot), Value::Ref(std::ptr::from_mut(v))) };
                }
            }
        }
        self.frames.push(Frame {
            func: f,
            base,
            pc: 0,
            dst,
        });
        if let Some(p) = self.profiler.as_deref_mut() {
            p.enter(f);
        }
        Ok(regs)
    }

    /// Pops the top frame.
    #[inline]
    fn pop_frame(&mut self) -> Frame {
        let frame = self.frames.pop().expect("a frame to pop");
        if self.profiler.is_some() || !self.cell_borrows.is_empty() || !self.mut_borrows.is_empty()
        {
            self.leave_frame();
        }
        let owning = &self.program.funcs[frame.func as usize].owning;
        self.stack.pop(frame.base, owning);
        if self.zoned {
            self.leave_zones_above(self.frames.len());
        }
        frame
    }

    /// What popping a frame does besides freeing its registers: the
    /// profiler's exit, the end of its borrows.
    #[inline(never)]
    fn leave_frame(&mut self) {
        if let Some(p) = self.profiler.as_deref_mut() {
            p.exit();
        }
        // The frame's `RefCell` borrows end with it (a reference returned
        // from it is no longer checked).
        if !self.cell_borrows.is_empty() {
            gc::release_cell_borrows(&mut self.cell_borrows, self.frames.len());
        }
        if !self.mut_borrows.is_empty() {
            if self.returning_refs {
                self.returning_refs = false;
            } else {
                gc::release_mut_borrows(&mut self.mut_borrows, self.frames.len());
            }
        }
    }

    /// The source position of instruction `pc` of function `f`.
    fn location(&self, f: u32, pc: usize) -> Option<Location> {
        let func = &self.program.funcs[f as usize];
        let i = func.lines.partition_point(|l| l.0 as usize <= pc);
        let (_, line, col) = *func.lines.get(i.checked_sub(1)?)?;
        Some(Location {
            file: self
                .program
                .module
                .files
                .get(func.file as usize)
                .cloned()
                .unwrap_or_default(),
            line,
            col,
        })
    }

    /// Where the running code is, as `file:line:col` (what `error(…)`
    /// records).
    pub fn here(&self) -> String {
        self.frames
            .last()
            .map(|fr| self.place_of(fr.func, fr.pc))
            .unwrap_or_default()
    }

    /// `file:line:col` of the instruction before `pc` in function `f` (a
    /// frame's `pc` is past the instruction that is running); empty when
    /// unknown.
    pub(crate) fn place_of(&self, f: u32, pc: usize) -> String {
        self.location(f, pc.saturating_sub(1))
            .map(|l| l.to_string())
            .unwrap_or_default()
    }

    /// The calls on the stack, innermost first.
    /// The innermost [`KEPT_FRAMES`] calls and the outermost one, how many
    /// were left out between them, and whether those all repeat the last
    /// kept inner call (a comparison of integers per frame, no text).
    fn backtrace(&self) -> (Vec<TraceFrame>, usize, bool) {
        let frame = |fr: &Frame| TraceFrame {
            function: self.program.funcs[fr.func as usize].name.clone(),
            location: self.location(fr.func, fr.pc.saturating_sub(1)),
        };
        let n = self.frames.len();
        if n <= KEPT_FRAMES + 1 {
            return (self.frames.iter().rev().map(frame).collect(), 0, false);
        }
        let inner = &self.frames[n - KEPT_FRAMES..];
        let boundary = &inner[0];
        let repeat = self.frames[1..n - KEPT_FRAMES]
            .iter()
            .all(|f| f.func == boundary.func && f.pc == boundary.pc);
        let mut kept: Vec<TraceFrame> = inner.iter().rev().map(frame).collect();
        kept.push(frame(&self.frames[0]));
        (kept, n - KEPT_FRAMES - 1, repeat)
    }

    /// The std entry the current instruction calls, when it is a native
    /// call (a native shared by several entries learns its name here).
    pub fn calling_native(&self) -> Option<&str> {
        let fr = self.frames.last()?;
        let func = self.program.funcs.get(fr.func as usize)?;
        match func.code.get(fr.pc.checked_sub(1)?)? {
            Op::CallNative { native, .. } => self
                .program
                .module
                .natives
                .get(usize::from(*native))
                .map(String::as_str),
            _ => None,
        }
    }

    /// A panic at the current instruction.
    fn make_panic(&self, fault: Fault) -> Panic {
        match fault {
            Fault::Panic(p) => p,
            Fault::Suspend | Fault::Yield => self.make_panic(Fault::Message(
                "internal error: a task stopped where it cannot (inside a native's callback)"
                    .into(),
            )),
            Fault::Message(message) => {
                let location = self.innermost_location();
                let (backtrace, elided, elided_repeat) = self.backtrace();
                Panic {
                    kind: PanicKind::Panic,
                    message,
                    location,
                    backtrace,
                    elided,
                    elided_repeat,
                }
            }
        }
    }

    /// Where the innermost call with source positions is (a function made
    /// by the compiler, such as a std entry taken as a value, has none:
    /// its caller's call is the place).
    fn innermost_location(&self) -> Option<Location> {
        self.frames
            .iter()
            .rev()
            .find_map(|fr| self.location(fr.func, fr.pc.saturating_sub(1)))
    }

    fn stop(&self, kind: PanicKind, message: &str) -> Fault {
        let (backtrace, elided, elided_repeat) = self.backtrace();
        Fault::Panic(Panic {
            kind,
            message: message.to_string(),
            location: self.innermost_location(),
            backtrace,
            elided,
            elided_repeat,
        })
    }

    /// Checks the host's limits (every `CHECK_EVERY` instructions); true
    /// when a task should yield its worker (see `tasks::TaskCtx`).
    #[cold]
    fn check_limits(&mut self) -> Result<bool, Fault> {
        self.executed += u64::from(CHECK_EVERY.saturating_sub(self.fuel.get()));
        self.fuel.set(CHECK_EVERY);
        if self.budget.as_ref().is_some_and(BudgetGuard::exceeded)
            || self.sched.as_ref().is_some_and(|t| t.heap_exceeded())
        {
            return Err(self.heap_exhausted());
        }
        if let Some(c) = &self.limits.cancel
            && c.load(Ordering::Relaxed)
        {
            return Err(self.stop(PanicKind::Cancelled, "cancelled"));
        }
        if let Some(max) = self.limits.max_instructions
            && self.executed > max
        {
            return Err(self.stop(PanicKind::BudgetExhausted, "instruction budget exhausted"));
        }
        if let Some(d) = self.limits.deadline
            && Instant::now() >= d
        {
            return Err(self.stop(PanicKind::TimedOut, "time limit reached"));
        }
        let verdict = match &mut self.sched {
            Some(t) if self.host_depth == 0 => t.should_yield(),
            _ => Ok(false),
        };
        verdict.map_err(|()| self.stop(PanicKind::Cancelled, "the run ended (`main` returned)"))
    }

    /// Unwinds from the top frame (`skip_top`: its handlers do not apply,
    /// as after `resume`). Returns false when the panic left `depth`.
    fn unwind(&mut self, panic: Panic, depth: usize, mut skip_top: bool) -> Result<(), Panic> {
        loop {
            if !panic.is_recoverable() {
                while self.frames.len() > depth {
                    self.pop_frame();
                }
                return Err(panic);
            }
            if !skip_top && let Some(fr) = self.frames.last() {
                let func = &self.program.funcs[fr.func as usize];
                let at = fr.pc.saturating_sub(1) as u32;
                if let Some(&(_, _, target)) = func.handlers.iter().find(|h| h.0 <= at && at < h.1)
                {
                    let fr = self.frames.last_mut().expect("a frame");
                    fr.pc = target as usize;
                    self.panicking = Some(panic);
                    return Ok(());
                }
            }
            skip_top = false;
            self.pop_frame();
            if self.frames.len() <= depth {
                return Err(panic);
            }
        }
    }

    /// Runs until the frame count drops to `depth`.
    fn execute(&mut self, depth: usize) -> Result<Value, Panic> {
        loop {
            match self.run(depth) {
                Ok(v) => return Ok(v),
                Err((fault, resume)) => {
                    let panic = self.make_panic(fault);
                    self.unwind(panic, depth, resume)?;
                }
            }
        }
    }

    /// The dispatch loop. Returns the result when the frame at `depth`
    /// returns, or a fault (with whether it comes from `resume`).
    #[allow(clippy::too_many_lines)]
    fn run(&mut self, depth: usize) -> Result<Value, (Fault, bool)> {
        let program = self.program;
        // Frees of zone memory and routed allocations find this task's
        // zones while it runs (restored for the VM this one was called
        // from, if any, when it returns).
        // SAFETY: the arena is boxed and lives as long as the VM, which
        // outlives this call; the guard is dropped before it returns.
        let _arena = unsafe { crate::zone::Installed::new(self.arena_ptr()) };
        let (f0, base0, pc0) = {
            let top = self.frames.last().expect("a frame to run");
            (top.func, top.base, top.pc)
        };
        let mut func = &program.funcs[f0 as usize];
        let mut code: &[Op] = &func.code;
        let mut pc = pc0;
        // SAFETY: (and for every `r!`) `regs` points at the current frame's
        // registers in the stack buffer, which never moves; the verifier
        // checked every register operand is below the function's register
        // count, which is how many slots the frame has.
        let mut regs: *mut Value = unsafe { self.stack.ptr().add(base0) };
        macro_rules! r {
            ($i:expr) => {
                (*regs.add($i as usize))
            };
        }
        macro_rules! fault {
            ($e:expr) => {{
                self.frames.last_mut().expect("a frame").pc = pc;
                return Err((Fault::from($e), false));
            }};
        }
        macro_rules! type_fault {
            () => {
                fault!(format!(
                    "internal error: ill-typed registers in `{}`",
                    func.name
                ))
            };
        }
        macro_rules! int2 {
            ($a:expr, $b:expr) => {
                // SAFETY: see `r!`.
                match unsafe { (&r!($a), &r!($b)) } {
                    (Value::Int(x), Value::Int(y)) => (*x, *y),
                    _ => type_fault!(),
                }
            };
        }
        macro_rules! float2 {
            ($a:expr, $b:expr) => {
                // SAFETY: see `r!`.
                match unsafe { (&r!($a), &r!($b)) } {
                    (Value::Float(x), Value::Float(y)) => (*x, *y),
                    _ => type_fault!(),
                }
            };
        }
        macro_rules! set {
            ($i:expr, $v:expr) => {{
                let v = $v;
                // SAFETY: see `r!`.
                unsafe { r!($i).overwrite(v) };
            }};
        }
        // A write of a scalar to a register the verifier typed as that
        // scalar: such a register owns nothing, so there is nothing to drop.
        macro_rules! set_scalar {
            ($i:expr, $v:expr) => {{
                let v = $v;
                // SAFETY: see `r!`; overwriting without a drop is never
                // unsound (at worst it would leak), and by the register's
                // type there is nothing to leak.
                unsafe { std::ptr::write(regs.add($i as usize), v) };
            }};
        }
        macro_rules! ptr {
            ($i:expr) => {
                // SAFETY: see `r!`.
                match unsafe { &r!($i) } {
                    Value::Ref(p) => *p,
                    _ => type_fault!(),
                }
            };
        }
        // The values of a run of registers, moved out (arguments, fields).
        macro_rules! take_range {
            ($range:expr) => {{
                let range = $range;
                (0..usize::from(range.count)).map(move |i| {
                    // SAFETY: see `r!`; the range was verified to lie within
                    // the frame, and the frame is not popped while the
                    // iterator is consumed.
                    unsafe { (*regs.add(usize::from(range.first) + i)).take() }
                })
            }};
        }
        // A pointer to field `field` of the struct, tuple, array or variant
        // that the reference in register `ptr` points to; `None` if it has
        // no such field.
        macro_rules! field_of {
            ($ptr:expr, $field:expr) => {{
                let p = ptr!($ptr);
                // SAFETY: a live reference (borrow checker).
                unsafe { field_place(p, $field) }
            }};
        }
        // A pointer to element `index` (a register holding an int or a
        // key) of the list, array or map the reference in `ptr` points to.
        macro_rules! element_of {
            ($ptr:expr, $index:expr) => {{
                let p = ptr!($ptr);
                // SAFETY: see `r!`; the index register holds a key or an int.
                let key = unsafe { &r!($index) };
                // SAFETY: a live reference (borrow checker).
                unsafe { index_place(&mut *p, key) }
            }};
        }
        // A range loop's step: `dst = cur` and `cur += 1` while `cur < end`;
        // whether there was an item.
        macro_rules! range_step {
            ($dst:expr, $cur:expr, $end:expr) => {{
                let (i, e) = int2!($cur, $end);
                if i < e {
                    set_scalar!($dst, Value::Int(i));
                    // `i < e` so `i + 1` cannot overflow.
                    set_scalar!($cur, Value::Int(i + 1));
                }
                i < e
            }};
        }
        // The next item of the iterator in a register (a `for` step).
        macro_rules! next_item {
            ($i:expr) => {
                // SAFETY: see `r!`.
                match unsafe { &mut r!($i) } {
                    Value::Iter(it) => match &mut **it {
                        // `for r in rx`: may wait, or suspend the task at
                        // this instruction.
                        Iter::Channel(rx) => {
                            let rx = rx.clone();
                            match self.channel_next(&rx) {
                                Ok(v) => v,
                                Err(e) => {
                                    self.frames.last_mut().expect("a frame").pc = pc;
                                    self.retry = matches!(e, Fault::Suspend);
                                    return Err((e, false));
                                }
                            }
                        }
                        // SAFETY: an iterator in a register.
                        it => unsafe { iter_next(it) },
                    },
                    _ => type_fault!(),
                }
            };
        }
        // Reloads the frame after a call or return.
        macro_rules! enter_top {
            () => {{
                let top = self.frames.last().expect("a frame");
                let (f, base) = (top.func, top.base);
                pc = top.pc;
                func = &program.funcs[f as usize];
                code = &func.code;
                // SAFETY: as above, for the new top frame.
                regs = unsafe { self.stack.ptr().add(base) };
            }};
        }
        // Enters function `f` with the arguments in the register range
        // `args` (moved: each is left `()`), the result going to `dst`.
        macro_rules! call {
            ($f:expr, $dst:expr, $args:expr, $closure:expr) => {{
                let (f, args) = ($f, $args);
                let callee = match self.push_frame_regs(f, $dst, $closure) {
                    Ok(r) => r,
                    Err(e) => return Err((e, false)),
                };
                let arity = program.funcs[f as usize].arity;
                for i in 0..usize::from(args.count).min(arity) {
                    // SAFETY: the argument range lies within the caller's
                    // frame (verified) and `1 + i` within the callee's new
                    // frame, whose slots own nothing: the value is copied
                    // as it is and its source left `()`, which is a move.
                    unsafe {
                        let from = regs.add(usize::from(args.first) + i);
                        Value::move_words(from, callee.add(1 + i));
                        std::ptr::write(from, Value::Unit);
                    }
                }
                enter!(f, callee);
            }};
        }
        // Continues at the start of function `f`, whose frame (registers
        // `callee`) was just pushed.
        macro_rules! enter {
            ($f:expr, $callee:expr) => {{
                func = &program.funcs[$f as usize];
                code = &func.code;
                regs = $callee;
                pc = 0;
            }};
        }
        // Counts backward jumps and calls (every loop and recursion passes
        // one); every `CHECK_EVERY` of them the host's limits are checked.
        // A task past its time slice yields here, to continue at `resume`
        // (the jump's target, or the call itself).
        macro_rules! tick {
            ($resume:expr) => {
                let fuel = self.fuel.get() - 1;
                self.fuel.set(fuel);
                if fuel == 0 {
                    self.frames.last_mut().expect("a frame").pc = pc;
                    match self.check_limits() {
                        Err(f) => return Err((f, false)),
                        Ok(false) => {}
                        Ok(true) => {
                            self.frames.last_mut().expect("a frame").pc = $resume;
                            return Err((Fault::Yield, false));
                        }
                    }
                }
            };
        }
        // Builds a value; inside a zone, from the zone's memory (see
        // `zone`), and a `ZoneExhausted` panic when it did not fit.
        macro_rules! zoned {
            ($e:expr) => {{
                if self.zoned {
                    let v = {
                        let _route = crate::zone::Route::on();
                        $e
                    };
                    if let Some(asked) = self.zones.as_deref().and_then(|a| a.take_exhausted()) {
                        drop(v);
                        self.frames.last_mut().expect("a frame").pc = pc;
                        return Err((self.zone_exhausted(asked), false));
                    }
                    v
                } else {
                    $e
                }
            }};
        }
        loop {
            debug_assert!(pc < code.len());
            // SAFETY: `pc` is an instruction of `code`: it starts at 0 or
            // at a jump target, handler or return address, each checked by
            // `prepare_function` to be one, and it steps by one only past
            // instructions that are not the last (the last is a
            // terminator, checked there too).
            let op = unsafe { *code.get_unchecked(pc) };
            pc += 1;
            match op {
                Op::Nop {} => {}
                Op::ZoneEnter { size } => {
                    // SAFETY: see `r!`.
                    let Value::Int(n) = (unsafe { &r!(size) }) else {
                        type_fault!()
                    };
                    let n = *n;
                    self.frames.last_mut().expect("a frame").pc = pc;
                    if let Err(f) = self.zone_enter(n, pc - 1) {
                        return Err((f, false));
                    }
                }
                Op::ZoneExit {} => {
                    self.frames.last_mut().expect("a frame").pc = pc;
                    self.zone_exit();
                }
                Op::Copy { dst, src } => {
                    // SAFETY: see `r!`.
                    if unsafe { r!(src).is_word_copy() } {
                        // SAFETY: see `r!`; the old value is dropped
                        // first, and a scalar's copy is its words.
                        unsafe {
                            let words = Value::read_words(regs.add(usize::from(src)));
                            Value::overwrite_words(regs.add(usize::from(dst)), words);
                        }
                    } else {
                        // SAFETY: see `r!`.
                        let v = unsafe { r!(src).clone() };
                        set!(dst, v);
                    }
                }
                Op::Move { dst, src } => {
                    // SAFETY: see `r!`; the value's words are taken out of
                    // `src` (left `()`) before `dst`'s old value is
                    // dropped, so a move onto itself is one too.
                    unsafe {
                        let words = Value::take_words(regs.add(usize::from(src)));
                        Value::overwrite_words(regs.add(usize::from(dst)), words);
                    }
                }
                Op::LoadInt { dst, k } | Op::LoadFloat { dst, k } | Op::LoadChar { dst, k } => {
                    set_scalar!(dst, program.consts[k as usize].clone());
                }
                Op::LoadStr { dst, k } => set!(dst, zoned!(program.consts[k as usize].clone())),
                Op::LoadBool { dst, v } => set_scalar!(dst, Value::Bool(v != 0)),
                Op::LoadUnit { dst } => set!(dst, Value::Unit),
                Op::LoadFunc { dst, f } => set!(dst, Value::Func(f)),
                Op::AddInt { dst, a, b } => {
                    let (x, y) = int2!(a, b);
                    match x.checked_add(y) {
                        Some(v) => set_scalar!(dst, Value::Int(v)),
                        None => fault!("attempt to add with overflow"),
                    }
                }
                Op::SubInt { dst, a, b } => {
                    let (x, y) = int2!(a, b);
                    match x.checked_sub(y) {
                        Some(v) => set_scalar!(dst, Value::Int(v)),
                        None => fault!("attempt to subtract with overflow"),
                    }
                }
                Op::MulInt { dst, a, b } => {
                    let (x, y) = int2!(a, b);
                    match x.checked_mul(y) {
                        Some(v) => set_scalar!(dst, Value::Int(v)),
                        None => fault!("attempt to multiply with overflow"),
                    }
                }
                Op::DivInt { dst, a, b } => {
                    let (x, y) = int2!(a, b);
                    if y == 0 {
                        fault!("attempt to divide by zero");
                    }
                    match x.checked_div(y) {
                        Some(v) => set_scalar!(dst, Value::Int(v)),
                        None => fault!("attempt to divide with overflow"),
                    }
                }
                Op::RemInt { dst, a, b } => {
                    let (x, y) = int2!(a, b);
                    if y == 0 {
                        fault!("attempt to calculate the remainder with a divisor of zero");
                    }
                    match x.checked_rem(y) {
                        Some(v) => set_scalar!(dst, Value::Int(v)),
                        None => fault!("attempt to calculate the remainder with overflow"),
                    }
                }
                Op::NegInt { dst, a } => {
                    let (x, _) = int2!(a, a);
                    match x.checked_neg() {
                        Some(v) => set_scalar!(dst, Value::Int(v)),
                        None => fault!("attempt to negate with overflow"),
                    }
                }
                Op::AndInt { dst, a, b } => {
                    let (x, y) = int2!(a, b);
                    set_scalar!(dst, Value::Int(x & y));
                }
                Op::OrInt { dst, a, b } => {
                    let (x, y) = int2!(a, b);
                    set_scalar!(dst, Value::Int(x | y));
                }
                Op::XorInt { dst, a, b } => {
                    let (x, y) = int2!(a, b);
                    set_scalar!(dst, Value::Int(x ^ y));
                }
                Op::ShlInt { dst, a, b } => {
                    let (x, y) = int2!(a, b);
                    match u32::try_from(y).ok().and_then(|s| x.checked_shl(s)) {
                        Some(v) => set_scalar!(dst, Value::Int(v)),
                        None => fault!("attempt to shift left with overflow"),
                    }
                }
                Op::ShrInt { dst, a, b } => {
                    let (x, y) = int2!(a, b);
                    match u32::try_from(y).ok().and_then(|s| x.checked_shr(s)) {
                        Some(v) => set_scalar!(dst, Value::Int(v)),
                        None => fault!("attempt to shift right with overflow"),
                    }
                }
                Op::NotInt { dst, a } => {
                    let (x, _) = int2!(a, a);
                    set_scalar!(dst, Value::Int(!x));
                }
                Op::AddFloat { dst, a, b } => {
                    let (x, y) = float2!(a, b);
                    set_scalar!(dst, Value::Float(x + y));
                }
                Op::SubFloat { dst, a, b } => {
                    let (x, y) = float2!(a, b);
                    set_scalar!(dst, Value::Float(x - y));
                }
                Op::MulFloat { dst, a, b } => {
                    let (x, y) = float2!(a, b);
                    set_scalar!(dst, Value::Float(x * y));
                }
                Op::DivFloat { dst, a, b } => {
                    let (x, y) = float2!(a, b);
                    set_scalar!(dst, Value::Float(x / y));
                }
                Op::RemFloat { dst, a, b } => {
                    let (x, y) = float2!(a, b);
                    set_scalar!(dst, Value::Float(x % y));
                }
                Op::NegFloat { dst, a } => {
                    let (x, _) = float2!(a, a);
                    set_scalar!(dst, Value::Float(-x));
                }
                Op::NotBool { dst, a } => {
                    // SAFETY: see `r!`.
                    let Value::Bool(x) = (unsafe { &r!(a) }) else {
                        type_fault!()
                    };
                    set_scalar!(dst, Value::Bool(!x));
                }
                Op::AddIntImm { dst, a, imm } => {
                    let (x, _) = int2!(a, a);
                    match x.checked_add(i64::from(imm)) {
                        Some(v) => set_scalar!(dst, Value::Int(v)),
                        None => fault!("attempt to add with overflow"),
                    }
                }
                Op::SubIntImm { dst, a, imm } => {
                    let (x, _) = int2!(a, a);
                    match x.checked_sub(i64::from(imm)) {
                        Some(v) => set_scalar!(dst, Value::Int(v)),
                        None => fault!("attempt to subtract with overflow"),
                    }
                }
                Op::MulIntImm { dst, a, imm } => {
                    let (x, _) = int2!(a, a);
                    match x.checked_mul(i64::from(imm)) {
                        Some(v) => set_scalar!(dst, Value::Int(v)),
                        None => fault!("attempt to multiply with overflow"),
                    }
                }
                // The verifier proved `imm` is neither 0 nor -1.
                Op::DivIntImm { dst, a, imm } => {
                    let (x, _) = int2!(a, a);
                    set_scalar!(dst, Value::Int(arith::div_by_imm(x, imm)));
                }
                Op::RemIntImm { dst, a, imm } => {
                    let (x, _) = int2!(a, a);
                    set_scalar!(dst, Value::Int(arith::rem_by_imm(x, imm)));
                }
                Op::CmpIntImm { dst, a, imm, cmp } => {
                    let (x, _) = int2!(a, a);
                    set_scalar!(dst, Value::Bool(compare_with(cmp, x.cmp(&i64::from(imm)))));
                }
                Op::BrCmpIntImm { a, imm, cmp, off } => {
                    let (x, _) = int2!(a, a);
                    if compare_with(cmp, x.cmp(&i64::from(imm))) {
                        if (off as usize) < pc {
                            tick!(off as usize);
                        }
                        pc = off as usize;
                    }
                }
                Op::CmpInt { dst, a, b, cmp } => {
                    let (x, y) = int2!(a, b);
                    set_scalar!(dst, Value::Bool(compare_with(cmp, x.cmp(&y))));
                }
                Op::CmpFloat { dst, a, b, cmp } => {
                    let (x, y) = float2!(a, b);
                    set_scalar!(dst, Value::Bool(compare_floats(cmp, x, y)));
                }
                Op::CmpScalar { dst, a, b, cmp } | Op::CmpStr { dst, a, b, cmp } => {
                    // SAFETY: see `r!`.
                    let o = unsafe { value::compare(&r!(a), &r!(b)) };
                    set_scalar!(dst, Value::Bool(compare_with(cmp, o)));
                }
                Op::CmpStrAt { dst, a, b, cmp } => {
                    let (pa, pb) = (ptr!(a), ptr!(b));
                    // SAFETY: references the borrow checker keeps valid.
                    let o = unsafe { value::compare(&*pa, &*pb) };
                    set_scalar!(dst, Value::Bool(compare_with(cmp, o)));
                }
                Op::EqDeep { dst, a, b, ne } => {
                    // SAFETY: see `r!`.
                    let eq = unsafe { value::values_equal(&r!(a), &r!(b)) };
                    set_scalar!(dst, Value::Bool(eq != (ne != 0)));
                }
                Op::EqAt { dst, a, b, ne } => {
                    let (pa, pb) = (ptr!(a), ptr!(b));
                    // SAFETY: references the borrow checker keeps valid.
                    let eq = unsafe { value::values_equal(&*pa, &*pb) };
                    set_scalar!(dst, Value::Bool(eq != (ne != 0)));
                }
                Op::IntToFloat { dst, a } => {
                    let (x, _) = int2!(a, a);
                    set_scalar!(dst, Value::Float(x as f64));
                }
                Op::FloatToInt { dst, a } => {
                    let (x, _) = float2!(a, a);
                    // `as` saturates and maps NaN to 0, as Rust.
                    set_scalar!(dst, Value::Int(x as i64));
                }
                Op::IntToChar { dst, a } => {
                    let (x, _) = int2!(a, a);
                    match u32::try_from(x).ok().and_then(char::from_u32) {
                        Some(c) => set_scalar!(dst, Value::Char(c)),
                        None => fault!(format!("{x} is not a valid char")),
                    }
                }
                Op::CharToInt { dst, a } => {
                    // SAFETY: see `r!`.
                    let Value::Char(c) = (unsafe { &r!(a) }) else {
                        type_fault!()
                    };
                    set_scalar!(dst, Value::Int(i64::from(u32::from(*c))));
                }
                Op::BoolToInt { dst, a } => {
                    // SAFETY: see `r!`.
                    let Value::Bool(b) = (unsafe { &r!(a) }) else {
                        type_fault!()
                    };
                    set_scalar!(dst, Value::Int(i64::from(*b)));
                }
                Op::Jump { off } => {
                    if (off as usize) < pc {
                        tick!(off as usize);
                    }
                    pc = off as usize;
                }
                Op::JumpIf { cond, off } => {
                    // SAFETY: see `r!`.
                    if let Value::Bool(true) = unsafe { &r!(cond) } {
                        if (off as usize) < pc {
                            tick!(off as usize);
                        }
                        pc = off as usize;
                    }
                }
                Op::JumpIfNot { cond, off } => {
                    // SAFETY: see `r!`.
                    if let Value::Bool(false) = unsafe { &r!(cond) } {
                        if (off as usize) < pc {
                            tick!(off as usize);
                        }
                        pc = off as usize;
                    }
                }
                Op::BrCmpInt { a, b, cmp, off } => {
                    let (x, y) = int2!(a, b);
                    if compare_with(cmp, x.cmp(&y)) {
                        if (off as usize) < pc {
                            tick!(off as usize);
                        }
                        pc = off as usize;
                    }
                }
                Op::BrCmpFloat { a, b, cmp, off } => {
                    let (x, y) = float2!(a, b);
                    if compare_floats(cmp & 7, x, y) != (cmp & 8 != 0) {
                        if (off as usize) < pc {
                            tick!(off as usize);
                        }
                        pc = off as usize;
                    }
                }
                Op::Switch {
                    src,
                    table,
                    otherwise,
                } => {
                    // SAFETY: see `r!`.
                    let v = match unsafe { &r!(src) } {
                        Value::Int(i) => *i,
                        _ => type_fault!(),
                    };
                    let t = &func.tables[table as usize];
                    pc = usize::try_from(v)
                        .ok()
                        .and_then(|i| t.get(i))
                        .map_or(otherwise as usize, |x| *x as usize);
                }
                Op::Call { dst, f, args } => {
                    tick!(pc - 1);
                    self.frames.last_mut().expect("a frame").pc = pc;
                    call!(f, dst, args, std::ptr::null_mut());
                }
                Op::Call2 { dst, f, a, b } => {
                    tick!(pc - 1);
                    self.frames.last_mut().expect("a frame").pc = pc;
                    let callee = match self.push_frame_regs(f, dst, std::ptr::null_mut()) {
                        Ok(r) => r,
                        Err(e) => return Err((e, false)),
                    };
                    // SAFETY: `a` and `b` are registers of the caller's
                    // frame and 1 and 2 of the callee's (verified: it takes
                    // two parameters), whose slots own nothing; the
                    // arguments are scalars or references (verified), so
                    // their bits are their copies.
                    unsafe {
                        Value::move_words(regs.add(usize::from(a)), callee.add(1));
                        Value::move_words(regs.add(usize::from(b)), callee.add(2));
                    }
                    enter!(f, callee);
                }
                Op::CallClosure { dst, closure, args } => {
                    tick!(pc - 1);
                    // SAFETY: see `r!`.
                    let (f, cptr) = match unsafe { r!(closure).target_mut() } {
                        Value::Func(f) => (*f, std::ptr::null_mut()),
                        Value::Closure(c) => (c.func(), std::ptr::from_mut(c)),
                        _ => type_fault!(),
                    };
                    self.frames.last_mut().expect("a frame").pc = pc;
                    call!(f, dst, args, cptr);
                }
                Op::CallNative { dst, native, args } => {
                    self.frames.last_mut().expect("a frame").pc = pc;
                    let need = program.native_caps[native as usize];
                    if need & !self.caps.held().bits() != 0 {
                        return Err((self.capability_denied(need), false));
                    }
                    // SAFETY: the argument registers are in this frame
                    // (verified); a native that calls back pushes frames
                    // above them. A reference among them was made by the
                    // VM from a place the borrow checker keeps live (and,
                    // for `&mut`, unaliased) across the call.
                    let argv = unsafe {
                        Args::new(std::slice::from_raw_parts_mut(
                            regs.add(usize::from(args.first)),
                            usize::from(args.count),
                        ))
                    };
                    let f = program.natives[native as usize];
                    let result = std::mem::ManuallyDrop::new(
                        if self.zoned && program.native_zoned[native as usize] {
                            zoned!(f(self, argv))
                        } else {
                            f(self, argv)
                        },
                    );
                    match &*result {
                        Ok(v) => {
                            // SAFETY: see `r!`; the value is moved out of
                            // `result` (never dropped) into the register
                            // whose old value is dropped first.
                            unsafe {
                                let words = Value::read_words(v);
                                Value::overwrite_words(regs.add(usize::from(dst)), words);
                            }
                        }
                        Err(_) => {
                            let e = std::mem::ManuallyDrop::into_inner(result);
                            let e = e.expect_err("an error");
                            // The frame's `pc` (one past the call, set
                            // above) is where a resumed task calls again.
                            self.retry = matches!(e, Fault::Suspend);
                            return Err((e, false));
                        }
                    }
                }
                Op::Return { src } => {
                    // The value travels as its two words, in machine
                    // registers: through a `Value` in memory it would be
                    // stored a word at a time and loaded whole, which the
                    // CPU cannot forward.
                    // SAFETY: see `r!`; the register is left `()`, so the
                    // words are the value's only owner until written.
                    let words = unsafe {
                        let s = regs.add(usize::from(src));
                        // A returned reference (or a value that may hold
                        // one) may come from a `borrow_mut` in this frame.
                        self.returning_refs = !self.mut_borrows.is_empty()
                            && (matches!(*s, Value::Ref(_)) || (*s).owns_heap());
                        Value::take_words(s)
                    };
                    let done = self.pop_frame();
                    if self.frames.len() <= depth {
                        // SAFETY: the words of the value taken above.
                        return Ok(unsafe { Value::from_words(words) });
                    }
                    enter_top!();
                    // SAFETY: see `r!`; the old value is dropped first,
                    // and the words are the value taken above.
                    unsafe { Value::overwrite_words(regs.add(usize::from(done.dst)), words) };
                }
                Op::MakeRecord { dst, ty, fields } => {
                    let v = zoned!(Value::Record(Record::new(ty, take_range!(fields))));
                    set!(dst, v);
                }
                Op::MakeVariant {
                    dst,
                    ty,
                    variant,
                    fields,
                } => {
                    let v = zoned!(Value::variant_of(
                        ty,
                        u32::from(variant),
                        take_range!(fields)
                    ));
                    set!(dst, v);
                }
                Op::MakeList { dst, items } => {
                    let v = zoned!(Value::List(List::new(take_range!(items).collect())));
                    set!(dst, v);
                }
                Op::MakeRepeat { dst, src, count } => {
                    let n = program.consts[count as usize].as_int().unwrap_or(0);
                    // SAFETY: see `r!`.
                    let v = unsafe { r!(src).take() };
                    let n = usize::try_from(n).unwrap_or(0);
                    self.frames.last_mut().expect("a frame").pc = pc;
                    if let Err(f) = self.reserve(n.saturating_mul(size_of::<Value>())) {
                        fault!(f);
                    }
                    let v = zoned!(Value::List(List::new(vec![v; n])));
                    set!(dst, v);
                }
                Op::MakeRange { dst, bounds, kind } => {
                    let mut it = bounds.iter();
                    let mut bound = |present: bool| {
                        if present {
                            // SAFETY: see `r!`.
                            it.next().map_or(Value::Unit, |r| unsafe { r!(r).clone() })
                        } else {
                            Value::Unit
                        }
                    };
                    let start = bound(kind & 2 != 0);
                    let end = bound(kind & 4 != 0);
                    let v = zoned!(Value::record(
                        well_known::RANGE,
                        vec![start, end, Value::Bool(kind & 1 != 0)]
                    ));
                    set!(dst, v);
                }
                Op::MakeClosure { dst, f, captures } => {
                    let v = zoned!(Value::Closure(Closure::new(f, take_range!(captures))));
                    set!(dst, v);
                }
                Op::Tag { dst, src } => {
                    // SAFETY: see `r!`.
                    let Some(t) = (unsafe { r!(src).tag() }) else {
                        type_fault!()
                    };
                    set_scalar!(dst, Value::Int(i64::from(t)));
                }
                Op::TagAt { dst, ptr } => {
                    let p = ptr!(ptr);
                    // SAFETY: a live reference (borrow checker).
                    let Some(t) = (unsafe { (*p).tag() }) else {
                        type_fault!()
                    };
                    set_scalar!(dst, Value::Int(i64::from(t)));
                }
                Op::GetField { dst, src, field } => {
                    // SAFETY: see `r!`.
                    let v = match unsafe { r!(src).compact_parts() } {
                        Some((_, _, f)) => (field == 0).then_some(f),
                        // SAFETY: see `r!`.
                        None => match unsafe { r!(src).fields_mut() } {
                            Some(fs) => fs.get(usize::from(field)).cloned(),
                            None => None,
                        },
                    };
                    match v {
                        Some(v) => set!(dst, v),
                        None => type_fault!(),
                    }
                }
                Op::TakeField { dst, src, field } => {
                    // A compact variant's field is a scalar: a copy moves it.
                    // SAFETY: see `r!`.
                    let v = match unsafe { r!(src).compact_parts() } {
                        Some((_, _, f)) => (field == 0).then_some(f),
                        // SAFETY: see `r!`.
                        None => match unsafe { r!(src).fields_mut() } {
                            Some(fs) => fs.get_mut(usize::from(field)).map(Value::take),
                            None => None,
                        },
                    };
                    match v {
                        Some(v) => set!(dst, v),
                        None => type_fault!(),
                    }
                }
                Op::SetField { obj, field, src } => {
                    // SAFETY: see `r!`.
                    let v = unsafe { r!(src).take() };
                    // SAFETY: see `r!`.
                    match unsafe { r!(obj).fields_mut() }
                        .and_then(|fs| fs.get_mut(usize::from(field)))
                    {
                        Some(slot) => *slot = v,
                        None => type_fault!(),
                    }
                }
                Op::CellBorrowSite { site } => {
                    gc::tag_cell_borrow(
                        &mut self.cell_borrows,
                        &mut self.mut_borrows,
                        self.frames.len(),
                        site,
                    );
                }
                Op::CellRelease { site } => {
                    gc::release_cell_borrow(
                        &mut self.cell_borrows,
                        &mut self.mut_borrows,
                        self.frames.len(),
                        site,
                    );
                }
                Op::GcDeref { dst, src } => {
                    // SAFETY: see `r!`.
                    let g = match unsafe { r!(src).target() } {
                        Value::Gc(g) => Some(*g),
                        // The value in a pool slot the handle owns (alive
                        // while the handle is, which the borrow of it the
                        // reference is keeps).
                        Value::Pooled(h) => {
                            set_scalar!(dst, Value::Ref(h.value_ptr()));
                            continue;
                        }
                        _ => None,
                    };
                    match g {
                        // SAFETY: a `Gc` in a register is a root.
                        Some(g) => match unsafe { g.value_ptr() } {
                            Some(p) => set_scalar!(dst, Value::Ref(p)),
                            None => fault!(gc::FINALIZED_DEREF),
                        },
                        None => type_fault!(),
                    }
                }
                Op::AddrReg { dst, src } => {
                    // SAFETY: see `r!`.
                    let p = unsafe { regs.add(usize::from(src)) };
                    set!(dst, Value::Ref(p));
                }
                Op::Promote { dst, src, slot } => {
                    let slot = usize::from(slot);
                    if self.statics.len() <= slot {
                        self.statics.resize_with(slot + 1, || None);
                    }
                    let cell = self.statics[slot].get_or_insert_with(|| {
                        // SAFETY: see `r!`.
                        Box::new(unsafe { r!(src).clone() })
                    });
                    let p = std::ptr::from_mut::<Value>(&mut **cell);
                    set!(dst, Value::Ref(p));
                }
                Op::AddrField { dst, ptr, field } => match field_of!(ptr, field) {
                    Some(t) => set!(dst, Value::Ref(t)),
                    None => type_fault!(),
                },
                Op::LoadField { dst, ptr, field } => {
                    let p = ptr!(ptr);
                    // SAFETY: a live reference (borrow checker).
                    match unsafe { load_field(p, field) } {
                        Some(v) => set!(dst, v),
                        None => type_fault!(),
                    }
                }
                Op::StoreField { ptr, field, src } => match field_of!(ptr, field) {
                    Some(t) => {
                        // SAFETY: see `r!`.
                        let v = unsafe { r!(src).take() };
                        self.heap.note_store(&v);
                        // SAFETY: a field of a value the reference reaches
                        // uniquely (borrow checker).
                        unsafe { (*t).overwrite(v) };
                    }
                    None => type_fault!(),
                },
                Op::AddrIndex { dst, ptr, index } => match element_of!(ptr, index) {
                    Ok(t) => set!(dst, Value::Ref(t)),
                    Err(m) => fault!(m),
                },
                Op::LoadIndex { dst, ptr, index } => match element_of!(ptr, index) {
                    // SAFETY: an element of a live value (see `element_of!`).
                    Ok(t) => set!(dst, unsafe { (*t).clone() }),
                    Err(m) => fault!(m),
                },
                Op::StoreIndex { ptr, index, src } => match element_of!(ptr, index) {
                    Ok(t) => {
                        // SAFETY: see `r!`.
                        let v = unsafe { r!(src).take() };
                        // SAFETY: an element the reference reaches uniquely
                        // (borrow checker).
                        unsafe { (*t).overwrite(v) };
                        // A list remembers where it may point into the
                        // nursery (see `value::list`).
                        let base = ptr!(ptr);
                        // SAFETY: as `element_of!`: the place and index
                        // registers are live.
                        unsafe { note_list_store(base, &r!(index), &self.heap) };
                    }
                    Err(m) => fault!(m),
                },
                Op::LoadIndexField {
                    dst,
                    ptr,
                    index,
                    field,
                } => match element_of!(ptr, index) {
                    // SAFETY: an element of a live value (see `element_of!`).
                    Ok(e) => match unsafe { load_field(e, field) } {
                        Some(v) => set!(dst, v),
                        None => type_fault!(),
                    },
                    Err(m) => fault!(m),
                },
                Op::StoreIndexField {
                    ptr,
                    index,
                    field,
                    src,
                } => match element_of!(ptr, index) {
                    // SAFETY: an element of a live value (see `element_of!`).
                    Ok(e) => match unsafe { field_place(e, field) } {
                        Some(t) => {
                            // SAFETY: see `r!`.
                            let v = unsafe { r!(src).take() };
                            self.heap.note_store(&v);
                            // SAFETY: a field of an element the reference
                            // reaches uniquely (borrow checker).
                            unsafe { (*t).overwrite(v) };
                        }
                        None => type_fault!(),
                    },
                    Err(m) => fault!(m),
                },
                Op::AddrConstIndex {
                    dst,
                    ptr,
                    offset,
                    from_end,
                } => {
                    let p = ptr!(ptr);
                    // SAFETY: a live reference (borrow checker).
                    let t = unsafe {
                        match (*p).target_mut() {
                            Value::List(l) => {
                                let n = l.len();
                                let i = if from_end != 0 {
                                    n.checked_sub(usize::from(offset) + 1)
                                } else {
                                    Some(usize::from(offset))
                                };
                                i.and_then(|i| l.slot_ptr(i))
                            }
                            _ => None,
                        }
                    };
                    match t {
                        Some(t) => set!(dst, Value::Ref(t)),
                        None => fault!("index out of bounds"),
                    }
                }
                Op::Load { dst, ptr } => {
                    let p = ptr!(ptr);
                    // SAFETY: a live reference (borrow checker).
                    let v = zoned!(unsafe { (*p).clone() });
                    set!(dst, v);
                }
                Op::Take { dst, ptr } => {
                    let p = ptr!(ptr);
                    // SAFETY: a live unique path to the place (borrow checker).
                    let v = unsafe { (*p).take() };
                    set!(dst, v);
                }
                Op::Store { ptr, src } => {
                    let p = ptr!(ptr);
                    // SAFETY: see `r!`.
                    let v = unsafe { r!(src).take() };
                    self.heap.note_store(&v);
                    // SAFETY: a live unique reference (borrow checker).
                    unsafe { (*p).overwrite(v) };
                }
                Op::DropAt { ptr } => {
                    let p = ptr!(ptr);
                    // SAFETY: a live unique reference (borrow checker).
                    unsafe { *p = Value::Unit };
                }
                Op::Clone { dst, ptr } => {
                    let p = ptr!(ptr);
                    // SAFETY: a live reference (borrow checker).
                    let v = unsafe { (*p).clone() };
                    set!(dst, v);
                }
                Op::JsonGet {
                    dst,
                    obj,
                    k,
                    mode,
                    slot,
                } => {
                    // SAFETY: a live reference (borrow checker; verified
                    // a reference register).
                    let target = unsafe { r!(obj).target() };
                    let key = program.consts[k as usize].as_str().unwrap_or_default();
                    match self.member_cache.get(target, key, mode, slot) {
                        Ok(v) => set!(dst, v),
                        Err(e) => fault!(e),
                    }
                }
                Op::Len { dst, ptr } => {
                    let p = ptr!(ptr);
                    // SAFETY: a live reference (borrow checker).
                    let n = unsafe {
                        match (*p).target() {
                            Value::List(l) => l.len(),
                            Value::Map(m) => m.len(),
                            Value::Str(s) => s.len(),
                            _ => type_fault!(),
                        }
                    };
                    set_scalar!(dst, Value::Int(n as i64));
                }
                Op::IntoIter { dst, src } => {
                    // SAFETY: see `r!`.
                    let v = unsafe { r!(src).take() };
                    // SAFETY: a value from a register.
                    match unsafe { into_iter(v) } {
                        Ok(it) => set!(dst, it),
                        Err(m) => fault!(m),
                    }
                }
                Op::IterNext { dst, ptr } => {
                    let p = ptr!(ptr);
                    // SAFETY: a live unique reference to the iterator.
                    let next = unsafe {
                        match (*p).target_mut() {
                            Value::Iter(it) => iter_next(it),
                            _ => type_fault!(),
                        }
                    };
                    set!(
                        dst,
                        match next {
                            Some(v) => Value::variant(well_known::OPTION, 0, vec![v]),
                            None => Value::Tag(well_known::OPTION, 1),
                        }
                    );
                }
                Op::ForIter { dst, iter, exit } => match next_item!(iter) {
                    Some(v) => set!(dst, v),
                    None => pc = exit as usize,
                },
                Op::ForIterLoop { dst, iter, body } => {
                    if let Some(v) = next_item!(iter) {
                        set!(dst, v);
                        tick!(body as usize);
                        pc = body as usize;
                    }
                }
                Op::ForRange {
                    dst,
                    cur,
                    end,
                    exit,
                } => {
                    if !range_step!(dst, cur, end) {
                        pc = exit as usize;
                    }
                }
                Op::ForRangeLoop {
                    dst,
                    cur,
                    end,
                    body,
                } => {
                    if range_step!(dst, cur, end) {
                        tick!(body as usize);
                        pc = body as usize;
                    }
                }
                Op::RangeInclusiveEnd { end } => {
                    let (e, _) = int2!(end, end);
                    match e.checked_add(1) {
                        Some(e) => set_scalar!(end, Value::Int(e)),
                        None => fault!("range end overflows"),
                    }
                }
                Op::ToError { dst, src } => {
                    // SAFETY: see `r!`.
                    let v = unsafe { r!(src).take() };
                    // SAFETY: a value from a register (see `r!`).
                    let e = unsafe { natives::to_error(self, v) };
                    set!(dst, e);
                }
                Op::Drop { reg } => set!(reg, Value::Unit),
                Op::DropIf { reg, flag } => {
                    // SAFETY: see `r!`.
                    if let Value::Bool(true) = unsafe { &r!(flag) } {
                        set!(reg, Value::Unit);
                    }
                }
                Op::Panic { msg } => {
                    // SAFETY: see `r!`.
                    let m = unsafe { r!(msg).as_str().unwrap_or("explicit panic").to_string() };
                    fault!(m);
                }
                Op::Resume {} => {
                    self.frames.last_mut().expect("a frame").pc = pc;
                    let p = self.panicking.take().unwrap_or_else(|| Panic {
                        kind: PanicKind::Panic,
                        message: "resumed without a panic".into(),
                        location: None,
                        backtrace: Vec::new(),
                        elided: 0,
                        elided_repeat: false,
                    });
                    return Err((Fault::Panic(p), true));
                }
                Op::CaughtPanic { dst } => {
                    let p = self.panicking.take();
                    let v = match p {
                        Some(p) => natives::panic_value(&p),
                        None => Value::Unit,
                    };
                    set!(dst, v);
                }
                Op::Unreachable {} => fault!("internal error: entered unreachable code"),
            }
        }
    }
}

fn compare_with(cmp: u8, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match cmp {
        0 => o == Equal,
        1 => o != Equal,
        2 => o == Less,
        3 => o != Greater,
        4 => o == Greater,
        _ => o != Less,
    }
}

/// `x cmp y` on floats (`cmp` as for `cmp_float`; false when either is
/// NaN, but for `!=`).
#[inline]
fn compare_floats(cmp: u8, x: f64, y: f64) -> bool {
    match cmp {
        0 => x == y,
        1 => x != y,
        2 => x < y,
        3 => x <= y,
        4 => x > y,
        _ => x >= y,
    }
}

/// The place `base[key]` of a list, array or map.
/// A pointer to field `field` of the struct, tuple, array or variant at
/// `p` (through any references); `None` if it has no such field.
///
/// # Safety
/// `p` points to a live value that nothing else accesses meanwhile.
#[inline]
unsafe fn field_place(p: *mut Value, field: u16) -> Option<*mut Value> {
    // SAFETY: the caller's contract. Match ergonomics leave some `*`
    // implicit in MIR places, so a field of a reference is the field of
    // what it points to.
    unsafe {
        let target = (*p).target_mut();
        // A compact `Some(x)` gets a place for `x` (see `Value::expand`).
        target.expand();
        match target {
            Value::Record(r) => r
                .fields_mut()
                .get_mut(usize::from(field))
                .map(std::ptr::from_mut::<Value>),
            Value::Variant(v) => v
                .fields_mut()
                .get_mut(usize::from(field))
                .map(std::ptr::from_mut::<Value>),
            Value::List(l) => l.slot_ptr(usize::from(field)),
            _ => None,
        }
    }
}

/// A copy of field `field` of the value at `p` (through any references);
/// a compact variant's field is read where it is, without expanding it.
///
/// # Safety
/// As [`field_place`].
#[inline]
unsafe fn load_field(p: *mut Value, field: u16) -> Option<Value> {
    // SAFETY: the caller's contract.
    let target = unsafe { (*p).target() };
    if let Some((_, _, f)) = target.compact_parts() {
        return (field == 0).then_some(f);
    }
    // SAFETY: the caller's contract; the place is a field of a live value.
    unsafe { field_place(p, field).map(|t| (*t).clone()) }
}

/// After `base[key] = v` (`store_index`): when `base` is a list, it notes
/// the write (see `value::list`).
///
/// # Safety
///
/// As [`index_place`]: `base` is a live reference the borrow checker
/// keeps unique, `key` a register.
#[inline]
unsafe fn note_list_store(base: *mut Value, key: &Value, heap: &crate::heap::Heap) {
    // SAFETY: the caller's promise.
    if let (Value::List(l), Value::Int(i)) = (unsafe { (*base).target_mut() }, key)
        && let Ok(i) = usize::try_from(*i)
    {
        l.note_store(i, |v| heap.is_young(v));
    }
}

/// A pointer to element `key` of the list or map `base` (through any
/// references): the list case inline, the rest out of line.
///
/// # Safety
///
/// `base` and `key` are registers: any reference in them is one
/// [`Value::target_mut`] may follow.
#[inline]
unsafe fn index_place(base: &mut Value, key: &Value) -> Result<*mut Value, String> {
    // SAFETY: the caller's promise.
    let base = unsafe { base.target_mut() };
    if let (Value::List(l), Value::Int(i)) = (&mut *base, key)
        && let Some(e) = usize::try_from(*i).ok().and_then(|i| l.slot_ptr(i))
    {
        return Ok(e);
    }
    // SAFETY: the caller's promise.
    unsafe { index_place_slow(base, key) }
}

/// # Safety
///
/// As [`index_place`].
#[inline(never)]
unsafe fn index_place_slow(base: &mut Value, key: &Value) -> Result<*mut Value, String> {
    match base {
        Value::List(l) => {
            let Some(i) = key.as_int() else {
                return Err("internal error: a list index that is not an int".into());
            };
            let len = l.len();
            usize::try_from(i)
                .ok()
                .and_then(|i| l.slot_ptr(i))
                .ok_or_else(|| {
                    format!("index out of bounds: the len is {len} but the index is {i}")
                })
        }
        Value::Map(m) => m
            // SAFETY: the caller's promise.
            .get_mut(&value::KeyRef(unsafe { key.target() }))
            .map(|e| std::ptr::from_mut(value::entry_part(e, 1)))
            .ok_or_else(|| "key not found in map".to_string()),
        _ => Err("internal error: indexing a value that is not a list or map".into()),
    }
}

/// The iterator a `for` loop walks over `v`.
///
/// # Safety
///
/// `v` comes from a register: a reference in it is one
/// [`Value::target_mut`] may follow.
unsafe fn into_iter(v: Value) -> Result<Value, String> {
    let it = match v {
        Value::Iter(_) => return Ok(v),
        Value::List(l) => Iter::Owned(l.into_vec().into_iter()),
        Value::Map(m) => Iter::Owned(
            m.into_iter()
                .map(|(_, e)| e)
                .collect::<Vec<_>>()
                .into_iter(),
        ),
        Value::Record(r) if r.ty() == well_known::RANGE => range_iter(r.fields())?,
        Value::Host(h) if matches!(*h, crate::sched::HostObject::Receiver(_)) => Iter::Channel(h),
        Value::Ref(p) => {
            // SAFETY: the caller's promise.
            match unsafe { (*p).target_mut() } {
                Value::List(l) => Iter::Refs {
                    next: l.start_ptr(),
                    left: l.len(),
                    stride: 1,
                },
                Value::Map(m) => Iter::MapRefs {
                    map: &raw mut **m,
                    next: 0,
                },
                Value::Record(r) if r.ty() == well_known::RANGE => range_iter(r.fields())?,
                // `for v in &rx`: receives, as `for v in rx` does.
                Value::Host(h) if matches!(**h, crate::sched::HostObject::Receiver(_)) => {
                    Iter::Channel(h.clone())
                }
                _ => return Err("internal error: iterating a value that is not iterable".into()),
            }
        }
        _ => return Err("internal error: iterating a value that is not iterable".into()),
    };
    Ok(Value::Iter(value::IterBox::new(it)))
}

fn range_iter(fields: &[Value]) -> Result<Iter, String> {
    let start = fields.first().and_then(Value::as_int).unwrap_or(0);
    let inclusive = matches!(fields.get(2), Some(Value::Bool(true)));
    let end = match fields.get(1).and_then(Value::as_int) {
        Some(e) if inclusive => e.checked_add(1).ok_or("range end overflows")?,
        Some(e) => e,
        None => i64::MAX,
    };
    Ok(Iter::Range { next: start, end })
}

/// The next item of an iterator.
///
/// # Safety
///
/// The collection a borrowing iterator walks (`Refs`, `MapRefs`,
/// `MapPart`) is still live and unmoved: the borrow checker keeps it so
/// for an iterator in a register or a native's argument.
pub unsafe fn iter_next(it: &mut Iter) -> Option<Value> {
    match it {
        Iter::Range { next, end } => {
            if *next < *end {
                let v = *next;
                *next += 1;
                Some(Value::Int(v))
            } else {
                None
            }
        }
        Iter::Owned(i) => i.next(),
        Iter::Refs { next, left, stride } => {
            if *left == 0 {
                return None;
            }
            let v = Value::Ref(*next);
            *left -= 1;
            // SAFETY: `next` walks a live buffer the iterator borrows; this
            // stays within it or one past its end (never dereferenced then).
            *next = unsafe { next.add(*stride) };
            Some(v)
        }
        Iter::MapRefs { map, next } => {
            // SAFETY: the map outlives the iteration (borrow checker).
            let m = unsafe { &mut **map };
            let (_, e) = m.get_index_mut(*next)?;
            *next += 1;
            Some(Value::Ref(e))
        }
        Iter::MapPart { map, next, values } => {
            // SAFETY: the map outlives the iteration (borrow checker).
            let m = unsafe { &mut **map };
            let (_, e) = m.get_index_mut(*next)?;
            *next += 1;
            // Keys are never written through these references.
            Some(Value::Ref(value::entry_part(e, usize::from(*values))))
        }
        Iter::Chars { text, pos } => {
            let c = text[*pos..].chars().next()?;
            *pos += c.len_utf8();
            Some(Value::Char(c))
        }
        // Only a native walking a receiver gets here (a `for` loop's step
        // is the VM's, which suspends a task instead): the thread waits.
        Iter::Channel(h) => match &**h {
            crate::sched::HostObject::Receiver(chan) => crate::sched::handles::recv_blocking(chan),
            _ => None,
        },
    }
}

/// A flag another thread sets to stop a run.
pub fn cancel_flag() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(false))
}
