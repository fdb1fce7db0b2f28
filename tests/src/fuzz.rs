//! In-process fuzz loops on stable Rust: a seeded mutator over the
//! repository's own programs (the test corpora, the examples, the hostile
//! programs and every saved regression) feeds each target; a finding is a
//! Rust panic, an answer that breaks the target's contract, or a case that
//! takes longer than the time bound. A crash of the process (a stack
//! overflow, an abort) is a finding too: the loop prints each case's
//! number before it runs it when asked to (`verbose`), so the last line
//! names the input.
//!
//! Targets:
//! - `check`: parsing, lowering, resolution, type and borrow checking of a
//!   mutated program (`analyze_text`), on the CLI's analysis stack;
//! - `format`: the formatter on mutated programs: no `Unstable` answer,
//!   and formatting its own output changes nothing;
//! - `bytecode`: the loader and verifier on mutated bytecode of compiled
//!   programs; what loads is run under small limits;
//! - `run`: generated programs (the differential tester's generator) run
//!   with an 8 MiB heap, 200 000 instructions and a 256 KiB stack thread.
//!
//! The LSP transport's framer has its own loop in the server crate
//! (`lsp::transport` tests, `WARD_FUZZ_CASES`).
//!
//! CI runs each target for a fixed number of cases with a fixed seed
//! (`tests/tests/fuzz.rs`); `cargo run --release -p ward-tests --example
//! fuzz -- TARGET --cases N --seed S` runs one for longer.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::difftest::generate::Rng;

/// What the loops can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Check,
    Format,
    Bytecode,
    Run,
}

impl Target {
    pub const ALL: [Target; 4] = [Target::Check, Target::Format, Target::Bytecode, Target::Run];

