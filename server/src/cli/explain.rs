//! `ward explain CODE`: prints the section of `docs/diagnostics.md` about a
//! diagnostic code (the file is built into the binary), as `rustc
//! --explain` does. rustc's spelling `E0382` is accepted for `W0382`.

use super::status;

const DIAGNOSTICS: &str = include_str!("../../../docs/diagnostics.md");

/// The section for `code` (`W0382`): from its heading to the next one.
fn section(code: &str) -> Option<&'static str> {
    let heading = format!("## {code}:");
    let start = DIAGNOSTICS.find(&heading)?;
    let rest = &DIAGNOSTICS[start..];
    let end = rest[heading.len()..]
        .find("\n## ")
        .map_or(rest.len(), |i| heading.len() + i + 1);
    Some(rest[..end].trim_end())
}

/// `W0382` from `W0382`, `w0382`, `E0382` or `0382`.
fn normalise(code: &str) -> Option<String> {
    let digits = code.strip_prefix(['W', 'w', 'E', 'e']).unwrap_or(code);
    (digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit())).then(|| format!("W{digits}"))
}

pub fn run(code: &str) -> u8 {
    let Some(code) = normalise(code) else {
        eprintln!("error: `{code}` is not a diagnostic code (they look like `W0382`)");
        return status::USAGE;
    };
    let Some(text) = section(&code) else {
        eprintln!("error: no diagnostic has the code {code} (docs/diagnostics.md lists them all)");
        return status::USAGE;
    };
    println!("{text}");
    status::OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_runs_to_the_next_heading() {
        let text = section("W0382").expect("W0382 is documented");
        assert!(text.starts_with("## W0382:"), "{text}");
        assert!(!text[3..].contains("\n## "), "{text}");
        assert!(text.contains("```ward"), "{text}");
    }

    #[test]
    fn codes_are_read_as_rustc_users_write_them() {
        assert_eq!(normalise("E0382").as_deref(), Some("W0382"));
        assert_eq!(normalise("w1101").as_deref(), Some("W1101"));
        assert_eq!(normalise("0308").as_deref(), Some("W0308"));
        assert_eq!(normalise("W38"), None);
    }
}
