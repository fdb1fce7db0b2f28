//! JSON text to [`Json`] (RFC 8259, strictly: no comments, no trailing
//! commas, no lone surrogates). Errors say what was expected and where,
//! by line and column. Nesting deeper than [`MAX_DEPTH`] is an error, not
//! a stack overflow.

use std::borrow::Cow;
use std::sync::Arc;

use super::{Json, Object};

/// Arrays and objects nested deeper than this are refused (`serde_json`'s
/// limit too).
pub const MAX_DEPTH: usize = 128;

/// Why text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at line {}, column {}",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for ParseError {}

/// Parses one JSON value, with nothing but whitespace around it.
///
/// # Errors
///
/// When `text` is not JSON.
pub fn parse(text: &str) -> Result<Json, ParseError> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    p.skip_ws();
    let v = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.error("unexpected text after the JSON value"));
    }
    Ok(v)
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
}

impl<'t> Parser<'t> {
    fn error(&self, message: &str) -> ParseError {
        self.error_at(self.pos, message)
    }

    fn error_at(&self, pos: usize, message: &str) -> ParseError {
        let pos = pos.min(self.text.len());
        // `pos` may sit inside a character (a bad escape's start never
        // does, but be safe): back up to a boundary.
        let mut start = pos;
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let before = &self.text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        ParseError {
            message: message.to_string(),
            line,
            column,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect_word(&mut self, word: &str, v: Json) -> Result<Json, ParseError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, ParseError> {
        match self.peek() {
            None => Err(self.error("expected a JSON value, found the end of the text")),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => Ok(Json::Str(match self.string()? {
                Cow::Borrowed(s) => Arc::from(s),
                Cow::Owned(s) => Arc::from(s),
            })),
            Some(b't') => self.expect_word("true", Json::Bool(true)),
            Some(b'f') => self.expect_word("false", Json::Bool(false)),
            Some(b'n') => self.expect_word("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a JSON value")),
        }
    }

    fn enter(&self, depth: usize) -> Result<(), ParseError> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!(
                "arrays and objects nested deeper than {MAX_DEPTH} levels"
            )));
        }
        Ok(())
    }

    fn array(&mut self, depth: usize) -> Result<Json, ParseError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(Arc::new(items)));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(Arc::new(items)));
                }
                _ => return Err(self.error("expected `,` or `]` in an array")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, ParseError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut object = Object::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(Arc::new(object)));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key in an object"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:` after an object key"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth)?;
            // A repeated key keeps its first place and its last value (as
            // `serde_json`, Python and JavaScript).
            object.set(&key, value);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(Arc::new(object)));
                }
                _ => return Err(self.error("expected `,` or `}` in an object")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.digits() {
            0 => return Err(self.error("expected a digit")),
            n if n > 1 && self.bytes[int_start] == b'0' => {
                return Err(self.error_at(int_start, "a number cannot start with `0`"));
            }
            _ => {}
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            integral = false;
            if self.digits() == 0 {
                return Err(self.error("expected a digit after `.`"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            integral = false;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        let text = &self.text[start..self.pos];
        if integral
            && text != "-0"
            && let Ok(i) = text.parse::<i64>()
        {
            return Ok(Json::Int(i));
        }
        let f: f64 = text
            .parse()
            .map_err(|_| self.error_at(start, "a number out of range"))?;
        if !f.is_finite() {
            return Err(self.error_at(start, "a number out of range"));
        }
        let kept = (super::write::float_text(f) != text).then(|| Arc::from(text));
        Ok(Json::Float(f, kept))
    }

    /// A string at `pos` (its opening quote), unescaped.
    fn string(&mut self) -> Result<Cow<'t, str>, ParseError> {
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escape before the closing quote.
        loop {
            match self.peek() {
                None => return Err(self.error_at(start - 1, "a string without its closing `\"`")),
                Some(b'"') => {
                    let s = &self.text[start..self.pos];
                    self.pos += 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(c) if c < 0x20 => {
                    return Err(self.error("a control character in a string (write it escaped)"));
                }
                Some(_) => self.pos += 1,
            }
        }
        let mut out = String::with_capacity(self.pos - start + 16);
        out.push_str(&self.text[start..self.pos]);
        loop {
            let run = self.pos;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run..self.pos]);
            match self.peek() {
                None => return Err(self.error_at(start - 1, "a string without its closing `\"`")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => {
                    return Err(self.error("a control character in a string (write it escaped)"));
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let at = self.pos;
        self.pos += 1;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let hi = self.hex4(at)?;
                let c = if (0xD800..0xDC00).contains(&hi) {
                    if !self.bytes[self.pos..].starts_with(b"\\u") {
                        return Err(self.error_at(at, "a lone surrogate in a `\\u` escape"));
                    }
                    self.pos += 2;
                    let lo = self.hex4(at)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.error_at(at, "a lone surrogate in a `\\u` escape"));
                    }
                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                } else {
                    char::from_u32(hi)
                };
                out.push(c.ok_or_else(|| self.error_at(at, "a lone surrogate in a `\\u` escape"))?);
                return Ok(());
            }
            _ => return Err(self.error_at(at, "an unknown escape in a string")),
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self, at: usize) -> Result<u32, ParseError> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .and_then(|d| std::str::from_utf8(d).ok())
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error_at(at, "expected four hex digits after `\\u`"))?;
        let v = u32::from_str_radix(digits, 16)
            .map_err(|_| self.error_at(at, "expected four hex digits after `\\u`"))?;
        self.pos += 4;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn values_of_every_kind() {
        let v =
            parse(" {\"a\": [1, -2.50, 1e3, true, false, null, \"x\\n\\u00e9\\ud83d\\ude00\"]} ")
                .unwrap();
        let a = v.get("a").unwrap().as_array().unwrap();
        assert_eq!(a[0], Json::Int(1));
        assert_eq!(a[1].as_f64(), Some(-2.5));
        assert_eq!(a[2].as_f64(), Some(1000.0));
        assert_eq!(a[6].as_str(), Some("x\né😀"));
        assert_eq!(parse("-0").unwrap().to_text(), "-0");
        assert_eq!(
            parse("12345678901234567890").unwrap().to_text(),
            "12345678901234567890"
        );
    }

    #[test]
    fn errors_say_what_and_where() {
        assert_eq!(
            err("{\"a\" 1}"),
            "expected `:` after an object key at line 1, column 6"
        );
        assert_eq!(err("[1,]"), "expected a JSON value at line 1, column 4");
        assert_eq!(
            err("[1\n,2"),
            "expected `,` or `]` in an array at line 2, column 3"
        );
        assert_eq!(
            err("01"),
            "a number cannot start with `0` at line 1, column 1"
        );
        assert_eq!(
            err("\"abc"),
            "a string without its closing `\"` at line 1, column 1"
        );
        assert_eq!(
            err("\"\\ud800\""),
            "a lone surrogate in a `\\u` escape at line 1, column 2"
        );
        assert_eq!(
            err("\"a\tb\""),
            "a control character in a string (write it escaped) at line 1, column 3"
        );
        assert_eq!(
            err("1 2"),
            "unexpected text after the JSON value at line 1, column 3"
        );
        assert_eq!(
            err(""),
            "expected a JSON value, found the end of the text at line 1, column 1"
        );
        assert_eq!(err("1e999"), "a number out of range at line 1, column 1");
        assert_eq!(err("tru"), "expected a JSON value at line 1, column 1");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(err(&deep).contains("nested deeper than 128"));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn repeated_keys_keep_the_last_value_in_the_first_place() {
        assert_eq!(
            parse(r#"{"a":1,"b":2,"a":3}"#).unwrap().to_text(),
            r#"{"a":3,"b":2}"#
        );
    }
}
