//! Whether diagnostics are coloured: `--color always|never|auto` (default
//! `auto`, as cargo's), and under `auto` only when the stream is a terminal
//! and `NO_COLOR` is unset or empty (<https://no-color.org>).

use std::io::IsTerminal as _;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum When {
    /// Colour on a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    Always,
    Never,
}

static CHOICE: OnceLock<When> = OnceLock::new();

/// Records the command line's choice (once, at start-up).
pub fn set(when: When) {
    let _ = CHOICE.set(when);
}

/// Whether `auto` means colour, given the environment and the stream.
fn auto(no_color: Option<std::ffi::OsString>, is_terminal: bool) -> bool {
    is_terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Whether what goes to stderr is coloured.
pub fn on_stderr() -> bool {
    match CHOICE.get().copied().unwrap_or_default() {
        When::Always => true,
        When::Never => false,
        When::Auto => auto(
            std::env::var_os("NO_COLOR"),
            std::io::stderr().is_terminal(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::auto;

    #[test]
    fn no_color_turns_colour_off_unless_empty() {
        assert!(auto(None, true));
        assert!(auto(Some("".into()), true));
        assert!(!auto(Some("1".into()), true));
        assert!(!auto(None, false));
    }
}
