//! Instruction fusion over a finished function, so that a value is
//! computed where it is wanted instead of computed and then moved:
//!
//! - `op t, …; move d, t` becomes `op d, …` (and likewise with `copy`):
//!   call arguments are computed straight into the argument registers, a
//!   comparison straight into the register a branch tests — also when
//!   other instructions that leave `d` alone stand between the two
//!   (`sink_results`);
//! - `move r0, s; return r0` becomes `return s`;
//! - `copy t1, x; copy t2, y; call d, f, t1..t2` of scalars becomes
//!   `call2 d, f, x, y` (`call_on_copies`);
//! - `cmp_int t, a, b; jump_if[_not] t` becomes one `br_cmp_int a, b`;
//! - first of all, a pure computation repeated in a straight line of code
//!   with its operands unchanged (`(i + j) * (i + j + 1)`) becomes a copy
//!   of the first result, which the next step usually removes;
//! - before that, `copy t, x` of a scalar or reference is dropped when
//!   every read of `t` follows it in the same straight line of code, with
//!   `x` unchanged until then: the readers read `x` instead (indexing
//!   `b[i].x` no longer copies `b` and `i` first).
//!
//! `t` must be a temporary whose every read comes right after a write of
//! it, in the same straight line of code (the reading instruction is no
//! jump target, reads `t` once, and the one before writes it), and whose
//! address is never taken: then no value of `t` outlives the pair, and
//! dropping `t` from every pair changes nothing. Checking this on the
//! bytecode, not the MIR, keeps it sound however codegen lowered an
//! operand (and when it emitted a block twice, as loop rotation does).
//! Jumps, switch tables, handler ranges and the line table are remapped.

use std::collections::{HashMap, HashSet};

use ward_runtime::bytecode::{
    Assembler, Constant, Function, Handler, LineEntry, RegType,
    ops::{Op, OperandKind, OperandValue},
};

/// The comparison code that holds exactly when `cmp` does not.
fn negate(cmp: u8) -> u8 {
    match cmp {
        0 => 1,
        1 => 0,
        2 => 5,
        3 => 4,
        4 => 3,
        _ => 2,
    }
}

/// Decoded instructions: byte offset, length, instruction.
type Code = Vec<(usize, usize, Op)>;

struct Item {
    op: Op,
    /// Byte offset and length in the original code.
    old: usize,
    old_len: usize,
    /// The original absolute jump target, for jumping instructions.
    target: Option<usize>,
}

/// Instructions whose `Src` operands are only read (never moved out of),
/// so that one may read another register holding an equal scalar or
/// reference instead.
fn reads_only(op: &Op) -> bool {
    pure(op)
        || matches!(
            op,
            Op::Copy { .. }
                | Op::BrCmpIntImm { .. }
                | Op::JumpIf { .. }
                | Op::JumpIfNot { .. }
                | Op::BrCmpInt { .. }
                | Op::BrCmpFloat { .. }
                | Op::AddrField { .. }
                | Op::AddrIndex { .. }
                | Op::AddrConstIndex { .. }
                | Op::Load { .. }
                | Op::LoadField { .. }
                | Op::LoadIndex { .. }
                | Op::LoadIndexField { .. }
                | Op::Clone { .. }
                | Op::TagAt { .. }
                | Op::Len { .. }
                | Op::CmpStrAt { .. }
                | Op::EqAt { .. }
                | Op::GcDeref { .. }
        )
}

/// Registers an instruction reads as plain `Src` operands, and whether it
/// reads any other way (`SrcDst`, a register range).
fn plain_reads(op: &Op) -> (Vec<u16>, Vec<u16>) {
    let (mut plain, mut other) = (Vec::new(), Vec::new());
    for o in op.operands() {
        match o {
            OperandValue::Reg(OperandKind::Src, r) => plain.push(r),
            OperandValue::Reg(OperandKind::SrcDst, r) => other.push(r),
            OperandValue::Regs(range) => other.extend((0..range.count).map(|i| range.first + i)),
            _ => {}
        }
    }
    (plain, other)
}

