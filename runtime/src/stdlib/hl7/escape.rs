//! HL7 v2 escape sequences (v2.5 §2.7): decoding on read, encoding on
//! write, with a message's own delimiters.
//!
//! Decoding: `\F\ \S\ \T\ \R\ \E\` give the field, component,
//! subcomponent, repetition and escape characters, `\P\` the truncation
//! character (v2.7); `\Xhh…\` gives the bytes `hh…` (read as UTF-8 when
//! they are, else one Latin-1 character per byte); of the formatting
//! commands, `\.br\`, `\.ce\` and `\.sp\` (`\.spN\`: N of them) are line
//! breaks (`\n`), `\.skN\` is N spaces, and `\H\ \N\ \.fi\ \.nf\ \.inN\
//! \.tiN\` and the character-set switches `\C…\ \M…\` have no plain-text
//! form and give nothing. A sequence that is not one of these, or one
//! without its closing escape character, is kept as written: text is
//! never lost.
//!
//! Encoding writes the delimiters and the escape character as their
//! sequences and control characters as `\Xhh\`; everything else,
//! non-ASCII included, as is (messages are UTF-8).

use std::fmt::Write as _;

use super::Encoding;

/// `raw` with its escape sequences decoded.
pub fn unescape(raw: &str, enc: &Encoding) -> String {
    let Some(esc) = enc.escape else {
        return raw.to_string();
    };
    if !raw.contains(esc) {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(start) = rest.find(esc) {
        out.push_str(&rest[..start]);
        let after = &rest[start + esc.len_utf8()..];
        let Some(end) = after.find(esc) else {
            // No closing escape character: kept as written.
            out.push_str(&rest[start..]);
            return out;
        };
        let seq = &after[..end];
        if !decode(seq, enc, &mut out) {
            out.push(esc);
            out.push_str(seq);
            out.push(esc);
        }
        rest = &after[end + esc.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// Appends what the sequence `seq` (between escape characters) stands
/// for; false when it is not a sequence this decoder knows.
fn decode(seq: &str, enc: &Encoding, out: &mut String) -> bool {
    let delimiter = match seq {
        "F" => Some(enc.field),
        "S" => Some(enc.component),
        "T" => enc.subcomponent,
        "R" => Some(enc.repetition),
        "E" => enc.escape,
        "P" => enc.truncation,
        _ => None,
    };
    if let Some(c) = delimiter {
        out.push(c);
        return true;
    }
    match seq {
        "H" | "N" | ".fi" | ".nf" => return true,
        ".br" | ".ce" => {
            out.push('\n');
            return true;
        }
        _ => {}
    }
    if let Some(hex) = seq.strip_prefix('X') {
        return hex_bytes(hex, out);
    }
    if let Some(n) = seq.strip_prefix(".sp") {
        return repeat(n, '\n', 1, out);
    }
    if let Some(n) = seq.strip_prefix(".sk") {
        return repeat(n, ' ', 1, out);
    }
    if seq
        .strip_prefix(".in")
        .or_else(|| seq.strip_prefix(".ti"))
        .is_some_and(is_signed_number)
    {
        return true;
    }
    // Character-set switches: no plain-text form.
    (seq.starts_with('C') || seq.starts_with('M'))
        && seq.len() > 1
        && seq[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_signed_number(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn repeat(count: &str, c: char, default: usize, out: &mut String) -> bool {
    let n = if count.is_empty() {
        default
    } else if let Ok(n) = count.trim_start_matches('+').parse::<usize>() {
        n.min(1000)
    } else {
        return false;
    };
    out.extend(std::iter::repeat_n(c, n));
    true
}

fn hex_bytes(hex: &str, out: &mut String) -> bool {
    if hex.is_empty() || !hex.len().is_multiple_of(2) || !hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return false;
    }
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect();
    match String::from_utf8(bytes) {
        Ok(s) => out.push_str(&s),
        Err(e) => out.extend(e.into_bytes().into_iter().map(char::from)),
    }
    true
}

/// Why a value cannot be written in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscapeError(pub char);

/// `value` with the message's delimiters written as escape sequences.
///
/// # Errors
///
/// When `value` has a delimiter and the message names no escape
/// character to write it with.
pub fn escape(value: &str, enc: &Encoding) -> Result<String, EscapeError> {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        let code = if c == enc.field {
            Some("F")
        } else if c == enc.component {
            Some("S")
        } else if Some(c) == enc.subcomponent {
            Some("T")
        } else if c == enc.repetition {
            Some("R")
        } else if Some(c) == enc.escape {
            Some("E")
        } else if Some(c) == enc.truncation {
            Some("P")
        } else {
            None
        };
        let control = (c as u32) < 0x20 || c == '\u{7f}';
        if code.is_none() && !control {
            out.push(c);
            continue;
        }
        let Some(esc) = enc.escape else {
            return Err(EscapeError(c));
        };
        out.push(esc);
        match code {
            Some(code) => out.push_str(code),
            None => {
                let _ = write!(out, "X{:02X}", c as u32);
            }
        }
        out.push(esc);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc() -> Encoding {
        Encoding::default()
    }

    #[test]
    fn delimiters_and_escapes_decode() {
        let e = enc();
        assert_eq!(unescape(r"x\F\y\S\z\T\w\R\v\E\u", &e), r"x|y^z&w~v\u");
        assert_eq!(unescape(r"\E\F\E\", &e), r"\F\");
        assert_eq!(unescape(r"caf\XC3A9\ \X41\\XE9\", &e), "café Aé");
        assert_eq!(unescape(r"1\.br\2\.sp2\3\.sk3\4", &e), "1\n2\n\n3   4");
        assert_eq!(unescape(r"\H\bold\N\ normal", &e), "bold normal");
        assert_eq!(unescape(r"a\Q\b \X4\ c\", &e), r"a\Q\b \X4\ c\");
        assert_eq!(unescape("no escapes", &e), "no escapes");
    }

    #[test]
    fn escaping_round_trips() {
        let e = enc();
        for value in [
            "a|b^c&d~e\\f",
            "line1\nline2\r",
            "naïve ✓",
            "\"\"",
            "",
            "\u{1}",
        ] {
            let written = escape(value, &e).unwrap();
            assert!(
                !written.contains(['|', '^', '&', '~', '\r', '\n']),
                "{written}"
            );
            assert_eq!(unescape(&written, &e), value);
        }
        assert_eq!(escape("a|b", &e).unwrap(), r"a\F\b");
        assert_eq!(escape("\r", &e).unwrap(), r"\X0D\");
    }

    #[test]
    fn other_encoding_characters_are_honoured() {
        let e = Encoding {
            field: '#',
            component: '!',
            repetition: '@',
            escape: Some('$'),
            subcomponent: Some('%'),
            truncation: None,
        };
        assert_eq!(escape("a#b!c\\d$", &e).unwrap(), "a$F$b$S$c\\d$E$");
        assert_eq!(unescape("$F$$S$$T$$R$$E$", &e), "#!%@$");
        let none = Encoding { escape: None, ..e };
        assert_eq!(escape("a#b", &none), Err(EscapeError('#')));
        assert_eq!(unescape("$F$", &none), "$F$");
    }
}
