//! Ward's JSON and FHIRPath against CPython's `json` and fhirpathpy 2.2.4
//! on the official FHIR R4 examples (npm `hl7.fhir.r4.examples` 4.0.1,
//! which `.ci/run` unpacks to `target/oracles/fhir-r4-examples`):
//!
//! - every example resource reads to the same value as CPython reads it,
//!   and CPython's compact text of it reads and writes back byte for byte;
//! - the FHIRPath expressions of `tests/oracles/fhirpath_expressions.txt`
//!   give on every Patient and Observation example what fhirpathpy (with
//!   its R4 model) gives.
//!
//! Without the oracles the tests say so and pass, except under `CI=true`.

use std::process::Command;

use ward_runtime::stdlib::fhir::Resource;
use ward_runtime::stdlib::json::{self, Json};
use ward_tests::repo_root;

fn examples() -> Option<std::path::PathBuf> {
    let dir = repo_root().join("target/oracles/fhir-r4-examples/package");
    let python = Command::new("python3")
        .args(["-c", "import fhirpathpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if python && dir.join("Patient-example.json").exists() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the FHIR oracles are missing (fhirpathpy: {python}; examples in {}): .ci/run installs them",
        dir.display()
    );
    eprintln!(
        "skipped: fhirpathpy or the R4 examples are missing (.ci/run installs them into {})",
        dir.display()
    );
    None
}

/// The oracle's output: one JSON value per line.
fn oracle(mode: &str, dir: &std::path::Path) -> Vec<Json> {
    let out = Command::new("python3")
        .arg(repo_root().join("tests/oracles/fhir_oracle.py"))
        .arg(mode)
        .arg(dir)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "the oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| json::parse(l).expect("the oracle prints JSON lines"))
        .collect()
}

/// Fails with the first failures, out of `total` cases.
fn report(failures: &[String], total: usize) {
    assert!(
        failures.is_empty(),
        "{} of {total} cases differ:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_example_resource_round_trips() {
    let Some(dir) = examples() else { return };
    let lines = oracle("compact", &dir);
    assert!(lines.len() >= 5300, "{} examples", lines.len());
    let mut failures = Vec::new();
    for line in &lines {
        let file = line.get("file").and_then(Json::as_str).unwrap_or("?");
        let compact = line.get("compact").and_then(Json::as_str).unwrap_or("");
        let original = std::fs::read_to_string(dir.join(file)).expect("readable");
        let ours = match json::parse(&original) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{file}: {e}"));
                continue;
            }
        };
        let theirs = match json::parse(compact) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{file}: CPython's compact text: {e}"));
                continue;
            }
        };
        if ours != theirs {
            failures.push(format!("{file}: a different value from CPython's"));
        }
        if theirs.to_text() != compact {
            failures.push(format!("{file}: compact text does not round-trip"));
        }
        if ours.get("resourceType").is_some() && Resource::from_json(ours.clone()).is_err() {
            failures.push(format!("{file}: not read as a resource"));
        }
    }
    report(&failures, lines.len());
}

/// Evaluations where fhirpathpy departs from FHIRPath and Ward does not,
/// with why (docs/reference.md lists them). Each must still differ, so the
/// list stays honest.
const DEPARTURES: &[(&str, &str, &str)] = &[(
    "Patient-dicom.json",
    "Patient.active = true and Patient.gender = 'male'",
    "the patient's `gender` has its extension in `_gender`; fhirpathpy counts the primitive and its extension as two items (`gender.count()` is 2), so `gender = 'male'` compares two items with one and is false",
)];

#[test]
fn fhirpath_gives_what_fhirpathpy_gives() {
    let Some(dir) = examples() else { return };
    let lines = oracle("paths", &dir);
    assert!(lines.len() > 5000, "{} evaluations", lines.len());
    let mut failures = Vec::new();
    let mut nonempty = 0;
    let mut resources = std::collections::HashMap::new();
    for line in &lines {
        let file = line.get("file").and_then(Json::as_str).unwrap_or("?");
        let expr = line.get("expr").and_then(Json::as_str).unwrap_or("");
        let resource = resources.entry(file.to_string()).or_insert_with(|| {
            let text = std::fs::read_to_string(dir.join(file)).expect("readable");
            Resource::parse(&text).expect("an example resource")
        });
        let ours = resource
            .select(expr)
            .map(|items| Json::Array(std::sync::Arc::new(items)));
        match (line.get("result"), ours) {
            (Some(theirs), Ok(ours)) => {
                if !ours.is_empty() {
                    nonempty += 1;
                }
                let departure = DEPARTURES.iter().any(|(f, e, _)| *f == file && *e == expr);
                if departure && &ours == theirs {
                    failures.push(format!(
                        "{file}: {expr}: listed as a departure, but both agree now"
                    ));
                } else if !departure && &ours != theirs {
                    failures.push(format!(
                        "{file}: {expr}\n  fhirpathpy: {theirs}\n  ward:       {ours}"
                    ));
                }
            }
            (None, Ok(ours)) => failures.push(format!(
                "{file}: {expr}: fhirpathpy fails ({}), Ward gives {ours}",
                line.get("error").map(Json::to_text).unwrap_or_default()
            )),
            (_, Err(e)) => failures.push(format!("{file}: {expr}: Ward fails: {e}")),
        }
    }
    assert!(
        nonempty > 1000,
        "only {nonempty} non-empty results compared"
    );
    report(&failures, lines.len());
}
