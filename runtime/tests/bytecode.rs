#![allow(clippy::cast_possible_truncation)]

//! The bytecode format: every opcode round-trips through the encoder and
//! decoder, modules round-trip through their binary form, the verifier
//! rejects malformed code with a message, and no byte string crashes the
//! loader.

use ward_runtime::bytecode::ops::{DecodeError, Op};
use ward_runtime::bytecode::{
    Assembler, Constant, Function, Handler, LineEntry, Module, RegRange, RegType, TypeDef, disasm,
};

fn r(first: u16, count: u16) -> RegRange {
    RegRange { first, count }
}

/// One instance of every opcode.
fn samples() -> Vec<Op> {
    vec![
        Op::Nop {},
        Op::Copy { dst: 1, src: 2 },
        Op::Move { dst: 1, src: 2 },
        Op::LoadInt { dst: 0, k: 7 },
        Op::LoadFloat { dst: 0, k: 1 },
        Op::LoadBool { dst: 3, v: 1 },
        Op::LoadChar { dst: 3, k: 2 },
        Op::LoadStr { dst: 3, k: 70_000 },
        Op::LoadUnit { dst: 9 },
        Op::AddInt { dst: 1, a: 2, b: 3 },
        Op::SubInt { dst: 1, a: 2, b: 3 },
        Op::MulInt { dst: 1, a: 2, b: 3 },
        Op::DivInt { dst: 1, a: 2, b: 3 },
        Op::RemInt { dst: 1, a: 2, b: 3 },
        Op::NegInt { dst: 1, a: 2 },
        Op::AndInt { dst: 1, a: 2, b: 3 },
        Op::OrInt { dst: 1, a: 2, b: 3 },
        Op::XorInt { dst: 1, a: 2, b: 3 },
        Op::ShlInt { dst: 1, a: 2, b: 3 },
        Op::ShrInt { dst: 1, a: 2, b: 3 },
        Op::NotInt { dst: 1, a: 2 },
        Op::AddFloat { dst: 1, a: 2, b: 3 },
        Op::SubFloat { dst: 1, a: 2, b: 3 },
        Op::MulFloat { dst: 1, a: 2, b: 3 },
        Op::DivFloat { dst: 1, a: 2, b: 3 },
        Op::RemFloat { dst: 1, a: 2, b: 3 },
        Op::NegFloat { dst: 1, a: 2 },
        Op::NotBool { dst: 1, a: 2 },
        Op::CmpInt {
            dst: 1,
            a: 2,
            b: 3,
            cmp: 2,
        },
        Op::CmpFloat {
            dst: 1,
            a: 2,
            b: 3,
            cmp: 5,
        },
        Op::CmpScalar {
            dst: 1,
            a: 2,
            b: 3,
            cmp: 0,
        },
        Op::CmpStr {
            dst: 1,
            a: 2,
            b: 3,
            cmp: 1,
        },
        Op::EqDeep {
            dst: 1,
            a: 2,
            b: 3,
            ne: 1,
        },
        Op::IntToFloat { dst: 1, a: 2 },
        Op::FloatToInt { dst: 1, a: 2 },
        Op::IntToChar { dst: 1, a: 2 },
        Op::CharToInt { dst: 1, a: 2 },
        Op::BoolToInt { dst: 1, a: 2 },
        Op::Jump { off: -12 },
        Op::JumpIf { cond: 4, off: 30 },
        Op::JumpIfNot { cond: 4, off: -3 },
        Op::BrCmpInt {
            a: 1,
            b: 2,
            cmp: 5,
            off: -20,
        },
        Op::Call {
            dst: 0,
            f: 3,
            args: r(1, 2),
        },
        Op::Call2 {
            dst: 0,
            f: 3,
            a: 1,
            b: 7,
        },
        Op::CallNative {
            dst: 0,
            native: 5,
            args: r(1, 0),
        },
        Op::CallClosure {
            dst: 0,
            closure: 6,
            args: r(1, 1),
        },
        Op::Return { src: 0 },
        Op::MakeRecord {
            dst: 0,
            ty: 1,
            fields: r(1, 3),
        },
        Op::MakeVariant {
            dst: 0,
            ty: 2,
            variant: 1,
            fields: r(4, 1),
        },
        Op::Tag { dst: 1, src: 0 },
        Op::GetField {
            dst: 1,
            src: 0,
            field: 2,
        },
        Op::TakeField {
            dst: 1,
            src: 0,
            field: 2,
        },
        Op::SetField {
            obj: 0,
            field: 2,
            src: 1,
        },
        Op::MakeClosure {
            dst: 0,
            f: 2,
            captures: r(1, 2),
        },
        Op::MakeList {
            dst: 0,
            items: r(1, 4),
        },
        Op::Switch {
            src: 1,
            table: 3,
            otherwise: 8,
        },
        Op::Drop { reg: 4 },
        Op::DropIf { reg: 4, flag: 5 },
        Op::Panic { msg: 2 },
        Op::Resume {},
        Op::CaughtPanic { dst: 7 },
        Op::Unreachable {},
        Op::LoadFunc { dst: 1, f: 3 },
        Op::AddrReg { dst: 1, src: 2 },
        Op::Promote {
            dst: 1,
            src: 2,
            slot: 3,
        },
        Op::AddrField {
            dst: 1,
            ptr: 2,
            field: 3,
        },
        Op::AddrIndex {
            dst: 1,
            ptr: 2,
            index: 3,
        },
        Op::AddrConstIndex {
            dst: 1,
            ptr: 2,
            offset: 3,
            from_end: 1,
        },
        Op::Load { dst: 1, ptr: 2 },
        Op::Take { dst: 1, ptr: 2 },
        Op::Store { ptr: 1, src: 2 },
        Op::DropAt { ptr: 1 },
        Op::Clone { dst: 1, ptr: 2 },
        Op::TagAt { dst: 1, ptr: 2 },
        Op::Len { dst: 1, ptr: 2 },
        Op::MakeRepeat {
            dst: 1,
            src: 2,
            count: 3,
        },
        Op::MakeRange {
            dst: 1,
            bounds: r(2, 2),
            kind: 7,
        },
        Op::IntoIter { dst: 1, src: 2 },
        Op::IterNext { dst: 1, ptr: 2 },
        Op::ToError { dst: 1, src: 2 },
        Op::CmpStrAt {
            dst: 1,
            a: 2,
            b: 3,
            cmp: 0,
        },
        Op::EqAt {
            dst: 1,
            a: 2,
            b: 3,
            ne: 1,
        },
        Op::GcDeref { dst: 1, src: 2 },
        Op::CellBorrowSite { site: 3 },
        Op::CellRelease { site: 3 },
        Op::ForIter {
            dst: 1,
            iter: 2,
            exit: 8,
        },
        Op::ForIterLoop {
            dst: 1,
            iter: 2,
            body: -12,
        },
        Op::ForRange {
            dst: 1,
            cur: 2,
            end: 3,
            exit: 8,
        },
        Op::ForRangeLoop {
            dst: 1,
            cur: 2,
            end: 3,
            body: -12,
        },
        Op::RangeInclusiveEnd { end: 3 },
        Op::LoadField {
            dst: 1,
            ptr: 2,
            field: 3,
        },
        Op::StoreField {
            ptr: 2,
            field: 3,
            src: 1,
        },
        Op::AddIntImm {
            dst: 1,
            a: 2,
            imm: -3,
        },
        Op::SubIntImm {
            dst: 1,
            a: 2,
            imm: 7,
        },
        Op::MulIntImm {
            dst: 1,
            a: 2,
            imm: -5,
        },
        Op::DivIntImm {
            dst: 1,
            a: 2,
            imm: 2,
        },
        Op::RemIntImm {
            dst: 1,
            a: 2,
            imm: 1000,
        },
        Op::CmpIntImm {
            dst: 1,
            a: 2,
            imm: 2,
            cmp: 2,
        },
        Op::BrCmpIntImm {
            a: 2,
            imm: 2,
            cmp: 5,
            off: 8,
        },
        Op::LoadIndex {
            dst: 1,
            ptr: 2,
            index: 3,
        },
        Op::StoreIndex {
            ptr: 2,
            index: 3,
            src: 1,
        },
        Op::BrCmpFloat {
            a: 2,
            b: 3,
            cmp: 10,
            off: -4,
        },
        Op::LoadIndexField {
            dst: 1,
            ptr: 2,
            index: 3,
            field: 4,
        },
        Op::StoreIndexField {
            ptr: 2,
            index: 3,
            field: 4,
            src: 1,
        },
        Op::ZoneEnter { size: 3 },
        Op::ZoneExit {},
        Op::JsonGet {
            dst: 1,
            obj: 2,
            k: 3,
            mode: 1,
            slot: 7,
        },
    ]
}

