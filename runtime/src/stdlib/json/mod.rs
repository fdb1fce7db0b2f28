//! JSON values for `std::json` and `std::fhir`: RFC 8259 text in
//! ([`parse`]) and out ([`write`]), objects laid out by hidden classes
//! ([`shape`]).
//!
//! A [`Json`] is cheap to clone: strings, arrays and objects are counted
//! pointers, and a change copies only what is shared (`Arc::make_mut`), so
//! taking a member out of a parsed Bundle never copies the Bundle.
//! Numbers keep the text they were parsed from when printing the value
//! would not give it back (`1.0`, `0.0050`, `1e3`), so a FHIR decimal
//! keeps its precision and compact text round-trips byte for byte.

pub mod parse;
pub mod shape;
pub mod write;

use std::sync::Arc;

use crate::value::host_stack::grow;

pub use parse::{ParseError, parse};
pub use shape::Shape;

/// A JSON value.
#[derive(Debug, Clone)]
pub enum Json {
    Null,
    Bool(bool),
    /// A number written without fraction or exponent that fits an `i64`.
    Int(i64),
    /// Any other number, with its source text when that is not how the
    /// value prints.
    Float(f64, Option<Arc<str>>),
    Str(Arc<str>),
    Array(Arc<Vec<Json>>),
    Object(Arc<Object>),
}

/// An object: a shape (its keys) and its values in the same order.
#[derive(Debug, Clone)]
pub struct Object {
    shape: Arc<Shape>,
    values: Vec<Json>,
}

impl Default for Object {
    fn default() -> Self {
        Object {
            shape: Shape::root(),
            values: Vec::new(),
        }
    }
}

impl Object {
    pub fn new() -> Object {
        Object::default()
    }

    pub fn shape(&self) -> &Arc<Shape> {
        &self.shape
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&Json> {
        self.shape.find(key).map(|i| &self.values[i])
    }

    /// The value at `offset` (an inline cache's hit).
    pub fn at(&self, offset: usize) -> Option<&Json> {
        self.values.get(offset)
    }

    /// Sets `key`: in place when present, else added last (a transition).
    pub fn set(&mut self, key: &str, value: Json) {
        if let Some(i) = self.shape.find(key) {
            self.values[i] = value;
        } else {
            self.shape = self.shape.with(key);
            self.values.push(value);
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Json> {
        let i = self.shape.find(key)?;
        self.shape = self.shape.without(i);
        Some(self.values.remove(i))
    }

    /// Keys and values in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Json)> {
        self.shape.keys().iter().map(|k| &**k).zip(&self.values)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.shape.keys().iter().map(|k| &**k)
    }
}

// Dropping a deeply nested value a program built (a million arrays, one
// inside the next) must not recurse once per level: children of a value
// this drop frees are moved to a work list first.
impl Drop for Json {
    fn drop(&mut self) {
        let mut work = Vec::new();
        take_children(self, &mut work);
        while let Some(mut v) = work.pop() {
            take_children(&mut v, &mut work);
        }
    }
}

fn take_children(v: &mut Json, work: &mut Vec<Json>) {
    match v {
        Json::Array(a) => {
            if let Some(items) = Arc::get_mut(a) {
                work.append(items);
            }
        }
        Json::Object(o) => {
            if let Some(o) = Arc::get_mut(o) {
                work.append(&mut o.values);
            }
        }
        _ => {}
    }
}

impl PartialEq for Object {
    /// The same members, in any order (as `serde_json` and Python compare).
    fn eq(&self, other: &Object) -> bool {
        if Arc::ptr_eq(&self.shape, &other.shape) {
            return self.values == other.values;
        }
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl PartialEq for Json {
    /// Structural; numbers by value (`1 == 1.0`).
    fn eq(&self, other: &Json) -> bool {
        match (self, other) {
            (Json::Null, Json::Null) => true,
            (Json::Bool(a), Json::Bool(b)) => a == b,
            (Json::Str(a), Json::Str(b)) => a == b,
            (Json::Array(a), Json::Array(b)) => grow(|| a == b),
            (Json::Object(a), Json::Object(b)) => grow(|| a == b),
            (Json::Int(a), Json::Int(b)) => a == b,
            (a, b) => match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => x == y,
                _ => false,
            },
        }
    }
}

impl Json {
    pub fn object() -> Json {
        Json::Object(Arc::new(Object::new()))
    }

    pub fn array() -> Json {
        Json::Array(Arc::new(Vec::new()))
    }

    pub fn string(s: &str) -> Json {
        Json::Str(Arc::from(s))
    }

    /// A number from a float: an `Int` is never made from it, so `2.0`
    /// stays a float and prints `2.0`.
    pub fn float(f: f64) -> Json {
        Json::Float(f, None)
    }

    /// `"null"`, `"bool"`, `"number"`, `"string"`, `"array"` or
    /// `"object"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "bool",
            Json::Int(_) | Json::Float(..) => "number",
            Json::Str(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }

    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(o) => o.get(key),
            _ => None,
        }
    }

    pub fn index(&self, i: i64) -> Option<&Json> {
        match self {
            Json::Array(a) => usize::try_from(i).ok().and_then(|i| a.get(i)),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// An integer: an `Int`, or a float with no fraction within `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Int(i) => Some(*i),
            #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
            Json::Float(f, _) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i64),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            #[allow(clippy::cast_precision_loss)]
            Json::Int(i) => Some(*i as f64),
            Json::Float(f, _) => Some(*f),
            _ => None,
        }
    }

