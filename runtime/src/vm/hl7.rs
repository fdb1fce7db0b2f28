//! The natives of `std::hl7` (the message model is `stdlib::hl7`).
//! Terser paths are parsed at each call; a path that does not parse is a
//! panic naming what is wrong (a literal path is checked by `ward check`
//! before the program runs, W1107).

// Every native has the one `NativeFn` signature, fallible or not.
#![allow(clippy::unnecessary_wraps)]

use std::sync::Arc;

use super::natives::{err, make_error, none, ok, some};
use super::{Args, Fault, Vm};
use crate::stdlib::hl7::batch::Batch;
use crate::stdlib::hl7::mllp::{self, Reader};
use crate::stdlib::hl7::{Encoding, Field, Message, Path, Segment, path};
use crate::stdlib::time::DateTime;
use crate::value::std_value::std_mut;
use crate::value::{List, StdValue, Value};

type R = Result<Value, Fault>;

fn std(v: StdValue) -> Value {
    Value::Std(Arc::new(v))
}

fn wrong(what: &str) -> Fault {
    Fault::Message(format!("internal error: expected a `{what}`"))
}

fn get_std(a: &Args, i: usize) -> Result<&StdValue, Fault> {
    match a.get(i)? {
        Value::Std(d) => Ok(d),
        _ => Err(wrong("std value")),
    }
}

fn message(a: &Args, i: usize) -> Result<&Message, Fault> {
    match get_std(a, i)? {
        StdValue::Hl7Message(m) => Ok(m),
        _ => Err(wrong("Message")),
    }
}

fn message_mut(a: &mut Args, i: usize) -> Result<&mut Message, Fault> {
    match a.get_mut(i)? {
        Value::Std(d) => match std_mut(d) {
            Some(StdValue::Hl7Message(m)) => Ok(m),
            _ => Err(wrong("Message")),
        },
        _ => Err(wrong("Message")),
    }
}

fn segment(a: &Args, i: usize) -> Result<&Arc<Segment>, Fault> {
    match get_std(a, i)? {
        StdValue::Hl7Segment(s) => Ok(s),
        _ => Err(wrong("Segment")),
    }
}

fn field(a: &Args, i: usize) -> Result<&Field, Fault> {
    match get_std(a, i)? {
        StdValue::Hl7Field(f) => Ok(f),
        _ => Err(wrong("Field")),
    }
}

/// A position argument: 1 or more.
fn position(a: &Args, i: usize, what: &str) -> Result<usize, Fault> {
    let n = a.int(i)?;
    usize::try_from(n)
        .ok()
        .filter(|&n| n >= 1)
        .ok_or_else(|| Fault::Message(format!("{what} {n}: HL7 positions count from 1")))
}

/// A terser path argument; one that does not parse is a panic.
fn path_arg(a: &Args, i: usize) -> Result<Path, Fault> {
    let text = a.text(i)?;
    path::parse(text).map_err(|e| {
        Fault::Message(format!(
            "`{text}` is not an HL7 path: {} (at character {})",
            e.message,
            e.at + 1
        ))
    })
}

fn strings(items: impl IntoIterator<Item = String>) -> Value {
    Value::List(List::new(items.into_iter().map(Value::str).collect()))
}

fn segment_value(s: &Arc<Segment>) -> Value {
    std(StdValue::Hl7Segment(s.clone()))
}

/// `hl7::parse(text)`.
pub(crate) fn parse(vm: &mut Vm, a: &mut Args) -> R {
    Ok(match Message::parse(a.text(0)?) {
        Ok(m) => ok(std(StdValue::Hl7Message(m))),
        Err(e) => err(make_error(vm, "Hl7Error", &e.0)),
    })
}

/// `hl7::parse_batch(text)`.
pub(crate) fn parse_batch(vm: &mut Vm, a: &mut Args) -> R {
    Ok(match Batch::parse(a.text(0)?) {
        Ok(b) => ok(std(StdValue::Hl7Batch(b))),
        Err(e) => err(make_error(vm, "Hl7Error", &e.0)),
    })
}