#[test]
fn every_opcode_round_trips_and_has_a_sample() {
    let samples = samples();
    let mut names: Vec<&str> = samples.iter().map(Op::mnemonic).collect();
    names.sort_unstable();
    let mut table: Vec<&str> = Op::table().iter().map(|(n, _)| *n).collect();
    table.sort_unstable();
    assert_eq!(names, table, "one sample per opcode of the table");
    let mut code = Vec::new();
    for op in &samples {
        op.encode(&mut code);
    }
    let mut pc = 0;
    for op in &samples {
        let (back, len) = Op::decode(&code, pc).expect("decodes");
        assert_eq!(&back, op);
        pc += len;
        assert!(!op.text().is_empty());
    }
    assert_eq!(pc, code.len());
    for (name, semantics) in Op::table() {
        assert!(!semantics.trim().is_empty(), "{name} says what it does");
    }
}

#[test]
fn decoding_cut_or_unknown_code_is_an_error() {
    let mut code = Vec::new();
    Op::AddInt { dst: 1, a: 2, b: 3 }.encode(&mut code);
    for cut in 0..code.len() {
        assert_eq!(
            Op::decode(&code[..cut], 0).err(),
            Some(DecodeError::Truncated { at: 0 })
        );
    }
    assert_eq!(
        Op::decode(&[0xff], 0).err(),
        Some(DecodeError::UnknownOpcode { at: 0, byte: 0xff })
    );
}

