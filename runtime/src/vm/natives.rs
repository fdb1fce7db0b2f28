//! The core library's native functions, bound by the names the code
//! generator gives std table entries: `println`, `String::len`,
//! `List::push`, `math::sqrt`. Arguments arrive as the std table's
//! signatures say: `&self` and `&T` parameters as references, `self` and
//! `T` by value (the native may move out of them).

// Every native has the one `NativeFn` signature, fallible or not; short
// argument names (`a` for the arguments) keep the many small bodies terse.
#![allow(clippy::unnecessary_wraps, clippy::many_single_char_names)]

use std::io::Write as _;

use super::well_known::{ERROR, OPTION, PANIC, RESULT};
use super::{Args, Fault, Vm, fmt};
use crate::error::{ErrorInfo, Panic};
use crate::value::{
    Iter, IterBox, Key, KeyRef, List, Map, Value, entry, entry_part, into_entry_value,
};

type R = Result<Value, Fault>;

pub(super) fn arg(args: &Args, i: usize) -> Result<&Value, Fault> {
    args.get(i)
}

fn int(args: &Args, i: usize) -> Result<i64, Fault> {
    args.int(i)
}

fn float(args: &Args, i: usize) -> Result<f64, Fault> {
    args.float(i)
}

fn text(args: &Args, i: usize) -> Result<&str, Fault> {
    args.text(i)
}

fn chr(args: &Args, i: usize) -> Result<char, Fault> {
    match arg(args, i)? {
        Value::Char(c) => Ok(*c),
        _ => Err("internal error: expected a char".into()),
    }
}

fn list_mut(args: &mut Args, i: usize) -> Result<&mut Vec<Value>, Fault> {
    args.list_mut(i)
}

fn map_mut(args: &mut Args, i: usize) -> Result<&mut Map, Fault> {
    args.map_mut(i)
}

fn string_mut(args: &mut Args, i: usize) -> Result<&mut crate::value::Text, Fault> {
    args.string_mut(i)
}

/// Moves argument `i` out (a by-value parameter).
pub(super) fn take(args: &mut Args, i: usize) -> Value {
    args.take(i)
}

/// What a std row without an implementation is bound to (the table test
/// rejects such a row, so none ships): a panic at the call naming it.
pub(crate) fn missing(vm: &mut Vm, _: &mut Args) -> R {
    let name = vm.calling_native().unwrap_or("this std function");
    Err(format!("`{name}` has no implementation in this runtime").into())
}

pub(super) fn some(v: Value) -> Value {
    Value::variant_of(OPTION, 0, std::iter::once(v))
}

pub(super) fn none() -> Value {
    Value::Tag(OPTION, 1)
}

pub(super) fn ok(v: Value) -> Value {
    Value::variant_of(RESULT, 0, std::iter::once(v))
}

pub(super) fn err(v: Value) -> Value {
    Value::variant_of(RESULT, 1, std::iter::once(v))
}

fn option(v: Option<Value>) -> Value {
    v.map_or_else(none, some)
}

/// Splits an enum value into its variant index and (moved) first field.
fn split_variant(v: Value) -> (u32, Value) {
    match v {
        Value::Variant(mut var) => {
            let f = var
                .fields_mut()
                .first_mut()
                .map(Value::take)
                .unwrap_or_default();
            (var.tag(), f)
        }
        Value::Tag(_, t) => (t, Value::Unit),
        other => match other.compact_parts() {
            Some((_, t, f)) => (t, f),
            None => (u32::MAX, Value::Unit),
        },
    }
}

fn list_index(len: usize, i: i64, inclusive_end: bool) -> Result<usize, Fault> {
    let limit = if inclusive_end { len + 1 } else { len };
    match usize::try_from(i) {
        Ok(u) if u < limit => Ok(u),
        _ => Err(format!("index out of bounds: the len is {len} but the index is {i}").into()),
    }
}

/// `(start, end)` of a range value over a sequence of `len`.
fn range_bounds(r: &Value, len: usize) -> Result<(usize, usize), Fault> {
    let Value::Record(rec) = r else {
        return Err("internal error: expected a range".into());
    };
    let start = rec.fields().first().and_then(Value::as_int).unwrap_or(0);
    let inclusive = matches!(rec.fields().get(2), Some(Value::Bool(true)));
    let end = match rec.fields().get(1).and_then(Value::as_int) {
        Some(e) if inclusive => e + 1,
        Some(e) => e,
        None => len as i64,
    };
    let (Ok(s), Ok(e)) = (usize::try_from(start), usize::try_from(end)) else {
        return Err(format!("range {start}..{end} is out of bounds").into());
    };
    if s > e {
        return Err(format!("slice index starts at {s} but ends at {e}").into());
    }
    if e > len {
        return Err(format!("range end index {e} out of range for slice of length {len}").into());
    }
    Ok((s, e))
}