    pub fn name(self) -> &'static str {
        match self {
            Target::Check => "check",
            Target::Format => "format",
            Target::Bytecode => "bytecode",
            Target::Run => "run",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// A case that broke a target's contract.
#[derive(Debug, Clone)]
pub struct Finding {
    pub target: Target,
    pub case: u64,
    pub what: String,
    /// The input (program text, or bytecode as hex for `bytecode`).
    pub input: String,
}

/// The figures of one loop.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub cases: u64,
    /// Cases whose input the target accepted (checked clean, formatted,
    /// loaded, ran to the end).
    pub accepted: u64,
    pub slowest: Duration,
    pub findings: Vec<Finding>,
}

/// The settings of one loop.
#[derive(Debug, Clone)]
pub struct Config {
    pub target: Target,
    pub seed: u64,
    pub cases: u64,
    /// A case taking longer than this is a finding.
    pub time_bound: Duration,
    /// Print each case's number before running it.
    pub verbose: bool,
}

/// Every `.ward` file the mutator starts from, in a stable order.
pub fn corpus() -> Vec<(PathBuf, String)> {
    let root = crate::repo_root();
    let mut files = Vec::new();
    for dir in [
        "tests/programs",
        "tests/diagnostics",
        "tests/hostile",
        "tests/fuzz",
        "examples",
    ] {
        files.extend(crate::ward_files(&root.join(dir)));
    }
    files.sort();
    files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
        .collect()
}

/// Tokens the mutator inserts: every kind of bracket, keyword and literal
/// the grammar knows, and some it must refuse.
const DICTIONARY: &[&str] = &[
    "fn",
    "let",
    "mut",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "<",
    ">",
    "::",
    ".",
    ";",
    ",",
    "=",
    "=>",
    "|",
    "||",
    "&",
    "&mut ",
    "'a",
    "'static",
    "match",
    "if",
    "else",
    "while",
    "for",
    "in",
    "loop",
    "return",
    "break",
    "continue",
    "struct",
    "enum",
    "impl",
    "use",
    "mod",
    "pub",
    "Gc",
    "Option",
    "Some(",
    "None",
    "Ok(",
    "Err(",
    "?",
    "\"",
    "/*",
    "*/",
    "//",
    "0",
    "1e309",
    "99999999999999999999",
    "'\\u{110000}'",
    "'x'",
    "x",
    "self",
    "Self",
    "try",
    "recover",
    "defer",
    "zone",
    "as",
    "#[test]",
    "#[realtime]",
    "uses",
    "fs",
    "!",
    "-",
    "+",
    "*",
    "/",
    "%",
    "..",
    "..=",
    "_",
    "\n",
    "🫀",
    "{:>65536}",
    "{:?}",
    "\\",
    "::<",
    "0x",
    "1_000",
    "-9223372036854775808",
    "true",
    "const",
    "static",
    "dyn",
    "where",
];

/// Applies one to four random edits to `text`: delete, duplicate or swap a
/// span, insert a dictionary token, splice in part of another program,
/// wrap a span in brackets, or repeat one many times; or, half the time,
/// edits that keep the program parsing so that the type and borrow
/// checkers see it (see [`mutate_well_formed`]). Works on chars, so the
/// result is UTF-8.
pub fn mutate(rng: &mut Rng, text: &str, other: &str) -> String {
    if rng.chance(50) {
        return mutate_well_formed(rng, text);
    }
    let mut chars: Vec<char> = text.chars().collect();
    let other: Vec<char> = other.chars().collect();
    for _ in 0..=rng.below(4) {
        let n = chars.len();
        let at = rng.below(n + 1);
        let span = |rng: &mut Rng, from: usize| from + rng.below((n - from).min(64) + 1);
        match rng.below(8) {
            0 => {
                let end = span(rng, at);
                chars.drain(at..end);
            }
            1 => {
                let end = span(rng, at);
                let copy: Vec<char> = chars[at..end].to_vec();
                chars.splice(at..at, copy);
            }
            2 | 3 => {
                let token = DICTIONARY[rng.below(DICTIONARY.len())];
                chars.splice(at..at, token.chars());
            }
            4 if !other.is_empty() => {
                let from = rng.below(other.len());
                let end = from + rng.below((other.len() - from).min(200) + 1);
                chars.splice(at..at, other[from..end].iter().copied());
            }
            5 => {
                let end = span(rng, at);
                let (open, close) = [('{', '}'), ('(', ')'), ('[', ']'), ('<', '>')][rng.below(4)];
                chars.insert(end, close);
                chars.insert(at, open);
            }
            6 => {
                let end = span(rng, at).min(at + 8);
                let piece: Vec<char> = chars[at..end].to_vec();
                let times = 1 + rng.below(200);
                let repeated: Vec<char> = std::iter::repeat_n(piece, times).flatten().collect();
                chars.splice(at..at, repeated);
            }
            _ => {
                let b = rng.below(n + 1);
                let (a, b) = (at.min(b), at.max(b));
                let (a_end, b_end) = (span(rng, a).min(b), span(rng, b));
                let first: Vec<char> = chars[a..a_end].to_vec();
                let second: Vec<char> = chars[b..b_end].to_vec();
                chars.splice(b..b_end, first);
                chars.splice(a..a_end, second);
            }
        }
    }
    chars.into_iter().collect()
}

/// Edits that usually keep a program parsing: an identifier replaced by
/// another of the same text, a `&`, `mut`, `.clone()` or `move` dropped or
/// added, two lines swapped, a line duplicated or removed.
pub fn mutate_well_formed(rng: &mut Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return text.to_string();
    }
    for _ in 0..=rng.below(3) {
        let n = lines.len();
        let i = rng.below(n);
        match rng.below(6) {
            0 => {
                let j = rng.below(n);
                lines.swap(i, j);
            }
            1 => {
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            2 if n > 1 => {
                lines.remove(i);
            }
            3 => {
                const SWAPS: &[(&str, &str)] = &[
                    ("&mut ", "&"),
                    ("&", ""),
                    ("mut ", ""),
                    (".clone()", ""),
                    ("move ", ""),
                    ("let ", "let mut "),
                    ("(&", "("),
                    (".iter()", ".iter_mut()"),
                    ("int", "String"),
                    ("Some(", "Ok("),
                    ("+ 1", "+ 1.0"),
                    ("return ", ""),
                    (";", ""),
                    ("{}", "{:?}"),
                ];
                let (from, to) = SWAPS[rng.below(SWAPS.len())];
                let (from, to) = if rng.chance(50) {
                    (from, to)
                } else {
                    (to, from)
                };
                if !from.is_empty() && lines[i].contains(from) {
                    lines[i] = lines[i].replacen(from, to, 1);
                }
            }
            _ => {
                // An identifier in this line becomes another of the file's.
                let words: Vec<&str> = text
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
                    .collect();
                let mine: Vec<String> = lines[i]
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
                    .map(str::to_string)
                    .collect();
                if !words.is_empty() && !mine.is_empty() {
                    let old = &mine[rng.below(mine.len())];
                    let new = words[rng.below(words.len())];
                    lines[i] = lines[i].replacen(old.as_str(), new, 1);
                }
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Runs `f`, turning a Rust panic into a message.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into())
    })
}

/// The bytecode of the corpus programs that compile (for `bytecode`).
fn compiled_corpus(corpus: &[(PathBuf, String)]) -> Vec<Vec<u8>> {
    corpus
        .iter()
        .filter_map(|(p, text)| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            let analysis = ward_compiler::analysis::analyze_text(&name, text);
            if analysis.has_errors() {
                return None;
            }
            let compiled =
                ward_compiler::codegen::compile(&analysis.program, &analysis.typed).ok()?;
            Some(compiled.module.to_bytes())
        })
        .collect()
}

