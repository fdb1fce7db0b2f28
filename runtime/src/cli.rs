//! What `ward run` and the runtime-only `ward-vm` share: their exit
//! statuses, their run flags, and how a run's end is reported on stderr.
//! `ward-vm` has no compiler and no argument-parsing library, so the flags
//! are read here by hand, with the same names and meanings as `ward run`'s.

use std::time::Duration;

use crate::caps::{CapSet, Grant};
use crate::embed::{Outcome, Output, RunOptions, default_heap_budget};
use crate::error::render_panic;

/// Exit statuses.
pub mod status {
    pub const OK: u8 = 0;
    /// The program did not load or start, or `main` returned `Err`.
    pub const PROGRAM_ERRORS: u8 = 1;
    pub const USAGE: u8 = 2;
    /// An uncaught panic.
    pub const PANICKED: u8 = 101;
}

/// The flags that bound and shape a run.
#[derive(Debug, Clone, Default)]
pub struct RunFlags {
    pub grant: Grant,
    pub timeout_ms: Option<u64>,
    pub max_heap: Option<usize>,
    pub workers: Option<usize>,
    pub gc_stats: bool,
    /// The program's arguments (after `--`).
    pub args: Vec<String>,
}

impl RunFlags {
    /// Options for a run whose output goes to this process's streams.
    pub fn options(&self) -> RunOptions {
        RunOptions {
            grant: self.grant.clone(),
            timeout: self.timeout_ms.map(Duration::from_millis),
            max_heap_bytes: crate::heap::accounting::ENABLED
                .then(|| self.max_heap.unwrap_or_else(default_heap_budget)),
            output: Output::Inherit,
            workers: self.workers,
            args: self.args.clone(),
            ..RunOptions::default()
        }
    }
}

/// What `ward-vm`'s command line says: the bytecode file and the flags.
#[derive(Debug, Clone, Default)]
pub struct VmArgs {
    pub file: String,
    pub flags: RunFlags,
}

/// `ward-vm`'s usage text.
pub const VM_USAGE: &str = "\
usage: ward-vm [OPTIONS] FILE.wbc [-- ARGS...]

Runs bytecode written by `ward build`, as `ward run` runs a program.

options:
  --allow CAPS       grant capabilities: fs,net,proc,clock,device,env;
                     scoped as fs=DIR or net=HOST[:PORT] (repeatable)
  --allow-all        grant every capability, unscoped
  --timeout MS       stop the run as a panic after MS milliseconds
  --max-heap SIZE    stop the run as a panic past SIZE bytes (K, M, G)
  --workers N        worker threads for a program that starts tasks
  --gc-stats         print the collector's figures as JSON at exit
  -h, --help         print this text
  -V, --version      print the version
";

/// Parses `ward-vm`'s arguments (without the program name).
pub fn parse_vm_args(args: &[String]) -> Result<VmArgs, String> {
    let mut out = VmArgs::default();
    let mut grant = Grant::none();
    let mut file: Option<String> = None;
    let mut i = 0;
    let value = |i: &mut usize, flag: &str| -> Result<String, String> {
        *i += 1;
        args.get(*i)
            .cloned()
            .ok_or_else(|| format!("`{flag}` needs a value"))
    };
    while i < args.len() {
        let a = args[i].as_str();
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a, None),
        };
        let take = |i: &mut usize| inline.clone().map_or_else(|| value(i, flag), Ok);
        match flag {
            "--" => {
                out.flags.args = args[i + 1..].to_vec();
                break;
            }
            "--allow" => grant.merge(Grant::parse(&take(&mut i)?)?),
            "--allow-all" => grant = Grant::all(),
            "--timeout" => {
                let v = take(&mut i)?;
                out.flags.timeout_ms = Some(
                    v.parse()
                        .map_err(|_| format!("`{v}` is not a number of milliseconds"))?,
                );
            }
            "--max-heap" => out.flags.max_heap = Some(crate::embed::parse_size(&take(&mut i)?)?),
            "--workers" => {
                let v = take(&mut i)?;
                let n: usize = v
                    .parse()
                    .ok()
                    .filter(|&n| n >= 1 && u16::try_from(n).is_ok())
                    .ok_or_else(|| format!("`{v}` is not a number of workers (1 or more)"))?;
                out.flags.workers = Some(n);
            }
            "--gc-stats" => out.flags.gc_stats = true,
            _ if a.starts_with('-') && a.len() > 1 => return Err(format!("unknown option `{a}`")),
            _ if file.is_none() => file = Some(a.to_string()),
            _ => {
                return Err(format!(
                    "unexpected argument `{a}` (program arguments go after `--`)"
                ));
            }
        }
        i += 1;
    }
    out.file = file.ok_or("no bytecode file given")?;
    out.flags.grant = grant;
    Ok(out)
}

/// How a run ended, on stderr, and the exit status: an uncaught panic with
/// its source line (when the source is at hand) and backtrace (101),
/// `main` returning `Err(e)` with the error chain (1).
pub fn report_outcome(outcome: &Outcome) -> u8 {
    let read = |path: &str| std::fs::read_to_string(path).ok();
    match outcome {
        Outcome::Finished => status::OK,
        Outcome::Failed(text) => {
            eprintln!("error: {text}");
            status::PROGRAM_ERRORS
        }
        Outcome::Panicked(panic) => {
            eprint!("{}", render_panic(panic, &read));
            status::PANICKED
        }
        Outcome::NotGranted(missing) => {
            eprint!("{}", not_granted("`main`", *missing));
            status::PROGRAM_ERRORS
        }
    }
}

/// Why a run did not start: what `who` needs that was not granted, and the
/// flag that grants it.
pub fn not_granted(who: &str, missing: CapSet) -> String {
    format!(
        "error: {}\nhelp: run again with `--allow {}`\n",
        crate::caps::not_granted(who, missing),
        missing.flag_list()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<VmArgs, String> {
        parse_vm_args(&args.iter().map(|s| (*s).to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn flags_read_as_ward_run_reads_them() {
        let a = parse(&[
            "--allow",
            "device,clock",
            "--timeout=500",
            "--max-heap",
            "64M",
            "--workers",
            "2",
            "app.wbc",
            "--",
            "x",
            "--y",
        ])
        .expect("valid");
        assert_eq!(a.file, "app.wbc");
        assert_eq!(a.flags.timeout_ms, Some(500));
        assert_eq!(a.flags.max_heap, Some(64 << 20));
        assert_eq!(a.flags.workers, Some(2));
        assert_eq!(a.flags.args, ["x", "--y"]);
        assert!(
            a.flags
                .grant
                .caps()
                .contains(crate::caps::Capability::Device)
        );
    }

    #[test]
    fn bad_command_lines_say_why() {
        assert!(parse(&[]).unwrap_err().contains("no bytecode file"));
        assert!(
            parse(&["--workers", "0", "a.wbc"])
                .unwrap_err()
                .contains("workers")
        );
        assert!(
            parse(&["--bogus", "a.wbc"])
                .unwrap_err()
                .contains("unknown option")
        );
        assert!(
            parse(&["a.wbc", "b.wbc"])
                .unwrap_err()
                .contains("after `--`")
        );
        assert!(parse(&["--allow", "teleport", "a.wbc"]).is_err());
        assert!(parse(&["--timeout"]).unwrap_err().contains("needs a value"));
    }
}