// ---------------------------------------------------------------------------
// Errors and panics as values

/// An `Error` record made here: on the ordinary heap, even inside a zone
/// (an error is made to leave, by `?`).
pub fn make_error(vm: &Vm, kind: &str, message: &str) -> Value {
    let _unrouted = crate::zone::Unrouted::new();
    Value::record(
        ERROR,
        vec![
            Value::str(kind),
            Value::str(message),
            Value::str(vm.here()),
            none(),
        ],
    )
}

/// Reads an `Error` record's fields.
pub fn error_info(fields: &[Value]) -> ErrorInfo {
    let s = |i: usize| {
        fields
            .get(i)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    // The fields are owned (an `Error` holds no reference).
    let cause = match fields.get(3) {
        Some(Value::Variant(v)) if v.tag() == 0 => match v.fields().first() {
            Some(Value::Record(r)) => Some(Box::new(error_info(r.fields()))),
            _ => None,
        },
        _ => None,
    };
    ErrorInfo {
        kind: s(0),
        message: s(1),
        location: s(2),
        cause,
    }
}

/// The `?` conversion into `Error`: an `Error` stays itself; any other
/// error value becomes one whose message is its `Display` (or `Debug`).
///
/// # Safety
///
/// As [`fmt::debug`] for `v` (a value from a register).
pub unsafe fn to_error(vm: &Vm, v: Value) -> Value {
    if let Value::Record(r) = &v
        && r.ty() == ERROR
    {
        return v;
    }
    // SAFETY: the caller's promise.
    let message = match unsafe { v.target() } {
        Value::Str(s) => s.to_string(),
        // SAFETY: as above.
        other => unsafe { fmt::debug(&vm.program.module, other) },
    };
    make_error(vm, "Error", &message)
}

/// A caught panic as the `Panic` record `recover e` binds.
pub fn panic_value(p: &Panic) -> Value {
    Value::record(
        PANIC,
        vec![
            Value::str(p.message.clone()),
            Value::str(
                p.location
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ),
            Value::str(p.backtrace_text()),
        ],
    )
}

// ---------------------------------------------------------------------------
// The prelude

fn format_args(vm: &Vm, args: &mut Args) -> Result<String, Fault> {
    let pieces = fmt::parse(text(args, 0)?)?;
    let values = args.registers();
    // SAFETY: this native's arguments (`Args` vouched for them).
    Ok(unsafe { fmt::format(&vm.program.module, &pieces, values.get(1..).unwrap_or(&[])) })
}

fn write_out(vm: &mut Vm, s: &str, newline: bool) -> R {
    let r = if newline {
        writeln!(vm.out, "{s}")
    } else {
        write!(vm.out, "{s}")
    };
    r.map_err(|e| Fault::from(format!("failed printing to stdout: {e}")))?;
    Ok(Value::Unit)
}

fn write_err(vm: &mut Vm, s: &str, newline: bool) -> R {
    let _ = vm.out.flush();
    let r = if newline {
        writeln!(vm.err, "{s}")
    } else {
        write!(vm.err, "{s}")
    };
    r.map_err(|e| Fault::from(format!("failed printing to stderr: {e}")))?;
    Ok(Value::Unit)
}

pub(crate) fn print(vm: &mut Vm, a: &mut Args) -> R {
    let s = format_args(vm, a)?;
    write_out(vm, &s, false)
}

pub(crate) fn println(vm: &mut Vm, a: &mut Args) -> R {
    let s = format_args(vm, a)?;
    write_out(vm, &s, true)
}

pub(crate) fn eprintln(vm: &mut Vm, a: &mut Args) -> R {
    let s = format_args(vm, a)?;
    write_err(vm, &s, true)
}

pub(crate) fn format(vm: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(format_args(vm, a)?))
}

pub(crate) fn panic(vm: &mut Vm, a: &mut Args) -> R {
    Err(Fault::Message(format_args(vm, a)?))
}

pub(crate) fn assert(_: &mut Vm, a: &mut Args) -> R {
    match arg(a, 0)? {
        Value::Bool(true) => Ok(Value::Unit),
        _ => Err("assertion failed".into()),
    }
}

pub(crate) fn assert_eq(vm: &mut Vm, a: &mut Args) -> R {
    let (l, r) = (arg(a, 0)?, arg(a, 1)?);
    // SAFETY: this native's arguments, which `Args` vouched for.
    if unsafe { crate::value::values_equal(l, r) } {
        Ok(Value::Unit)
    } else {
        let m = &vm.program.module;
        // SAFETY: as above.
        let (l, r) = unsafe { (fmt::debug(m, l), fmt::debug(m, r)) };
        Err(format!("assertion `left == right` failed\n  left: {l}\n right: {r}").into())
    }
}

pub(crate) fn drop_value(_: &mut Vm, a: &mut Args) -> R {
    take(a, 0);
    Ok(Value::Unit)
}

