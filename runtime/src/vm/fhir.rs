//! The natives of `std::fhir` (the model is `stdlib::fhir`).

// Every native has the one `NativeFn` signature, fallible or not.
#![allow(clippy::unnecessary_wraps)]

use std::sync::Arc;

use super::natives::{err, make_error, none, ok, some};
use super::{Args, Fault, Vm, json};
use crate::stdlib::fhir::Resource;
use crate::value::{List, StdValue, Value};

type R = Result<Value, Fault>;

fn resource_value(r: Resource) -> Value {
    Value::Std(Arc::new(StdValue::FhirResource(r)))
}

fn resource(a: &Args, i: usize) -> Result<&Resource, Fault> {
    match a.get(i)? {
        Value::Std(d) => match &**d {
            StdValue::FhirResource(r) => Some(r),
            _ => None,
        },
        _ => None,
    }
    .ok_or_else(|| "internal error: expected a `Resource`".into())
}

/// `fhir::parse(text)`.
pub(crate) fn parse(vm: &mut Vm, a: &mut Args) -> R {
    Ok(match Resource::parse(a.text(0)?) {
        Ok(r) => ok(resource_value(r)),
        Err(e) => err(make_error(vm, "FhirError", &e)),
    })
}

/// `Resource::from_json(json)`.
pub(crate) fn from_json(vm: &mut Vm, a: &mut Args) -> R {
    let j = json::arg(a, 0)?.clone();
    Ok(match Resource::from_json(j) {
        Ok(r) => ok(resource_value(r)),
        Err(e) => err(make_error(vm, "FhirError", &e)),
    })
}

pub(crate) fn resource_type(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(resource(a, 0)?.resource_type()))
}

pub(crate) fn id(_: &mut Vm, a: &mut Args) -> R {
    let id = resource(a, 0)?.json().get("id").and_then(|j| j.as_str());
    Ok(id.map_or_else(none, |s| some(Value::str(s))))
}

/// `res.path(expr)`: the first item of the result; an expression outside
/// the subset is a panic.
pub(crate) fn path(_: &mut Vm, a: &mut Args) -> R {
    let expr = a.text(1)?;
    let items = resource(a, 0)?
        .select(expr)
        .map_err(|e| Fault::Message(format!("`{expr}` is not in Ward's FHIRPath subset: {e}")))?;
    Ok(items
        .into_iter()
        .next()
        .map_or_else(none, |j| some(json::value(j))))
}

/// `res.select(expr)`: the whole result collection.
pub(crate) fn select(vm: &mut Vm, a: &mut Args) -> R {
    let expr = a.text(1)?;
    Ok(match resource(a, 0)?.select(expr) {
        Ok(items) => ok(Value::List(List::new(
            items.into_iter().map(json::value).collect(),
        ))),
        Err(e) => err(make_error(vm, "FhirPathError", &format!("`{expr}`: {e}"))),
    })
}

pub(crate) fn entries(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::List(List::new(
        resource(a, 0)?
            .entries()
            .into_iter()
            .map(resource_value)
            .collect(),
    )))
}

pub(crate) fn to_json(_: &mut Vm, a: &mut Args) -> R {
    Ok(json::value(resource(a, 0)?.json().clone()))
}

pub(crate) fn to_string(_: &mut Vm, a: &mut Args) -> R {
    Ok(Value::str(resource(a, 0)?.json().to_text()))
}
