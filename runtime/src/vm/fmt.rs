//! Rust's formatting, for the print family and `to_string`: `{}` is
//! `Display`, `{:?}` is `Debug` (`{:#?}` pretty), with fill, alignment,
//! sign, zero padding, width and precision as `std::fmt` reads them. Leaf
//! values are formatted by Rust itself, so numbers print exactly as Rust
//! prints them; compound values follow `#[derive(Debug)]`, which passes
//! the spec down to each leaf.

use crate::bytecode::{Module, TypeDef};
use crate::value::{Value, entry_value};
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
    Center,
}

// The flags of a `std::fmt` spec, one each.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, Default)]
pub struct Spec {
    fill: Option<char>,
    align: Option<Align>,
    plus: bool,
    alternate: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
    debug: bool,
}

/// One piece of a format string.
#[derive(Debug, Clone)]
pub enum Piece {
    Text(String),
    Arg(Spec),
}

/// Parses a format string (the type checker already checked it).
pub fn parse(format: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut inner = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => inner.push(c),
                        None => return Err("unclosed `{` in a format string".into()),
                    }
                }
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(Piece::Arg(parse_spec(&inner)?));
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    Ok(out)
}

fn parse_spec(inner: &str) -> Result<Spec, String> {
    let mut spec = Spec::default();
    let Some(rest) = inner.strip_prefix(':') else {
        return if inner.is_empty() {
            Ok(spec)
        } else {
            Err(format!(
                "positional or named arguments are not supported: `{{{inner}}}`"
            ))
        };
    };
    let cs: Vec<char> = rest.chars().collect();
    let mut i = 0;
    let align_of = |c: char| match c {
        '<' => Some(Align::Left),
        '>' => Some(Align::Right),
        '^' => Some(Align::Center),
        _ => None,
    };
    if cs.len() >= 2
        && let Some(a) = align_of(cs[1])
    {
        spec.fill = Some(cs[0]);
        spec.align = Some(a);
        i = 2;
    } else if let Some(a) = cs.first().and_then(|c| align_of(*c)) {
        spec.align = Some(a);
        i = 1;
    }
    if cs.get(i) == Some(&'+') {
        spec.plus = true;
        i += 1;
    } else if cs.get(i) == Some(&'-') {
        // Rust accepts the `-` flag and does nothing with it.
        i += 1;
    }
    if cs.get(i) == Some(&'#') {
        spec.alternate = true;
        i += 1;
    }
    if cs.get(i) == Some(&'0') {
        spec.zero = true;
        i += 1;
    }
    let mut width = String::new();
    while let Some(c) = cs.get(i).filter(|c| c.is_ascii_digit()) {
        width.push(*c);
        i += 1;
    }
    // The checker limits widths and precisions to Rust's `u16`; a program
    // that got past it anyway is refused here, never padded without end.
    spec.width = match width.parse::<u16>() {
        Ok(w) => usize::from(w),
        Err(_) if width.is_empty() => 0,
        Err(_) => return Err(format!("width `{width}` is over the limit of {}", u16::MAX)),
    };
    if cs.get(i) == Some(&'.') {
        i += 1;
        let mut p = String::new();
        while let Some(c) = cs.get(i).filter(|c| c.is_ascii_digit()) {
            p.push(*c);
            i += 1;
        }
        let precision: u16 = p
            .parse()
            .map_err(|_| format!("precision `{p}` is not a number up to {}", u16::MAX))?;
        spec.precision = Some(usize::from(precision));
    }
    match &cs[i..] {
        [] => {}
        ['?'] => spec.debug = true,
        other => {
            return Err(format!(
                "unsupported format type `{}`",
                other.iter().collect::<String>()
            ));
        }
    }
    Ok(spec)
}

/// Formats `args` (references or values) into `pieces`.
///
/// # Safety
///
/// Every reference reachable from the value(s) is one [`Value::target`]
/// may follow (as a native's [`super::Args`] promise), and nothing writes
/// what they reach meanwhile.
pub unsafe fn format(module: &Module, pieces: &[Piece], args: &[Value]) -> String {
    let mut out = String::new();
    let mut next = 0;
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Arg(spec) => {
                if let Some(a) = args.get(next) {
                    write_value(&mut out, module, a, spec, 0);
                }
                next += 1;
            }
        }
    }
    out
}

