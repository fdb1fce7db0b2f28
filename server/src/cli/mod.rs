//! The command line: argument parsing with clap and one module per
//! subcommand. Exit statuses are the ones in the language reference:
//! 0 success, 1 errors in the program, 2 usage errors, 101 an uncaught
//! panic. A command given no file acts on the project around the current
//! folder (`ward.toml`, see `project.rs`); `-` reads the program from
//! stdin.

mod check;
mod color;
mod doc;
mod excerpt;
mod explain;
mod fmt;
mod new;
mod parse;
mod run;
mod suggestion;

use crate::project::Project;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The Ward toolchain.
#[derive(Debug, Parser)]
#[command(name = "ward", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Colour diagnostics: `auto` (on a terminal, unless `NO_COLOR` is
    /// set), `always` or `never`.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value = "auto"
    )]
    color: color::When,
    /// Print less: no warnings before a run or a test, no line per passing
    /// test, no progress lines (errors are always printed).
    #[arg(short, long, global = true)]
    quiet: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the syntax tree of a file as an S-expression and report syntax errors.
    Parse {
        /// The `.ward` file to parse.
        file: PathBuf,
    },
    /// Create a project: a folder with `ward.toml`, a program and a test.
    New {
        /// The package's name (lower-case letters, digits and `_`); also the
        /// folder created.
        name: String,
    },
    /// Resolve names and check types; report diagnostics with source snippets.
    Check {
        /// The root `.ward` file of each program to check, a project folder,
        /// or `-` for stdin (default: the project around the current folder:
        /// its entry and each test file).
        files: Vec<PathBuf>,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value = "human")]
        format: check::Format,
        /// Print the MIR (control-flow graph) of every function on stdout.
        #[arg(long)]
        dump_mir: bool,
        /// Print what the borrow checker learnt about every function (moves,
        /// drops, loan live ranges, elided lifetimes, ownership states).
        #[arg(long)]
        dump_facts: bool,
    },
    /// Check, compile and run a program (exit 101 on an uncaught panic).
    Run {
        /// The root `.ward` file of the program, a project folder, or `-`
        /// for stdin (default: the project around the current folder).
        file: Option<PathBuf>,
        /// Print the compiled form instead of running it.
        #[arg(long, value_enum)]
        emit: Option<run::Emit>,
        /// At exit, print the collector's figures as one JSON object on the
        /// last line of stderr.
        #[arg(long)]
        gc_stats: bool,
        /// Stop the program after this many milliseconds: it ends as a
        /// panic ("time limit reached", exit status 101) with its output
        /// so far printed.
        #[arg(long, value_name = "MS")]
        timeout: Option<u64>,
        /// Stop the program as a panic ("heap budget exhausted", exit
        /// status 101) when it holds more memory than this: bytes, or a
        /// number with K, M or G. Default: a quarter of the machine's memory.
        #[arg(long, value_name = "SIZE", value_parser = ward_runtime::embed::parse_size)]
        max_heap: Option<usize>,
        /// Worker threads for a program that starts tasks (default: one per
        /// core, or `WARD_WORKERS`).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        workers: Option<u16>,
        #[command(flatten)]
        allow: Allow,
        /// Arguments for the program, after `--`.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Check and compile a program to verified bytecode for `ward-vm`, the
    /// runtime-only binary for edge devices.
    Build {
        /// The root `.ward` file of the program.
        file: PathBuf,
        /// Where to write the bytecode.
        #[arg(short, long, value_name = "OUT", default_value = "app.wbc")]
        output: PathBuf,
    },
    /// Run the `#[test]` functions of a program, each isolated from the others' panics.
    Test {
        /// The root `.ward` file of the program, or a project folder
        /// (default: the project around the current folder: its entry and
        /// each file in `tests/`).
        file: Option<PathBuf>,
        /// Run only the tests whose name contains this text.
        filter: Option<String>,
        #[command(flatten)]
        allow: Allow,
    },
    /// Format files in place (only whitespace changes; comments are kept).
    Fmt {
        /// The `.ward` files to format, or `-` to format stdin to stdout
        /// (default: every `.ward` file of the project around the current
        /// folder).
        files: Vec<PathBuf>,
        /// Change nothing: print what would change and exit 1 if anything would.
        #[arg(long)]
        check: bool,
    },
    /// Write HTML documentation of a project (or one program) and of std,
    /// with search.
    Doc {
        /// A project folder or a `.ward` file (default: the project around
        /// the current folder).
        target: Option<PathBuf>,
        /// Where to write it (default: the project's `target/doc`, or
        /// `target/doc` here for a single file).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Print the documentation of a diagnostic code (`ward explain W0382`).
    Explain {
        /// The code: `W0382` (rustc's `E0382` is accepted too).
        code: String,
    },
    /// Serve the Language Server Protocol on stdin/stdout (for editors).
    Lsp {
        /// Accepted and ignored: stdio is the only transport, and clients
        /// such as vscode-languageclient pass this flag.
        #[arg(long)]
        stdio: bool,
    },
}

/// The capabilities a run grants `main` (or each test): nothing unless
/// told.
#[derive(Debug, Clone, clap::Args)]
struct Allow {
    /// Grant capabilities: `fs,clock`; scoped as `fs=DIR` (files inside
    /// DIR only, after `..` and symbolic links are resolved) or
    /// `net=HOST[:PORT]`. Repeatable; the capabilities are fs, net, proc,
    /// clock, device and env.
    #[arg(long, value_name = "CAPS", value_parser = ward_runtime::caps::Grant::parse)]
    allow: Vec<ward_runtime::caps::Grant>,
    /// Grant every capability, unscoped.
    #[arg(long)]
    allow_all: bool,
}

impl Allow {
    fn grant(self) -> ward_runtime::caps::Grant {
        if self.allow_all {
            return ward_runtime::caps::Grant::all();
        }
        let mut grant = ward_runtime::caps::Grant::none();
        for g in self.allow {
            grant.merge(g);
        }
        grant
    }
}

/// Exit statuses shared by every subcommand.
pub(crate) mod status {
    pub use ward_runtime::cli::status::{OK, PROGRAM_ERRORS, USAGE};
}

/// Whether `--quiet` was given.
pub(crate) fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    color::set(cli.color);
    QUIET.store(cli.quiet, std::sync::atomic::Ordering::Relaxed);
    let code = match cli.command {
        Command::Parse { file } => parse::run(&file),
        Command::New { name } => new::run(&name),
        Command::Check {
            files,
            format,
            dump_mir,
            dump_facts,
        } => match sources_to_check(&files) {
            Ok(sources) => check::run(
                sources,
                format,
                check::Dumps {
                    mir: dump_mir,
                    facts: dump_facts,
                },
            ),
            Err(code) => code,
        },
        Command::Run {
            file,
            emit,
            gc_stats,
            timeout,
            max_heap,
            workers,
            allow,
            args,
        } => match program_source(file.as_deref()) {
            Ok(source) => run::run(
                source,
                emit,
                &run::RunFlags {
                    grant: allow.grant(),
                    timeout_ms: timeout,
                    max_heap,
                    workers: workers.map(usize::from),
                    gc_stats,
                    args,
                },
            ),
            Err(code) => code,
        },
        Command::Build { file, output } => match program_source(Some(&file)) {
            Ok(source) => run::build(source, &output),
            Err(code) => code,
        },
        Command::Test {
            file,
            filter,
            allow,
        } => match test_sources(file.as_deref()) {
            Ok(sources) => run::test(sources, filter.as_deref(), &allow.grant()),
            Err(code) => code,
        },
        Command::Fmt { files, check } => fmt::run(&files, check),
        Command::Explain { code } => explain::run(&code),
        Command::Doc { target, out } => document(target.as_deref(), out),
        Command::Lsp { stdio: _ } => return crate::lsp::run(),
    };
    ExitCode::from(code)
}