pub(crate) fn error(vm: &mut Vm, a: &mut Args) -> R {
    Ok(make_error(vm, text(a, 0)?, text(a, 1)?))
}

pub(crate) fn read_line(vm: &mut Vm, _: &mut Args) -> R {
    let _ = vm.out.flush();
    let mut line = String::new();
    match std::io::stdin().read_line(&mut line) {
        Ok(0) | Err(_) => Ok(none()),
        Ok(_) => {
            let trimmed = line.strip_suffix('\n').unwrap_or(&line);
            let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
            Ok(some(Value::str(trimmed)))
        }
    }
}

// ---------------------------------------------------------------------------
// Scalars

pub(crate) fn to_string(vm: &mut Vm, a: &mut Args) -> R {
    let v = arg(a, 0)?;
    // The common cases without the formatter's machinery.
    Ok(Value::Str(match v {
        Value::Int(i) => crate::value::Text::from_int(*i),
        Value::Str(s) => s.clone(),
        // SAFETY: this native's argument, which `Args` vouched for.
        _ => unsafe { fmt::display(&vm.program.module, v) }.into(),
    }))
}

pub(crate) fn int_abs(_: &mut Vm, a: &mut Args) -> R {
    int(a, 0)?
        .checked_abs()
        .map(Value::Int)
        .ok_or_else(|| "attempt to negate with overflow".into())
}

pub(crate) fn int_pow(_: &mut Vm, a: &mut Args) -> R {
    let (b, e) = (int(a, 0)?, int(a, 1)?);
    let e = u32::try_from(e).map_err(|_| Fault::from("negative exponent in `pow`"))?;
    b.checked_pow(e)
        .map(Value::Int)
        .ok_or_else(|| "attempt to multiply with overflow".into())
}

pub(crate) fn int_min(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Int(int(a, 0)?.min(int(a, 1)?)))
}

pub(crate) fn int_max(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Int(int(a, 0)?.max(int(a, 1)?)))
}

pub(crate) fn int_signum(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Int(int(a, 0)?.signum()))
}

macro_rules! float_fn {
    ($name:ident, |$x:ident| $e:expr) => {
        pub(crate) fn $name(_: &mut Vm, a: &mut Args) -> R {
            let $x = float(a, 0)?;
            Ok(Value::Float($e))
        }
    };
    ($name:ident, |$x:ident, $y:ident| $e:expr) => {
        pub(crate) fn $name(_: &mut Vm, a: &mut Args) -> R {
            let $x = float(a, 0)?;
            let $y = float(a, 1)?;
            Ok(Value::Float($e))
        }
    };
}

float_fn!(f_abs, |x| x.abs());
float_fn!(f_sqrt, |x| x.sqrt());
float_fn!(f_floor, |x| x.floor());
float_fn!(f_ceil, |x| x.ceil());
float_fn!(f_round, |x| x.round());
float_fn!(f_exp, |x| x.exp());
float_fn!(f_ln, |x| x.ln());
float_fn!(f_powf, |x, y| x.powf(y));
float_fn!(f_min, |x, y| x.min(y));
float_fn!(f_max, |x, y| x.max(y));

pub(crate) fn f_powi(_: &mut Vm, a: &mut Args) -> R {
    let e =
        i32::try_from(int(a, 1)?).map_err(|_| Fault::from("exponent out of range in `powi`"))?;
    Ok(Value::Float(float(a, 0)?.powi(e)))
}

pub(crate) fn f_is_nan(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(float(a, 0)?.is_nan()))
}

pub(crate) fn c_is_digit(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(chr(a, 0)?.is_ascii_digit()))
}

pub(crate) fn c_is_alphabetic(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(chr(a, 0)?.is_alphabetic()))
}

pub(crate) fn c_is_whitespace(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(chr(a, 0)?.is_whitespace()))
}

pub(crate) fn c_is_uppercase(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(chr(a, 0)?.is_uppercase()))
}

pub(crate) fn c_to_digit(_: &mut Vm, a: &mut Args) -> R {
    let radix = u32::try_from(int(a, 1)?)
        .ok()
        .filter(|r| (2..=36).contains(r))
        .ok_or_else(|| Fault::from("to_digit: radix must be in 2..=36"))?;
    Ok(option(
        chr(a, 0)?.to_digit(radix).map(|d| Value::Int(i64::from(d))),
    ))
}

// ---------------------------------------------------------------------------
// String

pub(crate) fn s_new(_: &mut Vm, _: &mut Args) -> R {
    Ok(Value::str(String::new()))
}

pub(crate) fn s_from(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(text(a, 0)?.to_string()))
}

pub(crate) fn s_len(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Int(text(a, 0)?.len() as i64))
}

pub(crate) fn s_is_empty(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(text(a, 0)?.is_empty()))
}