    /// Members or elements (0 for anything else).
    pub fn len(&self) -> usize {
        match self {
            Json::Array(a) => a.len(),
            Json::Object(o) => o.len(),
            _ => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sets a member of an object.
    ///
    /// # Errors
    ///
    /// When the value is not an object (its kind).
    pub fn set(&mut self, key: &str, value: Json) -> Result<(), &'static str> {
        match self {
            Json::Object(o) => {
                Arc::make_mut(o).set(key, value);
                Ok(())
            }
            other => Err(other.kind()),
        }
    }

    /// Appends to an array.
    ///
    /// # Errors
    ///
    /// When the value is not an array (its kind).
    pub fn push(&mut self, value: Json) -> Result<(), &'static str> {
        match self {
            Json::Array(a) => {
                Arc::make_mut(a).push(value);
                Ok(())
            }
            other => Err(other.kind()),
        }
    }

    /// Removes a member of an object (`None` from anything else).
    pub fn remove(&mut self, key: &str) -> Option<Json> {
        match self {
            Json::Object(o) if o.get(key).is_some() => Arc::make_mut(o).remove(key),
            _ => None,
        }
    }

    /// Compact text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        write::compact(self, &mut out);
        out
    }

    /// Indented text (two spaces), as `JSON.stringify(v, null, 2)`.
    pub fn to_pretty(&self) -> String {
        let mut out = String::new();
        write::pretty(self, &mut out);
        out
    }
}

impl std::fmt::Display for Json {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_share_shapes_and_compare_in_any_order() {
        let a = parse(r#"{"a":1,"b":[true,null]}"#).unwrap();
        let b = parse(r#"{"a":1,"b":[true,null]}"#).unwrap();
        let (Json::Object(x), Json::Object(y)) = (&a, &b) else {
            panic!("objects")
        };
        assert!(Arc::ptr_eq(x.shape(), y.shape()));
        assert_eq!(a, parse(r#"{"b":[true,null],"a":1.0}"#).unwrap());
        assert_ne!(a, parse(r#"{"a":1,"b":[true]}"#).unwrap());
    }

    #[test]
    fn changes_copy_only_what_is_shared() {
        let original = parse(r#"{"name":[{"given":["Ann"]}],"id":"p1"}"#).unwrap();
        let mut copy = original.clone();
        copy.set("id", Json::string("p2")).unwrap();
        copy.set("active", Json::Bool(true)).unwrap();
        assert_eq!(
            original.to_text(),
            r#"{"name":[{"given":["Ann"]}],"id":"p1"}"#
        );
        assert_eq!(
            copy.to_text(),
            r#"{"name":[{"given":["Ann"]}],"id":"p2","active":true}"#
        );
        assert_eq!(copy.remove("name").map(|n| n.len()), Some(1));
        assert_eq!(copy.to_text(), r#"{"id":"p2","active":true}"#);
        assert_eq!(Json::Int(3).set("x", Json::Null), Err("number"));
        let mut list = Json::array();
        list.push(Json::Int(1)).unwrap();
        assert_eq!(list.to_text(), "[1]");
    }

    #[test]
    fn numbers_read_as_integers_or_floats() {
        assert_eq!(Json::float(3.0).as_i64(), Some(3));
        assert_eq!(Json::float(3.5).as_i64(), None);
        assert_eq!(Json::Int(7).as_f64(), Some(7.0));
        assert_eq!(Json::string("7").as_i64(), None);
    }
}
