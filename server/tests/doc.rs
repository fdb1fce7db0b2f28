//! `ward doc` in a new project, as the README gives it: the pages hold
//! each public item with its signature (elided lifetimes written out), the
//! capabilities it needs and its `///` text, std is documented beside the
//! project, and the search works in a real browser — headless Chromium
//! loads the pages from disk, runs the search script on `?search=` and
//! takes a screenshot, as the editor tests drive Chromium. Without
//! Chromium the browser half says it was skipped, except under `CI=true`,
//! where `.ci/run` installs it and its absence fails.

use std::path::{Path, PathBuf};
use std::process::Command;

fn ward_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the ward binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Headless Chromium with the flags a closed network needs, its own
/// profile, and `args`; `None` when Chromium is not installed.
fn chromium(profile: &Path, args: &[&str]) -> Option<std::process::Output> {
    let binary = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())?;
    Command::new("timeout")
        .arg("120")
        .arg(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .ok()
}

#[test]
fn a_new_project_is_documented_with_std_and_search_works_in_chromium() {
    let root: PathBuf = std::env::temp_dir().join(format!("ward-doc-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("temp dir");
    let out = ward_in(&root, &["new", "vitals"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let project = root.join("vitals");
    let main = project.join("src/main.ward");
    let mut source = std::fs::read_to_string(&main).expect("main");
    source.push_str(
        "\n/// The first reading, borrowed from the list.\npub fn first(readings: &List<int>) -> &int { &readings[0] }\n\n/// Appends a line to the log.\npub fn log(line: &String) -> Result<(), Error> uses fs { fs::append(\"log.txt\", line) }\n",
    );
    std::fs::write(&main, source).expect("written");

    let out = ward_in(&project, &["doc"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc = project.join("target/doc");
    let page = std::fs::read_to_string(doc.join("vitals.html")).expect("the package's page");
    // The signature with its elided lifetimes written out.
    assert!(
        page.contains(
            "pub fn first&lt;'a&gt;(readings: &amp;'a List&lt;int&gt;) -&gt; &amp;'a int"
        ),
        "{page}"
    );
    assert!(
        page.contains("How a reading of the heart rate is classed."),
        "{page}"
    );
    // The capability `log` needs.
    assert!(
        page.contains("Needs: <code class=\"cap\">fs</code>"),
        "{page}"
    );
    // Std is documented from its table, with what its functions need.
    let hl7 = std::fs::read_to_string(doc.join("std.hl7.html")).expect("std::hl7's page");
    assert!(hl7.contains("id=\"fn.parse\""), "{hl7}");
    let fs = std::fs::read_to_string(doc.join("std.fs.html")).expect("std::fs's page");
    assert!(fs.contains("Needs: <code class=\"cap\">fs</code>"), "{fs}");
    let index = std::fs::read_to_string(doc.join("search-index.js")).expect("search index");
    assert!(index.contains("\"n\":\"first\""), "{index}");

    let profile = root.join("chromium-profile");
    let url = format!("file://{}?search=first", doc.join("index.html").display());
    let Some(dom) = chromium(&profile, &["--dump-dom", &url]) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium is not installed; .ci/run installs it"
        );
        eprintln!("skipped: no Chromium at /usr/bin/chromium; the pages were checked as text");
        let _ = std::fs::remove_dir_all(&root);
        return;
    };
    let dom = text(&dom.stdout);
    // The search script ran: `vitals::first` is the first result.
    let first_result = dom
        .split("class=\"result\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_default();
    assert_eq!(first_result, "vitals::first", "{dom}");
    let shot = ward_tests::repo_root().join("target/doc-search.png");
    let _ = std::fs::remove_file(&shot);
    let screenshot = format!("--screenshot={}", shot.display());
    chromium(&profile, &["--window-size=1100,700", &screenshot, &url]).expect("chromium ran");
    let size = std::fs::metadata(&shot).map_or(0, |m| m.len());
    assert!(size > 10_000, "the screenshot is {size} bytes");
    let _ = std::fs::remove_dir_all(&root);
}