/// `{}` of a value.
///
/// # Safety
///
/// Every reference reachable from the value(s) is one [`Value::target`]
/// may follow (as a native's [`super::Args`] promise), and nothing writes
/// what they reach meanwhile.
pub unsafe fn display(module: &Module, v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, module, v, &Spec::default(), 0);
    out
}

/// `{:?}` of a value.
///
/// # Safety
///
/// Every reference reachable from the value(s) is one [`Value::target`]
/// may follow (as a native's [`super::Args`] promise), and nothing writes
/// what they reach meanwhile.
pub unsafe fn debug(module: &Module, v: &Value) -> String {
    let mut out = String::new();
    let spec = Spec {
        debug: true,
        ..Spec::default()
    };
    write_value(&mut out, module, v, &spec, 0);
    out
}

fn pad(out: &mut String, body: &str, spec: &Spec, numeric: bool) {
    let len = body.chars().count();
    if spec.width <= len {
        out.push_str(body);
        return;
    }
    let gap = spec.width - len;
    if spec.zero && numeric && spec.align.is_none() {
        // Sign-aware zero padding: zeros go after the sign.
        let (sign, digits) = match body.strip_prefix(['-', '+']) {
            Some(rest) => (&body[..1], rest),
            None => ("", body),
        };
        out.push_str(sign);
        out.extend(std::iter::repeat_n('0', gap));
        out.push_str(digits);
        return;
    }
    let fill = spec.fill.unwrap_or(' ');
    let align = spec
        .align
        .unwrap_or(if numeric { Align::Right } else { Align::Left });
    let (before, after) = match align {
        Align::Left => (0, gap),
        Align::Right => (gap, 0),
        Align::Center => (gap / 2, gap - gap / 2),
    };
    out.extend(std::iter::repeat_n(fill, before));
    out.push_str(body);
    out.extend(std::iter::repeat_n(fill, after));
}

fn leaf(out: &mut String, spec: &Spec, body: &str, numeric: bool) {
    pad(out, body, spec, numeric);
}

fn float_text(f: f64, spec: &Spec) -> String {
    let s = match (spec.precision, spec.debug) {
        (Some(p), _) => format!("{f:.p$}"),
        (None, true) => format!("{f:?}"),
        (None, false) => format!("{f}"),
    };
    if spec.plus && !s.starts_with('-') {
        format!("+{s}")
    } else {
        s
    }
}

fn write_value(out: &mut String, module: &Module, v: &Value, spec: &Spec, indent: usize) {
    // Nested values recurse here once per level (see `host_stack`).
    crate::value::host_stack::grow(|| write_value_here(out, module, v, spec, indent));
}

