//! Terser paths: where a value sits in a message. Two spellings are read,
//! HAPI's and python-hl7's:
//!
//! - `PID-5-1`, `PID-3(2)-1`, `OBX(2)-5`, `MSH-9-2`, `PID-5-1-2` (segment,
//!   field, component, subcomponent; a repetition in parentheses after
//!   the segment or the field);
//! - `PID.F5.R1.C1`, `OBX(2).F5`, `PID.F3.R2.C1.S1`.
//!
//! Every position counts from **1**, repetitions included (`PID-3(1)` is
//! the first identifier): HL7 numbers fields and components from 1, and
//! python-hl7 repetitions too. HAPI counts repetitions from 0; a path
//! copied from HAPI code needs its repetitions raised by one. Group paths
//! (`/.OBSERVATION(1)/OBX-5`) need the message structure's definition,
//! which Ward does not have: name the segment and its repetition instead.

/// A parsed path. Positions are 1-based; `None` where the path stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub segment: String,
    pub segment_rep: usize,
    pub field: usize,
    pub field_rep: Option<usize>,
    pub component: Option<usize>,
    pub subcomponent: Option<usize>,
}

/// Why a path does not parse: a message and the byte offset it is about.
pub use crate::stdlib::SyntaxError as PathError;

const MAX_POSITION: usize = 99_999;

struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn err<T>(&self, message: impl Into<String>) -> Result<T, PathError> {
        Err(PathError {
            message: message.into(),
            at: self.pos,
        })
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// A position: 1 or more.
    fn number(&mut self, what: &str) -> Result<usize, PathError> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let digits = &self.text[start..self.pos];
        if digits.is_empty() {
            self.pos = start;
            return self.err(format!("expected a {what} number"));
        }
        match digits.parse::<usize>() {
            Ok(0) if what == "repetition" => {
                self.pos = start;
                self.err("repetitions count from 1 (HAPI counts them from 0: add one)")
            }
            Ok(0) => {
                self.pos = start;
                self.err(format!("{what} numbers count from 1"))
            }
            Ok(n) if n <= MAX_POSITION => Ok(n),
            _ => {
                self.pos = start;
                self.err(format!("{what} number {digits} is too large"))
            }
        }
    }

    /// `(n)` after a segment or field, if there.
    fn repetition(&mut self) -> Result<Option<usize>, PathError> {
        if !self.eat(b'(') {
            return Ok(None);
        }
        let n = self.number("repetition")?;
        if !self.eat(b')') {
            return self.err("expected `)` after the repetition");
        }
        Ok(Some(n))
    }
}

/// Parses a terser path.
///
/// # Errors
///
/// When `text` is not one, saying what was expected where.
pub fn parse(text: &str) -> Result<Path, PathError> {
    let mut r = Reader { text, pos: 0 };
    if let Some(after) = text.strip_prefix('/') {
        if after.trim_start_matches('.').contains('/') {
            return r.err(
                "group paths need the message structure's definition, which Ward does not have: name the segment and its repetition, as `OBX(2)-5`",
            );
        }
        r.pos = if text.starts_with("/.") { 2 } else { 1 };
    }
    let start = r.pos;
    let id = text.get(start..start + 3).unwrap_or("");
    let valid_id = id.len() == 3
        && id.as_bytes()[0].is_ascii_uppercase()
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !valid_id {
        return r.err("expected a segment id of three capital letters or digits, as `PID`");
    }
    r.pos += 3;
    let segment_rep = r.repetition()?.unwrap_or(1);
    let mut path = Path {
        segment: id.to_string(),
        segment_rep,
        field: 0,
        field_rep: None,
        component: None,
        subcomponent: None,
    };
    match r.peek() {
        Some(b'-') => {
            r.pos += 1;
            path.field = r.number("field")?;
            path.field_rep = r.repetition()?;
            if r.eat(b'-') {
                path.component = Some(r.number("component")?);
                if r.eat(b'-') {
                    path.subcomponent = Some(r.number("subcomponent")?);
                }
            }
        }
        Some(b'.') => {
            r.pos += 1;
            if !r.eat(b'F') {
                return r.err("expected `F` and a field number after `.`");
            }
            path.field = r.number("field")?;
            for (letter, what) in [
                (b'R', "repetition"),
                (b'C', "component"),
                (b'S', "subcomponent"),
            ] {
                let save = r.pos;
                if r.eat(b'.') && r.eat(letter) {
                    let n = r.number(what)?;
                    match letter {
                        b'R' => path.field_rep = Some(n),
                        b'C' => path.component = Some(n),
                        _ => path.subcomponent = Some(n),
                    }
                } else {
                    r.pos = save;
                }
            }
        }
        None => {
            return r.err(format!("name a field of the segment, as `{id}-3`"));
        }
        Some(_) => return r.err("expected `-` and a field number"),
    }
    if r.pos < text.len() {
        return r.err("unexpected text after the path");
    }
    Ok(path)
}

impl std::fmt::Display for Path {
    /// HAPI's spelling, with Ward's 1-based repetitions.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.segment)?;
        if self.segment_rep != 1 {
            write!(f, "({})", self.segment_rep)?;
        }
        write!(f, "-{}", self.field)?;
        if let Some(r) = self.field_rep {
            write!(f, "({r})")?;
        }
        if let Some(c) = self.component {
            write!(f, "-{c}")?;
        }
        if let Some(s) = self.subcomponent {
            write!(f, "-{s}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_read_the_same() {
        let p = parse("PID-3(2)-1-2").unwrap();
        assert_eq!(
            (
                p.segment.as_str(),
                p.segment_rep,
                p.field,
                p.field_rep,
                p.component,
                p.subcomponent
            ),
            ("PID", 1, 3, Some(2), Some(1), Some(2))
        );
        assert_eq!(parse("PID.F3.R2.C1.S2").unwrap(), p);
        assert_eq!(parse("OBX(2)-5").unwrap().segment_rep, 2);
        assert_eq!(parse("OBX(2).F5").unwrap(), parse("OBX(2)-5").unwrap());
        assert_eq!(parse("/.PID-5-1").unwrap(), parse("PID-5-1").unwrap());
        assert_eq!(parse("ZP1-2").unwrap().segment, "ZP1");
        assert_eq!(parse("PID.F5.C2").unwrap().to_string(), "PID-5-2");
        assert_eq!(parse("OBX(3)-5(2)-1").unwrap().to_string(), "OBX(3)-5(2)-1");
    }

    #[test]
    fn mistakes_are_named_where_they_are() {
        let e = |t: &str| {
            let e = parse(t).unwrap_err();
            (e.at, e.message)
        };
        assert_eq!(e("PID-0").0, 4);
        assert!(e("PID-0").1.contains("count from 1"));
        assert!(e("PID-3(0)").1.contains("HAPI counts them from 0: add one"));
        assert_eq!(e("PID-5-"), (6, "expected a component number".to_string()));
        assert_eq!(
            e("PID"),
            (3, "name a field of the segment, as `PID-3`".to_string())
        );
        assert_eq!(e("pid-5").0, 0);
        assert_eq!(
            e("PID-5x"),
            (5, "unexpected text after the path".to_string())
        );
        assert_eq!(e("PID-3(2-1").1, "expected `)` after the repetition");
        assert!(e("/.OBSERVATION(1)/OBX-5").1.contains("group paths"));
        assert!(e("PID-999999").1.contains("too large"));
        assert_eq!(e("PID.5").1, "expected `F` and a field number after `.`");
    }
}