/// `ward doc`: the project's entry (or the file) documented under its
/// package's name.
fn document(target: Option<&Path>, out: Option<PathBuf>) -> u8 {
    let project = match target {
        Some(p) if p.is_file() => None,
        other => match project_at(other) {
            Ok(project) => Some(project),
            Err(code) => return code,
        },
    };
    let result = match (&project, target) {
        (Some(project), _) => {
            Source::in_project(project, project.root.entry.clone()).map(|source| {
                let out = out.unwrap_or_else(|| project.root.dir.join("target/doc"));
                (
                    source,
                    project.root.name.clone(),
                    project.root.version.clone(),
                    out,
                )
            })
        }
        (None, Some(file)) => Source::file(file).map(|source| {
            let name = file.file_stem().map_or_else(
                || "program".into(),
                |s| s.to_string_lossy().replace('-', "_"),
            );
            let out = out.unwrap_or_else(|| PathBuf::from("target/doc"));
            (source, name, String::new(), out)
        }),
        (None, None) => return status::USAGE,
    };
    match result {
        Ok((source, name, version, out)) => doc::run(source, &name, &version, &out),
        Err(code) => code,
    }
}

/// A program to compile: its root file's path and text, and the packages
/// it sees.
pub(crate) struct Source {
    pub path: PathBuf,
    pub text: String,
    pub packages: Vec<ward_compiler::resolve::Package>,
}

impl Source {
    /// The root file `path` and the packages of the project it is in.
    fn file(path: &Path) -> Result<Source, u8> {
        let text = read_source(path)?;
        let (project, packages) = crate::project::packages_for_file(path).map_err(usage)?;
        if let Some(project) = project {
            project.write_lock().map_err(usage)?;
        }
        Ok(Source {
            path: path.to_path_buf(),
            text,
            packages,
        })
    }