// Reached only from `format`, `display` and `debug`, whose callers
// promised that every reference here may be followed.
fn write_value_here(out: &mut String, module: &Module, v: &Value, spec: &Spec, indent: usize) {
    // SAFETY: the promise of the public entry (see above).
    match unsafe { v.target() } {
        Value::Unit => leaf(out, spec, "()", false),
        Value::Int(i) => {
            let s = if spec.plus && *i >= 0 {
                format!("+{i}")
            } else {
                i.to_string()
            };
            leaf(out, spec, &s, true);
        }
        Value::Float(f) => leaf(out, spec, &float_text(*f, spec), true),
        Value::Bool(b) => leaf(out, spec, &b.to_string(), false),
        Value::Char(c) => {
            let s = if spec.debug {
                format!("{c:?}")
            } else {
                c.to_string()
            };
            leaf(out, spec, &s, false);
        }
        Value::Str(s) => {
            let body = if spec.debug {
                format!("{:?}", s.as_str())
            } else if let Some(p) = spec.precision {
                s.chars().take(p).collect()
            } else {
                s.to_string()
            };
            leaf(out, spec, &body, false);
        }
        Value::Record(r) => write_record(out, module, r.ty(), r.fields(), spec, indent),
        Value::Variant(var) => {
            let name = variant_name(module, var.ty(), var.tag());
            match variant_field_names(module, var.ty(), var.tag()) {
                [] => write_tuple_like(out, module, name, var.fields(), spec, indent),
                names => write_named_fields(out, module, name, names, var.fields(), spec, indent),
            }
        }
        Value::Tag(ty, tag) => {
            let name = variant_name(module, *ty, *tag).to_string();
            leaf(out, spec, &name, false);
        }
        c @ (Value::SomeInt(_) | Value::SomeRef(_) | Value::OkUnit) => {
            if let Some((ty, tag, field)) = c.compact_parts() {
                let name = variant_name(module, ty, tag);
                write_tuple_like(out, module, name, &[field], spec, indent);
            }
        }
        Value::List(items) => write_seq(out, module, "[", "]", items.iter(), spec, indent),
        Value::Map(m) => {
            if spec.alternate && spec.debug {
                if m.is_empty() {
                    out.push_str("{}");
                    return;
                }
                out.push_str("{\n");
                for (k, e) in m.iter() {
                    let v = entry_value(e);
                    push_indent(out, indent + 1);
                    write_value(out, module, &k.0, spec, indent + 1);
                    out.push_str(": ");
                    write_value(out, module, v, spec, indent + 1);
                    out.push_str(",\n");
                }
                push_indent(out, indent);
                out.push('}');
            } else {
                out.push('{');
                for (i, (k, e)) in m.iter().enumerate() {
                    let v = entry_value(e);
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_value(out, module, &k.0, spec, indent);
                    out.push_str(": ");
                    write_value(out, module, v, spec, indent);
                }
                out.push('}');
            }
        }
        Value::Func(f) => {
            let name = module
                .functions
                .get(*f as usize)
                .map_or("?", |f| f.name.as_str());
            leaf(out, spec, &format!("fn {name}"), false);
        }
        Value::Closure(_) => leaf(out, spec, "closure", false),
        Value::Iter(_) => leaf(out, spec, "Iter", false),
        Value::Host(h) => {
            let text = match &**h {
                crate::sched::HostObject::Task { id, .. } => format!("Task({id})"),
                other => format!("{} {{ .. }}", other.type_name()),
            };
            leaf(out, spec, &text, false);
        }
        Value::Pool(p) => leaf(
            out,
            spec,
            &format!(
                "Pool {{ capacity: {}, in_use: {} }}",
                p.capacity(),
                p.in_use()
            ),
            false,
        ),
        Value::Std(d) => leaf(out, spec, &d.display(spec.debug), false),
        // `Pooled<T>` formats as its value, as `Gc<T>` does.
        Value::Pooled(h) => write_value(out, module, h.value(), spec, indent),
        Value::Ref(_) => leaf(out, spec, "?", false),
        Value::Gc(g) => {
            // `Gc<T>` formats as its value; a cycle prints `..` where it
            // comes back round.
            let fresh = PRINTING.with_borrow_mut(|p| {
                if p.contains(g) {
                    false
                } else {
                    p.push(*g);
                    true
                }
            });
            // SAFETY: a `Gc` reached from the value being formatted, which
            // the caller vouched for; no collection runs while formatting.
            match unsafe { g.value_ptr() } {
                // SAFETY: a live object's value, only read while formatting.
                Some(inner) if fresh => write_value(out, module, unsafe { &*inner }, spec, indent),
                Some(_) => out.push_str(".."),
                None => out.push_str("<finalized>"),
            }
            if fresh {
                PRINTING.with_borrow_mut(Vec::pop);
            }
        }
        Value::Weak(_) => leaf(out, spec, "(Weak)", false),
        Value::Cell(c) => {
            out.push_str(if c.is_refcell() {
                "RefCell { value: "
            } else {
                "Cell { value: "
            });
            // SAFETY: the cell's value, only read while formatting.
            write_value(out, module, unsafe { &*c.value_ptr() }, spec, indent);
            out.push_str(" }");
        }
    }
}

thread_local! {
    /// The `Gc` objects being formatted, innermost last (cycle guard).
    static PRINTING: std::cell::RefCell<Vec<crate::heap::GcRef>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n("    ", indent));
}

fn variant_name(module: &Module, ty: u32, tag: u32) -> &str {
    match module.types.get(ty as usize) {
        Some(TypeDef::Enum { variants, .. }) => {
            variants.get(tag as usize).map_or("?", |(n, _)| n.as_str())
        }
        _ => "?",
    }
}