/// Flips, overwrites, inserts or removes a few bytes.
fn mutate_bytes(rng: &mut Rng, bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..=rng.below(6) {
        let n = out.len();
        let at = rng.below(n.max(1));
        match rng.below(6) {
            0 if n > 0 => out[at] ^= 1 << rng.below(8),
            1 if n > 0 => out[at] = [0, 1, 0x7f, 0x80, 0xff][rng.below(5)],
            2 if n >= at + 4 => {
                let v: u32 = [0, 1, u32::MAX, 0x8000_0000, 0xffff][rng.below(5)];
                out[at..at + 4].copy_from_slice(&v.to_le_bytes());
            }
            3 => out.insert(at.min(n), u8::try_from(rng.below(256)).unwrap_or(0)),
            4 if n > 0 => {
                let end = (at + 1 + rng.below(16)).min(n);
                out.drain(at..end);
            }
            _ => out.truncate(at),
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Runs a module's entry under the loops' small limits; a Rust panic is a
/// finding, every outcome of the program is fine.
fn run_small(module: ward_runtime::bytecode::Module) -> Result<bool, String> {
    use ward_runtime::embed::{Host, Outcome, RunOptions};
    let options = RunOptions {
        max_instructions: Some(200_000),
        max_heap_bytes: Some(8 << 20),
        timeout: Some(Duration::from_secs(2)),
        ..RunOptions::default()
    };
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || guarded(|| Host::new().run(module, &options)))
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| "the run's thread panicked".to_string())?
        .map(|r| r.is_ok_and(|out| matches!(out.outcome, Outcome::Finished)))
}

/// One case of `target`. `Ok(accepted)` or what went wrong.
fn one_case(
    target: Target,
    rng: &mut Rng,
    corpus: &[(PathBuf, String)],
    bytecode: &[Vec<u8>],
) -> (Result<bool, String>, String) {
    match target {
        Target::Check => {
            let (base, other) = (
                &corpus[rng.below(corpus.len())].1,
                &corpus[rng.below(corpus.len())].1,
            );
            let input = mutate(rng, base, other);
            let result = guarded(|| ward_compiler::analysis::analyze_text("fuzz.ward", &input))
                .map(|a| !a.has_errors());
            (result, input)
        }
        Target::Format => {
            let (base, other) = (
                &corpus[rng.below(corpus.len())].1,
                &corpus[rng.below(corpus.len())].1,
            );
            // Half the cases format a corpus file as it is (most mutants
            // do not parse, and the formatter refuses those).
            let input = if rng.chance(50) {
                mutate(rng, base, other)
            } else {
                base.clone()
            };
            let result = guarded(|| format_contract(&input)).and_then(|r| r);
            (result, input)
        }
        Target::Bytecode => {
            let base = &bytecode[rng.below(bytecode.len())];
            let input = mutate_bytes(rng, base);
            let result = guarded(|| {
                let module = ward_runtime::bytecode::Module::load(&input).ok()?;
                ward_runtime::vm::Program::new(module.clone(), &std::collections::HashMap::new())
                    .ok()
                    .map(|_| module)
            })
            .and_then(|loaded| match loaded {
                Some(module) if module.entry.is_some() => run_small(module),
                _ => Ok(false),
            });
            (result, hex(&input))
        }
        Target::Run => {
            let seed = rng.next_u64();
            let input = crate::difftest::generate::program_with_header(seed);
            let result = guarded(|| {
                let analysis = ward_compiler::analysis::analyze_text("fuzz.ward", &input);
                if analysis.has_errors() {
                    return None;
                }
                ward_compiler::codegen::compile(&analysis.program, &analysis.typed)
                    .ok()
                    .map(|c| c.module)
            })
            .and_then(|module| module.map_or(Ok(false), run_small));
            (result, input)
        }
    }
}

/// The formatter's contract on one text: it refuses what does not parse,
/// never answers `Unstable`, and its output is a fixed point.
fn format_contract(input: &str) -> Result<bool, String> {
    use ward_compiler::format::{FormatError, format};
    match format(input) {
        Err(FormatError::Syntax(_)) => Ok(false),
        Err(e @ FormatError::Unstable { .. }) => Err(format!("formatter: {e}")),
        Ok(once) => match format(&once.text) {
            Ok(twice) if twice.is_unchanged() => Ok(true),
            Ok(_) => Err("formatting the formatter's output changed it again".into()),
            Err(e) => Err(format!("the formatter's output does not format: {e}")),
        },
    }
}

/// A saved regression input (`tests/fuzz/*.ward`) through the `check`
/// and `format` contracts as it is.
pub fn replay(text: &str) -> Result<(), String> {
    let owned = text.to_string();
    ward_compiler::with_analysis_stack(move || {
        guarded(|| ward_compiler::analysis::analyze_text("fuzz.ward", &owned))?;
        guarded(|| format_contract(&owned)).and_then(|r| r)?;
        Ok(())
    })
}

/// Runs one loop (on the analysis stack, as the CLI runs the compiler).
pub fn run(config: &Config) -> Report {
    let config = config.clone();
    ward_compiler::with_analysis_stack(move || {
        let corpus = corpus();
        let bytecode = if config.target == Target::Bytecode {
            compiled_corpus(&corpus)
        } else {
            Vec::new()
        };
        let mut rng = Rng::new(config.seed);
        let mut report = Report::default();
        for case in 0..config.cases {
            if config.verbose {
                eprintln!("{} case {case}", config.target.name());
            }
            let start = Instant::now();
            let (result, input) = one_case(config.target, &mut rng, &corpus, &bytecode);
            let took = start.elapsed();
            report.slowest = report.slowest.max(took);
            report.cases += 1;
            let what = match result {
                Ok(accepted) => {
                    report.accepted += u64::from(accepted);
                    (took > config.time_bound).then(|| format!("took {took:?}"))
                }
                Err(e) => Some(e),
            };
            if let Some(what) = what {
                report.findings.push(Finding {
                    target: config.target,
                    case,
                    what,
                    input,
                });
            }
        }
        report
    })
}
