//! Edge deployment: `ward build` writes verified bytecode and the
//! runtime-only `ward-vm` runs it as `ward run` runs the source — same
//! output, same exit status, same flags — and refuses what is not Ward
//! bytecode with a message, never a crash.

use std::process::Command;

use ward_tests::{repo_root, ward_and_vm};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn ward_vm_runs_what_ward_build_wrote_as_ward_run_runs_it() {
    let (ward, vm) = ward_and_vm();
    let root = repo_root();
    let dir = std::env::temp_dir().join(format!("ward-edge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    for (example, allow) in [
        ("examples/sensor_loop.ward", "device,clock"),
        ("tests/programs/zones_basic.ward", "device"),
        ("tests/programs/zones_pools.ward", "device"),
        ("tests/programs/device_simulated.ward", "device"),
    ] {
        let out_file = dir.join("app.wbc");
        let built = Command::new(&ward)
            .args(["build", example, "-o"])
            .arg(&out_file)
            .current_dir(&root)
            .output()
            .expect("ward build runs");
        assert!(built.status.success(), "{example}: {}", text(&built.stderr));
        let direct = Command::new(&ward)
            .args(["run", "--allow", allow, example])
            .current_dir(&root)
            .output()
            .expect("ward run runs");
        let edge = Command::new(&vm)
            .args(["--allow", allow])
            .arg(&out_file)
            .current_dir(&root)
            .output()
            .expect("ward-vm runs");
        assert_eq!(edge.status.code(), direct.status.code(), "{example}");
        // The sensor loop prints its own timing; the rest must match.
        let strip = |s: String| {
            s.lines()
                .filter(|l| !l.starts_with("loop time"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            strip(text(&edge.stdout)),
            strip(text(&direct.stdout)),
            "{example}: {}",
            text(&edge.stderr)
        );
    }
    // Not granted: the same refusal as `ward run`.
    let built = Command::new(&ward)
        .args(["build", "examples/sensor_loop.ward", "-o"])
        .arg(dir.join("sensor.wbc"))
        .current_dir(&root)
        .output()
        .expect("ward build runs");
    assert!(built.status.success());
    let refused = Command::new(&vm)
        .arg(dir.join("sensor.wbc"))
        .output()
        .expect("ward-vm runs");
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("--allow clock,device"),
        "{}",
        text(&refused.stderr)
    );
    // Garbage and a cut-short file are refused with a message.
    std::fs::write(dir.join("junk.wbc"), b"not bytecode at all").expect("write");
    let bytes = std::fs::read(dir.join("sensor.wbc")).expect("read");
    std::fs::write(dir.join("cut.wbc"), &bytes[..bytes.len() / 2]).expect("write");
    for bad in ["junk.wbc", "cut.wbc", "missing.wbc"] {
        let out = Command::new(&vm)
            .arg(dir.join(bad))
            .output()
            .expect("ward-vm runs");
        assert_eq!(out.status.code(), Some(1), "{bad}");
        assert!(
            text(&out.stderr).starts_with("error: "),
            "{bad}: {}",
            text(&out.stderr)
        );
    }
    // Usage errors.
    let out = Command::new(&vm)
        .arg("--workers")
        .output()
        .expect("ward-vm runs");
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ward_build_leaves_no_file_when_the_program_has_errors() {
    let (ward, _) = ward_and_vm();
    let dir = std::env::temp_dir().join(format!("ward-edge-err-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let src = dir.join("bad.ward");
    std::fs::write(&src, "fn main() {\n    let x: int = \"no\";\n}\n").expect("write");
    let out_file = dir.join("bad.wbc");
    let out = Command::new(&ward)
        .arg("build")
        .arg(&src)
        .arg("-o")
        .arg(&out_file)
        .output()
        .expect("ward build runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(!out_file.exists());
    assert!(text(&out.stderr).contains("W0308"));
    let _ = std::fs::remove_dir_all(&dir);
}
