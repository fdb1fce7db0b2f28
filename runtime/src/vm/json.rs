//! The natives of `std::json` and the `Json` type (the value model is
//! `crate::stdlib::json`). A `Json` register is a `Value::Std` holding a
//! `StdValue::Json`; members and elements come out as `Json` values that
//! share their parts with the value they came from.

// Every native has the one `NativeFn` signature, fallible or not.
#![allow(clippy::unnecessary_wraps)]

use std::sync::Arc;

use super::natives::{err, make_error, none, ok, some};
use super::{Args, Fault, Vm};
use crate::stdlib::json::{self, Json};
use crate::value::std_value::std_mut;
use crate::value::{List, StdValue, Value};

type R = Result<Value, Fault>;

/// A `Json` register.
pub(crate) fn value(j: Json) -> Value {
    Value::Std(Arc::new(StdValue::Json(j)))
}

fn not_json() -> Fault {
    "internal error: expected a `Json`".into()
}

/// Argument `i` as a `Json`.
pub(crate) fn arg(a: &Args, i: usize) -> Result<&Json, Fault> {
    match a.get(i)? {
        Value::Std(d) => d.as_json().ok_or_else(not_json),
        _ => Err(not_json()),
    }
}

fn arg_mut(a: &mut Args, i: usize) -> Result<&mut Json, Fault> {
    match a.get_mut(i)? {
        Value::Std(d) => std_mut(d)
            .and_then(StdValue::as_json_mut)
            .ok_or_else(not_json),
        _ => Err(not_json()),
    }
}

/// A `Json` out of a value (moved when not shared).
fn into_json(v: Value) -> Result<Json, Fault> {
    let Value::Std(d) = v else {
        return Err(not_json());
    };
    match Arc::try_unwrap(d) {
        Ok(StdValue::Json(j)) => Ok(j),
        Ok(_) => Err(not_json()),
        Err(shared) => shared.as_json().cloned().ok_or_else(not_json),
    }
}

/// A `Json` argument passed by value, moved out.
fn take(a: &mut Args, i: usize) -> Result<Json, Fault> {
    into_json(a.take(i))
}

fn opt(j: Option<&Json>) -> Value {
    j.map_or_else(none, |j| some(value(j.clone())))
}

/// `json::parse(text)`.
pub(crate) fn parse(vm: &mut Vm, a: &mut Args) -> R {
    Ok(match json::parse(a.text(0)?) {
        Ok(j) => ok(value(j)),
        Err(e) => err(make_error(vm, "JsonError", &e.to_string())),
    })
}

/// `json::stringify(value)` and `Json::to_string`.
pub(crate) fn stringify(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(arg(a, 0)?.to_text()))
}

/// `json::pretty(value)`.
pub(crate) fn pretty(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(arg(a, 0)?.to_pretty()))
}

pub(crate) fn null(_: &mut Vm, _: &mut Args) -> R {
    Ok(value(Json::Null))
}

pub(crate) fn object(_: &mut Vm, _: &mut Args) -> R {
    Ok(value(Json::object()))
}

pub(crate) fn array(_: &mut Vm, _: &mut Args) -> R {
    Ok(value(Json::array()))
}

pub(crate) fn from_int(_: &mut Vm, a: &mut Args) -> R {
    Ok(value(Json::Int(a.int(0)?)))
}

pub(crate) fn from_float(_: &mut Vm, a: &mut Args) -> R {
    Ok(value(Json::float(a.float(0)?)))
}

pub(crate) fn from_bool(_: &mut Vm, a: &mut Args) -> R {
    match a.get(0)? {
        Value::Bool(b) => Ok(value(Json::Bool(*b))),
        _ => Err("internal error: expected a bool".into()),
    }
}

pub(crate) fn from_string(_: &mut Vm, a: &mut Args) -> R {
    Ok(value(Json::string(a.text(0)?)))
}

/// `Json::from_list(items)`: an array.
pub(crate) fn from_list(_: &mut Vm, a: &mut Args) -> R {
    let Value::List(items) = a.take(0) else {
        return Err("internal error: expected a list".into());
    };
    let out = List::into_vec(items)
        .into_iter()
        .map(into_json)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(value(Json::Array(Arc::new(out))))
}