/// Fails with the heap-budget stop when growing a buffer of `len` items
/// of `size` bytes (capacity `cap`) by `more` would pass the budget: the
/// buffer doubles, so one growth could otherwise allocate far past it (or
/// more than the machine has, which aborts the process).
fn make_room(vm: &Vm, len: usize, cap: usize, more: usize, size: usize) -> Result<(), Fault> {
    let need = len.saturating_add(more);
    if need <= cap {
        return Ok(());
    }
    vm.reserve(need.max(cap.saturating_mul(2)).saturating_mul(size))
}

pub(crate) fn s_push(vm: &mut Vm, a: &mut Args) -> R {
    let c = chr(a, 1)?;
    let s = string_mut(a, 0)?;
    make_room(vm, s.len(), s.capacity(), c.len_utf8(), 1)?;
    s.push(c);
    Ok(Value::Unit)
}

pub(crate) fn s_push_str(vm: &mut Vm, a: &mut Args) -> R {
    // The receiver and the argument are different places (the borrow
    // checker rejects `s.push_str(&s)`), so both are used in place.
    let (first, rest) = a.split_at_mut(1);
    let t = text(rest, 0)?;
    let s = string_mut(first, 0)?;
    make_room(vm, s.len(), s.capacity(), t.len(), 1)?;
    s.push_str(t);
    Ok(Value::Unit)
}

pub(crate) fn s_chars(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Iter(IterBox::chars(text(a, 0)?)))
}

pub(crate) fn s_contains(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(text(a, 0)?.contains(text(a, 1)?)))
}

pub(crate) fn s_starts_with(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(text(a, 0)?.starts_with(text(a, 1)?)))
}

pub(crate) fn s_ends_with(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(text(a, 0)?.ends_with(text(a, 1)?)))
}

pub(crate) fn s_find(_: &mut Vm, a: &mut Args) -> R {
    Ok(option(
        text(a, 0)?.find(text(a, 1)?).map(|i| Value::Int(i as i64)),
    ))
}

pub(crate) fn s_replace(vm: &mut Vm, a: &mut Args) -> R {
    let (s, from, to) = (text(a, 0)?, text(a, 1)?, text(a, 2)?);
    // The result can be far larger than the text (`replace("", big)`
    // inserts `big` between every two chars): counted before it is built.
    if to.len() > from.len() {
        let hits = if from.is_empty() {
            s.chars().count() + 1
        } else {
            s.matches(from).count()
        };
        vm.reserve(s.len().saturating_add(hits.saturating_mul(to.len())))?;
    }
    Ok(Value::str(s.replace(from, to)))
}

fn strings<'a>(items: impl Iterator<Item = &'a str>) -> Value {
    Value::List(items.map(Value::str).collect())
}

pub(crate) fn s_split(vm: &mut Vm, a: &mut Args) -> R {
    let (s, sep) = (text(a, 0)?, text(a, 1)?);
    // Each piece is a string of its own (splitting by "" gives one per
    // char): their allocations (a header and at least 16 bytes) are
    // counted before they are made.
    let pieces = if sep.is_empty() {
        s.chars().count() + 2
    } else {
        s.matches(sep).count() + 1
    };
    let per_piece = size_of::<Value>() + 32;
    vm.reserve(pieces.saturating_mul(per_piece).saturating_add(s.len()))?;
    Ok(strings(s.split(sep)))
}

pub(crate) fn s_lines(_: &mut Vm, a: &mut Args) -> R {
    Ok(strings(text(a, 0)?.lines()))
}

pub(crate) fn s_trim(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(text(a, 0)?.trim()))
}

pub(crate) fn s_to_upper(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(text(a, 0)?.to_uppercase()))
}

pub(crate) fn s_to_lower(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(text(a, 0)?.to_lowercase()))
}

pub(crate) fn s_parse_int(vm: &mut Vm, a: &mut Args) -> R {
    Ok(match text(a, 0)?.parse::<i64>() {
        Ok(i) => ok(Value::Int(i)),
        Err(e) => err(make_error(vm, "ParseIntError", &e.to_string())),
    })
}

pub(crate) fn s_parse_float(vm: &mut Vm, a: &mut Args) -> R {
    Ok(match text(a, 0)?.parse::<f64>() {
        Ok(f) => ok(Value::Float(f)),
        Err(e) => err(make_error(vm, "ParseFloatError", &e.to_string())),
    })
}

pub(crate) fn s_slice(_: &mut Vm, a: &mut Args) -> R {
    let s = text(a, 0)?;
    let (start, end) = range_bounds(arg(a, 1)?, s.len())?;
    for i in [start, end] {
        if !s.is_char_boundary(i) {
            return Err(format!("byte index {i} is not a char boundary").into());
        }
    }
    Ok(Value::str(&s[start..end]))
}

// ---------------------------------------------------------------------------
// Option and Result

pub(crate) fn opt_is_some(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(arg(a, 0)?.tag() == Some(0)))
}

