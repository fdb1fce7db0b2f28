//! Errors and panics as the runtime reports them.
//!
//! A recoverable `Error` is an ordinary record value (kind, message,
//! location, cause) that programs pass around in `Result`s; this module
//! builds them and prints their chain. A panic is a [`Panic`]: the message,
//! where it happened and the stack of calls that led there. The VM unwinds
//! with it (running cleanup code), hands it to a `recover` block, or
//! returns it to the host, which prints it with [`render_panic`].

use std::fmt::Write as _;

/// A source position: file path, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub col: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// One call on the stack when a panic happened, innermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub function: String,
    pub location: Option<Location>,
}

/// Why execution stopped abnormally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PanicKind {
    /// A program panic (explicit or a run-time fault).
    Panic,
    /// The host's instruction budget ran out.
    BudgetExhausted,
    /// The wall-clock limit passed.
    TimedOut,
    /// Another thread asked the run to stop.
    Cancelled,
    /// The run held more memory than the host's heap budget.
    HeapExhausted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    pub kind: PanicKind,
    pub message: String,
    pub location: Option<Location>,
    /// Innermost call first: at most [`KEPT_FRAMES`] of them, then the
    /// outermost call (`main`) when more were on the stack.
    pub backtrace: Vec<Frame>,
    /// Calls left out between the kept innermost ones and the outermost
    /// (a panic 20 000 calls deep records 65 frames, not 20 000: a program
    /// that re-panics at every level would otherwise take quadratic time).
    pub elided: usize,
    /// Every elided call is the same as the last kept inner one (deep
    /// recursion), so a renderer can count them as its repeats.
    pub elided_repeat: bool,
}

/// Innermost calls a panic's backtrace keeps.
pub const KEPT_FRAMES: usize = 64;

impl Panic {
    /// Whether a `recover` block may catch it (limits and cancellation
    /// stop the whole run).
    pub fn is_recoverable(&self) -> bool {
        self.kind == PanicKind::Panic
    }

    /// The backtrace as text, one call per line (a line saying how many
    /// were left out before the outermost call).
    pub fn backtrace_text(&self) -> String {
        let mut out = String::new();
        for (i, f) in self.backtrace.iter().enumerate() {
            let last = i + 1 == self.backtrace.len();
            if last && self.elided > 0 {
                let what = if self.elided_repeat {
                    "calls the same as the one above"
                } else {
                    "calls"
                };
                let _ = writeln!(out, "      … {} more {what}", self.elided);
            }
            let n = self.depth_of(i);
            let _ = match &f.location {
                Some(l) => writeln!(out, "{n:>4}: {} at {l}", f.function),
                None => writeln!(out, "{n:>4}: {}", f.function),
            };
        }
        out
    }

    /// The stack depth of `backtrace[i]` (0 innermost), counting the
    /// elided calls.
    pub fn depth_of(&self, i: usize) -> usize {
        if self.elided > 0 && i + 1 == self.backtrace.len() {
            i + self.elided
        } else {
            i
        }
    }
}

impl std::fmt::Display for Panic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(l) => write!(f, "{} at {l}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

/// The source line `line` (1-based) of a text.
fn source_line(text: &str, line: u32) -> Option<&str> {
    text.lines().nth((line as usize).checked_sub(1)?)
}

/// Appends `  --> loc`, the source line and a caret under the column.
fn write_snippet(out: &mut String, loc: &Location, source: Option<&str>) {
    let _ = writeln!(out, "  --> {loc}");
    if let Some(text) = source.and_then(|s| source_line(s, loc.line)) {
        let num = loc.line.to_string();
        let pad = " ".repeat(num.len());
        // The caret sits under the column's char (columns count chars).
        let lead: String = text
            .chars()
            .take((loc.col as usize).saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{num} | {text}");
        let _ = writeln!(out, "{pad} | {lead}^");
    }
}

/// Distinct backtrace entries printed before the rest is summarised.
const MAX_SHOWN: usize = 24;

/// An uncaught panic as `ward run` prints it: the message, the source line
/// with a caret, then the backtrace with a line of source per call.
/// `source` maps a file path to its text.
pub fn render_panic(p: &Panic, source: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let what = match p.kind {
        PanicKind::Panic => "panicked",
        PanicKind::BudgetExhausted => "stopped: instruction budget exhausted",
        PanicKind::TimedOut => "stopped: time limit reached",
        PanicKind::Cancelled => "stopped: cancelled",
        PanicKind::HeapExhausted => "stopped: heap budget exhausted",
    };
    if p.kind == PanicKind::Panic {
        let _ = writeln!(out, "{what}: {}", p.message);
    } else {
        let _ = writeln!(out, "{what}");
    }
    if let Some(loc) = &p.location {
        write_snippet(&mut out, loc, source(&loc.file).as_deref());
    }
    if !p.backtrace.is_empty() {
        let _ = writeln!(out, "backtrace:");
        let frames = &p.backtrace;
        let last = frames.len() - 1;
        // The elided calls repeat the last kept inner one: they join its run.
        let gap_repeats = p.elided > 0 && p.elided_repeat;
        let mut gap_shown = p.elided == 0 || gap_repeats;
        let mut i = 0;
        let mut shown = 0;
        while i < frames.len() {
            // Recursion prints once, with how often it repeats.
            let mut same = 1;
            while i + same < frames.len() && frames[i + same] == frames[i] {
                same += 1;
            }
            let mut repeats = same - 1;
            if gap_repeats && i < last && i + same == last {
                repeats += p.elided;
            }
            if shown == MAX_SHOWN && i < last {
                let _ = writeln!(out, "      … {} more calls", last - i + p.elided);
                i = last;
                same = 1;
                repeats = 0;
                gap_shown = true;
            } else if i == last && !gap_shown {
                let _ = writeln!(out, "      … {} more calls", p.elided);
            }
            let f = &frames[i];
            let depth = p.depth_of(i);
            match &f.location {
                Some(l) => {
                    let _ = writeln!(out, "{depth:>4}: {} at {l}", f.function);
                    if let Some(text) = source(&l.file)
                        .as_deref()
                        .and_then(|s| source_line(s, l.line))
                    {
                        let _ = writeln!(out, "          {}", text.trim());
                    }
                }
                None => {
                    let _ = writeln!(out, "{depth:>4}: {}", f.function);
                }
            }
            if repeats > 0 {
                let _ = writeln!(out, "      … the same call {repeats} more times");
            }
            i += same;
            shown += 1;
        }
    }
    out
}

/// A recoverable error as the runtime sees it: what `Error` records hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    pub kind: String,
    pub message: String,
    pub location: String,
    pub cause: Option<Box<ErrorInfo>>,
}

impl ErrorInfo {
    /// The chain, outermost first: `kind: message (at location)` per line,
    /// each cause indented under "caused by".
    pub fn chain_text(&self) -> String {
        let mut out = String::new();
        let mut cur = Some(self);
        let mut first = true;
        while let Some(e) = cur {
            if !first {
                out.push_str("\ncaused by: ");
            }
            first = false;
            let _ = write!(out, "{}: {}", e.kind, e.message);
            if !e.location.is_empty() {
                let _ = write!(out, " (at {})", e.location);
            }
            cur = e.cause.as_deref();
        }
        out
    }
}
