//! HL7 v2 messages for `std::hl7`.
//!
//! A [`Message`] keeps each segment as its fields' encoded text and the
//! line ending that followed it, so an unchanged message writes back
//! byte for byte whatever its segment separators were (`\r`, `\n`,
//! `\r\n`, blank lines). Repetitions, components and subcomponents are
//! split out of a field when asked for, with the message's own encoding
//! characters (MSH-1 and MSH-2), and escape sequences are decoded then
//! ([`escape`]). A segment a program adds ends with `\r`, the standard's
//! separator.
//!
//! Numbering follows HL7: fields, repetitions, components and
//! subcomponents from 1; in MSH (and BHS, FHS) field 1 is the field
//! separator itself and field 2 the encoding characters. A field that is
//! absent or empty reads as `None`; the null value `""` reads as the two
//! characters `""`, so "delete this value" stays distinct from "no value".

pub mod batch;
pub mod escape;
pub mod mllp;
pub mod path;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

pub use path::{Path, PathError};

/// MSH-1 and MSH-2: the delimiters of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoding {
    pub field: char,
    pub component: char,
    pub repetition: char,
    /// `None` when MSH-2 names none (then nothing can be escaped).
    pub escape: Option<char>,
    pub subcomponent: Option<char>,
    /// v2.7's fifth encoding character.
    pub truncation: Option<char>,
}

impl Default for Encoding {
    /// `|^~\&`.
    fn default() -> Self {
        Encoding {
            field: '|',
            component: '^',
            repetition: '~',
            escape: Some('\\'),
            subcomponent: Some('&'),
            truncation: None,
        }
    }
}

impl Encoding {
    /// MSH-2 as written.
    pub fn msh2(&self) -> String {
        let mut s = String::new();
        s.push(self.component);
        s.push(self.repetition);
        s.extend(self.escape);
        s.extend(self.subcomponent);
        s.extend(self.truncation);
        s
    }

    /// Reads MSH-1 and MSH-2 from the start of a header segment (`MSH`,
    /// `BHS`, `FHS`).
    ///
    /// # Errors
    ///
    /// When the characters are missing, repeated or letters and digits.
    pub fn from_header(segment: &str) -> Result<Encoding, String> {
        let mut chars = segment.chars().skip(3);
        let field = chars.next().ok_or_else(|| {
            format!(
                "the {} segment is cut short",
                &segment[..3.min(segment.len())]
            )
        })?;
        let msh2: Vec<char> = chars
            .take_while(|&c| c != field && c != '\r' && c != '\n')
            .collect();
        if !is_delimiter(field) {
            return Err(format!(
                "MSH-1, the field separator, is {field:?}: a delimiter cannot be a letter, a digit or white space"
            ));
        }
        if msh2.len() < 2 || msh2.len() > 5 {
            return Err(format!(
                "MSH-2 has {} encoding character{} ({:?}); it needs 2 to 5 (component, repetition, escape, subcomponent, truncation)",
                msh2.len(),
                if msh2.len() == 1 { "" } else { "s" },
                msh2.iter().collect::<String>()
            ));
        }
        let mut seen = vec![field];
        for &c in &msh2 {
            if !is_delimiter(c) {
                return Err(format!(
                    "MSH-2 has {c:?}: a delimiter cannot be a letter, a digit or white space"
                ));
            }
            if seen.contains(&c) {
                return Err(format!(
                    "MSH-2 uses {c:?} twice (or as the field separator too)"
                ));
            }
            seen.push(c);
        }
        Ok(Encoding {
            field,
            component: msh2[0],
            repetition: msh2[1],
            escape: msh2.get(2).copied(),
            subcomponent: msh2.get(3).copied(),
            truncation: msh2.get(4).copied(),
        })
    }
}

fn is_delimiter(c: char) -> bool {
    !(c.is_alphanumeric() || c.is_whitespace() || c.is_control())
}

/// Whether a segment id carries the encoding characters in its fields 1
/// and 2.
pub fn is_header(name: &str) -> bool {
    matches!(name, "MSH" | "BHS" | "FHS")
}

/// One segment: its fields as encoded (`fields[0]` is the id), and the
/// line ending after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    fields: Vec<String>,
    end: String,
    enc: Encoding,
}