fn writes(op: &Op) -> Vec<u16> {
    op.operands()
        .into_iter()
        .filter_map(|o| match o {
            OperandValue::Reg(OperandKind::Dst | OperandKind::SrcDst, r) => Some(r),
            _ => None,
        })
        .collect()
}

/// Instructions whose result depends only on their register operands and
/// immediates: computed again from unchanged operands, they give the same
/// value (or would have panicked the first time, as overflow does).
fn pure(op: &Op) -> bool {
    matches!(
        op,
        Op::AddInt { .. }
            | Op::SubInt { .. }
            | Op::MulInt { .. }
            | Op::DivInt { .. }
            | Op::RemInt { .. }
            | Op::NegInt { .. }
            | Op::AndInt { .. }
            | Op::OrInt { .. }
            | Op::XorInt { .. }
            | Op::ShlInt { .. }
            | Op::ShrInt { .. }
            | Op::NotInt { .. }
            | Op::AddFloat { .. }
            | Op::SubFloat { .. }
            | Op::MulFloat { .. }
            | Op::DivFloat { .. }
            | Op::RemFloat { .. }
            | Op::NegFloat { .. }
            | Op::NotBool { .. }
            | Op::CmpInt { .. }
            | Op::CmpFloat { .. }
            | Op::CmpScalar { .. }
            | Op::AddIntImm { .. }
            | Op::SubIntImm { .. }
            | Op::MulIntImm { .. }
            | Op::DivIntImm { .. }
            | Op::RemIntImm { .. }
            | Op::CmpIntImm { .. }
            | Op::IntToFloat { .. }
            | Op::FloatToInt { .. }
            | Op::IntToChar { .. }
            | Op::CharToInt { .. }
            | Op::BoolToInt { .. }
    )
}

/// Whether register `r` is typed as a scalar or a reference (a value
/// that owns nothing, whose copy is its bits).
fn owns_nothing(regs: &[RegType], r: u16) -> bool {
    matches!(
        regs.get(usize::from(r)),
        Some(
            RegType::Int
                | RegType::Float
                | RegType::Bool
                | RegType::Char
                | RegType::Ref
                | RegType::Unit
        )
    )
}

/// Per register: how many instructions write it, how many times it is
/// read, and whether its address is taken (then any write through a
/// reference may change it unseen).
struct Usage {
    written: Vec<u32>,
    read: Vec<u32>,
    addressed: Vec<bool>,
}

fn usage(ops: &Code, n: usize) -> Usage {
    let mut u = Usage {
        written: vec![0; n],
        read: vec![0; n],
        addressed: vec![false; n],
    };
    for (_, _, op) in ops {
        if let Op::AddrReg { src, .. } = op
            && let Some(a) = u.addressed.get_mut(usize::from(*src))
        {
            *a = true;
        }
        for r in writes(op) {
            if let Some(w) = u.written.get_mut(usize::from(r)) {
                *w += 1;
            }
        }
        let (plain, other) = plain_reads(op);
        for r in plain.into_iter().chain(other) {
            if let Some(c) = u.read.get_mut(usize::from(r)) {
                *c += 1;
            }
        }
    }
    u
}

