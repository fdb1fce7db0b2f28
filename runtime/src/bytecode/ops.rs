//! The instruction set, declared once. Each entry gives an opcode's name,
//! its operands (with their kinds) and a line saying what it does; the
//! `instructions!` macro derives from that the `Op` enum, the encoder, the
//! decoder, the operand lists the verifier checks and the disassembler's
//! text. Registers are typed by the function's register table (see
//! `RegType`), and every instruction is typed, so the interpreter never
//! checks a value's type at run time: the verifier has checked it once.
//!
//! Encoding: one opcode byte, then each operand little-endian — `Reg` and
//! `U16` are 2 bytes, `Const` and `Func` 4, `Off` 4 (signed, relative to
//! the next instruction), `U8` 1, `Regs` 4 (first register, count).

/// A register index within the current frame.
pub type Reg = u16;

/// The kind of an operand, for the decoder, verifier and disassembler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperandKind {
    /// A register the instruction reads.
    Src,
    /// A register the instruction writes.
    Dst,
    /// A register the instruction both reads and writes.
    SrcDst,
    /// An index into the module's constant pool.
    Const,
    /// An index into the module's functions.
    Func,
    /// An index into the module's native function table.
    Native,
    /// An index into the module's type table.
    Type,
    /// A small immediate (field index, variant, count).
    U16,
    U8,
    /// A jump offset relative to the next instruction.
    Off,
    /// A signed immediate (an `int` operand written in the instruction).
    Int,
    /// A run of consecutive registers: first and count (read).
    Regs,
}

/// A run of registers `first..first + count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegRange {
    pub first: Reg,
    pub count: u16,
}

impl RegRange {
    pub fn iter(self) -> impl Iterator<Item = Reg> {
        (0..self.count).map(move |i| self.first.wrapping_add(i))
    }
}

/// Why a byte sequence is not an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    UnknownOpcode { at: usize, byte: u8 },
    Truncated { at: usize },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::UnknownOpcode { at, byte } => {
                write!(f, "unknown opcode 0x{byte:02x} at byte {at}")
            }
            DecodeError::Truncated { at } => write!(f, "instruction at byte {at} is cut short"),
        }
    }
}

/// Operand values as the macro moves them around.
pub trait Operand: Copy {
    const SIZE: usize;
    fn put(self, out: &mut Vec<u8>);
    fn get(bytes: &[u8]) -> Self;
    fn show(self, kind: OperandKind) -> String;
}

impl Operand for u8 {
    const SIZE: usize = 1;
    fn put(self, out: &mut Vec<u8>) {
        out.push(self);
    }
    fn get(bytes: &[u8]) -> Self {
        bytes[0]
    }
    fn show(self, _: OperandKind) -> String {
        self.to_string()
    }
}

impl Operand for u16 {
    const SIZE: usize = 2;
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn get(bytes: &[u8]) -> Self {
        u16::from_le_bytes([bytes[0], bytes[1]])
    }
    fn show(self, kind: OperandKind) -> String {
        match kind {
            OperandKind::Src | OperandKind::Dst | OperandKind::SrcDst => format!("r{self}"),
            OperandKind::Native => format!("native#{self}"),
            _ => self.to_string(),
        }
    }
}

impl Operand for u32 {
    const SIZE: usize = 4;
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn get(bytes: &[u8]) -> Self {
        u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
    }
    fn show(self, kind: OperandKind) -> String {
        match kind {
            OperandKind::Const => format!("k{self}"),
            OperandKind::Func => format!("fn#{self}"),
            OperandKind::Type => format!("ty#{self}"),
            _ => self.to_string(),
        }
    }
}

impl Operand for i32 {
    const SIZE: usize = 4;
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn get(bytes: &[u8]) -> Self {
        i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
    }
    fn show(self, kind: OperandKind) -> String {
        match kind {
            OperandKind::Int => format!("#{self}"),
            _ => format!("{self:+}"),
        }
    }
}

impl Operand for RegRange {
    const SIZE: usize = 4;
    fn put(self, out: &mut Vec<u8>) {
        self.first.put(out);
        self.count.put(out);
    }
    fn get(bytes: &[u8]) -> Self {
        RegRange {
            first: u16::get(bytes),
            count: u16::get(&bytes[2..]),
        }
    }
    fn show(self, _: OperandKind) -> String {
        if self.count == 0 {
            "()".into()
        } else {
            format!(
                "r{}..r{}",
                self.first,
                u32::from(self.first) + u32::from(self.count) - 1
            )
        }
    }
}