impl Segment {
    /// A new segment `name` with no fields, ending in `\r`.
    pub fn new(name: &str, enc: Encoding) -> Segment {
        let mut fields = vec![name.to_string()];
        if is_header(name) {
            fields.push(enc.msh2());
        }
        Segment {
            fields,
            end: "\r".to_string(),
            enc,
        }
    }

    fn parse(text: &str, end: &str, enc: Encoding) -> Segment {
        Segment {
            fields: text.split(enc.field).map(str::to_string).collect(),
            end: end.to_string(),
            enc,
        }
    }

    pub fn name(&self) -> &str {
        &self.fields[0]
    }

    pub fn encoding(&self) -> Encoding {
        self.enc
    }

    /// Index into `fields` of field `n` (MSH counts its separator as 1).
    fn slot(&self, n: usize) -> Option<usize> {
        if is_header(self.name()) {
            (n >= 2).then(|| n - 1)
        } else {
            (n >= 1).then_some(n)
        }
    }

    /// The number of the last field present.
    pub fn field_count(&self) -> usize {
        if is_header(self.name()) {
            self.fields.len()
        } else {
            self.fields.len() - 1
        }
    }

    /// Field `n` as encoded (`""` when absent; MSH-1 is the separator).
    pub fn field_raw(&self, n: usize) -> String {
        if is_header(self.name()) && n == 1 {
            return self.enc.field.to_string();
        }
        self.slot(n)
            .and_then(|i| self.fields.get(i))
            .cloned()
            .unwrap_or_default()
    }

    /// Field `n`.
    pub fn field(&self, n: usize) -> Field {
        Field {
            raw: self.field_raw(n),
            enc: self.enc,
            // MSH-2 is the encoding characters, never split or unescaped.
            literal: is_header(self.name()) && n <= 2,
        }
    }

    /// The segment's text without its line ending.
    pub fn text(&self) -> String {
        let mut sep = [0u8; 4];
        self.fields.join(&*self.enc.field.encode_utf8(&mut sep))
    }

    /// Sets field `n` to encoded text, adding empty fields before it.
    fn set_field_raw(&mut self, n: usize, raw: String) -> Result<(), String> {
        let Some(i) = self.slot(n) else {
            return Err(format!(
                "{}-{n} is the encoding itself and cannot be set",
                self.name()
            ));
        };
        if i == 1 && is_header(self.name()) {
            return Err(format!(
                "{}-2 is the encoding characters and cannot be set",
                self.name()
            ));
        }
        if self.fields.len() <= i {
            self.fields.resize(i + 1, String::new());
        }
        self.fields[i] = raw;
        Ok(())
    }
}

/// One field (or one repetition of it), as encoded, with its message's
/// delimiters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    raw: String,
    enc: Encoding,
    literal: bool,
}

fn split(text: &str, by: Option<char>) -> Vec<&str> {
    match by {
        Some(c) => text.split(c).collect(),
        None => vec![text],
    }
}