/// Local common subexpressions (see the module comment): within each
/// straight line of code, a pure instruction equal to an earlier one but
/// for its destination, with neither the earlier one's operands nor its
/// result written since, becomes `copy dst, earlier result`. Returns the
/// instructions and the original of each one replaced, by offset: a copy
/// that copy propagation cannot remove costs as much as the computation
/// and may stop a fusion, so it is put back afterwards.
fn common_subexpressions(
    mut ops: Code,
    landing: &HashSet<usize>,
    regs: &[RegType],
) -> (Code, HashMap<usize, Op>) {
    let addressed = usage(&ops, regs.len()).addressed;
    let tracked = |r: u16| addressed.get(usize::from(r)) == Some(&false);
    let mut replaced = HashMap::new();
    // (the instruction with its destination blanked, its result register)
    let mut available: Vec<(Op, u16)> = Vec::new();
    for (at, _, op) in &mut ops {
        if landing.contains(at) {
            available.clear();
        }
        let key = op
            .dst()
            .filter(|d| pure(op) && tracked(*d))
            .and_then(|d| op.with_dst(u16::MAX).map(|k| (k, d)))
            .filter(|(k, _)| plain_reads(k).0.into_iter().all(tracked));
        if let Some((k, dst)) = key
            && let Some(&(_, earlier)) = available.iter().find(|(o, _)| *o == k)
            && regs.get(usize::from(earlier)) == regs.get(usize::from(dst))
        {
            replaced.insert(*at, *op);
            *op = Op::Copy { dst, src: earlier };
        }
        // What the instruction may change: what it writes, and, unless it
        // only reads, every register it names (it may move out of them).
        let mut clobbered = writes(op);
        if !reads_only(op) {
            let (plain, other) = plain_reads(op);
            clobbered.extend(plain);
            clobbered.extend(other);
        }
        available.retain(|(o, r)| {
            !clobbered.contains(r) && !plain_reads(o).0.iter().any(|x| clobbered.contains(x))
        });
        if let Some((k, dst)) = key
            && !plain_reads(&k).0.contains(&dst)
            && !matches!(op, Op::Copy { .. })
        {
            available.push((k, dst));
        }
        if op.is_terminator() || !op.jump_offsets().is_empty() {
            available.clear();
        }
    }
    (ops, replaced)
}

/// Results computed where they are wanted, across a stretch of code:
/// `op t, …; …; move d, t` becomes `op d, …; …` when `t` is a temporary
/// written there and read only by the move, and nothing in between reads
/// or writes `d` (so `d` may take the value early). Call arguments
/// computed one after another (`addr_reg t1, a; addr_reg t2, b; move r8,
/// t1; move r9, t2`) go straight into the argument registers. `d` is a
/// temporary or a register that owns nothing, so no drop of what it held
/// moves earlier; a variable is written early only when no instruction in
/// between can panic into a handler (which might read its old value).
fn sink_results(
    mut ops: Code,
    landing: &HashSet<usize>,
    handlers: &[Handler],
    regs: &[RegType],
    first_temp: u16,
) -> Code {
    const WINDOW: usize = 16;
    let n = regs.len();
    let Usage {
        written,
        read,
        addressed,
    } = usage(&ops, n);
    let owns_nothing = |r: u16| owns_nothing(regs, r);
    let mut removed = vec![false; ops.len()];
    for j in 0..ops.len() {
        let (at, _, op) = ops[j];
        let (Op::Move { dst: d, src: t } | Op::Copy { dst: d, src: t }) = op else {
            continue;
        };
        let (ti, di) = (usize::from(t), usize::from(d));
        if landing.contains(&at)
            || t == d
            || t < first_temp
            || written.get(ti) != Some(&1)
            || read.get(ti) != Some(&1)
            || addressed.get(ti) != Some(&false)
            || addressed.get(di) != Some(&false)
            || regs.get(ti) != regs.get(di)
            || !(d >= first_temp || owns_nothing(d))
        {
            continue;
        }
        let mut i = j;
        let mut found = None;
        while i > 0 && j - i < WINDOW {
            i -= 1;
            if removed[i] {
                continue;
            }
            let op_i = ops[i].2;
            let (plain, other) = plain_reads(&op_i);
            let names_d = plain.contains(&d) || other.contains(&d) || writes(&op_i).contains(&d);
            if writes(&op_i).contains(&t) {
                if op_i.dst() == Some(t) && !names_d {
                    found = op_i.with_dst(d).map(|o| (i, o));
                }
                break;
            }
            if names_d
                || landing.contains(&ops[i].0)
                || op_i.is_terminator()
                || !op_i.jump_offsets().is_empty()
            {
                break;
            }
        }
        // A variable (not a temporary) written early must not be seen by
        // a handler: no instruction in between may continue at one.
        let handled = |at: usize| {
            handlers
                .iter()
                .any(|h| h.start as usize <= at && at < h.end as usize)
        };
        if let Some((i, retargeted)) = found
            && (d >= first_temp || !ops[i + 1..j].iter().any(|(at, _, _)| handled(*at)))
        {
            ops[i].2 = retargeted;
            removed[j] = true;
        }
    }
    ops.into_iter()
        .zip(removed)
        .filter_map(|(o, gone)| (!gone).then_some(o))
        .collect()
}