/// The field names of a struct-like variant (none for other variants).
fn variant_field_names(module: &Module, ty: u32, tag: u32) -> &[String] {
    match module.types.get(ty as usize) {
        Some(TypeDef::Enum { field_names, .. }) => {
            field_names.get(tag as usize).map_or(&[][..], Vec::as_slice)
        }
        _ => &[],
    }
}

fn write_record(
    out: &mut String,
    module: &Module,
    ty: u32,
    fields: &[Value],
    spec: &Spec,
    indent: usize,
) {
    if ty == super::well_known::ERROR && !spec.debug {
        let info = super::natives::error_info(fields);
        leaf(out, spec, &info.chain_text(), false);
        return;
    }
    if ty == super::well_known::PANIC && !spec.debug {
        let msg = fields.first().and_then(Value::as_str).unwrap_or("");
        let loc = fields.get(1).and_then(Value::as_str).unwrap_or("");
        leaf(out, spec, &format!("{msg} at {loc}"), false);
        return;
    }
    if ty == super::well_known::RANGE {
        let mut s = String::new();
        if let Some(a) = fields.first().filter(|v| !matches!(v, Value::Unit)) {
            write_value(&mut s, module, a, spec, indent);
        }
        s.push_str(if matches!(fields.get(2), Some(Value::Bool(true))) {
            "..="
        } else {
            ".."
        });
        if let Some(b) = fields.get(1).filter(|v| !matches!(v, Value::Unit)) {
            write_value(&mut s, module, b, spec, indent);
        }
        out.push_str(&s);
        return;
    }
    let (name, names) = match module.types.get(ty as usize) {
        Some(TypeDef::Record {
            name, field_names, ..
        }) => (name.as_str(), field_names.as_slice()),
        _ => ("", &[][..]),
    };
    if name.is_empty() {
        // A tuple.
        if fields.len() == 1 && !spec.alternate {
            out.push('(');
            write_value(out, module, &fields[0], spec, indent);
            out.push_str(",)");
            return;
        }
        write_seq(out, module, "(", ")", fields.iter(), spec, indent);
        return;
    }
    if names.is_empty() {
        // A tuple struct, or a unit struct.
        if fields.is_empty() {
            out.push_str(name);
        } else {
            write_tuple_like(out, module, name, fields, spec, indent);
        }
        return;
    }
    write_named_fields(out, module, name, names, fields, spec, indent);
}

/// `Name { a: 1, b: 2 }`, or one field a line with `{:#?}`.
fn write_named_fields(
    out: &mut String,
    module: &Module,
    name: &str,
    names: &[String],
    fields: &[Value],
    spec: &Spec,
    indent: usize,
) {
    out.push_str(name);
    if spec.alternate {
        out.push_str(" {\n");
        for (n, v) in names.iter().zip(fields) {
            push_indent(out, indent + 1);
            let _ = write!(out, "{n}: ");
            write_value(out, module, v, spec, indent + 1);
            out.push_str(",\n");
        }
        push_indent(out, indent);
        out.push('}');
    } else {
        out.push_str(" { ");
        for (i, (n, v)) in names.iter().zip(fields).enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{n}: ");
            write_value(out, module, v, spec, indent);
        }
        out.push_str(" }");
    }
}

fn write_tuple_like(
    out: &mut String,
    module: &Module,
    name: &str,
    fields: &[Value],
    spec: &Spec,
    indent: usize,
) {
    out.push_str(name);
    write_seq(out, module, "(", ")", fields.iter(), spec, indent);
}

fn write_seq<'v>(
    out: &mut String,
    module: &Module,
    open: &str,
    close: &str,
    items: impl ExactSizeIterator<Item = &'v Value>,
    spec: &Spec,
    indent: usize,
) {
    out.push_str(open);
    if spec.alternate && spec.debug {
        if items.len() == 0 {
            out.push_str(close);
            return;
        }
        out.push('\n');
        for v in items {
            push_indent(out, indent + 1);
            write_value(out, module, v, spec, indent + 1);
            out.push_str(",\n");
        }
        push_indent(out, indent);
    } else {
        for (i, v) in items.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_value(out, module, v, spec, indent);
        }
    }
    out.push_str(close);
}