impl Field {
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The null value `""`.
    pub fn is_null(&self) -> bool {
        self.raw == "\"\""
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Each repetition.
    pub fn repetitions(&self) -> Vec<Field> {
        if self.literal {
            return vec![self.clone()];
        }
        split(&self.raw, Some(self.enc.repetition))
            .into_iter()
            .map(|r| Field {
                raw: r.to_string(),
                enc: self.enc,
                literal: false,
            })
            .collect()
    }

    /// The encoded text of `rep`, component `c`, subcomponent `s` (each
    /// 1-based; `None` for the whole of that level).
    pub fn part_raw(&self, rep: usize, c: Option<usize>, s: Option<usize>) -> Option<&str> {
        if self.literal {
            return (rep == 1 && c.unwrap_or(1) == 1 && s.unwrap_or(1) == 1)
                .then_some(self.raw.as_str());
        }
        let r = *split(&self.raw, Some(self.enc.repetition)).get(rep - 1)?;
        let Some(c) = c else { return Some(r) };
        let comp = *split(r, Some(self.enc.component)).get(c - 1)?;
        let Some(s) = s else { return Some(comp) };
        split(comp, self.enc.subcomponent).get(s - 1).copied()
    }

    fn decoded(&self, raw: &str) -> String {
        if self.literal {
            raw.to_string()
        } else {
            escape::unescape(raw, &self.enc)
        }
    }

    /// Component `n` of the first repetition, unescaped (`""` if absent).
    pub fn component(&self, n: usize) -> String {
        self.part_raw(1, Some(n), None)
            .map(|r| self.decoded(r))
            .unwrap_or_default()
    }

    /// Subcomponent `s` of component `c` of the first repetition.
    pub fn subcomponent(&self, c: usize, s: usize) -> String {
        self.part_raw(1, Some(c), Some(s))
            .map(|r| self.decoded(r))
            .unwrap_or_default()
    }

    /// Every component of the first repetition, unescaped.
    pub fn components(&self) -> Vec<String> {
        let first = self.part_raw(1, None, None).unwrap_or("");
        if self.literal {
            return vec![first.to_string()];
        }
        split(first, Some(self.enc.component))
            .into_iter()
            .map(|c| self.decoded(c))
            .collect()
    }

    /// Every repetition, component and subcomponent, unescaped: the
    /// field as a tree (MSH-1 and MSH-2 as one leaf each).
    pub fn tree(&self) -> Vec<Vec<Vec<String>>> {
        if self.literal {
            return vec![vec![vec![self.raw.clone()]]];
        }
        split(&self.raw, Some(self.enc.repetition))
            .into_iter()
            .map(|rep| {
                split(rep, Some(self.enc.component))
                    .into_iter()
                    .map(|comp| {
                        split(comp, self.enc.subcomponent)
                            .into_iter()
                            .map(|sub| self.decoded(sub))
                            .collect()
                    })
                    .collect()
            })
            .collect()
    }

    /// The whole field, unescaped (delimiters inside it kept as they are).
    pub fn as_string(&self) -> String {
        self.decoded(&self.raw)
    }
}

/// Why text is not a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An HL7 v2 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Line breaks before MSH, kept for the round trip.
    lead: String,
    segments: Vec<Arc<Segment>>,
    enc: Encoding,
}

/// The segments of `text` with the line endings after each (a run of
/// `\r` and `\n`: blank lines belong to the ending before them).
pub(crate) fn lines(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let cut = rest.find(['\r', '\n']).unwrap_or(rest.len());
        let after = &rest[cut..];
        let end_len = after.len() - after.trim_start_matches(['\r', '\n']).len();
        out.push((&rest[..cut], &after[..end_len]));
        rest = &after[end_len..];
    }
    out
}

/// How a message's segments may start: anything but a letter or digit
/// cannot be an id, and text without a segment is not a message.
const MAX_SEGMENTS: usize = 1_000_000;

impl Message {
    /// Parses one message.
    ///
    /// # Errors
    ///
    /// When the text does not start with an MSH segment whose encoding
    /// characters can be read, or a segment has no id.
    pub fn parse(text: &str) -> Result<Message, ParseError> {
        let body = text.trim_start_matches(['\r', '\n']);
        let lead = text[..text.len() - body.len()].to_string();
        if !body.starts_with("MSH") {
            let shown: String = body.chars().take(12).collect();
            return Err(ParseError(if body.is_empty() {
                "not an HL7 message: the text is empty".to_string()
            } else {
                format!("not an HL7 message: it starts with {shown:?}, not `MSH`")
            }));
        }
        let enc = Encoding::from_header(body).map_err(ParseError)?;
        let mut segments = Vec::new();
        for (i, (line, end)) in lines(body).into_iter().enumerate() {
            if i >= MAX_SEGMENTS {
                return Err(ParseError(format!(
                    "more than {MAX_SEGMENTS} segments in one message"
                )));
            }
            let seg = Segment::parse(line, end, enc);
            if seg.name().is_empty() {
                return Err(ParseError(format!(
                    "segment {} has no id (it starts with the field separator)",
                    i + 1
                )));
            }
            segments.push(Arc::new(seg));
        }
        Ok(Message {
            lead,
            segments,
            enc,
        })
    }

    /// A message with only an MSH segment of these encoding characters
    /// (MSH-1 and MSH-2 set), to be filled in with [`Message::set`].
    pub fn new(enc: Encoding) -> Message {
        Message {
            lead: String::new(),
            segments: vec![Arc::new(Segment::new("MSH", enc))],
            enc,
        }
    }

    pub fn encoding(&self) -> Encoding {
        self.enc
    }

    pub fn segments(&self) -> impl Iterator<Item = &Arc<Segment>> {
        self.segments.iter()
    }

