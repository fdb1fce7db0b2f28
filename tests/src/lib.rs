//! Shared helpers for Ward's workspace-level tests and benchmarks: where the
//! repository is, which `.ward` files it holds, and a generator of large,
//! realistic programs for measuring the toolchain.

pub mod annotations;
pub mod difftest;
pub mod editor_queries;
pub mod fuzz;
pub mod gc_table;
pub mod phases;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The repository root (the parent of this crate's folder).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives inside the repository")
        .to_path_buf()
}

/// Builds the release `ward` binary and returns its path (benchmarks
/// measure the optimised build).
pub fn release_ward() -> String {
    let root = repo_root();
    let built = std::process::Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "-p", "ward"])
        .current_dir(&root)
        .status()
        .is_ok_and(|s| s.success());
    assert!(built, "cargo build --release -p ward failed");
    root.join("target/release/ward")
        .to_str()
        .expect("UTF-8 path")
        .to_string()
}

/// Builds the `ward` and `ward-vm` binaries in the profile the tests run
/// in (so a debug test run reuses the debug `ward` it already built) and
/// returns their paths: the edge deployment's two halves.
pub fn ward_and_vm() -> (String, String) {
    let root = repo_root();
    let release = !cfg!(debug_assertions);
    let mut args = vec![
        "build",
        "--quiet",
        "-p",
        "ward",
        "-p",
        "ward-runtime",
        "--bin",
        "ward",
        "--bin",
        "ward-vm",
    ];
    if release {
        args.push("--release");
    }
    let built = std::process::Command::new(env!("CARGO"))
        .args(&args)
        .current_dir(&root)
        .status()
        .is_ok_and(|s| s.success());
    assert!(built, "cargo {} failed", args.join(" "));
    let dir = root.join(if release {
        "target/release"
    } else {
        "target/debug"
    });
    let path = |name: &str| dir.join(name).to_str().expect("UTF-8 path").to_string();
    (path("ward"), path("ward-vm"))
}

/// Every `.ward` file below `dir`, sorted.
/// The programs of `tests/hostile/`, sorted: each tries to take its host
/// down and must end as its `.out`, `// exit: N` and `// panic:` lines say.
pub fn hostile_programs() -> Vec<PathBuf> {
    let mut files = ward_files(&repo_root().join("tests/hostile"));
    files.sort();
    files
}

/// The value of a `// KEY` header line of a corpus program (`// exit:`,
/// `// panic:`), trimmed.
pub fn header<'a>(source: &'a str, key: &str) -> Option<&'a str> {
    source
        .lines()
        .find_map(|l| l.trim().strip_prefix(key))
        .map(str::trim)
}

/// The exit status a corpus program expects: its `// exit: N` line, or 0.
pub fn expected_status(source: &str) -> i32 {
    header(source, "// exit:").map_or(0, |n| n.parse().unwrap_or(-1))
}

pub fn ward_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "ward") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    files
}

/// A well-formed Ward program of at least `min_lines` lines: structs, enums,
/// impls with methods, loops, matches, closures and string formatting, in the
/// proportions of the example programs. The same `min_lines` always gives the
/// same text.
pub fn generate_program(min_lines: usize) -> String {
    let mut out = String::from("use std::fs;\n\nconst LIMIT: int = 220;\n\n");
    let units = units_for(min_lines, &out);
    for unit in 0..units {
        write_unit(&mut out, unit);
    }
    out.push_str("fn main() {\n    let mut total = 0;\n");
    for i in 0..units.min(50) {
        let _ = writeln!(out, "    total += run_{i}(total);");
    }
    out.push_str("    println(\"total {}\", total);\n}\n");
    out
}

/// How many units [`generate_program`] writes after `header` to reach
/// `min_lines` lines (every unit has as many lines).
fn units_for(min_lines: usize, header: &str) -> usize {
    let mut one = String::new();
    write_unit(&mut one, 0);
    let per_unit = one.lines().count();
    min_lines
        .saturating_sub(header.lines().count())
        .div_ceil(per_unit)
}