pub(crate) fn opt_is_none(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(arg(a, 0)?.tag() == Some(1)))
}

pub(crate) fn opt_unwrap(_: &mut Vm, a: &mut Args) -> R {
    match split_variant(take(a, 0)) {
        (0, v) => Ok(v),
        _ => Err("called `Option::unwrap()` on a `None` value".into()),
    }
}

pub(crate) fn opt_expect(_: &mut Vm, a: &mut Args) -> R {
    let msg = text(a, 1)?.to_string();
    match split_variant(take(a, 0)) {
        (0, v) => Ok(v),
        _ => Err(msg.into()),
    }
}

pub(crate) fn unwrap_or(_: &mut Vm, a: &mut Args) -> R {
    let default = take(a, 1);
    match split_variant(take(a, 0)) {
        (0, v) => Ok(v),
        _ => Ok(default),
    }
}

pub(crate) fn opt_take(_: &mut Vm, a: &mut Args) -> R {
    let slot = a.get_mut(0)?;
    Ok(std::mem::replace(slot, none()))
}

pub(crate) fn opt_map(vm: &mut Vm, a: &mut Args) -> R {
    let mut f = take(a, 1);
    match split_variant(take(a, 0)) {
        (0, v) => Ok(some(vm.call_value(&mut f, vec![v])?)),
        _ => Ok(none()),
    }
}

pub(crate) fn opt_and_then(vm: &mut Vm, a: &mut Args) -> R {
    let mut f = take(a, 1);
    match split_variant(take(a, 0)) {
        (0, v) => vm.call_value(&mut f, vec![v]),
        _ => Ok(none()),
    }
}

pub(crate) fn opt_unwrap_or_else(vm: &mut Vm, a: &mut Args) -> R {
    let mut f = take(a, 1);
    match split_variant(take(a, 0)) {
        (0, v) => Ok(v),
        _ => vm.call_value(&mut f, Vec::new()),
    }
}

pub(crate) fn opt_is_some_and(vm: &mut Vm, a: &mut Args) -> R {
    let mut f = take(a, 1);
    match split_variant(take(a, 0)) {
        (0, v) => vm.call_value(&mut f, vec![v]),
        _ => Ok(Value::Bool(false)),
    }
}

pub(crate) fn opt_or(_: &mut Vm, a: &mut Args) -> R {
    let other = take(a, 1);
    match split_variant(take(a, 0)) {
        (0, v) => Ok(some(v)),
        _ => Ok(other),
    }
}

pub(crate) fn opt_ok_or(_: &mut Vm, a: &mut Args) -> R {
    let e = take(a, 1);
    match split_variant(take(a, 0)) {
        (0, v) => Ok(ok(v)),
        _ => Ok(err(e)),
    }
}

pub(crate) fn opt_as_ref(_: &mut Vm, a: &mut Args) -> R {
    let slot = a.get_mut(0)?;
    // The field needs a place of its own to be referred to.
    slot.expand();
    match slot {
        Value::Variant(v) if v.tag() == 0 => Ok(some(Value::Ref(&raw mut v.fields_mut()[0]))),
        _ => Ok(none()),
    }
}

/// `copied`/`cloned` of an `Option<&T>` or `Result<&T, E>`: the payload of
/// the first variant read through its one reference (a deep copy, which
/// for a Copy type is the copy).
pub(crate) fn copied(_: &mut Vm, a: &mut Args) -> R {
    match take(a, 0) {
        Value::Variant(mut v) if v.tag() == 0 => {
            if let Some(Value::Ref(p)) = v.fields().first() {
                // SAFETY: a reference value only exists while the borrow
                // checker keeps its target alive (see value.rs).
                let copy = unsafe { (**p).clone() };
                v.fields_mut()[0] = copy;
            }
            Ok(Value::Variant(v))
        }
        // SAFETY: as above.
        Value::SomeRef(p) => Ok(some(unsafe { (*p).clone() })),
        other => Ok(other),
    }
}

pub(crate) fn res_is_ok(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(arg(a, 0)?.tag() == Some(0)))
}

pub(crate) fn res_is_err(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(arg(a, 0)?.tag() == Some(1)))
}

pub(crate) fn res_unwrap(vm: &mut Vm, a: &mut Args) -> R {
    match split_variant(take(a, 0)) {
        (0, v) => Ok(v),
        (_, e) => Err(format!(
            "called `Result::unwrap()` on an `Err` value: {}",
            // SAFETY: the error value was this native's argument.
            unsafe { fmt::debug(&vm.program.module, &e) }
        )
        .into()),
    }
}

pub(crate) fn res_expect(vm: &mut Vm, a: &mut Args) -> R {
    let msg = text(a, 1)?.to_string();
    match split_variant(take(a, 0)) {
        (0, v) => Ok(v),
        // SAFETY: the error value was this native's argument.
        (_, e) => Err(format!("{msg}: {}", unsafe { fmt::debug(&vm.program.module, &e) }).into()),
    }
}