    /// The program on stdin, with the packages of the project around the
    /// current folder, if any (the project's own package among them).
    fn stdin() -> Result<Source, u8> {
        let mut text = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
            eprintln!("error: cannot read stdin: {e}");
            return Err(status::USAGE);
        }
        let packages = match crate::project::find(Path::new(".")) {
            Some(dir) => crate::project::load(&dir)
                .map_err(usage)?
                .packages_for(true),
            None => Vec::new(),
        };
        Ok(Source {
            path: PathBuf::from("<stdin>.ward"),
            text,
            packages,
        })
    }

    /// A project's program: `path` and what it sees of the project.
    fn in_project(project: &Project, path: PathBuf) -> Result<Source, u8> {
        let with_self = path != project.root.entry;
        Ok(Source {
            text: read_source(&path)?,
            packages: project.packages_for(with_self),
            path,
        })
    }

    /// The loader of this program, and its root path.
    pub(crate) fn loader(self) -> (PathBuf, ReadRoot) {
        let loader = ReadRoot {
            path: self.path.clone(),
            text: std::sync::Mutex::new(Some(self.text)),
            packages: self.packages,
        };
        (self.path, loader)
    }
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(usage)`
fn usage(message: String) -> u8 {
    eprintln!("error: {message}");
    status::USAGE
}

/// The project in `dir`, or around the current folder when `dir` is
/// `None`, with its lock file brought up to date.
pub(crate) fn project_at(dir: Option<&Path>) -> Result<Project, u8> {
    let found = match dir {
        Some(dir) => Some(dir.to_path_buf()).filter(|d| d.join(crate::project::MANIFEST).is_file()),
        None => crate::project::find(Path::new(".")),
    };
    let Some(root) = found else {
        let place = dir.map_or_else(
            || "the current folder (nor any above it)".to_string(),
            |d| d.display().to_string(),
        );
        eprintln!(
            "error: {place} has no `{}`: give a `.ward` file, or start a project with `ward new NAME`",
            crate::project::MANIFEST
        );
        return Err(status::USAGE);
    };
    let project = crate::project::load(&root).map_err(usage)?;
    project.write_lock().map_err(usage)?;
    Ok(project)
}

/// What `ward run` and `ward build` compile: a file, a project folder's
/// entry, stdin, or the current project's entry.
fn program_source(arg: Option<&Path>) -> Result<Source, u8> {
    match arg {
        Some(p) if p.as_os_str() == "-" => Source::stdin(),
        Some(p) if p.is_dir() => {
            let project = project_at(Some(p))?;
            let entry = project.root.entry.clone();
            Source::in_project(&project, entry)
        }
        Some(p) => Source::file(p),
        None => {
            let project = project_at(None)?;
            let entry = project.root.entry.clone();
            Source::in_project(&project, entry)
        }
    }
}

/// A project's programs: its entry, then each test file.
fn project_programs(project: &Project) -> Result<Vec<Source>, u8> {
    project
        .test_programs()
        .into_iter()
        .map(|path| Source::in_project(project, path))
        .collect()
}

/// What `ward check` checks: each argument (a file, a project folder or
/// `-`), or the current project's programs.
fn sources_to_check(args: &[PathBuf]) -> Result<Vec<Source>, u8> {
    if args.is_empty() {
        return project_programs(&project_at(None)?);
    }
    let mut out = Vec::new();
    for arg in args {
        if arg.as_os_str() == "-" {
            out.push(Source::stdin()?);
        } else if arg.is_dir() {
            out.extend(project_programs(&project_at(Some(arg))?)?);
        } else {
            out.push(Source::file(arg)?);
        }
    }
    Ok(out)
}

/// What `ward test` runs: a file's tests, or a project's (given or
/// around the current folder).
fn test_sources(arg: Option<&Path>) -> Result<Vec<Source>, u8> {
    match arg {
        Some(p) if p.as_os_str() == "-" => Ok(vec![Source::stdin()?]),
        Some(p) if p.is_dir() => project_programs(&project_at(Some(p))?),
        Some(p) => Ok(vec![Source::file(p)?]),
        None => project_programs(&project_at(None)?),
    }
}

/// A loader that gives the text the command line already read for the root
/// file (once: the analysis reads each file once) and reads every other
/// file from disk, so a long program is not read and held twice; it names
/// the program's packages.
pub(crate) struct ReadRoot {
    path: PathBuf,
    text: std::sync::Mutex<Option<String>>,
    packages: Vec<ward_compiler::resolve::Package>,
}

impl ward_compiler::resolve::SourceLoader for ReadRoot {
    fn load(&self, path: &Path) -> Result<String, ward_compiler::resolve::LoadError> {
        let read = if path == self.path {
            self.text.lock().ok().and_then(|mut text| text.take())
        } else {
            None
        };
        read.map_or_else(|| ward_compiler::resolve::read_source_file(path), Ok)
    }

    fn packages(&self) -> Vec<ward_compiler::resolve::Package> {
        self.packages.clone()
    }
}

/// Reads a source file, or says why not (on stderr) with the usage status.
pub(crate) fn read_source(path: &std::path::Path) -> Result<String, u8> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(text),
            Err(error) => {
                eprintln!(
                    "error: {} is not UTF-8 text (invalid byte at offset {})",
                    path.display(),
                    error.utf8_error().valid_up_to()
                );
                Err(status::PROGRAM_ERRORS)
            }
        },
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", path.display());
            Err(status::USAGE)
        }
    }
}