/// One operand of a decoded instruction, for the verifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperandValue {
    Reg(OperandKind, Reg),
    Index(OperandKind, u32),
    Imm(u32),
    /// A signed immediate.
    Int(i32),
    Off(i32),
    Regs(RegRange),
}

trait ToValue {
    fn value(self, kind: OperandKind) -> OperandValue;
}

impl ToValue for u8 {
    fn value(self, _: OperandKind) -> OperandValue {
        OperandValue::Imm(u32::from(self))
    }
}

impl ToValue for u16 {
    fn value(self, kind: OperandKind) -> OperandValue {
        match kind {
            OperandKind::Src | OperandKind::Dst | OperandKind::SrcDst => {
                OperandValue::Reg(kind, self)
            }
            OperandKind::Native => OperandValue::Index(kind, u32::from(self)),
            _ => OperandValue::Imm(u32::from(self)),
        }
    }
}

impl ToValue for u32 {
    fn value(self, kind: OperandKind) -> OperandValue {
        OperandValue::Index(kind, self)
    }
}

impl ToValue for i32 {
    fn value(self, kind: OperandKind) -> OperandValue {
        match kind {
            OperandKind::Int => OperandValue::Int(self),
            _ => OperandValue::Off(self),
        }
    }
}

impl ToValue for RegRange {
    fn value(self, _: OperandKind) -> OperandValue {
        OperandValue::Regs(self)
    }
}

/// Swaps register operands (for [`Op::with_dst`] and [`Op::with_src`]).
trait ReplaceDst: Sized {
    fn replace_dst(self, _kind: OperandKind, _r: Reg, _n: &mut u32) -> Self {
        self
    }
    fn replace_src(self, _kind: OperandKind, _old: Reg, _new: Reg) -> Self {
        self
    }
}

impl ReplaceDst for u8 {}
impl ReplaceDst for u32 {}
impl ReplaceDst for i32 {}
impl ReplaceDst for RegRange {}

impl ReplaceDst for u16 {
    fn replace_dst(self, kind: OperandKind, r: Reg, n: &mut u32) -> Self {
        if kind == OperandKind::Dst {
            *n += 1;
            r
        } else {
            self
        }
    }

    fn replace_src(self, kind: OperandKind, old: Reg, new: Reg) -> Self {
        if kind == OperandKind::Src && self == old {
            new
        } else {
            self
        }
    }
}

macro_rules! instructions {
    ($(
        $(#[doc = $doc:literal])+
        $name:ident = $code:literal, $mnemonic:literal { $($field:ident : $ty:ty => $kind:ident),* $(,)? }
    )*) => {
        /// A decoded instruction.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Op {
            $(
                $(#[doc = $doc])+
                $name { $($field: $ty),* },
            )*
        }

        impl Op {
            /// Appends the encoding of the instruction.
            pub fn encode(&self, out: &mut Vec<u8>) {
                match *self {
                    $(Op::$name { $($field),* } => {
                        out.push($code);
                        $(Operand::put($field, out);)*
                    })*
                }
            }

            /// Decodes the instruction at `at`, returning it and its length.
            pub fn decode(code: &[u8], at: usize) -> Result<(Op, usize), DecodeError> {
                let Some(&byte) = code.get(at) else {
                    return Err(DecodeError::Truncated { at });
                };
                match byte {
                    $($code => {
                        let len = 1 $(+ <$ty as Operand>::SIZE)*;
                        #[allow(unused_variables)]
                        let Some(bytes) = code.get(at..at + len) else {
                            return Err(DecodeError::Truncated { at });
                        };
                        #[allow(unused_mut, unused_variables, unused_assignments)]
                        let mut pos = 1;
                        $(
                            let $field = <$ty as Operand>::get(&bytes[pos..]);
                            #[allow(unused_assignments)]
                            {
                                pos += <$ty as Operand>::SIZE;
                            }
                        )*
                        Ok((Op::$name { $($field),* }, len))
                    })*
                    _ => Err(DecodeError::UnknownOpcode { at, byte }),
                }
            }

            /// The instruction with its one written register (`Dst`)
            /// replaced by `r`; `None` when it writes no register or several.
            pub fn with_dst(&self, r: Reg) -> Option<Op> {
                match *self {
                    $(Op::$name { $($field),* } => {
                        #[allow(unused_mut)]
                        let mut n = 0;
                        $(let $field = ReplaceDst::replace_dst($field, OperandKind::$kind, r, &mut n);)*
                        (n == 1).then_some(Op::$name { $($field),* })
                    })*
                }
            }

            /// The instruction reading register `new` wherever it read `old`
            /// (plain `Src` operands only).
            #[must_use]
            pub fn with_src(&self, old: Reg, new: Reg) -> Op {
                match *self {
                    $(Op::$name { $($field),* } => {
                        $(let $field = ReplaceDst::replace_src($field, OperandKind::$kind, old, new);)*
                        Op::$name { $($field),* }
                    })*
                }
            }

            /// The assembler name (`add_int`).
            pub fn mnemonic(&self) -> &'static str {
                match self {
                    $(Op::$name { .. } => $mnemonic,)*
                }
            }

            /// The operands with their kinds, in order.
            pub fn operands(&self) -> Vec<OperandValue> {
                match *self {
                    $(Op::$name { $($field),* } => {
                        vec![$(ToValue::value($field, OperandKind::$kind)),*]
                    })*
                }
            }

            /// `add_int r3, r1, r2`.
            pub fn text(&self) -> String {
                let parts: Vec<String> = match *self {
                    $(Op::$name { $($field),* } => {
                        vec![$(Operand::show($field, OperandKind::$kind)),*]
                    })*
                };
                if parts.is_empty() {
                    self.mnemonic().to_string()
                } else {
                    format!("{} {}", self.mnemonic(), parts.join(", "))
                }
            }

            /// Every opcode's name and semantics line, for documentation.
            pub fn table() -> &'static [(&'static str, &'static str)] {
                &[$(($mnemonic, concat!($($doc),+)),)*]
            }
        }
    };
}

