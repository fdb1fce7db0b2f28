//! The compiler's zone bound against the runtime, differentially: for
//! generated programs whose zones build strings, records, tuples, arrays,
//! lists grown past their capacity, in loops, branches, calls of
//! `#[realtime]` functions and nested zones, every zone's computed worst
//! case must be at least the most bytes the zone held when the program
//! ran (`RunOutput::zones`), and the program must run to the end.

// Program text is built with `format!` pieces (readable beats `write!`);
// byte counts are far below 2^52.
#![allow(clippy::format_push_string, clippy::cast_precision_loss)]

use ward_compiler::realtime::Bound;
use ward_runtime::embed::{Host, Outcome, RunOptions};

/// A small deterministic generator (64-bit LCG).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One statement of a zone's body; `depth` limits nesting.
fn statement(r: &mut Rng, depth: u32, var: &mut u32, out: &mut String, indent: &str) {
    *var += 1;
    let v = *var;
    let choice = r.below(if depth > 0 { 11 } else { 9 });
    match choice {
        0 => {
            let cap = r.below(20);
            let pushes = r.below(40);
            out.push_str(&format!(
                "{indent}let mut l{v}: List<int> = List::with_capacity({cap});\n{indent}for i in 0..{pushes} {{\n{indent}    l{v}.push(i);\n{indent}}}\n{indent}sink += l{v}.len();\n"
            ));
        }
        1 => {
            let pushes = r.below(70);
            out.push_str(&format!(
                "{indent}let mut g{v}: List<float> = List::new();\n{indent}for i in 0..{pushes} {{\n{indent}    g{v}.push(i as float);\n{indent}}}\n{indent}sink += g{v}.len();\n"
            ));
        }
        2 => {
            let len = r.below(60);
            let text = "x".repeat(usize::try_from(len).unwrap_or(0));
            out.push_str(&format!(
                "{indent}let s{v} = \"{text}\";\n{indent}sink += s{v}.len();\n"
            ));
        }
        3 => out.push_str(&format!(
            "{indent}let p{v} = Point {{ x: {}, y: {}, label: \"p\" }};\n{indent}sink += p{v}.x;\n",
            r.below(9),
            r.below(9)
        )),
        4 => {
            let n = r.below(30) + 1;
            out.push_str(&format!(
                "{indent}let a{v} = [1; {n}];\n{indent}sink += a{v}[0];\n"
            ));
        }
        5 => out.push_str(&format!(
            "{indent}let t{v} = ({}, {}.5);\n{indent}sink += t{v}.0;\n",
            r.below(9),
            r.below(9)
        )),
        6 => {
            let n = r.below(8);
            out.push_str(&format!(
                "{indent}for k in 0..{n} {{\n{indent}    let q{v} = make(k);\n{indent}    sink += q{v}.x;\n{indent}}}\n"
            ));
        }
        7 => out.push_str(&format!(
            "{indent}let n{v} = {}.to_string();\n{indent}sink += n{v}.len();\n",
            r.below(100_000)
        )),
        8 => {
            out.push_str(&format!("{indent}if sink % 2 == 0 {{\n"));
            statement(r, 0, var, out, &format!("{indent}    "));
            out.push_str(&format!("{indent}}} else {{\n"));
            statement(r, 0, var, out, &format!("{indent}    "));
            out.push_str(&format!("{indent}}}\n"));
        }
        9 => {
            out.push_str(&format!(
                "{indent}sink += zone {{\n{indent}    let mut sink = 0;\n"
            ));
            for _ in 0..=r.below(3) {
                statement(r, depth - 1, var, out, &format!("{indent}    "));
            }
            out.push_str(&format!("{indent}    sink\n{indent}}};\n"));
        }
        _ => {
            out.push_str(&format!(
                "{indent}sink += zone(65536) {{\n{indent}    let mut sink = 0;\n"
            ));
            statement(r, depth - 1, var, out, &format!("{indent}    "));
            out.push_str(&format!("{indent}    sink % 7\n{indent}}};\n"));
        }
    }
}

fn program(seed: u64) -> String {
    let mut r = Rng(seed);
    let mut out = String::from(
        "struct Point {\n    x: int,\n    y: int,\n    label: String,\n}\n\n#[realtime]\nfn make(k: int) -> Point {\n    Point { x: k, y: k * 2, label: \"made\" }\n}\n\nfn main() {\n    let mut total = 0;\n",
    );
    let mut var = 0;
    for _ in 0..=r.below(2) {
        out.push_str("    total += zone {\n        let mut sink = 0;\n");
        for _ in 0..=r.below(5) {
            statement(&mut r, 2, &mut var, &mut out, "        ");
        }
        out.push_str("        sink\n    };\n");
    }
    out.push_str("    println(\"{}\", total);\n}\n");
    out
}

#[test]
fn computed_zone_bounds_hold_when_the_programs_run() {
    let host = Host::new();
    let (mut zones, mut worst_ratio) = (0usize, 0.0f64);
    for seed in 0..300u64 {
        let src = program(seed);
        let analysis = ward_compiler::analysis::analyze_text("zones.ward", &src);
        assert!(
            !analysis.has_errors(),
            "seed {seed}:\n{src}\n{:?}",
            analysis.diagnostics
        );
        let compiled =
            ward_compiler::codegen::compile(&analysis.program, &analysis.typed).expect("compiles");
        let out = host
            .run(compiled.module, &RunOptions::default())
            .expect("runs");
        assert!(
            matches!(out.outcome, Outcome::Finished),
            "seed {seed}: {:?}\n{src}",
            out.outcome
        );
        let file = &analysis.program.files[analysis
            .realtime
            .zones
            .first()
            .map_or(0, |z| z.file.0 as usize)];
        for zone in &analysis.realtime.zones {
            let (line, col) = file.line_col_chars(zone.keyword.start); // 1-based
            let at = format!("zones.ward:{line}:{col}");
            let Some(ran) = out.zones.iter().find(|z| z.location == at) else {
                continue; // a zone in a branch not taken
            };
            let Bound::Bytes(bound) = zone.bound else {
                panic!("seed {seed}: zone at {at} has no bound\n{src}");
            };
            let peak = ran.peak_bytes as u64;
            assert!(
                peak <= bound,
                "seed {seed}: zone at {at} held {peak} B, more than its bound {bound} B\n{src}"
            );
            zones += 1;
            if bound > 0 {
                worst_ratio = worst_ratio.max(peak as f64 / bound as f64);
            }
        }
    }
    eprintln!(
        "{zones} zones ran; the tightest bound was {:.0} % used",
        worst_ratio * 100.0
    );
    assert!(zones >= 300, "only {zones} zones ran");
    assert!(
        worst_ratio > 0.5,
        "bounds are loose everywhere: at best {worst_ratio}"
    );
}
