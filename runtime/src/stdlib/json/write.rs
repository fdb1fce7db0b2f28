//! [`Json`] to text. Compact output is what `serde_json` and Python's
//! `json.dumps(v, separators=(",", ":"), ensure_ascii=False)` write: no
//! spaces, `"`, `\` and control characters escaped (`\n`, `\u001f`),
//! everything else as is. A number prints as it was parsed, else as its
//! shortest round-trip form; NaN and infinities, which JSON cannot say,
//! print `null` (as `JSON.stringify`).

use std::fmt::Write as _;

use super::Json;
use crate::value::host_stack::grow;

/// How a float prints when no source text says otherwise: the shortest
/// text that reads back as the same float (`2.0`, `0.1`, `1e21`).
pub fn float_text(f: f64) -> String {
    if f.is_finite() {
        format!("{f:?}")
    } else {
        "null".to_string()
    }
}

pub fn compact(v: &Json, out: &mut String) {
    write(v, out, None, 0);
}

pub fn pretty(v: &Json, out: &mut String) {
    write(v, out, Some(2), 0);
}

fn newline(out: &mut String, indent: Option<usize>, level: usize) {
    if let Some(n) = indent {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', n * level));
    }
}

fn write(v: &Json, out: &mut String, indent: Option<usize>, level: usize) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Json::Float(_, Some(text)) => out.push_str(text),
        Json::Float(f, None) => out.push_str(&float_text(*f)),
        Json::Str(s) => string(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                grow(|| write(item, out, indent, level + 1));
            }
            if !items.is_empty() {
                newline(out, indent, level);
            }
            out.push(']');
        }
        Json::Object(o) => {
            out.push('{');
            for (i, (k, item)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                string(k, out);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                grow(|| write(item, out, indent, level + 1));
            }
            if !o.is_empty() {
                newline(out, indent, level);
            }
            out.push('}');
        }
    }
}

/// A JSON string literal.
pub fn string(s: &str, out: &mut String) {
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..0x20 => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        if escaped.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escaped);
        }
        run = i + 1;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn compact_text_round_trips() {
        for text in [
            r#"{"resourceType":"Observation","valueQuantity":{"value":0.0050,"unit":"mg"}}"#,
            r#"[1,-0,1.0,1e3,1E-7,12345678901234567890,"\u001f\"\\\n","é/<"]"#,
            "{}",
            "[]",
            r#"{"a":{"b":{"c":[[],{}]}}}"#,
        ] {
            assert_eq!(parse(text).unwrap().to_text(), text);
        }
    }

    #[test]
    fn floats_print_their_shortest_form() {
        assert_eq!(Json::float(2.0).to_text(), "2.0");
        assert_eq!(Json::float(0.1 + 0.2).to_text(), "0.30000000000000004");
        assert_eq!(Json::float(f64::NAN).to_text(), "null");
    }

    #[test]
    fn pretty_text_indents_by_two() {
        let v = parse(r#"{"a":[1,{"b":null}],"c":{}}"#).unwrap();
        assert_eq!(
            v.to_pretty(),
            "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": {}\n}"
        );
    }
}