instructions! {
    /// No effect.
    Nop = 0x00, "nop" {}
    /// `dst = src` for a value that is copied (scalars, `Gc` pointers).
    Copy = 0x01, "copy" { dst: Reg => Dst, src: Reg => Src }
    /// `dst = src`, leaving `src` empty (an owned value changes hands).
    Move = 0x02, "move" { dst: Reg => Dst, src: Reg => Src }
    /// `dst = k` for an `int` constant.
    LoadInt = 0x03, "load_int" { dst: Reg => Dst, k: u32 => Const }
    /// `dst = k` for a `float` constant.
    LoadFloat = 0x04, "load_float" { dst: Reg => Dst, k: u32 => Const }
    /// `dst = v != 0` as a `bool`.
    LoadBool = 0x05, "load_bool" { dst: Reg => Dst, v: u8 => U8 }
    /// `dst = k` for a `char` constant.
    LoadChar = 0x06, "load_char" { dst: Reg => Dst, k: u32 => Const }
    /// `dst` = a new `String` with the text of constant `k`.
    LoadStr = 0x07, "load_str" { dst: Reg => Dst, k: u32 => Const }
    /// `dst = ()`; in an owned or `any` register, empties it (dropping
    /// what it held).
    LoadUnit = 0x08, "load_unit" { dst: Reg => Dst }
    /// `dst = a + b` on `int`; panics on overflow.
    AddInt = 0x10, "add_int" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src }
    /// `dst = a - b` on `int`; panics on overflow.
    SubInt = 0x11, "sub_int" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src }
    /// `dst = a * b` on `int`; panics on overflow.
    MulInt = 0x12, "mul_int" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src }
    /// `dst = a / b` on `int`, truncating; panics on zero and overflow.
    DivInt = 0x13, "div_int" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src }
    /// `dst = a % b` on `int`, with the dividend's sign; panics on zero.
    RemInt = 0x14, "rem_int" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src }
    /// `dst = -a` on `int`; panics on overflow.
    NegInt = 0x15, "neg_int" { dst: Reg => Dst, a: Reg => Src }
    /// `dst = a & b` on `int`.
    AndInt = 0x16, "and_int" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src }
    /// `dst = a | b` on `int`.
    OrInt = 0x17, "or_int" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src }
    /// `dst = a ^ b` on `int`.
    XorInt = 0x18, "xor_int" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src }
    /// `dst = a << b` on `int`; panics when `b` is not in 0..64.
    ShlInt = 0x19, "shl_int" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src }
    /// `dst = a >> b` on `int` (arithmetic); panics when `b` is not in 0..64.
    ShrInt = 0x1a, "shr_int" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src }
    /// `dst = !a` on `int` (bitwise).
    NotInt = 0x1b, "not_int" { dst: Reg => Dst, a: Reg => Src }
    /// `dst = a + b` on `float`.
    AddFloat = 0x20, "add_float" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src }
    /// `dst = a - b` on `float`.
    SubFloat = 0x21, "sub_float" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src }
    /// `dst = a * b` on `float`.
    MulFloat = 0x22, "mul_float" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src }
    /// `dst = a / b` on `float` (IEEE: no panic).
    DivFloat = 0x23, "div_float" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src }
    /// `dst = a % b` on `float`.
    RemFloat = 0x24, "rem_float" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src }
    /// `dst = -a` on `float`.
    NegFloat = 0x25, "neg_float" { dst: Reg => Dst, a: Reg => Src }
    /// `dst = !a` on `bool`.
    NotBool = 0x28, "not_bool" { dst: Reg => Dst, a: Reg => Src }
    /// `dst = a cmp b` on `int`, where `cmp` is 0 `==`, 1 `!=`, 2 `<`, 3 `<=`, 4 `>`, 5 `>=`.
    CmpInt = 0x30, "cmp_int" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src, cmp: u8 => U8 }
    /// `dst = a cmp b` on `float` (IEEE: comparisons with NaN are false).
    CmpFloat = 0x31, "cmp_float" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src, cmp: u8 => U8 }
    /// `dst = a cmp b` on `bool` or `char` (by value).
    CmpScalar = 0x32, "cmp_scalar" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src, cmp: u8 => U8 }
    /// `dst = a cmp b` on `String` (lexicographic by bytes).
    CmpStr = 0x33, "cmp_str" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src, cmp: u8 => U8 }
    /// `dst = a == b` (or `!=` when `ne` is 1) structurally, for compound values.
    EqDeep = 0x34, "eq_deep" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src, ne: u8 => U8 }
    /// `dst = a as float` from `int`.
    IntToFloat = 0x38, "int_to_float" { dst: Reg => Dst, a: Reg => Src }
    /// `dst = a as int` from `float` (saturating, NaN is 0).
    FloatToInt = 0x39, "float_to_int" { dst: Reg => Dst, a: Reg => Src }
    /// `dst = a as char` from `int`; panics outside the Unicode scalar values.
    IntToChar = 0x3a, "int_to_char" { dst: Reg => Dst, a: Reg => Src }
    /// `dst = a as int` from `char`.
    CharToInt = 0x3b, "char_to_int" { dst: Reg => Dst, a: Reg => Src }
    /// `dst = a as int` from `bool` (`true` is 1, `false` 0).
    BoolToInt = 0x3c, "bool_to_int" { dst: Reg => Dst, a: Reg => Src }
    /// Continues at `off` bytes after the next instruction.
    Jump = 0x40, "jump" { off: i32 => Off }
    /// Jumps when the `bool` in `cond` is true.
    JumpIf = 0x41, "jump_if" { cond: Reg => Src, off: i32 => Off }
    /// Jumps when the `bool` in `cond` is false.
    JumpIfNot = 0x42, "jump_if_not" { cond: Reg => Src, off: i32 => Off }
    /// Jumps when `a cmp b` holds on `int` (`cmp` as for `cmp_int`): a
    /// comparison and the branch on it in one dispatch.
    BrCmpInt = 0x43, "br_cmp_int" { a: Reg => Src, b: Reg => Src, cmp: u8 => U8, off: i32 => Off }
    /// Jumps when `a cmp b` on `float` holds (`cmp` as for `cmp_float`),
    /// or, with bit 3 of `cmp` set, when it does not: `!(a < b)` is not
    /// `a >= b` when either is NaN, so a negated test keeps its own bit.
    BrCmpFloat = 0x44, "br_cmp_float" { a: Reg => Src, b: Reg => Src, cmp: u8 => U8, off: i32 => Off }
    /// `dst = f(args…)` for function `f` of the module.
    Call = 0x48, "call" { dst: Reg => Dst, f: u32 => Func, args: RegRange => Regs }
    /// `dst = native(args…)` for an entry of the native table.
    CallNative = 0x49, "call_native" { dst: Reg => Dst, native: u16 => Native, args: RegRange => Regs }
    /// `dst = obj.get(k)` on the `Json` that `obj` points at, for the
    /// string constant `k`: `mode` 0 is `get`, 1 `get_string`, 2
    /// `get_int`, 3 `get_float`, 4 `get_bool`, 5 `contains_key`. Inline
    /// cache entry `slot` of the running task remembers the last object
    /// shape seen here and where `k` is in it (V8's hidden classes).
    JsonGet = 0x4d, "json_get" { dst: Reg => Dst, obj: Reg => Src, k: u32 => Const, mode: u8 => U8, slot: u16 => U16 }
    /// `dst = closure(args…)` for the closure value in `closure`.
    CallClosure = 0x4a, "call_closure" { dst: Reg => Dst, closure: Reg => Src, args: RegRange => Regs }
    /// `dst = f(a, b)` for function `f` of two parameters, each a scalar
    /// or reference, with copies of `a` and `b` (which keep their values):
    /// a call on two variables (`a(i, j)`) needs no copies into an argument
    /// range first.
    Call2 = 0x4c, "call2" { dst: Reg => Dst, f: u32 => Func, a: Reg => Src, b: Reg => Src }
    /// Returns the value in `src` to the caller.
    Return = 0x4b, "return" { src: Reg => Src }
    /// `dst` = a new value of type `ty` (struct, tuple or closure
    /// environment) from `fields`, moved in.
    MakeRecord = 0x50, "make_record" { dst: Reg => Dst, ty: u32 => Type, fields: RegRange => Regs }
    /// `dst` = variant `variant` of enum `ty` with `fields`, moved in.
    MakeVariant = 0x51, "make_variant" { dst: Reg => Dst, ty: u32 => Type, variant: u16 => U16, fields: RegRange => Regs }
    /// `dst` = the variant index of the enum value in `src`.
    Tag = 0x52, "tag" { dst: Reg => Dst, src: Reg => Src }
    /// `dst` = copy of field `field` of the record or variant in `src`.
    GetField = 0x53, "get_field" { dst: Reg => Dst, src: Reg => Src, field: u16 => U16 }
    /// `dst` = field `field` moved out of the record or variant in `src`.
    TakeField = 0x54, "take_field" { dst: Reg => SrcDst, src: Reg => SrcDst, field: u16 => U16 }
    /// Field `field` of the record in `obj` = `src` (moved in); the old
    /// value is dropped.
    SetField = 0x55, "set_field" { obj: Reg => Src, field: u16 => U16, src: Reg => Src }
    /// `dst` = a closure over function `f` with the captures in `captures`.
    MakeClosure = 0x56, "make_closure" { dst: Reg => Dst, f: u32 => Func, captures: RegRange => Regs }
    /// `dst` = a new list with `items`, moved in.
    MakeList = 0x57, "make_list" { dst: Reg => Dst, items: RegRange => Regs }
    /// Switches on the `int` in `src`: jumps by entry `src` of the jump
    /// table in constant `table`, or by `otherwise` if out of range.
    Switch = 0x58, "switch" { src: Reg => Src, table: u32 => Const, otherwise: i32 => Off }
    /// Drops the value in `reg` (owned data freed, resources closed).
    Drop = 0x60, "drop" { reg: Reg => SrcDst }
    /// Drops the value in `reg` if the `bool` drop flag `flag` is set.
    DropIf = 0x61, "drop_if" { reg: Reg => SrcDst, flag: Reg => Src }
    /// Panics with the `String` in `msg`; unwinds through `defer`s and drops.
    Panic = 0x68, "panic" { msg: Reg => Src }
    /// Ends a cleanup path: the panic being handled continues unwinding.
    Resume = 0x6a, "resume" {}
    /// `dst` = the panic being handled, as a `Panic` value (a `recover` block).
    CaughtPanic = 0x6b, "caught_panic" { dst: Reg => Dst }
    /// Code the compiler proved unreachable; reaching it is an internal error.
    Unreachable = 0x6c, "unreachable" {}
    /// `dst` = function `f` as a value.
    LoadFunc = 0x09, "load_func" { dst: Reg => Dst, f: u32 => Func }
    /// `dst` = a reference to register `src`.
    AddrReg = 0x70, "addr_reg" { dst: Reg => Dst, src: Reg => Src }
    /// `dst` = a reference to field `field` of the struct, tuple, array or
    /// enum variant that the reference in `ptr` points to.
    AddrField = 0x71, "addr_field" { dst: Reg => Dst, ptr: Reg => Src, field: u16 => U16 }
    /// `dst` = a reference to element `index` of the list or array at `ptr`,
    /// or to the value for key `index` of the map at `ptr`; panics when
    /// there is none.
    AddrIndex = 0x72, "addr_index" { dst: Reg => Dst, ptr: Reg => Src, index: Reg => Src }
    /// `dst` = a reference to element `offset` from the start (or, when
    /// `from_end` is 1, the end) of the list or array at `ptr`.
    AddrConstIndex = 0x73, "addr_const_index" { dst: Reg => Dst, ptr: Reg => Src, offset: u16 => U16, from_end: u8 => U8 }
    /// `dst` = a copy of the value at `ptr` (a Copy type).
    Load = 0x74, "load" { dst: Reg => Dst, ptr: Reg => Src }
    /// `dst` = the value at `ptr`, moved out (the place is left empty).
    Take = 0x75, "take" { dst: Reg => Dst, ptr: Reg => Src }
    /// The place at `ptr` = `src` (moved in); the old value is dropped.
    Store = 0x76, "store" { ptr: Reg => Src, src: Reg => SrcDst }
    /// Drops the value at `ptr`, leaving the place empty.
    DropAt = 0x77, "drop_at" { ptr: Reg => Src }
    /// `dst` = a deep copy of the value at `ptr` (the built-in `.clone()`).
    Clone = 0x78, "clone" { dst: Reg => Dst, ptr: Reg => Src }
    /// `dst` = the variant index of the enum value at `ptr`.
    TagAt = 0x79, "tag_at" { dst: Reg => Dst, ptr: Reg => Src }
    /// `dst` = the number of elements of the list or array at `ptr`.
    Len = 0x7a, "len" { dst: Reg => Dst, ptr: Reg => Src }
    /// `dst` = an array of `count` copies of `src` (`[v; n]`; `count` is an
    /// `int` constant).
    MakeRepeat = 0x7b, "make_repeat" { dst: Reg => Dst, src: Reg => Src, count: u32 => Const }
    /// `dst` = a range from the `int` registers in `bounds` (those present);
    /// `kind`: bit 0 inclusive end, bit 1 has a start, bit 2 has an end.
    MakeRange = 0x7c, "make_range" { dst: Reg => Dst, bounds: RegRange => Regs, kind: u8 => U8 }
    /// `dst` = an iterator over `src`: a list, map or range moved in, or a
    /// reference to one (then the items are references).
    IntoIter = 0x7d, "into_iter" { dst: Reg => Dst, src: Reg => SrcDst }
    /// `dst` = the next item of the iterator at `ptr` as an `Option`.
    IterNext = 0x7e, "iter_next" { dst: Reg => Dst, ptr: Reg => Src }
    /// `dst` = the error in `src` converted to an `Error` (the `?` operator
    /// in a function returning `Result<_, Error>`).
    ToError = 0x7f, "to_error" { dst: Reg => Dst, src: Reg => SrcDst }
    /// `dst = *a cmp *b` on the `String`s the references point to.
    CmpStrAt = 0x80, "cmp_str_at" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src, cmp: u8 => U8 }
    /// `dst = *a == *b` (`!=` when `ne` is 1) structurally on the values the
    /// references point to.
    EqAt = 0x81, "eq_at" { dst: Reg => Dst, a: Reg => Src, b: Reg => Src, ne: u8 => U8 }
    /// `dst` = a reference to the value of the GC object that the `Gc` in
    /// `src` (or the `Gc` a reference in `src` points to) points to: the
    /// deref of `Gc<T>`. Panics if the object's finalizer took the value.
    /// On a `Pooled<T>` (or a reference to one), the value in its slot.
    GcDeref = 0x82, "gc_deref" { dst: Reg => Dst, src: Reg => Src }
    /// Tags the `RefCell` borrow that the native call just before made in
    /// this frame (if it made one) as the borrow of `site`.
    CellBorrowSite = 0x83, "cell_borrow_site" { site: u16 => U16 }
    /// Ends this frame's `RefCell` borrow of `site` if it is still held:
    /// the reference it returned is dead from here on.
    CellRelease = 0x84, "cell_release" { site: u16 => U16 }
    /// `dst` = a reference to the program's static slot `slot`, which the
    /// first execution fills with a copy of `src`: a constant temporary
    /// promoted to `'static` (`&[1, 2, 3]` may be returned), so the
    /// reference outlives the frame that computed it.
    Promote = 0x85, "promote" { dst: Reg => Dst, src: Reg => Src, slot: u16 => U16 }
    /// A `for` loop's step over the iterator in `iter` (made by
    /// `into_iter`): `dst` = its next item, or a jump to `exit` when it has
    /// none. The loop's entry; [`Op::ForIterLoop`] is its back edge.
    ForIter = 0x88, "for_iter" { dst: Reg => Dst, iter: Reg => SrcDst, exit: i32 => Off }
    /// A `for` loop's back edge over the iterator in `iter`: `dst` = its
    /// next item and a jump to `body`; falls through when it has none.
    ForIterLoop = 0x89, "for_iter_loop" { dst: Reg => Dst, iter: Reg => SrcDst, body: i32 => Off }
    /// A `for` loop's step over an `int` range held in two registers:
    /// when `cur < end`, `dst = cur` and `cur += 1`; otherwise a jump to
    /// `exit`.
    ForRange = 0x8a, "for_range" { dst: Reg => Dst, cur: Reg => SrcDst, end: Reg => Src, exit: i32 => Off }
    /// The back edge of [`Op::ForRange`]: when `cur < end`, `dst = cur`,
    /// `cur += 1` and a jump to `body`; otherwise falls through.
    ForRangeLoop = 0x8b, "for_range_loop" { dst: Reg => Dst, cur: Reg => SrcDst, end: Reg => Src, body: i32 => Off }
    /// `end += 1` on `int`: the exclusive end of an inclusive range `a..=b`
    /// that a `for` loop walks; panics when `b` is the largest `int`.
    RangeInclusiveEnd = 0x8c, "range_inclusive_end" { end: Reg => SrcDst }
    /// `dst` = a copy of field `field` of the struct, tuple, array or enum
    /// variant that the reference in `ptr` points to (a Copy type):
    /// `addr_field` and `load` in one.
    LoadField = 0x8d, "load_field" { dst: Reg => Dst, ptr: Reg => Src, field: u16 => U16 }
    /// Field `field` of the value the reference in `ptr` points to = `src`
    /// (moved in; the old value is dropped): `addr_field` and `store` in one.
    StoreField = 0x8e, "store_field" { ptr: Reg => Src, field: u16 => U16, src: Reg => SrcDst }
    /// `dst = a + imm` on `int`; panics on overflow.
    AddIntImm = 0x91, "add_int_imm" { dst: Reg => Dst, a: Reg => Src, imm: i32 => Int }
    /// `dst = a - imm` on `int`; panics on overflow.
    SubIntImm = 0x92, "sub_int_imm" { dst: Reg => Dst, a: Reg => Src, imm: i32 => Int }
    /// `dst = a * imm` on `int`; panics on overflow.
    MulIntImm = 0x97, "mul_int_imm" { dst: Reg => Dst, a: Reg => Src, imm: i32 => Int }
    /// `dst = a / imm` on `int`, truncating; `imm` is neither 0 nor -1 (the
    /// verifier checks), so it cannot fail.
    DivIntImm = 0x98, "div_int_imm" { dst: Reg => Dst, a: Reg => Src, imm: i32 => Int }
    /// `dst = a % imm` on `int` (the sign of `a`); `imm` as for `div_int_imm`.
    RemIntImm = 0x99, "rem_int_imm" { dst: Reg => Dst, a: Reg => Src, imm: i32 => Int }
    /// `dst = a cmp imm` on `int` (`cmp` as for `cmp_int`).
    CmpIntImm = 0x93, "cmp_int_imm" { dst: Reg => Dst, a: Reg => Src, imm: i32 => Int, cmp: u8 => U8 }
    /// Jumps when `a cmp imm` holds on `int` (`cmp` as for `cmp_int`).
    BrCmpIntImm = 0x94, "br_cmp_int_imm" { a: Reg => Src, imm: i32 => Int, cmp: u8 => U8, off: i32 => Off }
    /// `dst` = a copy of element `index` of the list or array at `ptr` (or
    /// of the value for key `index` of the map at `ptr`; a Copy type);
    /// panics when there is none: `addr_index` and `load` in one.
    LoadIndex = 0x8f, "load_index" { dst: Reg => Dst, ptr: Reg => Src, index: Reg => Src }
    /// Element `index` of the list or array at `ptr` (or the value for key
    /// `index` of the map at `ptr`) = `src` (moved in; the old value is
    /// dropped); panics when there is none: `addr_index` and `store` in one.
    StoreIndex = 0x90, "store_index" { ptr: Reg => Src, index: Reg => Src, src: Reg => SrcDst }
    /// `dst` = a copy of field `field` of element `index` of the list or
    /// array at `ptr` (or of the value for key `index` of the map at
    /// `ptr`; a Copy type): `addr_index` and `load_field` in one (`b[i].x`).
    LoadIndexField = 0x95, "load_index_field" { dst: Reg => Dst, ptr: Reg => Src, index: Reg => Src, field: u16 => U16 }
    /// Field `field` of element `index` of the list or array at `ptr` (or
    /// of the value for key `index` of the map at `ptr`) = `src` (moved
    /// in; the old value is dropped): `addr_index` and `store_field` in one.
    StoreIndexField = 0x96, "store_index_field" { ptr: Reg => Src, index: Reg => Src, field: u16 => U16, src: Reg => SrcDst }
    /// Enters a zone reserving `size` bytes (an `int`): the values the
    /// instructions that follow build come from it until `zone_exit`.
    /// Panics with `ZoneExhausted` when an enclosing zone has no room
    /// for the reservation.
    ZoneEnter = 0x9a, "zone_enter" { size: Reg => Src }
    /// Leaves the innermost zone, releasing everything built in it (a
    /// value in this frame's registers still made in it is copied out
    /// first: a `return` or `?` from inside the zone).
    ZoneExit = 0x9b, "zone_exit" {}
}