/// `copy t1, x; copy t2, y; call d, f, t1..t2` becomes `call2 d, f, x, y`
/// when `t1` and `t2` are temporaries only the call reads and `x`, `y`
/// are scalars or references (whose copies are their bits): a call on two
/// variables (`a(i, j)`) then costs one dispatch instead of three. Only
/// one of the copies may go (`copy t1, x; load_int t2, k; call …` becomes
/// `load_int t2, k; call2 d, f, x, t2`); a removed copy that was a jump
/// target hands its jumps on to the instruction after it.
fn call_on_copies(
    mut ops: Code,
    landing: &HashSet<usize>,
    regs: &[RegType],
    first_temp: u16,
) -> Code {
    // A scalar or reference: its copy is its bits, and it owns nothing.
    let bitwise = |r: u16| owns_nothing(regs, r);
    let Usage { addressed, .. } = usage(&ops, regs.len());
    // Temporaries whose every read follows a write of them in the same
    // straight line of code: their values never cross a jump, so the
    // rest of the line says who reads a given write.
    let mut in_line = vec![true; regs.len()];
    let mut written_here = vec![false; regs.len()];
    for (at, _, op) in &ops {
        if landing.contains(at) {
            written_here.fill(false);
        }
        let (plain, other) = plain_reads(op);
        for r in plain.into_iter().chain(other) {
            if written_here.get(usize::from(r)) != Some(&true)
                && let Some(x) = in_line.get_mut(usize::from(r))
            {
                *x = false;
            }
        }
        for r in writes(op) {
            if let Some(w) = written_here.get_mut(usize::from(r)) {
                *w = true;
            }
        }
    }
    // `t`, written at `j - 2` or `j - 1`, is read by the call at `j` and by
    // nothing after it before it is written again or the line ends.
    let read_by_call_only = |ops: &Code, t: u16, j: usize| {
        if t < first_temp
            || addressed.get(usize::from(t)) != Some(&false)
            || in_line.get(usize::from(t)) != Some(&true)
        {
            return false;
        }
        for (at, _, op) in &ops[j + 1..] {
            if landing.contains(at) {
                return true;
            }
            let (plain, other) = plain_reads(op);
            if plain.contains(&t) || other.contains(&t) {
                return false;
            }
            if writes(op).contains(&t) {
                return true;
            }
        }
        true
    };
    let mut removed = vec![false; ops.len()];
    for j in 1..ops.len() {
        let Op::Call { dst, f, args } = ops[j].2 else {
            continue;
        };
        let (t1, t2) = (args.first, args.first.wrapping_add(1));
        if args.count != 2 || landing.contains(&ops[j].0) || !bitwise(t1) || !bitwise(t2) {
            continue;
        }
        // Each argument register's value, from a copy just before the
        // call that can go, or the register itself.
        let mut from = [t1, t2];
        for k in (j.saturating_sub(2)..j).rev() {
            let Op::Copy { dst: t, src: x } = ops[k].2 else {
                continue;
            };
            let Some(slot) = [t1, t2].iter().position(|r| *r == t) else {
                continue;
            };
            let between = &ops[k + 1..j];
            if removed[k]
                || from[slot] != t
                || !bitwise(x)
                || regs.get(usize::from(x)) != regs.get(usize::from(t))
                || !read_by_call_only(&ops, t, j)
                || between.iter().any(|(at, _, op)| {
                    let (plain, other) = plain_reads(op);
                    landing.contains(at)
                        || writes(op).contains(&x)
                        || plain.contains(&t)
                        || other.contains(&t)
                })
            {
                continue;
            }
            from[slot] = x;
            removed[k] = true;
        }
        if from != [t1, t2] {
            ops[j].2 = Op::Call2 {
                dst,
                f,
                a: from[0],
                b: from[1],
            };
        }
    }
    ops.into_iter()
        .zip(removed)
        .filter_map(|(o, gone)| (!gone).then_some(o))
        .collect()
}

