//! The arguments a native receives: the caller's argument registers.
//!
//! An argument may be a reference (`&T`, `&mut T`), a raw pointer to the
//! place it borrows. Following it is sound only because the VM built it
//! from a place the borrow checker proved outlives the call, so only the
//! VM (or a host that promises the same) can make an [`Args`]: the
//! constructor is `unsafe`, and every method that follows a reference
//! rests on its promise.

use super::Fault;
use crate::value::{Map, Value};

/// A native's argument registers (see the module comment).
#[derive(Debug)]
#[repr(transparent)]
pub struct Args([Value]);

impl Args {
    /// Views registers as a native's arguments.
    ///
    /// # Safety
    ///
    /// Every reference reachable from `registers` (in a register or inside
    /// a value one owns) must satisfy [`Value::target`]'s contract for as
    /// long as the `Args` is used: it points at a live value, and a `&mut`
    /// is the only path to its target.
    pub unsafe fn new(registers: &mut [Value]) -> &mut Args {
        // SAFETY: `Args` is `repr(transparent)` over `[Value]`.
        unsafe { &mut *(std::ptr::from_mut(registers) as *mut Args) }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The registers themselves (a reference argument is a `Value::Ref`).
    pub fn registers(&mut self) -> &mut [Value] {
        &mut self.0
    }

    /// The arguments before `mid` and those from it, to use two at once
    /// (the borrow checker proved distinct arguments do not alias).
    pub fn split_at_mut(&mut self, mid: usize) -> (&mut Args, &mut Args) {
        let (a, b) = self.0.split_at_mut(mid.min(self.0.len()));
        // SAFETY: parts of arguments this `Args` vouched for.
        unsafe { (Args::new(a), Args::new(b)) }
    }

    /// Argument `i`, through any references.
    ///
    /// # Errors
    ///
    /// When the native got fewer arguments (the std table and the native
    /// disagree).
    pub fn get(&self, i: usize) -> Result<&Value, Fault> {
        let v = self
            .0
            .get(i)
            .ok_or_else(|| Fault::from("internal error: a native got too few arguments"))?;
        // SAFETY: the constructor's promise.
        Ok(unsafe { v.target() })
    }

    /// Argument `i`, through any references, for writing (a `&mut T`
    /// argument).
    ///
    /// # Errors
    ///
    /// As [`Args::get`].
    pub fn get_mut(&mut self, i: usize) -> Result<&mut Value, Fault> {
        let v = self
            .0
            .get_mut(i)
            .ok_or_else(|| Fault::from("internal error: a native got too few arguments"))?;
        // SAFETY: the constructor's promise.
        Ok(unsafe { v.target_mut() })
    }

    /// Moves argument `i` out (a by-value parameter), leaving `()`.
    pub fn take(&mut self, i: usize) -> Value {
        self.0.get_mut(i).map(Value::take).unwrap_or_default()
    }

    /// Argument `i` as an int.
    ///
    /// # Errors
    ///
    /// When it is not one (the std table and the native disagree).
    pub fn int(&self, i: usize) -> Result<i64, Fault> {
        self.get(i)?
            .as_int()
            .ok_or_else(|| Fault::from("internal error: expected an int"))
    }

    /// Argument `i` as a float.
    ///
    /// # Errors
    ///
    /// As [`Args::int`].
    pub fn float(&self, i: usize) -> Result<f64, Fault> {
        self.get(i)?
            .as_float()
            .ok_or_else(|| Fault::from("internal error: expected a float"))
    }

    /// Argument `i` as text.
    ///
    /// # Errors
    ///
    /// As [`Args::int`].
    pub fn text(&self, i: usize) -> Result<&str, Fault> {
        self.get(i)?
            .as_str()
            .ok_or_else(|| Fault::from("internal error: expected a string"))
    }

    /// Argument `i` as a list, to read or to take element pointers from
    /// (see `value::list`: only a `&mut Vec` makes it dirty).
    ///
    /// # Errors
    ///
    /// As [`Args::int`].
    pub fn list(&mut self, i: usize) -> Result<&mut crate::value::List, Fault> {
        match self.get_mut(i)? {
            Value::List(l) => Ok(l),
            _ => Err("internal error: expected a list".into()),
        }
    }

    /// Argument `i` as a list to change.
    ///
    /// # Errors
    ///
    /// As [`Args::int`].
    pub fn list_mut(&mut self, i: usize) -> Result<&mut Vec<Value>, Fault> {
        match self.get_mut(i)? {
            Value::List(l) => Ok(l),
            _ => Err("internal error: expected a list".into()),
        }
    }

    /// Argument `i` as a map to change.
    ///
    /// # Errors
    ///
    /// As [`Args::int`].
    pub fn map_mut(&mut self, i: usize) -> Result<&mut Map, Fault> {
        match self.get_mut(i)? {
            Value::Map(m) => Ok(m),
            _ => Err("internal error: expected a map".into()),
        }
    }

    /// Argument `i` as a string to change.
    ///
    /// # Errors
    ///
    /// As [`Args::int`].
    pub fn string_mut(&mut self, i: usize) -> Result<&mut crate::value::Text, Fault> {
        match self.get_mut(i)? {
            Value::Str(s) => Ok(s),
            _ => Err("internal error: expected a string".into()),
        }
    }
}
