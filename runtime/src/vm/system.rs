//! Natives that read the process's surroundings: its arguments and
//! environment variables (`std::env`, capability `env`) and the wall
//! clock (`time::now_utc` and `DateTime`, capability `clock` to read it).

// Every native has the one `NativeFn` signature, fallible or not.
#![allow(clippy::unnecessary_wraps)]

use std::sync::Arc;

use super::natives::{none, some};
use super::{Args, Fault, Vm};
use crate::stdlib::time::DateTime;
use crate::value::{Key, List, Map, StdValue, Value};

type R = Result<Value, Fault>;

/// `env::args()`: what followed `--` on the runner's command line.
pub(crate) fn env_args(vm: &mut Vm, _: &mut Args) -> R {
    Ok(Value::List(List::new(
        vm.args.iter().map(|a| Value::str(a.as_str())).collect(),
    )))
}

/// `env::var(name)`: `None` when unset or not Unicode.
pub(crate) fn env_var(_: &mut Vm, a: &mut Args) -> R {
    let name = a.text(0)?;
    // `std::env::var` panics on a name with `=` or NUL; such a variable
    // cannot exist.
    if name.is_empty() || name.contains(['=', '\0']) {
        return Ok(none());
    }
    Ok(std::env::var(name).map_or_else(|_| none(), |v| some(Value::str(v))))
}

/// `env::vars()`: every variable whose name and value are Unicode, by
/// name.
pub(crate) fn env_vars(_: &mut Vm, _: &mut Args) -> R {
    let mut vars: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    vars.sort();
    let mut map = Map::default();
    for (k, v) in vars {
        map.insert(Key(Value::str(k)), Value::str(v));
    }
    Ok(Value::Map(Box::new(map)))
}

fn date_time(t: DateTime) -> Value {
    Value::Std(Arc::new(StdValue::DateTime(t)))
}

fn date_arg(a: &Args, i: usize) -> Result<DateTime, Fault> {
    match a.get(i)? {
        Value::Std(d) => d.as_date_time(),
        _ => None,
    }
    .ok_or_else(|| "internal error: expected a `DateTime`".into())
}

/// `time::now_utc()`.
pub(crate) fn now_utc(_: &mut Vm, _: &mut Args) -> R {
    Ok(date_time(DateTime::now()))
}

/// `DateTime::from_unix_ms(ms)`.
pub(crate) fn from_unix_ms(_: &mut Vm, a: &mut Args) -> R {
    Ok(date_time(DateTime::from_unix_ms(a.int(0)?)))
}

pub(crate) fn unix_ms(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::Int(date_arg(a, 0)?.unix_ms))
}

pub(crate) fn to_hl7(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(date_arg(a, 0)?.to_hl7()))
}

pub(crate) fn to_iso8601(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(date_arg(a, 0)?.to_iso8601()))
}

fn part(a: &Args, f: impl Fn(crate::stdlib::time::Civil) -> i64) -> R {
    Ok(Value::Int(f(date_arg(a, 0)?.civil())))
}

pub(crate) fn year(_: &mut Vm, a: &mut Args) -> R {
    part(a, |c| c.year)
}

pub(crate) fn month(_: &mut Vm, a: &mut Args) -> R {
    part(a, |c| i64::from(c.month))
}

pub(crate) fn day(_: &mut Vm, a: &mut Args) -> R {
    part(a, |c| i64::from(c.day))
}

pub(crate) fn hour(_: &mut Vm, a: &mut Args) -> R {
    part(a, |c| i64::from(c.hour))
}

pub(crate) fn minute(_: &mut Vm, a: &mut Args) -> R {
    part(a, |c| i64::from(c.minute))
}

pub(crate) fn second(_: &mut Vm, a: &mut Args) -> R {
    part(a, |c| i64::from(c.second))
}

pub(crate) fn millisecond(_: &mut Vm, a: &mut Args) -> R {
    part(a, |c| i64::from(c.millisecond))
}