/// Forward copy propagation (see the module comment); returns the
/// instructions left.
fn propagate_copies(
    mut ops: Code,
    landing: &HashSet<usize>,
    regs: &[RegType],
    first_temp: u16,
) -> Code {
    let n = regs.len();
    let Usage {
        written,
        mut read,
        addressed,
    } = usage(&ops, n);
    let bitwise = |r: u16| {
        matches!(
            regs.get(usize::from(r)),
            Some(RegType::Int | RegType::Float | RegType::Bool | RegType::Char | RegType::Ref)
        )
    };
    let mut removed = vec![false; ops.len()];
    for i in 0..ops.len() {
        let (at, _, op) = ops[i];
        let Op::Copy { dst: t, src: x } = op else {
            continue;
        };
        if landing.contains(&at) {
            continue;
        }
        if t == x {
            removed[i] = true;
            continue;
        }
        let (ti, xi) = (usize::from(t), usize::from(x));
        if t < first_temp
            || written.get(ti) != Some(&1)
            || addressed.get(ti) != Some(&false)
            || addressed.get(xi) != Some(&false)
            || !bitwise(t)
            || regs.get(ti) != regs.get(xi)
        {
            continue;
        }
        let want = read[ti];
        let mut readers = Vec::new();
        let mut found = 0;
        for (j, (at_j, _, op_j)) in ops.iter().enumerate().skip(i + 1) {
            if landing.contains(at_j) || found == want {
                break;
            }
            let (plain, other) = plain_reads(op_j);
            // Ranges and `SrcDst` operands may move out of their registers,
            // as may any instruction not known to only read.
            if other.contains(&t) || other.contains(&x) || (plain.contains(&x) && !reads_only(op_j))
            {
                break;
            }
            let k = plain.iter().filter(|r| **r == t).count() as u32;
            if k > 0 {
                if !reads_only(op_j) {
                    break;
                }
                readers.push(j);
                found += k;
            }
            let written = writes(op_j);
            let stops = written.contains(&x)
                || written.contains(&t)
                || op_j.is_terminator()
                || !op_j.jump_offsets().is_empty();
            if stops {
                break;
            }
        }
        if want == 0 || found != want {
            continue;
        }
        for j in readers {
            ops[j].2 = ops[j].2.with_src(t, x);
        }
        removed[i] = true;
        if let Some(c) = read.get_mut(xi) {
            *c += want;
        }
    }
    ops.into_iter()
        .zip(removed)
        .filter_map(|(o, gone)| (!gone).then_some(o))
        .collect()
}

/// Per register: whether it is a pair-local temporary (see above).
fn pair_local(ops: &[(usize, usize, Op)], landing: &HashSet<usize>, nregs: usize) -> Vec<bool> {
    let mut ok = vec![true; nregs];
    for (i, (at, _, op)) in ops.iter().enumerate() {
        if let Op::AddrReg { src, .. } = op
            && let Some(a) = ok.get_mut(usize::from(*src))
        {
            *a = false;
        }
        let (mut reads, other) = plain_reads(op);
        reads.extend(other);
        for &r in &reads {
            let once = reads.iter().filter(|x| **x == r).count() == 1;
            let after_write = i > 0 && !landing.contains(at) && ops[i - 1].2.dst() == Some(r);
            if !(once && after_write)
                && let Some(a) = ok.get_mut(usize::from(r))
            {
                *a = false;
            }
        }
    }
    ok
}

