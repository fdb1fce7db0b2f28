//! The natives of `std::net`: TCP listeners and streams over the I/O
//! driver. Each operation that must wait goes through
//! `Vm::wait_for_io`: a task suspends (its worker runs others) and is
//! woken by the socket; a thread without a scheduler parks instead. A
//! scoped grant (`--allow net=127.0.0.1:2575`) is checked at `listen` and
//! `connect`, where an address is named.

// Every native has the one `NativeFn` signature, fallible or not.
#![allow(clippy::unnecessary_wraps)]

use std::io;
use std::sync::Arc;
use std::time::Duration;

use super::natives::{err, make_error, ok};
use super::{Args, Fault, Vm};
use crate::stdlib::net::{self, Connecting, Listener, Stream};
use crate::value::std_value::std_mut;
use crate::value::{List, StdValue, Value};

type R = Result<Value, Fault>;

/// The Ward `Error` kind of an I/O error.
fn kind_name(e: &io::Error) -> &'static str {
    use io::ErrorKind as K;
    match e.kind() {
        K::TimedOut => "TimedOut",
        K::ConnectionRefused => "ConnectionRefused",
        K::ConnectionReset => "ConnectionReset",
        K::ConnectionAborted => "ConnectionAborted",
        K::BrokenPipe => "BrokenPipe",
        K::AddrInUse => "AddrInUse",
        K::AddrNotAvailable => "AddrNotAvailable",
        K::NotFound => "NotFound",
        K::InvalidData => "InvalidData",
        K::InvalidInput => "InvalidInput",
        K::PermissionDenied => "PermissionDenied",
        _ => "IoError",
    }
}

fn io_err(vm: &Vm, what: &str, e: &io::Error) -> Value {
    err(make_error(vm, kind_name(e), &format!("{what}: {e}")))
}

/// A timeout in milliseconds from a program: `None` for 0 or less.
fn millis(ms: i64) -> Option<Duration> {
    u64::try_from(ms)
        .ok()
        .filter(|&m| m > 0)
        .map(Duration::from_millis)
}

fn stream_value(s: Stream) -> Value {
    Value::Std(Arc::new(StdValue::TcpStream(s)))
}

fn stream_mut(a: &mut Args, i: usize) -> Result<&mut Stream, Fault> {
    match a.get_mut(i)? {
        Value::Std(d) => std_mut(d).and_then(StdValue::as_stream_mut),
        _ => None,
    }
    .ok_or_else(|| "internal error: expected a `TcpStream`".into())
}

fn stream(a: &Args, i: usize) -> Result<&Stream, Fault> {
    match a.get(i)? {
        Value::Std(d) => d.as_stream(),
        _ => None,
    }
    .ok_or_else(|| "internal error: expected a `TcpStream`".into())
}

fn listener(a: &Args, i: usize) -> Result<&Listener, Fault> {
    match a.get(i)? {
        Value::Std(d) => d.as_listener(),
        _ => None,
    }
    .ok_or_else(|| "internal error: expected a `TcpListener`".into())
}

/// `net::listen(address)`.
pub(crate) fn listen(vm: &mut Vm, a: &mut Args) -> R {
    let address = a.text(0)?;
    vm.check_address(address)?;
    let bound = net::resolve(address).and_then(Listener::bind);
    Ok(match bound {
        Ok(l) => ok(Value::Std(Arc::new(StdValue::TcpListener(l)))),
        Err(e) => io_err(vm, &format!("listen on {address}"), &e),
    })
}

fn connect_with(vm: &mut Vm, a: &Args, timeout: Option<Duration>) -> R {
    let address = a.text(0)?;
    // A connect that suspended left its socket here; a new one starts.
    let mut connecting = match vm.connecting.take() {
        Some(c) => c,
        None => {
            vm.check_address(address)?;
            match net::resolve(address).and_then(Connecting::start) {
                Ok(c) => Box::new(c),
                Err(e) => return Ok(io_err(vm, &format!("connect to {address}"), &e)),
            }
        }
    };
    match vm.wait_for_io(timeout, |w| connecting.poll(w)) {
        Err(Fault::Suspend) => {
            vm.connecting = Some(connecting);
            Err(Fault::Suspend)
        }
        Err(f) => Err(f),
        Ok(Ok(s)) => Ok(ok(stream_value(s))),
        Ok(Err(e)) => Ok(io_err(vm, &format!("connect to {address}"), &e)),
    }
}

/// `net::connect(address)`.
pub(crate) fn connect(vm: &mut Vm, a: &mut Args) -> R {
    connect_with(vm, a, None)
}

/// `net::connect_timeout(address, ms)`.
pub(crate) fn connect_timeout(vm: &mut Vm, a: &mut Args) -> R {
    let t = millis(a.int(1)?);
    connect_with(vm, a, t)
}

