//! Format strings, as Rust's `format!` reads them: `{}` (Display), `{:?}`
//! (Debug), `{0}` (explicit position), `{{`/`}}` (braces), and the spec
//! `[[fill]align][+][#][0][width][.precision][?]`.

/// One `{…}` placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// Which argument (after the format string) it prints.
    pub arg: usize,
    pub debug: bool,
    pub precision: Option<usize>,
    /// Byte range in the literal's decoded text.
    pub range: std::ops::Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    pub message: String,
    pub range: std::ops::Range<usize>,
}

/// Parses a decoded format string into its placeholders.
pub fn parse(text: &str) -> Result<Vec<Placeholder>, FormatError> {
    let mut out = Vec::new();
    let mut next = 0usize;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => i += 2,
            b'}' if bytes.get(i + 1) == Some(&b'}') => i += 2,
            b'}' => {
                return Err(FormatError {
                    message: "invalid format string: unmatched `}` found (write `}}` for a literal brace)".into(),
                    range: i..i + 1,
                });
            }
            b'{' => {
                let start = i;
                let Some(len) = text[i..].find('}') else {
                    return Err(FormatError {
                        message: "invalid format string: expected `}` but string was terminated (write `{{` for a literal brace)".into(),
                        range: i..text.len(),
                    });
                };
                let inner = &text[i + 1..i + len];
                let end = i + len + 1;
                let (position, spec) = match inner.find(':') {
                    Some(colon) => (&inner[..colon], Some(&inner[colon + 1..])),
                    None => (inner, None),
                };
                let arg = if position.is_empty() {
                    let a = next;
                    next += 1;
                    a
                } else if let Ok(n) = position.trim().parse::<usize>() {
                    n
                } else {
                    return Err(FormatError {
                        message: format!(
                            "invalid format string: named argument `{position}` is not supported; pass the value as an argument and write `{{}}`"
                        ),
                        range: start..end,
                    });
                };
                let (debug, precision) = match spec {
                    Some(spec) => parse_spec(spec).map_err(|message| FormatError {
                        message,
                        range: start..end,
                    })?,
                    None => (false, None),
                };
                out.push(Placeholder {
                    arg,
                    debug,
                    precision,
                    range: start..end,
                });
                i = end;
            }
            _ => i += 1,
        }
    }
    Ok(out)
}

fn parse_spec(spec: &str) -> Result<(bool, Option<usize>), String> {
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let is_align = |c: char| matches!(c, '<' | '>' | '^');
    if chars.len() >= 2 && is_align(chars[1]) {
        i = 2;
    } else if chars.first().copied().is_some_and(is_align) {
        i = 1;
    }
    if chars.get(i) == Some(&'+') || chars.get(i) == Some(&'-') {
        i += 1;
    }
    if chars.get(i) == Some(&'#') {
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        i += 1;
    }
    let width_start = i;
    while chars.get(i).is_some_and(char::is_ascii_digit) {
        i += 1;
    }
    fits_u16(&chars[width_start..i])?;
    let mut precision = None;
    if chars.get(i) == Some(&'.') {
        i += 1;
        let start = i;
        while chars.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
        }
        if start == i {
            return Err("invalid format string: expected a precision after `.`".into());
        }
        fits_u16(&chars[start..i])?;
        precision = chars[start..i].iter().collect::<String>().parse().ok();
    }
    let debug = match &chars[i..] {
        [] => false,
        ['?'] => true,
        rest => {
            let rest: String = rest.iter().collect();
            return Err(format!(
                "invalid format string: unknown format spec `{rest}` (Ward has `{{}}`, `{{:?}}`, widths, alignment and precision)"
            ));
        }
    };
    Ok((debug, precision))
}

/// Widths and precisions are Rust's `u16` (`format!` rejects larger ones
/// at compile time; they would pad without end).
fn fits_u16(digits: &[char]) -> Result<(), String> {
    let text: String = digits.iter().collect();
    if text.is_empty() || text.parse::<u16>().is_ok() {
        Ok(())
    } else {
        Err(format!(
            "invalid format string: integer `{text}` does not fit into the type `u16` whose range is `0..=65535`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_specs() {
        let p = parse("{:<8} HR {:>3}  SpO2 {:.2} {:?} {{x}} {0}").unwrap();
        assert_eq!(p.len(), 5);
        assert_eq!(p[2].precision, Some(2));
        assert!(p[3].debug);
        assert_eq!(p[4].arg, 0);
        assert_eq!(p[3].arg, 3);
        assert_eq!(parse("{:08.3}").unwrap()[0].precision, Some(3));
        assert_eq!(parse("{:>7.1}").unwrap()[0].precision, Some(1));
    }

    #[test]
    fn errors() {
        assert!(parse("{").is_err());
        assert!(parse("}").is_err());
        assert!(parse("{:x}").is_err());
        assert!(parse("{name}").is_err());
        assert!(parse("{:.}").is_err());
    }
}