/// Whether `second`, reached only by falling through `first`, tests the
/// same register the same way: then it can never jump.
fn same_test(first: Op, second: Op) -> bool {
    match (first, second) {
        (Op::JumpIf { cond: a, .. }, Op::JumpIf { cond: b, .. })
        | (Op::JumpIfNot { cond: a, .. }, Op::JumpIfNot { cond: b, .. }) => a == b,
        _ => false,
    }
}

/// `prev` and `op` as one instruction, if they fuse.
fn fuse(prev: Op, op: Op, local: &[bool], f: &Function, first_temp: u16) -> Option<Op> {
    let regs = &f.regs;
    // A closure's captures (after the parameters) go back to the closure
    // when the frame ends: `return` may not move out of them.
    let capture = |r: u16| r > f.arity && r < first_temp;
    let single = |t: u16| t >= first_temp && local.get(usize::from(t)) == Some(&true);
    let same_type = |a: u16, b: u16| regs.get(usize::from(a)) == regs.get(usize::from(b));
    match op {
        Op::Move { dst, src } | Op::Copy { dst, src }
            if single(src) && prev.dst() == Some(src) && same_type(dst, src) =>
        {
            prev.with_dst(dst)
        }
        Op::Return { src } => match prev {
            Op::Move { dst, src: from } | Op::Copy { dst, src: from }
                if dst == src && same_type(dst, from) && !capture(from) =>
            {
                Some(Op::Return { src: from })
            }
            _ => None,
        },
        // A field reached through a reference and used once: read or
        // written in place.
        Op::Load { dst, ptr: at } if single(at) => match prev {
            Op::AddrField {
                dst: addr,
                ptr,
                field,
            } if addr == at => Some(Op::LoadField { dst, ptr, field }),
            Op::AddrIndex {
                dst: addr,
                ptr,
                index,
            } if addr == at => Some(Op::LoadIndex { dst, ptr, index }),
            _ => None,
        },
        // A field of a list element (`b[i].x`), read or written in place.
        Op::LoadField {
            dst,
            ptr: at,
            field,
        } if single(at) => match prev {
            Op::AddrIndex {
                dst: addr,
                ptr,
                index,
            } if addr == at => Some(Op::LoadIndexField {
                dst,
                ptr,
                index,
                field,
            }),
            _ => None,
        },
        Op::StoreField {
            ptr: at,
            field,
            src,
        } if single(at) => match prev {
            Op::AddrIndex {
                dst: addr,
                ptr,
                index,
            } if addr == at && src != addr => Some(Op::StoreIndexField {
                ptr,
                index,
                field,
                src,
            }),
            _ => None,
        },
        Op::Store { ptr: at, src } if single(at) => match prev {
            Op::AddrField {
                dst: addr,
                ptr,
                field,
            } if addr == at && src != addr => Some(Op::StoreField { ptr, field, src }),
            Op::AddrIndex {
                dst: addr,
                ptr,
                index,
            } if addr == at && src != addr => Some(Op::StoreIndex { ptr, index, src }),
            _ => None,
        },
        // A boolean moved or copied only to be tested: test the original.
        Op::JumpIf { cond, off } | Op::JumpIfNot { cond, off }
            if single(cond)
                && matches!(prev, Op::Move { dst, .. } | Op::Copy { dst, .. } if dst == cond) =>
        {
            let (Op::Move { src, .. } | Op::Copy { src, .. }) = prev else {
                return None;
            };
            // The jump is kept with its target; only its register changes.
            Some(if matches!(op, Op::JumpIf { .. }) {
                Op::JumpIf { cond: src, off }
            } else {
                Op::JumpIfNot { cond: src, off }
            })
        }
        Op::JumpIf { cond, off } | Op::JumpIfNot { cond, off } if single(cond) => {
            // The comparison the jump takes: the one computed, or its negation.
            let taken = |cmp| {
                if matches!(op, Op::JumpIf { .. }) {
                    cmp
                } else {
                    negate(cmp)
                }
            };
            match prev {
                Op::CmpInt { dst, a, b, cmp } if dst == cond => Some(Op::BrCmpInt {
                    a,
                    b,
                    cmp: taken(cmp),
                    off,
                }),
                // NaN: a float test that jumps when false keeps that bit.
                Op::CmpFloat { dst, a, b, cmp } if dst == cond => Some(Op::BrCmpFloat {
                    a,
                    b,
                    cmp: if matches!(op, Op::JumpIf { .. }) {
                        cmp
                    } else {
                        cmp | 8
                    },
                    off,
                }),
                Op::CmpIntImm { dst, a, imm, cmp } if dst == cond => Some(Op::BrCmpIntImm {
                    a,
                    imm,
                    cmp: taken(cmp),
                    off,
                }),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The instructions control can reach from the entry or a handler. Code
/// generation leaves unreachable copies of blocks behind (a test threaded
/// past its join block); dropping them makes the temporaries they read
/// pair-local again, so the live copies fuse.
fn reachable(
    decoded: Vec<(usize, usize, Op)>,
    f: &Function,
    constants: &[Constant],
) -> Vec<(usize, usize, Op)> {
    let index: HashMap<usize, usize> = decoded
        .iter()
        .enumerate()
        .map(|(i, (at, _, _))| (*at, i))
        .collect();
    let mut seen = vec![false; decoded.len()];
    let mut work: Vec<usize> = vec![0];
    work.extend(f.handlers.iter().map(|h| h.target as usize));
    while let Some(at) = work.pop() {
        let Some(&i) = index.get(&at) else {
            continue;
        };
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        let (at, len, op) = decoded[i];
        let next = at + len;
        if !op.is_terminator() {
            work.push(next);
        }
        work.extend(
            op.jump_offsets()
                .into_iter()
                .map(|o| next.wrapping_add_signed(o as isize)),
        );
        if let Op::Switch { table, .. } = op
            && let Some(Constant::JumpTable(offs)) = constants.get(table as usize)
        {
            work.extend(offs.iter().map(|o| next.wrapping_add_signed(*o as isize)));
        }
    }
    decoded
        .into_iter()
        .zip(seen)
        .filter_map(|(d, live)| live.then_some(d))
        .collect()
}

/// Fuses instruction pairs of `f` (registers below `first_temp` are
/// parameters, captures and the result: written by the VM itself).
pub(super) fn optimize(f: &mut Function, constants: &mut [Constant], first_temp: u16) {
    let mut decoded = Vec::new();
    let mut at = 0;
    while at < f.code.len() {
        let Ok((op, len)) = Op::decode(&f.code, at) else {
            return;
        };
        decoded.push((at, len, op));
        at += len;
    }
    let abs = |at: usize, len: usize, off: i32| (at + len).wrapping_add_signed(off as isize);
    let original = decoded.len();
    let decoded = reachable(decoded, f, constants);
    // Where control can arrive other than by falling through.
    let mut landing: HashSet<usize> = HashSet::new();
    for (at, len, op) in &decoded {
        for off in op.jump_offsets() {
            landing.insert(abs(*at, *len, off));
        }
        if let Op::Switch { table, .. } = op
            && let Some(Constant::JumpTable(offs)) = constants.get(*table as usize)
        {
            landing.extend(offs.iter().map(|o| abs(*at, *len, *o)));
        }
    }
    landing.extend(f.handlers.iter().map(|h| h.target as usize));
    let (decoded, replaced) = common_subexpressions(decoded, &landing, &f.regs);
    let mut decoded = propagate_copies(decoded, &landing, &f.regs, first_temp);
    for (at, _, op) in &mut decoded {
        if let Some(original) = replaced.get(at)
            && matches!(op, Op::Copy { .. })
        {
            *op = *original;
        }
    }
    let decoded = sink_results(decoded, &landing, &f.handlers, &f.regs, first_temp);
    let decoded = call_on_copies(decoded, &landing, &f.regs, first_temp);
    let local = pair_local(&decoded, &landing, f.regs.len());

    let mut items: Vec<Item> = Vec::with_capacity(decoded.len());
    for &(at, len, op) in &decoded {
        let target = op.jump_offsets().first().map(|o| abs(at, len, *o));
        if !landing.contains(&at) && items.last().is_some_and(|prev| same_test(prev.op, op)) {
            continue;
        }
        if !landing.contains(&at)
            && let Some(prev) = items.last_mut()
            && let Some(fused) = fuse(prev.op, op, &local, f, first_temp)
        {
            prev.op = fused;
            if target.is_some() {
                prev.target = target;
            }
            // The fused instruction may fuse again with the one before it
            // (`addr_index`, then `addr_field` + `load` = `load_field`).
            while let [.., before, last] = items.as_slice()
                && !landing.contains(&last.old)
                && last.target.is_none()
                && let Some(again) = fuse(before.op, last.op, &local, f, first_temp)
            {
                items.pop();
                items.last_mut().expect("two items").op = again;
            }
            // The fused instruction may now repeat the test before it.
            if let [.., before, last] = items.as_slice()
                && !landing.contains(&last.old)
                && same_test(before.op, last.op)
            {
                items.pop();
            }
            continue;
        }
        items.push(Item {
            op,
            old: at,
            old_len: len,
            target,
        });
    }
    if items.len() == original {
        return;
    }

    // New offsets; an old offset of a removed instruction maps to the next
    // surviving one (so ranges ending or starting there stay whole).
    let mut asm = Assembler::default();
    let mut new_at = Vec::with_capacity(items.len());
    for item in &items {
        new_at.push(asm.emit(item.op));
    }
    let end = asm.code.len();
    let map = |old: usize| -> usize {
        let i = items.partition_point(|it| it.old < old);
        new_at.get(i).copied().unwrap_or(end)
    };
    for (i, item) in items.iter().enumerate() {
        if let Some(t) = item.target {
            let _ = asm.patch_jump(new_at[i], map(t));
        }
        if let Op::Switch { table, .. } = item.op
            && let Some(Constant::JumpTable(offs)) = constants.get_mut(table as usize)
        {
            let old_next = item.old + item.old_len;
            let new_next = new_at.get(i + 1).copied().unwrap_or(end);
            for o in offs.iter_mut() {
                let t = map(old_next.wrapping_add_signed(*o as isize));
                *o = (t as i64 - new_next as i64) as i32;
            }
        }
    }
    f.code = asm.code;
    for h in &mut f.handlers {
        h.start = map(h.start as usize) as u32;
        h.end = map(h.end as usize) as u32;
        h.target = map(h.target as usize) as u32;
    }
    f.handlers.retain(|h| h.start < h.end);
    for l in &mut f.lines {
        l.pc = map(l.pc as usize) as u32;
    }
    // Entries that now share a pc: the last one describes the instruction.
    let mut lines: Vec<LineEntry> = Vec::with_capacity(f.lines.len());
    for l in f.lines.drain(..) {
        if l.pc as usize >= end {
            continue;
        }
        if let Some(prev) = lines.last_mut()
            && prev.pc == l.pc
        {
            *prev = l;
        } else {
            lines.push(l);
        }
    }
    f.lines = lines;
}