    /// The `rep`-th (from 1) segment named `name`.
    pub fn segment(&self, name: &str, rep: usize) -> Option<&Arc<Segment>> {
        self.segments
            .iter()
            .filter(|s| s.name() == name)
            .nth(rep.checked_sub(1)?)
    }

    /// The field `path` names and the encoded text of the part in it.
    fn part(&self, path: &Path) -> Option<(Field, String)> {
        let seg = self.segment(&path.segment, path.segment_rep)?;
        let field = seg.field(path.field);
        let rep = path.field_rep.unwrap_or(1);
        // Without a component, a path reads the first one (as HAPI's
        // terser and python-hl7 do); MSH-1 and MSH-2 are whole.
        let component = path.component.or(Some(1));
        let sub = path.subcomponent.or(Some(1));
        let raw = field.part_raw(rep, component, sub)?.to_string();
        Some((field, raw))
    }

    /// The encoded text at `path`, if present (`None` when the segment,
    /// field or part is absent).
    pub fn raw_at(&self, path: &Path) -> Option<String> {
        self.part(path).map(|(_, raw)| raw)
    }

    /// The value at `path`, unescaped: `None` when absent or empty, the
    /// two characters `""` for the null value.
    pub fn get(&self, path: &Path) -> Option<String> {
        let (field, raw) = self.part(path)?;
        (!raw.is_empty()).then(|| field.decoded(&raw))
    }

    /// Sets the value at `path` (escaped as needed), adding the segment
    /// (only as the next repetition of its id), fields, repetitions,
    /// components and subcomponents it needs.
    ///
    /// # Errors
    ///
    /// When the segment's repetition is beyond the next, the path names
    /// MSH-1 or MSH-2, or the value has a delimiter that cannot be
    /// escaped.
    pub fn set(&mut self, path: &Path, value: &str) -> Result<(), String> {
        let enc = self.enc;
        let escaped = escape::escape(value, &enc).map_err(|e| {
            format!(
                "the value has {:?}, a delimiter of this message, and MSH-2 names no escape character to write it with",
                e.0
            )
        })?;
        let count = self
            .segments
            .iter()
            .filter(|s| s.name() == path.segment)
            .count();
        if path.segment_rep > count + 1 {
            return Err(format!(
                "{path}: the message has {count} {} segment{}, so the next is {}({})",
                path.segment,
                if count == 1 { "" } else { "s" },
                path.segment,
                count + 1
            ));
        }
        if path.segment_rep == count + 1 {
            self.segments
                .push(Arc::new(Segment::new(&path.segment, enc)));
        }
        let index = self
            .segments
            .iter()
            .enumerate()
            .filter(|(_, s)| s.name() == path.segment)
            .nth(path.segment_rep - 1)
            .map(|(i, _)| i)
            .ok_or_else(|| format!("{path}: no such segment"))?;
        let seg = Arc::make_mut(&mut self.segments[index]);
        let old = seg.field_raw(path.field);
        let new = replace_part(&old, &enc, path, &escaped);
        seg.set_field_raw(path.field, new)
            .map_err(|e| format!("{path}: {e}"))
    }

    /// Appends an empty segment `name` (ending in `\r`).
    pub fn add_segment(&mut self, name: &str) {
        self.segments.push(Arc::new(Segment::new(name, self.enc)));
    }

    /// The message as text: byte for byte what was parsed, for the parts
    /// not changed.
    pub fn to_text(&self) -> String {
        let mut out = self.lead.clone();
        for s in &self.segments {
            out.push_str(&s.text());
            out.push_str(&s.end);
        }
        out
    }
}

/// `old` (a field's encoded text) with the part `path` names replaced by
/// `value` (already escaped), padding with empty parts.
fn replace_part(old: &str, enc: &Encoding, path: &Path, value: &str) -> String {
    fn replace_at(text: &str, sep: char, index: usize, f: impl FnOnce(&str) -> String) -> String {
        let mut parts: Vec<String> = text.split(sep).map(str::to_string).collect();
        if parts.len() <= index {
            parts.resize(index + 1, String::new());
        }
        parts[index] = f(&parts[index]);
        let mut buf = [0u8; 4];
        parts.join(&*sep.encode_utf8(&mut buf))
    }
    let rep = path.field_rep.unwrap_or(1) - 1;
    replace_at(old, enc.repetition, rep, |r| match path.component {
        None => value.to_string(),
        Some(c) => replace_at(r, enc.component, c - 1, |comp| {
            match (path.subcomponent, enc.subcomponent) {
                (Some(s), Some(sub)) => replace_at(comp, sub, s - 1, |_| value.to_string()),
                _ => value.to_string(),
            }
        }),
    })
}

