//! The bytecode: the only contract between the compiler and the runtime.
//! A [`Module`] holds constants, a type table, native function names and
//! functions; a [`Function`] has typed registers (so the VM knows which
//! hold owned or GC values — its root map), code, and a line table. The
//! instruction set is declared once in [`ops`]. Modules serialise to a
//! binary form and are verified when loaded ([`verify`]); the disassembler
//! ([`disasm`]) prints them for `ward run --emit bytecode`.

// Code offsets, register and table indices are bounded by the module's own
// tables (`u32` and `u16` on the wire), so conversions between them and
// `usize` / `i64` do not lose anything.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

pub mod disasm;
mod format;
pub mod ops;
pub mod verify;

pub use format::LoadError;
pub use ops::{Op, Reg, RegRange};

/// The type of a register (fixed for the whole function), which is what
/// makes instructions typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegType {
    Unit,
    Int,
    Float,
    Bool,
    Char,
    /// An owned `String`.
    Str,
    /// An owned value of type-table entry `n` (record, enum, list, map,
    /// closure): freed when dropped, traced when it may hold `Gc` values.
    Owned(u32),
    /// A pointer into the task's GC heap to a value of type-table entry `n`.
    Gc(u32),
    /// A reference (`&T`, `&mut T`) to a register, field or element: it
    /// owns nothing, and the borrow checker proved its target outlives it.
    Ref,
    /// A value of a type parameter (generics share one representation):
    /// whatever it holds, the collector must see it.
    Any,
}

impl RegType {
    /// Whether the register holds something the collector must see.
    pub fn is_root(self) -> bool {
        matches!(self, RegType::Owned(_) | RegType::Gc(_) | RegType::Any)
    }

    /// Whether the register may hold something that must be dropped (the
    /// roots, and strings).
    pub fn may_own(self) -> bool {
        self == RegType::Str || self.is_root()
    }

    pub fn name(self) -> String {
        match self {
            RegType::Unit => "unit".into(),
            RegType::Int => "int".into(),
            RegType::Float => "float".into(),
            RegType::Bool => "bool".into(),
            RegType::Char => "char".into(),
            RegType::Str => "str".into(),
            RegType::Owned(t) => format!("own ty#{t}"),
            RegType::Gc(t) => format!("gc ty#{t}"),
            RegType::Ref => "ref".into(),
            RegType::Any => "any".into(),
        }
    }
}

/// An entry of the type table.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    /// A struct or tuple: its fields. `Debug` formatting prints them: a
    /// tuple has no `name` and no `field_names`, a tuple or unit struct a
    /// `name` and no `field_names`, a struct both.
    Record {
        name: String,
        fields: Vec<RegType>,
        field_names: Vec<String>,
    },
    /// An enum: each variant's fields, and for each variant the names of
    /// its fields when it is struct-like (`Reading { hr: int }`), none for
    /// a tuple-like or unit variant.
    Enum {
        name: String,
        variants: Vec<(String, Vec<RegType>)>,
        field_names: Vec<Vec<String>>,
    },
    /// A list of elements.
    List(RegType),
    /// A map from keys to values, in insertion order.
    Map(RegType, RegType),
    /// A closure: the function it runs (its captures come first among the
    /// function's parameters).
    Closure { params: Vec<RegType>, ret: RegType },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Constant {
    Int(i64),
    Float(f64),
    Char(char),
    Str(String),
    /// Jump offsets (relative to the instruction after the `switch`).
    JumpTable(Vec<i32>),
}

/// Where an instruction came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineEntry {
    /// The first byte of the instructions from this position on.
    pub pc: u32,
    pub line: u32,
    pub col: u32,
}

/// Panics from instructions in `start..end` (byte offsets) continue at
/// `target`. Costs nothing until a panic happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handler {
    pub start: u32,
    pub end: u32,
    pub target: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub name: String,
    /// Register 0 receives the result; parameters are registers
    /// `1..=arity`; a closure's captures follow them.
    pub arity: u16,
    pub ret: RegType,
    pub regs: Vec<RegType>,
    pub code: Vec<u8>,
    /// Sorted by `pc`.
    pub lines: Vec<LineEntry>,
    /// Where a panic continues in this function: the first handler whose
    /// range holds the faulting instruction (cleanup code that runs drops
    /// and `defer`s, or a `recover` block). None: the frame is unwound.
    pub handlers: Vec<Handler>,
    /// Index into [`Module::files`].
    pub file: u32,
    /// The capabilities it needs (its `uses` clause, or what the compiler
    /// inferred): a host refuses to start it without them.
    pub caps: crate::caps::CapSet,
}

impl Function {
    /// The parameters' register types.
    pub fn params(&self) -> &[RegType] {
        self.regs.get(1..=usize::from(self.arity)).unwrap_or(&[])
    }

    /// The registers the collector scans (the root map).
    pub fn roots(&self) -> impl Iterator<Item = Reg> + '_ {
        self.regs
            .iter()
            .enumerate()
            .filter(|(_, t)| t.is_root())
            .map(|(i, _)| i as Reg)
    }

    /// Where a panic at `pc` continues, if this function handles it.
    pub fn handler_at(&self, pc: u32) -> Option<u32> {
        self.handlers
            .iter()
            .find(|h| h.start <= pc && pc < h.end)
            .map(|h| h.target)
    }

    /// The source position of the instruction at `pc`.
    pub fn line_at(&self, pc: u32) -> Option<LineEntry> {
        let i = self.lines.partition_point(|l| l.pc <= pc);
        i.checked_sub(1).map(|i| self.lines[i])
    }

    /// Decodes every instruction with its offset.
    pub fn instructions(&self) -> Result<Vec<(usize, Op)>, ops::DecodeError> {
        let mut out = Vec::new();
        let mut pc = 0;
        while pc < self.code.len() {
            let (op, len) = Op::decode(&self.code, pc)?;
            out.push((pc, op));
            pc += len;
        }
        Ok(out)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Module {
    pub name: String,
    /// Source file paths, for positions in backtraces.
    pub files: Vec<String>,
    pub constants: Vec<Constant>,
    pub types: Vec<TypeDef>,
    /// Names of the native functions the host binds at load.
    pub natives: Vec<String>,
    pub functions: Vec<Function>,
    /// The function `ward run` starts (`main`).
    pub entry: Option<u32>,
}

impl Module {
    /// Reads and verifies a module.
    pub fn load(bytes: &[u8]) -> Result<Module, LoadError> {
        let m = format::read(bytes)?;
        verify::verify(&m).map_err(LoadError::Invalid)?;
        Ok(m)
    }

    /// The binary form (`load` reads it back).
    pub fn to_bytes(&self) -> Vec<u8> {
        format::write(self)
    }
}

/// Builds a function's code, resolving forward jumps.
#[derive(Debug, Default)]
pub struct Assembler {
    pub code: Vec<u8>,
}

impl Assembler {
    /// Appends an instruction; returns its offset.
    pub fn emit(&mut self, op: Op) -> usize {
        let at = self.code.len();
        op.encode(&mut self.code);
        at
    }

    /// Rewrites the jump of the instruction at `at` to land on `target`.
    pub fn patch_jump(&mut self, at: usize, target: usize) -> Result<(), ops::DecodeError> {
        let (op, len) = Op::decode(&self.code, at)?;
        let off = i32::try_from(target as i64 - (at + len) as i64).unwrap_or(i32::MAX);
        let patched = op.with_jump(off);
        let mut bytes = Vec::with_capacity(len);
        patched.encode(&mut bytes);
        self.code[at..at + len].copy_from_slice(&bytes);
        Ok(())
    }
}