pub(crate) fn res_map(vm: &mut Vm, a: &mut Args) -> R {
    let mut f = take(a, 1);
    match split_variant(take(a, 0)) {
        (0, v) => Ok(ok(vm.call_value(&mut f, vec![v])?)),
        (_, e) => Ok(err(e)),
    }
}

pub(crate) fn res_and_then(vm: &mut Vm, a: &mut Args) -> R {
    let mut f = take(a, 1);
    match split_variant(take(a, 0)) {
        (0, v) => vm.call_value(&mut f, vec![v]),
        (_, e) => Ok(err(e)),
    }
}

pub(crate) fn res_unwrap_or_else(vm: &mut Vm, a: &mut Args) -> R {
    let mut f = take(a, 1);
    match split_variant(take(a, 0)) {
        (0, v) => Ok(v),
        (_, e) => vm.call_value(&mut f, vec![e]),
    }
}

pub(crate) fn res_map_err(vm: &mut Vm, a: &mut Args) -> R {
    let mut f = take(a, 1);
    match split_variant(take(a, 0)) {
        (0, v) => Ok(ok(v)),
        (_, e) => Ok(err(vm.call_value(&mut f, vec![e])?)),
    }
}

pub(crate) fn res_ok(_: &mut Vm, a: &mut Args) -> R {
    match split_variant(take(a, 0)) {
        (0, v) => Ok(some(v)),
        _ => Ok(none()),
    }
}

pub(crate) fn res_err(_: &mut Vm, a: &mut Args) -> R {
    match split_variant(take(a, 0)) {
        (1, e) => Ok(some(e)),
        _ => Ok(none()),
    }
}

// ---------------------------------------------------------------------------
// List

pub(crate) fn l_new(_: &mut Vm, _: &mut Args) -> R {
    Ok(Value::List(List::default()))
}

pub(crate) fn l_with_capacity(_: &mut Vm, a: &mut Args) -> R {
    let n = usize::try_from(int(a, 0)?).map_err(|_| Fault::from("capacity overflow"))?;
    Ok(Value::List(List::new(Vec::with_capacity(n.min(1 << 24)))))
}

pub(crate) fn l_len(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Int(a.list(0)?.len() as i64))
}

pub(crate) fn l_is_empty(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(a.list(0)?.is_empty()))
}

pub(crate) fn l_push(vm: &mut Vm, a: &mut Args) -> R {
    let v = take(a, 1);
    let l = a.list(0)?;
    make_room(vm, l.len(), l.capacity(), 1, size_of::<Value>())?;
    let young = vm.heap.is_young(&v);
    l.push_noted(v, young);
    Ok(Value::Unit)
}

pub(crate) fn l_pop(_: &mut Vm, a: &mut Args) -> R {
    Ok(option(list_mut(a, 0)?.pop()))
}

pub(crate) fn l_insert(vm: &mut Vm, a: &mut Args) -> R {
    let i = int(a, 1)?;
    let v = take(a, 2);
    let l = list_mut(a, 0)?;
    let len = l.len();
    match usize::try_from(i) {
        Ok(u) if u <= len => {
            make_room(vm, len, l.capacity(), 1, size_of::<Value>())?;
            l.insert(u, v);
            Ok(Value::Unit)
        }
        _ => Err(format!("insertion index (is {i}) should be <= len (is {len})").into()),
    }
}

pub(crate) fn l_remove(_: &mut Vm, a: &mut Args) -> R {
    let i = int(a, 1)?;
    let l = list_mut(a, 0)?;
    let len = l.len();
    match usize::try_from(i) {
        Ok(u) if u < len => Ok(l.remove(u)),
        _ => Err(format!("removal index (is {i}) should be < len (is {len})").into()),
    }
}

pub(crate) fn l_get(_: &mut Vm, a: &mut Args) -> R {
    let i = int(a, 1)?;
    let l = a.list(0)?;
    Ok(option(
        usize::try_from(i)
            .ok()
            .and_then(|u| l.slot_ptr(u))
            .map(Value::Ref),
    ))
}

pub(crate) fn l_first(_: &mut Vm, a: &mut Args) -> R {
    Ok(option(a.list(0)?.slot_ptr(0).map(Value::Ref)))
}

pub(crate) fn l_last(_: &mut Vm, a: &mut Args) -> R {
    let l = a.list(0)?;
    let last = l.len().checked_sub(1);
    Ok(option(last.and_then(|i| l.slot_ptr(i)).map(Value::Ref)))
}

pub(crate) fn l_contains(_: &mut Vm, a: &mut Args) -> R {
    let needle = arg(a, 1)?.clone();
    let l = a.list(0)?;
    // SAFETY: the list and the needle are this native's arguments.
    let equal = |v: &Value| unsafe { crate::value::values_equal(v, &needle) };
    Ok(Value::Bool(l.iter().any(equal)))
}