/// [`generate_program`] translated to Rust, item for item (`int` is `i64`,
/// `float` is `f64`, `List` is `Vec`): what rustc is measured on, on the
/// same work, by the checker benchmark.
pub fn generate_rust_program(min_lines: usize) -> String {
    let header = "use std::fs;\n\nconst LIMIT: int = 220;\n\n";
    let units = units_for(min_lines, header);
    let mut out = String::from(
        "#![allow(unused_imports, dead_code)]\nuse std::fs;\n\nconst LIMIT: i64 = 220;\n\n",
    );
    for n in 0..units {
        let mut unit = String::new();
        write_unit(&mut unit, n);
        out.push_str(&unit_to_rust(&unit));
    }
    out.push_str("fn main() {\n    let mut total = 0;\n");
    for i in 0..units.min(50) {
        let _ = writeln!(out, "    total += run_{i}(total);");
    }
    out.push_str("    println!(\"total {}\", total);\n}\n");
    out
}

/// A unit of [`write_unit`] in Rust: the same items with Rust's names for
/// the types, `println!`, and the one conversion Rust wants (`len()` is
/// `usize` there).
fn unit_to_rust(unit: &str) -> String {
    [
        (": int", ": i64"),
        ("(int)", "(i64)"),
        ("-> int", "-> i64"),
        ("as int", "as i64"),
        (": float", ": f64"),
        ("as float", "as f64"),
        ("List<", "Vec<"),
        ("List::new", "Vec::new"),
        ("println(", "println!("),
        ("samples.len() &&", "samples.len() as i64 &&"),
    ]
    .iter()
    .fold(unit.to_string(), |text, (ward, rust)| {
        text.replace(ward, rust)
    })
}

fn write_unit(out: &mut String, n: usize) {
    let _ = write!(
        out,
        r#"/// Reading number {n}, as a bedside monitor reports it.
#[derive(Copy, Clone)]
struct Sample{n} {{ hr: int, spo2: float, seq: int }}

enum Verdict{n} {{ Normal, High(int), Low {{ spo2: float }} }}

impl Sample{n} {{
    fn new(hr: int, spo2: float) -> Sample{n} {{
        Sample{n} {{ hr, spo2, seq: {n} }}
    }}

    fn classify(&self) -> Verdict{n} {{
        if self.hr > LIMIT {{
            Verdict{n}::High(self.hr)
        }} else if self.spo2 < 0.9 {{
            Verdict{n}::Low {{ spo2: self.spo2 }}
        }} else {{
            Verdict{n}::Normal
        }}
    }}

    fn bump(&mut self, by: int) {{
        self.hr += by * 2 - (by % 3);
    }}
}}

fn run_{n}(seed: int) -> int {{
    let mut samples: List<Sample{n}> = List::new();
    for i in 0..16 {{
        samples.push(Sample{n}::new(60 + (i * 7 + seed) % 90, 0.85 + (i as float) / 100.0));
    }}
    let mut score = 0;
    for s in &samples {{
        match s.classify() {{
            Verdict{n}::Normal => score += 1,
            Verdict{n}::High(hr) if hr > 200 => score += 3,
            Verdict{n}::High(_) => score += 2,
            Verdict{n}::Low {{ spo2 }} => {{
                score += (spo2 * 10.0) as int;
            }}
        }}
    }}
    let weigh = |x: int| x * 3 + 1;
    let mut i = 0;
    while i < samples.len() && score < 1000 {{
        score = weigh(score) % 997;
        i += 1;
    }}
    let label = if score % 2 == 0 {{ "even" }} else {{ "odd" }};
    println("unit {n}: {{}} ({{}})", score, label);
    score
}}

"#
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_program_is_large_and_parses_cleanly() {
        let text = generate_program(10_000);
        assert!(text.lines().count() >= 10_000);
        let tree = ward_compiler::syntax::parse(&text);
        let errors = ward_compiler::syntax::syntax_errors(&tree, &text);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn the_rust_translation_type_checks_with_rustc() {
        let dir = std::env::temp_dir().join(format!("ward-gen-rust-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let file = dir.join("gen.rs");
        std::fs::write(&file, generate_rust_program(300)).expect("the translation is written");
        let out = std::process::Command::new("rustc")
            .args([
                "--edition",
                "2021",
                "--emit=metadata",
                "--crate-type=bin",
                "-o",
            ])
            .arg(dir.join("gen.rmeta"))
            .arg(&file)
            .output()
            .expect("rustc runs");
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(generate_program(500), generate_program(500));
    }
}