fn accept_with(vm: &mut Vm, a: &Args, timeout: Option<Duration>) -> R {
    let l = listener(a, 0)?;
    Ok(match vm.wait_for_io(timeout, |w| l.try_accept(w))? {
        Ok(s) => ok(stream_value(s)),
        Err(e) => io_err(vm, "accept", &e),
    })
}

/// `listener.accept()`.
pub(crate) fn accept(vm: &mut Vm, a: &mut Args) -> R {
    accept_with(vm, a, None)
}

/// `listener.accept_timeout(ms)`.
pub(crate) fn accept_timeout(vm: &mut Vm, a: &mut Args) -> R {
    let t = millis(a.int(1)?);
    accept_with(vm, a, t)
}

fn address_text(r: io::Result<std::net::SocketAddr>) -> Value {
    Value::str(r.map_or_else(|_| String::new(), |a| a.to_string()))
}

/// `listener.local_addr()`: `127.0.0.1:40123`.
pub(crate) fn listener_local_addr(_: &mut Vm, a: &mut Args) -> R {
    Ok(address_text(listener(a, 0)?.local_addr()))
}

/// `listener.port()`: the port it listens on (the one the OS chose for
/// port 0).
pub(crate) fn listener_port(_: &mut Vm, a: &mut Args) -> R {
    let port = listener(a, 0)?.local_addr().map_or(0, |a| a.port());
    Ok(Value::Int(i64::from(port)))
}

/// `stream.read()`: text, empty at the end of the stream.
pub(crate) fn read(vm: &mut Vm, a: &mut Args) -> R {
    let s = stream_mut(a, 0)?;
    let timeout = s.read_timeout;
    Ok(match vm.wait_for_io(timeout, |w| s.try_read_text(w))? {
        Ok(text) => ok(Value::str(text)),
        Err(e) => io_err(vm, "read", &e),
    })
}

/// `stream.read_bytes()`: bytes (0 to 255), empty at the end.
pub(crate) fn read_bytes(vm: &mut Vm, a: &mut Args) -> R {
    let s = stream_mut(a, 0)?;
    let timeout = s.read_timeout;
    Ok(match vm.wait_for_io(timeout, |w| s.try_read_bytes(w))? {
        Ok(bytes) => ok(Value::List(List::new(
            bytes
                .into_iter()
                .map(|b| Value::Int(i64::from(b)))
                .collect(),
        ))),
        Err(e) => io_err(vm, "read", &e),
    })
}

fn write_all(vm: &mut Vm, a: &mut Args, data: &[u8]) -> R {
    let s = stream_mut(a, 0)?;
    let timeout = s.read_timeout;
    let r = vm.wait_for_io(timeout, |w| s.try_write(data, w));
    if !matches!(r, Err(Fault::Suspend)) {
        // Done, failed or stopped: the next write starts afresh.
        s.abandon_write();
    }
    Ok(match r? {
        Ok(()) => ok(Value::Unit),
        Err(e) => io_err(vm, "write", &e),
    })
}

/// `stream.write(text)`.
pub(crate) fn write(vm: &mut Vm, a: &mut Args) -> R {
    let data = a.text(1)?.as_bytes().to_vec();
    write_all(vm, a, &data)
}

/// `stream.write_bytes(bytes)`: each element 0 to 255.
pub(crate) fn write_bytes(vm: &mut Vm, a: &mut Args) -> R {
    let Value::List(items) = a.get(1)? else {
        return Err("internal error: expected a list".into());
    };
    let mut data = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        match v.as_int().and_then(|n| u8::try_from(n).ok()) {
            Some(b) => data.push(b),
            None => {
                let shown = v
                    .as_int()
                    .map_or_else(|| "?".to_string(), |n| n.to_string());
                return Ok(err(make_error(
                    vm,
                    "InvalidInput",
                    &format!("write_bytes: element {i} is {shown}, not a byte (0 to 255)"),
                )));
            }
        }
    }
    write_all(vm, a, &data)
}

/// `stream.set_timeout(ms)`: how long a read or write waits (0: as
/// long as it takes).
pub(crate) fn set_timeout(_: &mut Vm, a: &mut Args) -> R {
    let t = millis(a.int(1)?);
    stream_mut(a, 0)?.read_timeout = t;
    Ok(Value::Unit)
}

pub(crate) fn peer_addr(_: &mut Vm, a: &mut Args) -> R {
    Ok(address_text(stream(a, 0)?.peer_addr()))
}

pub(crate) fn stream_local_addr(_: &mut Vm, a: &mut Args) -> R {
    Ok(address_text(stream(a, 0)?.local_addr()))
}

/// `stream.close()`: the stream is dropped (and closed) here.
pub(crate) fn close(_: &mut Vm, a: &mut Args) -> R {
    drop(a.take(0));
    Ok(Value::Unit)
}