pub(crate) fn l_clear(_: &mut Vm, a: &mut Args) -> R {
    list_mut(a, 0)?.clear();
    Ok(Value::Unit)
}

pub(crate) fn l_sort(_: &mut Vm, a: &mut Args) -> R {
    // SAFETY: the elements are this native's argument's.
    list_mut(a, 0)?.sort_by(|x, y| unsafe { crate::value::compare(x, y) });
    Ok(Value::Unit)
}

pub(crate) fn l_reverse(_: &mut Vm, a: &mut Args) -> R {
    list_mut(a, 0)?.reverse();
    Ok(Value::Unit)
}

pub(crate) fn l_swap(_: &mut Vm, a: &mut Args) -> R {
    let (i, j) = (int(a, 1)?, int(a, 2)?);
    let l = list_mut(a, 0)?;
    let len = l.len();
    let i = list_index(len, i, false)?;
    let j = list_index(len, j, false)?;
    l.swap(i, j);
    Ok(Value::Unit)
}

pub(crate) fn l_truncate(_: &mut Vm, a: &mut Args) -> R {
    let n = usize::try_from(int(a, 1)?).unwrap_or(0);
    list_mut(a, 0)?.truncate(n);
    Ok(Value::Unit)
}

pub(crate) fn l_slice(_: &mut Vm, a: &mut Args) -> R {
    let r = arg(a, 1)?.clone();
    let l = a.list(0)?;
    let (s, e) = range_bounds(&r, l.len())?;
    Ok(Value::List(List::new(l[s..e].to_vec())))
}

pub(crate) fn l_iter(_: &mut Vm, a: &mut Args) -> R {
    let l = a.list(0)?;
    Ok(Value::Iter(IterBox::new(Iter::Refs {
        next: l.start_ptr(),
        left: l.len(),
        stride: 1,
    })))
}

// ---------------------------------------------------------------------------
// Map

/// The map in argument 0 and the key argument 1 points to (a `&K`).
fn map_and_key(a: &mut Args) -> Result<(&mut Map, KeyRef<'_>), Fault> {
    let (map, rest) = a.split_at_mut(1);
    Ok((map_mut(map, 0)?, KeyRef(rest.get(0)?)))
}

pub(crate) fn m_new(_: &mut Vm, _: &mut Args) -> R {
    Ok(Value::Map(Box::default()))
}

pub(crate) fn m_insert(_: &mut Vm, a: &mut Args) -> R {
    let key = Key(take(a, 1));
    let v = take(a, 2);
    let map = map_mut(a, 0)?;
    // A key already there keeps its entry: only the value changes (no
    // copy of the key, no new entry).
    if let Some(e) = map.get_mut(&key) {
        let old = std::mem::replace(entry_part(e, 1), v);
        return Ok(option(Some(old)));
    }
    let k = key.0;
    map.insert(Key(k.clone()), entry(k, v));
    Ok(option(None))
}

pub(crate) fn m_get(_: &mut Vm, a: &mut Args) -> R {
    let (map, k) = map_and_key(a)?;
    Ok(option(
        map.get_mut(&k).map(|e| Value::Ref(entry_part(e, 1))),
    ))
}

pub(crate) fn m_contains_key(_: &mut Vm, a: &mut Args) -> R {
    let (map, k) = map_and_key(a)?;
    Ok(Value::Bool(map.contains_key(&k)))
}

pub(crate) fn m_remove(_: &mut Vm, a: &mut Args) -> R {
    let (map, k) = map_and_key(a)?;
    Ok(option(map.shift_remove(&k).map(into_entry_value)))
}

pub(crate) fn m_len(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Int(map_mut(a, 0)?.len() as i64))
}

pub(crate) fn m_is_empty(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(map_mut(a, 0)?.is_empty()))
}

pub(crate) fn m_keys(_: &mut Vm, a: &mut Args) -> R {
    let m: *mut Map = map_mut(a, 0)?;
    Ok(Value::Iter(IterBox::new(Iter::MapPart {
        map: m,
        next: 0,
        values: false,
    })))
}

pub(crate) fn m_values(_: &mut Vm, a: &mut Args) -> R {
    let m: *mut Map = map_mut(a, 0)?;
    Ok(Value::Iter(IterBox::new(Iter::MapPart {
        map: m,
        next: 0,
        values: true,
    })))
}

pub(crate) fn m_clear(_: &mut Vm, a: &mut Args) -> R {
    map_mut(a, 0)?.clear();
    Ok(Value::Unit)
}

// ---------------------------------------------------------------------------
// Range, Iter, Error, Panic

