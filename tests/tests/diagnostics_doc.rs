//! `docs/diagnostics.md` has a section per code the compiler defines, and
//! each section's example program produces that code.

use ward_compiler::analysis::analyze_text;

#[test]
fn every_code_is_documented_with_a_working_example() {
    let doc = std::fs::read_to_string(ward_tests::repo_root().join("docs/diagnostics.md"))
        .expect("docs/diagnostics.md exists");
    let source =
        std::fs::read_to_string(ward_tests::repo_root().join("compiler/src/diagnostics.rs"))
            .expect("source is readable");
    // The codes the compiler defines: `Code("W0308")` in the codes module.
    let defined: std::collections::BTreeSet<&str> = source
        .split("Code(\"")
        .skip(1)
        .filter_map(|s| s.get(..5))
        .collect();
    let mut missing = Vec::new();
    let mut failing = Vec::new();
    for code in &defined {
        let heading = format!("## {code}:");
        let Some(start) = doc.find(&heading) else {
            missing.push(*code);
            continue;
        };
        let section = &doc[start..];
        let end = section[3..].find("\n## ").map_or(section.len(), |e| e + 3);
        let section = &section[..end];
        let Some(block) = section
            .split("```ward\n")
            .nth(1)
            .and_then(|b| b.split("```").next())
        else {
            continue; // multi-file examples are described in words
        };
        let analysis = analyze_text("example.ward", block);
        if !analysis.diagnostics.iter().any(|d| d.code.0 == *code) {
            let got: Vec<&str> = analysis.diagnostics.iter().map(|d| d.code.0).collect();
            failing.push(format!("{code}: example reports {got:?}"));
        }
    }
    assert!(
        missing.is_empty(),
        "codes without a section in docs/diagnostics.md: {missing:?}"
    );
    assert!(
        failing.is_empty(),
        "examples that do not produce their code:\n{}",
        failing.join("\n")
    );
}
