//! `ward new NAME`: a project folder as cargo makes one — `ward.toml`
//! naming the package, its version and entry, a program with a function and
//! a unit test (`src/main.ward`), and a test file that uses the package
//! (`tests/NAME.ward`).

use super::status;
use std::path::Path;

pub fn run(name: &str) -> u8 {
    if !crate::project::valid_name(name) {
        eprintln!(
            "error: `{name}` cannot name a package: use lower-case letters, digits and `_`, not starting with a digit"
        );
        return status::USAGE;
    }
    let dir = Path::new(name);
    if dir.exists() {
        eprintln!("error: {} already exists", dir.display());
        return status::USAGE;
    }
    match create(dir, name) {
        Ok(()) => {
            if !super::quiet() {
                eprintln!("created package `{name}` in {}/", dir.display());
                eprintln!("  cd {name} && ward run     # run src/main.ward");
                eprintln!("  ward test                 # run the tests");
            }
            status::OK
        }
        Err(e) => {
            // Nothing half made is left behind.
            let _ = std::fs::remove_dir_all(dir);
            eprintln!("error: cannot create {}: {e}", dir.display());
            status::USAGE
        }
    }
}

fn create(dir: &Path, name: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::create_dir_all(dir.join("tests"))?;
    std::fs::write(dir.join(crate::project::MANIFEST), manifest(name))?;
    std::fs::write(dir.join("src/main.ward"), MAIN)?;
    std::fs::write(dir.join(format!("tests/{name}.ward")), test_file(name))?;
    std::fs::write(dir.join(".gitignore"), "/target\n")?;
    Ok(())
}

fn manifest(name: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nentry = \"src/main.ward\"\n\n# Path dependencies: `other = {{ path = \"../other\" }}`.\n[dependencies]\n\n[format]\nmax_width = 100\n"
    )
}

const MAIN: &str = "/// How a reading of the heart rate is classed.
pub fn classify(hr: int) -> String {
    if hr > 100 {
        \"tachycardia\".to_string()
    } else if hr < 60 {
        \"bradycardia\".to_string()
    } else {
        \"normal\".to_string()
    }
}

fn main() {
    for hr in [52, 72, 128] {
        println(\"{} bpm: {}\", hr, classify(hr));
    }
}

#[test]
fn a_resting_rate_is_normal() {
    assert_eq(classify(72), \"normal\".to_string());
}
";

fn test_file(name: &str) -> String {
    format!(
        "// Tests that use the package as another program would.
use {name}::classify;

#[test]
fn a_fast_rate_is_tachycardia() {{
    assert_eq(classify(128), \"tachycardia\".to_string());
}}
"
    )
}