pub(crate) fn range_contains(_: &mut Vm, a: &mut Args) -> R {
    let x = int(a, 1)?;
    let Value::Record(r) = arg(a, 0)? else {
        return Err("internal error: expected a range".into());
    };
    let start = r.fields().first().and_then(Value::as_int);
    let end = r.fields().get(1).and_then(Value::as_int);
    let inclusive = matches!(r.fields().get(2), Some(Value::Bool(true)));
    let above = start.is_none_or(|s| x >= s);
    let below = end.is_none_or(|e| if inclusive { x <= e } else { x < e });
    Ok(Value::Bool(above && below))
}

fn iter_of(a: &mut Args) -> Result<IterBox, Fault> {
    match take(a, 0) {
        Value::Iter(it) => Ok(it),
        _ => Err("internal error: expected an iterator".into()),
    }
}

pub(crate) fn it_count(_: &mut Vm, a: &mut Args) -> R {
    let mut it = iter_of(a)?;
    let mut n = 0;
    // SAFETY: an iterator passed as this native's argument.
    while unsafe { super::iter_next(&mut it) }.is_some() {
        n += 1;
    }
    Ok(Value::Int(n))
}

pub(crate) fn it_collect(_: &mut Vm, a: &mut Args) -> R {
    let mut it = iter_of(a)?;
    let mut out = Vec::new();
    // SAFETY: an iterator passed as this native's argument.
    while let Some(v) = unsafe { super::iter_next(&mut it) } {
        out.push(v);
    }
    Ok(Value::List(List::new(out)))
}

pub(crate) fn e_context(vm: &mut Vm, a: &mut Args) -> R {
    let cause = take(a, 0);
    let msg = text(a, 1)?.to_string();
    let kind = match &cause {
        Value::Record(r) => r
            .fields()
            .first()
            .and_then(Value::as_str)
            .unwrap_or("Error")
            .to_string(),
        _ => "Error".to_string(),
    };
    Ok(Value::record(
        ERROR,
        vec![
            Value::str(kind),
            Value::str(msg),
            Value::str(vm.here()),
            some(cause),
        ],
    ))
}

// ---------------------------------------------------------------------------
// math, fs, time

fn fs_error(vm: &Vm, path: &str, e: &std::io::Error) -> Value {
    err(make_error(vm, "IoError", &format!("{path}: {e}")))
}

pub(crate) fn fs_read(vm: &mut Vm, a: &mut Args) -> R {
    let path = text(a, 0)?;
    vm.check_path(path)?;
    Ok(match std::fs::read_to_string(path) {
        Ok(s) => ok(Value::str(s)),
        Err(e) => fs_error(vm, path, &e),
    })
}

pub(crate) fn fs_write(vm: &mut Vm, a: &mut Args) -> R {
    let (path, t) = (text(a, 0)?, text(a, 1)?);
    vm.check_path(path)?;
    Ok(match std::fs::write(path, t) {
        Ok(()) => ok(Value::Unit),
        Err(e) => fs_error(vm, path, &e),
    })
}

pub(crate) fn fs_append(vm: &mut Vm, a: &mut Args) -> R {
    let (path, t) = (text(a, 0)?, text(a, 1)?);
    vm.check_path(path)?;
    let r = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .and_then(|mut f| f.write_all(t.as_bytes()));
    Ok(match r {
        Ok(()) => ok(Value::Unit),
        Err(e) => fs_error(vm, path, &e),
    })
}

pub(crate) fn fs_exists(vm: &mut Vm, a: &mut Args) -> R {
    let path = text(a, 0)?;
    vm.check_path(path)?;
    Ok(Value::Bool(std::path::Path::new(path).exists()))
}

pub(crate) fn fs_lines(vm: &mut Vm, a: &mut Args) -> R {
    let path = text(a, 0)?;
    vm.check_path(path)?;
    Ok(match std::fs::read_to_string(path) {
        Ok(s) => ok(strings(s.lines())),
        Err(e) => fs_error(vm, path, &e),
    })
}

/// Instants are nanoseconds since the first use of the clock.
fn epoch() -> std::time::Instant {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(std::time::Instant::now)
}

pub(crate) fn time_now(_: &mut Vm, _: &mut Args) -> R {
    let nanos = epoch().elapsed().as_nanos();
    Ok(Value::Int(i64::try_from(nanos).unwrap_or(i64::MAX)))
}

fn elapsed_nanos(a: &Args) -> Result<i64, Fault> {
    let now = i64::try_from(epoch().elapsed().as_nanos()).unwrap_or(i64::MAX);
    Ok(now - int(a, 0)?)
}

pub(crate) fn time_elapsed_ms(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Int(elapsed_nanos(a)? / 1_000_000))
}

pub(crate) fn time_elapsed_us(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Int(elapsed_nanos(a)? / 1_000))
}

pub(crate) fn time_to_string(_: &mut Vm, a: &mut Args) -> R {
    let n = int(a, 0)?;
    Ok(Value::str(format!(
        "Instant({}.{:09}s)",
        n / 1_000_000_000,
        n % 1_000_000_000
    )))
}