pub(crate) fn get(_: &mut Vm, a: &mut Args) -> R {
    Ok(opt(arg(a, 0)?.get(a.text(1)?)))
}

pub(crate) fn index(_: &mut Vm, a: &mut Args) -> R {
    Ok(opt(arg(a, 0)?.index(a.int(1)?)))
}

pub(crate) fn get_string(_: &mut Vm, a: &mut Args) -> R {
    Ok(member_result(arg(a, 0)?.get(a.text(1)?), MEMBER_STRING))
}

pub(crate) fn get_int(_: &mut Vm, a: &mut Args) -> R {
    Ok(member_result(arg(a, 0)?.get(a.text(1)?), MEMBER_INT))
}

pub(crate) fn get_float(_: &mut Vm, a: &mut Args) -> R {
    Ok(member_result(arg(a, 0)?.get(a.text(1)?), MEMBER_FLOAT))
}

pub(crate) fn get_bool(_: &mut Vm, a: &mut Args) -> R {
    Ok(member_result(arg(a, 0)?.get(a.text(1)?), MEMBER_BOOL))
}

pub(crate) fn as_int(_: &mut Vm, a: &mut Args) -> R {
    Ok(arg(a, 0)?
        .as_i64()
        .map_or_else(none, |i| some(Value::Int(i))))
}

pub(crate) fn as_float(_: &mut Vm, a: &mut Args) -> R {
    Ok(arg(a, 0)?
        .as_f64()
        .map_or_else(none, |f| some(Value::Float(f))))
}

pub(crate) fn as_string(_: &mut Vm, a: &mut Args) -> R {
    Ok(arg(a, 0)?
        .as_str()
        .map_or_else(none, |s| some(Value::str(s))))
}

pub(crate) fn as_bool(_: &mut Vm, a: &mut Args) -> R {
    Ok(arg(a, 0)?
        .as_bool()
        .map_or_else(none, |b| some(Value::Bool(b))))
}

pub(crate) fn as_list(_: &mut Vm, a: &mut Args) -> R {
    Ok(match arg(a, 0)?.as_array() {
        Some(items) => some(Value::List(List::new(
            items.iter().cloned().map(value).collect(),
        ))),
        None => none(),
    })
}

fn is(a: &Args, kind: &str) -> R {
    Ok(Value::Bool(arg(a, 0)?.kind() == kind))
}

pub(crate) fn is_null(_: &mut Vm, a: &mut Args) -> R {
    is(a, "null")
}

pub(crate) fn is_bool(_: &mut Vm, a: &mut Args) -> R {
    is(a, "bool")
}

pub(crate) fn is_number(_: &mut Vm, a: &mut Args) -> R {
    is(a, "number")
}

pub(crate) fn is_string(_: &mut Vm, a: &mut Args) -> R {
    is(a, "string")
}

pub(crate) fn is_array(_: &mut Vm, a: &mut Args) -> R {
    is(a, "array")
}

pub(crate) fn is_object(_: &mut Vm, a: &mut Args) -> R {
    is(a, "object")
}

pub(crate) fn kind(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(arg(a, 0)?.kind()))
}

pub(crate) fn keys(_: &mut Vm, a: &mut Args) -> R {
    let keys = match arg(a, 0)?.as_object() {
        Some(o) => o.keys().map(Value::str).collect(),
        None => Vec::new(),
    };
    Ok(Value::List(List::new(keys)))
}

pub(crate) fn len(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Int(
        i64::try_from(arg(a, 0)?.len()).unwrap_or(i64::MAX),
    ))
}

pub(crate) fn contains_key(_: &mut Vm, a: &mut Args) -> R {
    Ok(member_result(arg(a, 0)?.get(a.text(1)?), MEMBER_CONTAINS))
}

/// `json.set(key, value)`: a panic on anything but an object, as
/// `serde_json`'s `value[key] = …` on a non-object.
pub(crate) fn set(_: &mut Vm, a: &mut Args) -> R {
    let key = a.text(1)?.to_string();
    let v = take(a, 2)?;
    arg_mut(a, 0)?.set(&key, v).map_err(|kind| {
        Fault::Message(format!(
            "`Json::set` on a {kind}: only an object has members (key {key:?})"
        ))
    })?;
    Ok(Value::Unit)
}