/// `Message::new()`: MSH with `|^~\&`.
pub(crate) fn new_message(_: &mut Vm, _: &mut Args) -> R {
    Ok(std(StdValue::Hl7Message(Message::new(Encoding::default()))))
}

pub(crate) fn get(_: &mut Vm, a: &mut Args) -> R {
    let p = path_arg(a, 1)?;
    Ok(message(a, 0)?
        .get(&p)
        .map_or_else(none, |v| some(Value::str(v))))
}

pub(crate) fn is_null(_: &mut Vm, a: &mut Args) -> R {
    let p = path_arg(a, 1)?;
    Ok(Value::Bool(
        message(a, 0)?.raw_at(&p).is_some_and(|r| r == "\"\""),
    ))
}

pub(crate) fn set(vm: &mut Vm, a: &mut Args) -> R {
    let p = path_arg(a, 1)?;
    let value = a.text(2)?.to_string();
    Ok(match message_mut(a, 0)?.set(&p, &value) {
        Ok(()) => ok(Value::Unit),
        Err(e) => err(make_error(vm, "Hl7Error", &e)),
    })
}

pub(crate) fn add_segment(_: &mut Vm, a: &mut Args) -> R {
    let name = a.text(1)?.to_string();
    let valid = name.len() == 3
        && name.as_bytes()[0].is_ascii_uppercase()
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !valid {
        return Err(Fault::Message(format!(
            "{name:?} is not a segment id (three capital letters or digits)"
        )));
    }
    message_mut(a, 0)?.add_segment(&name);
    Ok(Value::Unit)
}

pub(crate) fn segments(_: &mut Vm, a: &mut Args) -> R {
    let name = a.text(1)?;
    let found = message(a, 0)?
        .segments()
        .filter(|s| s.name() == name)
        .map(segment_value)
        .collect();
    Ok(Value::List(List::new(found)))
}

pub(crate) fn all_segments(_: &mut Vm, a: &mut Args) -> R {
    let all = message(a, 0)?.segments().map(segment_value).collect();
    Ok(Value::List(List::new(all)))
}

pub(crate) fn first_segment(_: &mut Vm, a: &mut Args) -> R {
    let name = a.text(1)?;
    Ok(message(a, 0)?
        .segment(name, 1)
        .map_or_else(none, |s| some(segment_value(s))))
}

/// An acknowledgement stamped with the wall clock; a code outside table
/// 0008 is a panic (a program's mistake, not the peer's).
fn ack_with(a: &Args, error: Option<&str>) -> R {
    let code = a.text(1)?;
    message(a, 0)?
        .ack(code, error, DateTime::now())
        .map(|m| std(StdValue::Hl7Message(m)))
        .map_err(Fault::Message)
}

/// `message.ack(code)`.
pub(crate) fn ack(_: &mut Vm, a: &mut Args) -> R {
    ack_with(a, None)
}

/// `message.ack_error(code, text)`.
pub(crate) fn ack_error(_: &mut Vm, a: &mut Args) -> R {
    let text = a.text(2)?.to_string();
    ack_with(a, Some(&text))
}

pub(crate) fn message_text(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(message(a, 0)?.to_text()))
}

pub(crate) fn segment_name(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(segment(a, 0)?.name()))
}

pub(crate) fn segment_field(_: &mut Vm, a: &mut Args) -> R {
    let n = position(a, 1, "field")?;
    Ok(std(StdValue::Hl7Field(segment(a, 0)?.field(n))))
}

