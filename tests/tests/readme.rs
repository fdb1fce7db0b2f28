//! The README tells the truth: every `ward` code block in it checks
//! without an error (its first sample is what a newcomer reads first),
//! and its quick start names the install command.

use ward_compiler::analysis::analyze_text;

#[test]
fn every_ward_sample_in_the_readme_checks() {
    let readme = std::fs::read_to_string(ward_tests::repo_root().join("README.md"))
        .expect("README.md is readable");
    let mut samples = 0;
    let mut rest = readme.as_str();
    while let Some(start) = rest.find("```ward\n") {
        let body = &rest[start + "```ward\n".len()..];
        let end = body.find("```").expect("a closed code block");
        let sample = &body[..end];
        let errors: Vec<String> = analyze_text("README.ward", sample)
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        assert!(
            errors.is_empty(),
            "README sample {samples} does not check: {errors:?}\n{sample}"
        );
        samples += 1;
        rest = &body[end..];
    }
    assert!(samples >= 1, "the README has no ward sample");
    let quick_start = &readme[readme.find("## Quick start").expect("a quick start")..];
    assert!(quick_start.contains("cargo install --path server"));
}
