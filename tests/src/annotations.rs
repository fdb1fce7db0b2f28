//! Inline expectations in test sources, in the style of rustc's UI tests:
//!
//! ```text
//! let x: int = "a";   //~ ERROR W0308 mismatched types
//! //~^ HELP try wrapping the expression   (the line above; `^^` two up)
//! //~| HELP another one                   (the line of the previous one)
//! ```
//!
//! After `ERROR` or `WARN` an optional code (`W0308`, `E0308`), then an
//! optional text the message must contain; after `HELP`, a text a help
//! or fix message must contain.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// 1-based line the expectation is about.
    pub line: usize,
    /// `error`, `warning` or `help`.
    pub kind: &'static str,
    pub code: Option<String>,
    pub text: Option<String>,
}

fn is_code(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(chars.next(), Some('W' | 'E')) && word.len() == 5 && chars.all(|c| c.is_ascii_digit())
}

/// Every annotation in `source`, in order. Panics on a malformed one, with
/// its line: a test corpus must say what it means.
pub fn parse(source: &str) -> Vec<Annotation> {
    let mut out: Vec<Annotation> = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let Some(pos) = line.find("//~") else {
            continue;
        };
        let rest = &line[pos + 3..];
        let (target, rest) = if let Some(after) = rest.strip_prefix('|') {
            let previous = out
                .last()
                .unwrap_or_else(|| panic!("line {}: `//~|` with nothing before it", i + 1));
            (previous.line, after)
        } else {
            let carets = rest.chars().take_while(|c| *c == '^').count();
            (i + 1 - carets, &rest[carets..])
        };
        let mut words = rest.split_whitespace().peekable();
        let kind = match words.next() {
            Some("ERROR") => "error",
            Some("WARN") => "warning",
            Some("HELP") => "help",
            other => panic!(
                "line {}: expected ERROR, WARN or HELP after //~, found {other:?}",
                i + 1
            ),
        };
        let code = match words.peek() {
            Some(w) if kind != "help" && is_code(w) => words.next().map(str::to_string),
            _ => None,
        };
        let text: Vec<&str> = words.collect();
        out.push(Annotation {
            line: target,
            kind,
            code,
            text: (!text.is_empty()).then(|| text.join(" ")),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax() {
        let a = parse(
            "let x = 1; //~ WARN W1101\n//~^ ERROR W0308 mismatched types\n//~| HELP try this\nx //~ ERROR lifetime may not\n",
        );
        assert_eq!(
            a[0],
            Annotation {
                line: 1,
                kind: "warning",
                code: Some("W1101".into()),
                text: None
            }
        );
        assert_eq!(
            (a[1].line, a[1].text.as_deref()),
            (1, Some("mismatched types"))
        );
        assert_eq!(
            (a[2].line, a[2].kind, a[2].text.as_deref()),
            (1, "help", Some("try this"))
        );
        assert_eq!(
            (a[3].line, a[3].code.as_deref(), a[3].text.as_deref()),
            (4, None, Some("lifetime may not"))
        );
    }
}