pub(crate) fn field_count(_: &mut Vm, a: &mut Args) -> R {
    let n = segment(a, 0)?.field_count();
    Ok(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

pub(crate) fn segment_text(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(segment(a, 0)?.text()))
}

pub(crate) fn component(_: &mut Vm, a: &mut Args) -> R {
    let n = position(a, 1, "component")?;
    Ok(Value::str(field(a, 0)?.component(n)))
}

pub(crate) fn subcomponent(_: &mut Vm, a: &mut Args) -> R {
    let c = position(a, 1, "component")?;
    let s = position(a, 2, "subcomponent")?;
    Ok(Value::str(field(a, 0)?.subcomponent(c, s)))
}

pub(crate) fn components(_: &mut Vm, a: &mut Args) -> R {
    Ok(strings(field(a, 0)?.components()))
}

pub(crate) fn repetitions(_: &mut Vm, a: &mut Args) -> R {
    let reps = field(a, 0)?
        .repetitions()
        .into_iter()
        .map(|f| std(StdValue::Hl7Field(f)))
        .collect();
    Ok(Value::List(List::new(reps)))
}

pub(crate) fn field_as_string(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(field(a, 0)?.as_string()))
}

pub(crate) fn field_is_null(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(field(a, 0)?.is_null()))
}

pub(crate) fn field_is_empty(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Bool(field(a, 0)?.is_empty()))
}

pub(crate) fn field_text(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(field(a, 0)?.raw()))
}

fn batch(a: &Args, i: usize) -> Result<&Batch, Fault> {
    match get_std(a, i)? {
        StdValue::Hl7Batch(b) => Ok(b),
        _ => Err(wrong("Batch")),
    }
}

pub(crate) fn batch_messages(_: &mut Vm, a: &mut Args) -> R {
    let all = batch(a, 0)?
        .messages()
        .map(|m| std(StdValue::Hl7Message(m.clone())))
        .collect();
    Ok(Value::List(List::new(all)))
}

pub(crate) fn batch_envelope(_: &mut Vm, a: &mut Args) -> R {
    let name = a.text(1)?;
    Ok(batch(a, 0)?
        .envelope(name)
        .map_or_else(none, |s| some(segment_value(&Arc::new(s.clone())))))
}

pub(crate) fn batch_text(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(batch(a, 0)?.to_text()))
}

/// `hl7::frame(message)`.
pub(crate) fn frame(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(mllp::frame(&message(a, 0)?.to_text())))
}

/// `hl7::frame_text(text)`.
pub(crate) fn frame_text(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(mllp::frame(a.text(0)?)))
}

/// `hl7::unframe(data)`.
pub(crate) fn unframe(vm: &mut Vm, a: &mut Args) -> R {
    Ok(match mllp::unframe(a.text(0)?) {
        Ok(text) => ok(Value::str(text)),
        Err(e) => err(make_error(vm, "MllpError", &e)),
    })
}

pub(crate) fn reader_new(_: &mut Vm, _: &mut Args) -> R {
    Ok(std(StdValue::MllpReader(Reader::default())))
}

fn reader_mut(a: &mut Args, i: usize) -> Result<&mut Reader, Fault> {
    match a.get_mut(i)? {
        Value::Std(d) => match std_mut(d) {
            Some(StdValue::MllpReader(r)) => Ok(r),
            _ => Err(wrong("MllpReader")),
        },
        _ => Err(wrong("MllpReader")),
    }
}

fn reader(a: &Args, i: usize) -> Result<&Reader, Fault> {
    match get_std(a, i)? {
        StdValue::MllpReader(r) => Ok(r),
        _ => Err(wrong("MllpReader")),
    }
}

/// `reader.push(data)`: the messages whose frames `data` completed.
pub(crate) fn reader_push(vm: &mut Vm, a: &mut Args) -> R {
    let data = a.text(1)?.to_string();
    Ok(match reader_mut(a, 0)?.push(&data) {
        Ok(messages) => ok(strings(messages)),
        Err(e) => err(make_error(vm, "MllpError", &e)),
    })
}

pub(crate) fn reader_pending(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Int(
        i64::try_from(reader(a, 0)?.pending()).unwrap_or(i64::MAX),
    ))
}

pub(crate) fn reader_discarded(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Int(
        i64::try_from(reader(a, 0)?.discarded()).unwrap_or(i64::MAX),
    ))
}
