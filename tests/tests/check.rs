//! The front end over the example programs: they check clean (the one
//! with deliberate ownership mistakes excepted), the standard library's
//! generated declarations check clean, and no prefix of any example — a
//! file as it is being typed — makes the checker panic.

use ward_compiler::analysis::{analyze, analyze_text};
use ward_compiler::diagnostics::Severity;
use ward_compiler::resolve::DiskLoader;

fn example_roots() -> Vec<std::path::PathBuf> {
    let root = ward_tests::repo_root().join("examples");
    ward_tests::ward_files(&root)
        .into_iter()
        // census/beds.ward is a module of census/main.ward; checking it as a
        // root also works, so keep it.
        .collect()
}

#[test]
fn examples_check_clean() {
    let mut failures = Vec::new();
    for path in example_roots() {
        let analysis = analyze(&path, &DiskLoader);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let problems: Vec<String> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Note)
            .map(|d| format!("{}: {} {}", name, d.code, d.message))
            .collect();
        if name == "borrow_errors.ward" {
            // Each deliberate mistake is marked `// Wxxxx` on its line; every
            // diagnostic must be one of them.
            assert!(analysis.has_errors(), "borrow_errors.ward must be rejected");
            for d in &analysis.diagnostics {
                let file = analysis.program.file(d.span.file);
                let (line, _) = file.line_col_chars(d.span.span.start);
                let marked = file
                    .text
                    .lines()
                    .nth(line - 1)
                    .is_some_and(|l| l.contains(&format!("// {}", d.code.0)));
                assert!(
                    marked,
                    "unexpected {} on line {line}: {}",
                    d.code.0, d.message
                );
            }
            continue;
        }
        failures.extend(problems);
    }
    assert!(
        failures.is_empty(),
        "examples with diagnostics:\n{}",
        failures.join("\n")
    );
}

#[test]
fn standard_library_declarations_check_clean() {
    let analysis = analyze_text("empty.ward", "fn main() {}\n");
    let std_file = analysis.program.std_file;
    let in_std: Vec<String> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.span.file == std_file)
        .map(|d| format!("{} {} at {:?}", d.code, d.message, d.span.span))
        .collect();
    assert!(
        in_std.is_empty(),
        "the generated std has diagnostics:\n{}",
        in_std.join("\n")
    );
    assert!(analysis.diagnostics.is_empty());
}

/// Every prefix of every example, cut at each char boundary: what an editor
/// sends while the file is typed from the top. None may panic. The work is
/// split over the machine's cores.
#[test]
fn no_prefix_of_an_example_panics() {
    let mut jobs: Vec<(String, String, usize)> = Vec::new();
    for path in example_roots() {
        let text = std::fs::read_to_string(&path).expect("examples are readable");
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (cut, _) in text.char_indices() {
            jobs.push((name.clone(), text.clone(), cut));
        }
    }
    let workers = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let chunk = jobs.len().div_ceil(workers);
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk.max(1))
            .map(|part| {
                scope.spawn(move || {
                    let mut failed = Vec::new();
                    for (name, text, cut) in part {
                        let prefix = &text[..*cut];
                        if std::panic::catch_unwind(|| analyze_text(name, prefix)).is_err() {
                            failed.push(format!("the first {cut} bytes of {name}"));
                        }
                    }
                    failed
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|_| vec!["a worker died".into()]))
            .collect()
    });
    assert!(
        failures.is_empty(),
        "checking panicked on:\n{}",
        failures.join("\n")
    );
}

#[test]
fn borrowck_cache_rechecks_only_the_edited_function() {
    use ward_compiler::borrowck::{cache::Cache, check_program, check_program_cached};
    let before = "fn consume(s: String) -> int { s.len() }\n\
        fn first() -> int {\n    let s = \"a\";\n    consume(s)\n}\n\
        fn second() -> int {\n    let s = \"b\";\n    consume(s);\n    consume(s)\n}\n\
        fn main() { println(\"{} {}\", first(), second()); }\n";
    // The edit makes `first` longer, so `second` (and its error) moves.
    let after = before.replace(
        "let s = \"a\";",
        "let s = \"a\";\n    let t = 1 + 2;\n    println(\"{}\", t);",
    );
    let mut cache = Cache::default();
    let a = analyze_text("cache.ward", before);
    let r1 = check_program_cached(&a.program, &a.typed, &[], false, &mut cache);
    assert_eq!(cache.hits, 0);
    assert!(cache.misses >= 3, "{}", cache.misses);
    let r2 = check_program_cached(&a.program, &a.typed, &[], false, &mut cache);
    assert_eq!(cache.misses, 0, "an unchanged program is all hits");
    assert_eq!(r1.diagnostics, r2.diagnostics);

    let b = analyze_text("cache.ward", &after);
    let cached = check_program_cached(&b.program, &b.typed, &[], false, &mut cache);
    assert_eq!(cache.misses, 1, "only the edited function is checked again");
    let fresh = check_program(&b.program, &b.typed, &[], false);
    assert_eq!(
        cached.diagnostics, fresh.diagnostics,
        "moved spans must match a fresh check"
    );
    assert!(fresh.diagnostics.iter().any(|d| d.code.0 == "W0382"));
}

/// An analysis the server no longer needs (a newer version arrived) stops
/// at the next function body and has no result; a later full analysis with
/// the same cache is the same as a fresh one.
#[test]
fn an_analysis_stops_when_cancelled_and_leaves_the_cache_sound() {
    use std::fmt::Write as _;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use ward_compiler::analysis::{MemoryLoader, Options, analyze_cached, analyze_until};
    use ward_compiler::incremental::Incremental;
    let mut text = String::new();
    for i in 0..40 {
        let _ = writeln!(
            text,
            "fn f{i}(s: String) -> int {{\n    let t = s;\n    t.len() + {i}\n}}"
        );
    }
    text.push_str(
        "fn main() {\n    let s = \"x\".to_string();\n    f0(s);\n    println(\"{}\", s);\n}\n",
    );
    let root = std::path::Path::new("cancel.ward");
    let mut loader = MemoryLoader::default();
    loader.files.insert(root.into(), text.clone());
    let asked = AtomicUsize::new(0);
    let mut cache = Incremental::default();
    let cancel_after_20 = || asked.fetch_add(1, Ordering::Relaxed) + 1 > 20;
    let stopped = analyze_until(
        root,
        &loader,
        Options::default(),
        &mut cache,
        &cancel_after_20,
    );
    assert!(stopped.is_none(), "a cancelled analysis has no result");
    // Asked once per body (41 of them) and between the phases: the
    // answer turned true in the middle of type checking.
    let asked = asked.load(Ordering::Relaxed);
    assert!(asked > 20, "{asked}");
    let finished = analyze_until(root, &loader, Options::default(), &mut cache, &|| false)
        .expect("an analysis never cancelled finishes");
    let fresh = analyze_cached(
        root,
        &loader,
        Options::default(),
        &mut Incremental::default(),
    );
    assert_eq!(finished.diagnostics, fresh.diagnostics);
    assert!(fresh.diagnostics.iter().any(|d| d.code.0 == "W0382"));
}