impl Op {
    /// The register the instruction writes, when it writes exactly one.
    pub fn dst(&self) -> Option<Reg> {
        let mut dsts = self.operands().into_iter().filter_map(|o| match o {
            OperandValue::Reg(OperandKind::Dst, r) => Some(r),
            _ => None,
        });
        let first = dsts.next()?;
        dsts.next().is_none().then_some(first)
    }

    /// Whether control never falls through to the next instruction.
    pub fn is_terminator(&self) -> bool {
        matches!(
            self,
            Op::Jump { .. }
                | Op::Return { .. }
                | Op::Panic { .. }
                | Op::Resume {}
                | Op::Unreachable {}
        )
    }

    /// The instruction with its jump offset (for a `switch`, the offset
    /// of its `otherwise`) replaced by `off`; unchanged if it has none.
    #[must_use]
    pub fn with_jump(self, off: i32) -> Op {
        match self {
            Op::Jump { .. } => Op::Jump { off },
            Op::JumpIf { cond, .. } => Op::JumpIf { cond, off },
            Op::JumpIfNot { cond, .. } => Op::JumpIfNot { cond, off },
            Op::BrCmpInt { a, b, cmp, .. } => Op::BrCmpInt { a, b, cmp, off },
            Op::BrCmpFloat { a, b, cmp, .. } => Op::BrCmpFloat { a, b, cmp, off },
            Op::BrCmpIntImm { a, imm, cmp, .. } => Op::BrCmpIntImm { a, imm, cmp, off },
            Op::Switch { src, table, .. } => Op::Switch {
                src,
                table,
                otherwise: off,
            },
            Op::ForIter { dst, iter, .. } => Op::ForIter {
                dst,
                iter,
                exit: off,
            },
            Op::ForIterLoop { dst, iter, .. } => Op::ForIterLoop {
                dst,
                iter,
                body: off,
            },
            Op::ForRange { dst, cur, end, .. } => Op::ForRange {
                dst,
                cur,
                end,
                exit: off,
            },
            Op::ForRangeLoop { dst, cur, end, .. } => Op::ForRangeLoop {
                dst,
                cur,
                end,
                body: off,
            },
            other => other,
        }
    }

    /// The jump offsets of the instruction (relative to the next one).
    pub fn jump_offsets(&self) -> Vec<i32> {
        match *self {
            Op::Jump { off }
            | Op::JumpIf { off, .. }
            | Op::JumpIfNot { off, .. }
            | Op::BrCmpInt { off, .. }
            | Op::BrCmpFloat { off, .. }
            | Op::BrCmpIntImm { off, .. }
            | Op::ForIter { exit: off, .. }
            | Op::ForIterLoop { body: off, .. }
            | Op::ForRange { exit: off, .. }
            | Op::ForRangeLoop { body: off, .. } => vec![off],
            Op::Switch { otherwise, .. } => vec![otherwise],
            _ => Vec::new(),
        }
    }
}