/// A control id for a message this process makes: the time to the
/// millisecond and a counter, 20 characters.
pub fn control_id(now: crate::stdlib::time::DateTime) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) % 1000;
    format!("{}{:03}{n:03}", now.to_hl7(), now.civil().millisecond)
}

/// The acknowledgement codes of HL7 table 0008.
pub const ACK_CODES: [&str; 6] = ["AA", "AE", "AR", "CA", "CE", "CR"];

impl Message {
    /// An original-mode acknowledgement (v2.5 §2.9.2), as Mirth and
    /// python-hl7 build it: MSH with sender and receiver swapped, MSH-7
    /// `now`, MSH-9 `ACK^<trigger>^ACK`, a new MSH-10, MSH-11 and MSH-12
    /// copied; MSA-1 the code, MSA-2 the original MSH-10. With `error`,
    /// MSA-3 carries the text and an ERR segment says it again (ERR-3
    /// 207 "Application internal error" for `AE`/`CE`, 200 "Unsupported
    /// message type" for `AR`/`CR`; ERR-4 `E`; ERR-8 the text).
    ///
    /// # Errors
    ///
    /// When `code` is not one of [`ACK_CODES`].
    pub fn ack(
        &self,
        code: &str,
        error: Option<&str>,
        now: crate::stdlib::time::DateTime,
    ) -> Result<Message, String> {
        if !ACK_CODES.contains(&code) {
            return Err(format!(
                "{code:?} is not an acknowledgement code (AA, AE, AR, CA, CE or CR)"
            ));
        }
        let msh = self.segment("MSH", 1);
        let raw = |n: usize| msh.map(|s| s.field_raw(n)).unwrap_or_default();
        let enc = self.enc;
        let mut ack = Message::new(enc);
        let seg = Arc::make_mut(&mut ack.segments[0]);
        let mut fields = vec![raw(5), raw(6), raw(3), raw(4), now.to_hl7(), String::new()];
        let trigger = msh
            .map(|s| {
                s.field(9)
                    .part_raw(1, Some(2), None)
                    .unwrap_or("")
                    .to_string()
            })
            .unwrap_or_default();
        let c = enc.component;
        fields.push(if trigger.is_empty() {
            "ACK".to_string()
        } else {
            format!("ACK{c}{trigger}{c}ACK")
        });
        fields.push(control_id(now));
        fields.push(raw(11));
        fields.push(raw(12));
        for (i, f) in fields.into_iter().enumerate() {
            // Field numbers 3 to 12; setting raw text cannot fail there.
            let _ = seg.set_field_raw(i + 3, f);
        }
        let mut msa = Segment::new("MSA", enc);
        let _ = msa.set_field_raw(1, code.to_string());
        let _ = msa.set_field_raw(2, raw(10));
        if let Some(text) = error {
            let text = escape::escape(text, &enc).unwrap_or_else(|_| {
                // No escape character: the delimiters become spaces.
                let delimiters = format!("{}{}", enc.field, enc.msh2());
                text.chars()
                    .map(|ch| {
                        if delimiters.contains(ch) || ch.is_control() {
                            ' '
                        } else {
                            ch
                        }
                    })
                    .collect()
            });
            let _ = msa.set_field_raw(3, text.clone());
            let mut err = Segment::new("ERR", enc);
            let reason = if code.ends_with('R') {
                format!("200{c}Unsupported message type{c}HL70357")
            } else {
                format!("207{c}Application internal error{c}HL70357")
            };
            let _ = err.set_field_raw(3, reason);
            let _ = err.set_field_raw(4, "E".to_string());
            let _ = err.set_field_raw(8, text);
            ack.segments.push(Arc::new(msa));
            ack.segments.push(Arc::new(err));
        } else {
            ack.segments.push(Arc::new(msa));
        }
        Ok(ack)
    }
}

#[cfg(test)]
mod tests;