pub(crate) fn push(_: &mut Vm, a: &mut Args) -> R {
    let v = take(a, 1)?;
    arg_mut(a, 0)?.push(v).map_err(|kind| {
        Fault::Message(format!(
            "`Json::push` on a {kind}: only an array has elements"
        ))
    })?;
    Ok(Value::Unit)
}

pub(crate) fn remove(_: &mut Vm, a: &mut Args) -> R {
    let key = a.text(1)?.to_string();
    Ok(arg_mut(a, 0)?
        .remove(&key)
        .map_or_else(none, |j| some(value(j))))
}

/// Whether `json_get` sites use their inline cache: yes, unless the
/// environment says `WARD_INLINE_CACHE=off` (for the benchmark that
/// measures what the cache is worth).
static CACHE_ENABLED: std::sync::LazyLock<bool> =
    std::sync::LazyLock::new(|| std::env::var("WARD_INLINE_CACHE").map_or(true, |v| v != "off"));

/// Where a key was found in objects of one shape; `ABSENT` when it is
/// not there.
const ABSENT: u32 = u32::MAX;

/// A task's inline cache: per `json_get` site (its `slot`), the id of the
/// last object shape seen there and the key's offset in it. Monomorphic,
/// as V8's first state: a site that sees another shape looks the key up
/// and remembers that shape instead.
#[derive(Debug)]
pub(crate) struct MemberCache {
    entries: Vec<(u64, u32)>,
    enabled: bool,
}

impl Default for MemberCache {
    fn default() -> Self {
        MemberCache {
            entries: Vec::new(),
            enabled: *CACHE_ENABLED,
        }
    }
}

impl MemberCache {
    /// `json_get`: member `key` of the `Json` in `target`, as `mode` says.
    pub(crate) fn get(&mut self, target: &Value, key: &str, mode: u8, slot: u16) -> R {
        let Value::Std(d) = target else {
            return Err("internal error: `json_get` on a value that is not a `Json`".into());
        };
        let Some(j) = d.as_json() else {
            return Err("internal error: `json_get` on a value that is not a `Json`".into());
        };
        let found = match j {
            Json::Object(o) if self.enabled => {
                let slot = usize::from(slot);
                if slot >= self.entries.len() {
                    self.entries.resize(slot + 1, (0, ABSENT));
                }
                let id = o.shape().id();
                let entry = &mut self.entries[slot];
                let offset = if entry.0 == id {
                    entry.1
                } else {
                    let offset = o
                        .shape()
                        .find(key)
                        .map_or(ABSENT, |i| u32::try_from(i).unwrap_or(ABSENT));
                    *entry = (id, offset);
                    offset
                };
                o.at(offset as usize)
            }
            other => other.get(key),
        };
        Ok(member_result(found, mode))
    }
}

/// What a member read gives in `mode` (`MEMBER_*`).
fn member_result(found: Option<&Json>, mode: u8) -> Value {
    match mode {
        MEMBER_GET => opt(found),
        MEMBER_STRING => found
            .and_then(Json::as_str)
            .map_or_else(none, |s| some(Value::str(s))),
        MEMBER_INT => found
            .and_then(Json::as_i64)
            .map_or_else(none, |i| some(Value::Int(i))),
        MEMBER_FLOAT => found
            .and_then(Json::as_f64)
            .map_or_else(none, |f| some(Value::Float(f))),
        MEMBER_BOOL => found
            .and_then(Json::as_bool)
            .map_or_else(none, |b| some(Value::Bool(b))),
        _ => Value::Bool(found.is_some()),
    }
}

/// `json_get` modes: what a member read gives (the std table marks each
/// `Json` getter with its mode, `StdFn::member`).
pub const MEMBER_GET: u8 = 0;
pub const MEMBER_STRING: u8 = 1;
pub const MEMBER_INT: u8 = 2;
pub const MEMBER_FLOAT: u8 = 3;
pub const MEMBER_BOOL: u8 = 4;
pub const MEMBER_CONTAINS: u8 = 5;
