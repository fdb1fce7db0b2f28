//! The values of std types the runtime implements in Rust rather than as
//! records: JSON values, HL7 messages, FHIR resources, sockets. A
//! register holds one as `Value::Std`, a counted pointer: cloning shares
//! it, and a change through `&mut` copies it first when it is shared
//! ([`std_mut`]), so each Ward value still behaves as if it were its own.
//! None holds a `Gc` pointer or a reference, so the collector never looks
//! inside.

// The accessors answer `None` for every other kind, however many there are.
#![allow(clippy::match_wildcard_for_single_variants)]

use std::sync::Arc;

use crate::stdlib::fhir::Resource;
use crate::stdlib::hl7::batch::Batch;
use crate::stdlib::hl7::mllp::Reader as MllpReader;
use crate::stdlib::hl7::{Field, Message, Segment};
use crate::stdlib::json::Json;
use crate::stdlib::net::{Listener, Stream};
use crate::stdlib::time::DateTime;

/// What a `Value::Std` holds.
#[derive(Debug)]
pub enum StdValue {
    /// `Json`.
    Json(Json),
    /// `time::DateTime`.
    DateTime(DateTime),
    /// `hl7::Message`.
    Hl7Message(Message),
    /// `hl7::Segment` (shared with the message it came from).
    Hl7Segment(Arc<Segment>),
    /// `hl7::Field`.
    Hl7Field(Field),
    /// `hl7::Batch`.
    Hl7Batch(Batch),
    /// `hl7::MllpReader`.
    MllpReader(MllpReader),
    /// `fhir::Resource`.
    FhirResource(Resource),
    /// `net::TcpStream` (one owner: never shared).
    TcpStream(Stream),
    /// `net::TcpListener` (one owner).
    TcpListener(Listener),
}

impl StdValue {
    pub fn as_json(&self) -> Option<&Json> {
        match self {
            StdValue::Json(j) => Some(j),
            _ => None,
        }
    }

    pub fn as_json_mut(&mut self) -> Option<&mut Json> {
        match self {
            StdValue::Json(j) => Some(j),
            _ => None,
        }
    }

    pub fn as_date_time(&self) -> Option<DateTime> {
        match self {
            StdValue::DateTime(t) => Some(*t),
            _ => None,
        }
    }

    pub fn as_stream_mut(&mut self) -> Option<&mut Stream> {
        match self {
            StdValue::TcpStream(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_stream(&self) -> Option<&Stream> {
        match self {
            StdValue::TcpStream(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_listener(&self) -> Option<&Listener> {
        match self {
            StdValue::TcpListener(l) => Some(l),
            _ => None,
        }
    }

    /// Its Ward type's name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            StdValue::Json(_) => "Json",
            StdValue::DateTime(_) => "DateTime",
            StdValue::Hl7Message(_) => "Message",
            StdValue::Hl7Segment(_) => "Segment",
            StdValue::Hl7Field(_) => "Field",
            StdValue::Hl7Batch(_) => "Batch",
            StdValue::MllpReader(_) => "MllpReader",
            StdValue::FhirResource(_) => "Resource",
            StdValue::TcpStream(_) => "TcpStream",
            StdValue::TcpListener(_) => "TcpListener",
        }
    }

    /// Whether a Ward `clone` may share it (handles have one owner: the
    /// type system never clones them).
    pub fn duplicable(&self) -> bool {
        match self {
            StdValue::Json(_)
            | StdValue::DateTime(_)
            | StdValue::Hl7Message(_)
            | StdValue::Hl7Segment(_)
            | StdValue::Hl7Field(_)
            | StdValue::Hl7Batch(_)
            | StdValue::MllpReader(_)
            | StdValue::FhirResource(_) => true,
            StdValue::TcpStream(_) | StdValue::TcpListener(_) => false,
        }
    }

    /// A copy of the value for a change, when it is shared (`None` for
    /// the kinds that are never shared: handles, which have one owner).
    fn duplicate(&self) -> Option<StdValue> {
        match self {
            StdValue::Json(j) => Some(StdValue::Json(j.clone())),
            StdValue::DateTime(t) => Some(StdValue::DateTime(*t)),
            StdValue::Hl7Message(m) => Some(StdValue::Hl7Message(m.clone())),
            StdValue::Hl7Segment(s) => Some(StdValue::Hl7Segment(s.clone())),
            StdValue::Hl7Field(f) => Some(StdValue::Hl7Field(f.clone())),
            StdValue::Hl7Batch(b) => Some(StdValue::Hl7Batch(b.clone())),
            StdValue::MllpReader(r) => Some(StdValue::MllpReader(r.clone())),
            StdValue::FhirResource(r) => Some(StdValue::FhirResource(r.clone())),
            StdValue::TcpStream(_) | StdValue::TcpListener(_) => None,
        }
    }

    /// `{}` (`debug` false) or `{:?}`: a `Json` as compact JSON text
    /// either way, a `DateTime` in ISO 8601.
    pub fn display(&self, debug: bool) -> String {
        match self {
            StdValue::Json(j) => j.to_text(),
            StdValue::DateTime(t) if debug => format!("DateTime({t})"),
            StdValue::DateTime(t) => t.to_string(),
            StdValue::Hl7Message(m) => m.to_text(),
            StdValue::Hl7Segment(s) => s.text(),
            StdValue::Hl7Field(f) => f.raw().to_string(),
            StdValue::Hl7Batch(b) => b.to_text(),
            StdValue::MllpReader(r) => format!(
                "MllpReader {{ pending: {}, discarded: {} }}",
                r.pending(),
                r.discarded()
            ),
            StdValue::FhirResource(r) => r.json().to_text(),
            StdValue::TcpStream(s) => match s.peer_addr() {
                Ok(a) => format!("TcpStream {{ peer: {a} }}"),
                Err(_) => "TcpStream { peer: none }".to_string(),
            },
            StdValue::TcpListener(l) => match l.local_addr() {
                Ok(a) => format!("TcpListener {{ address: {a} }}"),
                Err(_) => "TcpListener { .. }".to_string(),
            },
        }
    }

    /// `==` (Ward's, structural).
    pub fn equals(&self, other: &StdValue) -> bool {
        match (self, other) {
            (StdValue::Json(a), StdValue::Json(b)) => a == b,
            (StdValue::DateTime(a), StdValue::DateTime(b)) => a == b,
            (StdValue::Hl7Message(a), StdValue::Hl7Message(b)) => a.to_text() == b.to_text(),
            (StdValue::Hl7Segment(a), StdValue::Hl7Segment(b)) => a.text() == b.text(),
            (StdValue::Hl7Field(a), StdValue::Hl7Field(b)) => a.raw() == b.raw(),
            (StdValue::Hl7Batch(a), StdValue::Hl7Batch(b)) => a.to_text() == b.to_text(),
            (StdValue::FhirResource(a), StdValue::FhirResource(b)) => a == b,
            _ => false,
        }
    }

    /// A rough size for the heap's accounting of what a register holds.
    pub fn shallow_bytes(&self) -> usize {
        std::mem::size_of::<StdValue>()
    }
}

/// The value behind `v` for a change: `v` itself when no other value
/// shares it, else a copy `v` now points at. `None` only for a handle
/// something else holds too (a native in the middle of using it).
pub fn std_mut(v: &mut Arc<StdValue>) -> Option<&mut StdValue> {
    if Arc::get_mut(v).is_none()
        && let Some(copy) = v.duplicate()
    {
        *v = Arc::new(copy);
    }
    Arc::get_mut(v)
}