/// `fib(n)` and a `main` that calls it, assembled by hand.
fn fib_module() -> Module {
    let mut a = Assembler::default();
    // r0 result, r1 n, r2 tmp, r3 cond, r4 arg, r5 fib(n-1), r6 fib(n-2)
    a.emit(Op::LoadInt { dst: 2, k: 0 });
    a.emit(Op::CmpInt {
        dst: 3,
        a: 1,
        b: 2,
        cmp: 2,
    });
    let j = a.emit(Op::JumpIfNot { cond: 3, off: 0 });
    a.emit(Op::Return { src: 1 });
    let recurse = a.code.len();
    a.patch_jump(j, recurse).expect("patches");
    a.emit(Op::LoadInt { dst: 2, k: 1 });
    a.emit(Op::SubInt { dst: 4, a: 1, b: 2 });
    a.emit(Op::Call {
        dst: 5,
        f: 0,
        args: r(4, 1),
    });
    a.emit(Op::LoadInt { dst: 2, k: 0 });
    a.emit(Op::SubInt { dst: 4, a: 1, b: 2 });
    a.emit(Op::Call {
        dst: 6,
        f: 0,
        args: r(4, 1),
    });
    a.emit(Op::AddInt { dst: 6, a: 5, b: 6 });
    let end = a.emit(Op::Return { src: 6 });
    let cleanup = a.emit(Op::Resume {});
    let fib = Function {
        name: "fib".into(),
        arity: 1,
        ret: RegType::Int,
        regs: vec![
            RegType::Int,
            RegType::Int,
            RegType::Int,
            RegType::Bool,
            RegType::Int,
            RegType::Int,
            RegType::Int,
        ],
        code: a.code,
        lines: vec![
            LineEntry {
                pc: 0,
                line: 2,
                col: 5,
            },
            LineEntry {
                pc: recurse as u32,
                line: 3,
                col: 5,
            },
        ],
        handlers: vec![Handler {
            start: recurse as u32,
            end: end as u32,
            target: cleanup as u32,
        }],
        file: 0,
        caps: ward_runtime::caps::CapSet::EMPTY,
    };
    let mut b = Assembler::default();
    b.emit(Op::LoadInt { dst: 1, k: 2 });
    b.emit(Op::Call {
        dst: 1,
        f: 0,
        args: r(1, 1),
    });
    b.emit(Op::LoadUnit { dst: 0 });
    b.emit(Op::Return { src: 0 });
    let main = Function {
        name: "main".into(),
        arity: 0,
        ret: RegType::Unit,
        regs: vec![RegType::Unit, RegType::Int],
        code: b.code,
        lines: vec![LineEntry {
            pc: 0,
            line: 6,
            col: 5,
        }],
        handlers: Vec::new(),
        file: 0,
        caps: ward_runtime::caps::CapSet::EMPTY,
    };
    Module {
        name: "fib".into(),
        files: vec!["fib.ward".into()],
        constants: vec![Constant::Int(2), Constant::Int(1), Constant::Int(32)],
        types: vec![TypeDef::Record {
            name: "Pair".into(),
            fields: vec![RegType::Int, RegType::Str],
            field_names: vec!["count".into(), "name".into()],
        }],
        natives: vec!["println".into()],
        functions: vec![fib, main],
        entry: Some(1),
    }
}

#[test]
fn a_module_round_trips_through_its_binary_form() {
    let m = fib_module();
    let bytes = m.to_bytes();
    let back = Module::load(&bytes).expect("a valid module loads");
    assert_eq!(back, m);
    assert_eq!(back.functions[0].line_at(0).map(|l| l.line), Some(2));
    assert_eq!(back.functions[0].roots().count(), 0);
}

#[test]
fn no_byte_string_crashes_the_loader() {
    let bytes = fib_module().to_bytes();
    for cut in 0..bytes.len() {
        assert!(
            Module::load(&bytes[..cut]).is_err(),
            "a module cut at {cut} must not load"
        );
    }
    // Random corruption: every result is a module or an error.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..20_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut b = bytes.clone();
        let i = (state % b.len() as u64) as usize;
        b[i] ^= (state >> 32) as u8 | 1;
        let _ = Module::load(&b);
    }
    assert!(Module::load(b"not bytecode at all").is_err());
}

fn rejects(edit: impl FnOnce(&mut Module), expect: &str) {
    let mut m = fib_module();
    edit(&mut m);
    // Replaced code keeps a line table and handlers that fit it.
    m.functions[0].lines.retain(|l| l.pc == 0);
    m.functions[0].handlers.clear();
    let e = Module::load(&m.to_bytes()).expect_err("the verifier rejects it");
    assert!(e.to_string().contains(expect), "{e}");
}

#[test]
fn the_verifier_rejects_malformed_functions() {
    rejects(
        |m| {
            let mut a = Assembler::default();
            a.emit(Op::AddInt { dst: 9, a: 1, b: 1 });
            a.emit(Op::Return { src: 0 });
            m.functions[0].code = a.code;
        },
        "register r9 does not exist",
    );
    rejects(|m| m.functions[0].regs[2] = RegType::Float, "expected int");
    rejects(
        |m| {
            let mut a = Assembler::default();
            a.emit(Op::Jump { off: 1 });
            a.emit(Op::Return { src: 0 });
            m.functions[0].code = a.code;
        },
        "is not an instruction",
    );
    rejects(
        |m| {
            let mut a = Assembler::default();
            a.emit(Op::LoadInt { dst: 1, k: 0 });
            m.functions[0].code = a.code;
        },
        "runs off the end",
    );
    rejects(
        |m| {
            let mut a = Assembler::default();
            a.emit(Op::Call {
                dst: 0,
                f: 0,
                args: r(0, 2),
            });
            a.emit(Op::Return { src: 0 });
            m.functions[0].code = a.code;
        },
        "2 values for 1 fields",
    );
    rejects(
        |m| {
            let mut a = Assembler::default();
            a.emit(Op::Call2 {
                dst: 0,
                f: 0,
                a: 1,
                b: 1,
            });
            a.emit(Op::Return { src: 0 });
            m.functions[0].code = a.code;
        },
        "`call2` of `fib`, which takes 1 arguments",
    );
    // `call2` copies its arguments: an owned one would be duplicated.
    rejects(
        |m| {
            m.functions[0].arity = 2;
            m.functions[0].regs[2] = RegType::Owned(0);
            let mut a = Assembler::default();
            a.emit(Op::Call2 {
                dst: 0,
                f: 0,
                a: 1,
                b: 2,
            });
            a.emit(Op::Return { src: 0 });
            m.functions[0].code = a.code;
        },
        "`call2` copies its arguments, but `fib` takes a",
    );
    rejects(
        |m| m.constants[0] = Constant::Str("two".into()),
        "is not an int",
    );
    rejects(|m| m.entry = Some(0), "takes arguments");
    for imm in [0, -1] {
        rejects(
            |m| {
                let mut a = Assembler::default();
                a.emit(Op::RemIntImm { dst: 1, a: 1, imm });
                a.emit(Op::Return { src: 0 });
                m.functions[0].code = a.code;
            },
            &format!("a division by the immediate {imm}"),
        );
    }
    rejects(
        |m| m.functions[1].regs[1] = RegType::Owned(7),
        "ty#7 does not exist",
    );
}

#[test]
fn the_disassembly_shows_registers_jumps_and_lines() {
    let text = disasm::disassemble(&fib_module());
    let expected = "module fib
constants:
  k0 = int 2
  k1 = int 1
  k2 = int 32
types:
  ty#0 = record Pair { count: int, name: str }
natives:
  native#0 = println
fn#0 fib: 1 args -> int
  r0: int
  r1: int
  r2: int
  r3: bool
  r4: int
  r5: int
  r6: int
  0000  load_int r2, k0                          ; 2:5
  0007  cmp_int r3, r1, r2, 2
  0015  jump_if_not r3, +3 -> 0025
  0022  return r1
  0025  load_int r2, k1                          ; 3:5
  0032  sub_int r4, r1, r2
  0039  call r5, fn#0, r4..r4
  0050  load_int r2, k0
  0057  sub_int r4, r1, r2
  0064  call r6, fn#0, r4..r4
  0075  add_int r6, r5, r6
  0082  return r6
  0085  resume
  on panic in 0025..0082 -> 0085
fn#1 main (entry): 0 args -> unit
  r0: unit
  r1: int
  0000  load_int r1, k2                          ; 6:5
  0007  call r1, fn#0, r1..r1
  0018  load_unit r0
  0021  return r0
";
    assert_eq!(text, expected);
}
