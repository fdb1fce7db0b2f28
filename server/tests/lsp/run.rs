//! Run, Profile and Run test: code lenses, `workspace/executeCommand`,
//! streamed `ward/runOutput`, time limits and cancellation.

use serde_json::{Value, json};

use super::client::{Client, temp_uri};
use super::initialized;

const PROGRAM: &str = r#"fn square(x: int) -> int {
    x * x
}

fn main() {
    let mut total = 0;
    for i in 0..5 {
        total += square(i);
    }
    println("total {}", total);
    eprintln("done");
}

fn spin() {
    println("spinning");
    let mut n = 0;
    loop {
        n += 1;
    }
}

#[test]
fn squares_add_up() {
    assert_eq(square(3), 9);
}

#[test]
fn fails() {
    assert_eq(square(2), 5);
}
"#;

fn open(options: Value) -> (Client, String) {
    let (mut c, _) = initialized(json!({}), options);
    let (_, uri) = temp_uri(&format!("run-{}.ward", options_tag()));
    c.open(&uri, PROGRAM);
    let diags = c.diagnostics(&uri, 1);
    assert!(diags.iter().all(|d| d["severity"] != 1), "{diags:#?}");
    (c, uri)
}

/// `workspace/executeCommand` of a run command on `[uri, function]`.
fn execute(c: &mut Client, command: &str, uri: &str, function: &str) -> Result<Value, Value> {
    c.request(
        "workspace/executeCommand",
        json!({"command": command, "arguments": [uri, function]}),
    )
}

fn options_tag() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

fn lens_titles(c: &mut Client, uri: &str) -> Vec<(u64, String)> {
    let lenses = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("codeLens answers");
    lenses
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|l| {
            (
                l["range"]["start"]["line"].as_u64().unwrap_or(0),
                l["command"]["title"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn lenses_run_main_and_stream_its_output() {
    let (mut c, uri) = open(Value::Null);
    let titles = lens_titles(&mut c, &uri);
    assert_eq!(
        titles,
        vec![
            (4, "▶ Run".to_string()),
            (4, "⏱ Profile".to_string()),
            (21, "▶ Run test".to_string()),
            (26, "▶ Run test".to_string()),
        ]
    );
    let result = execute(&mut c, "ward.run", &uri, "main").expect("the run succeeds");
    assert_eq!(result["exitCode"], 0);
    assert_eq!(result["stdout"], "total 30\n");
    assert_eq!(result["stderr"], "done\n");
    assert!(result["durationMs"].as_f64().is_some());
    let run_id = result["runId"].clone();
    // The output came as notifications first, in order.
    let (mut out, mut err) = (String::new(), String::new());
    while out.len() + err.len() < "total 30\ndone\n".len() {
        let m = c.wait_for(|m| m["method"] == "ward/runOutput");
        assert_eq!(m["params"]["runId"], run_id);
        let text = m["params"]["text"].as_str().unwrap_or("");
        match m["params"]["stream"].as_str() {
            Some("stdout") => out.push_str(text),
            Some("stderr") => err.push_str(text),
            other => panic!("stream {other:?}"),
        }
    }
    assert_eq!((out.as_str(), err.as_str()), ("total 30\n", "done\n"));
    // The same commands are code actions inside `main` (for Helix).
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri},
                   "range": {"start": {"line": 6, "character": 4}, "end": {"line": 6, "character": 4}},
                   "context": {"diagnostics": []}}),
        )
        .expect("codeAction answers");
    let commands: Vec<&str> = actions
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["command"]["command"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(commands, vec!["ward.run", "ward.profile"]);
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn run_test_reports_failures_with_where_and_why() {
    let (mut c, uri) = open(Value::Null);
    let ok = execute(&mut c, "ward.runTest", &uri, "squares_add_up").expect("the test runs");
    assert_eq!(ok["exitCode"], 0);
    let bad = execute(&mut c, "ward.runTest", &uri, "fails").expect("the test runs");
    assert_eq!(bad["exitCode"], 101);
    let stderr = bad["stderr"].as_str().unwrap_or("");
    assert!(
        stderr.contains("assertion") && stderr.contains(":29:"),
        "{stderr}"
    );
    // Not a test, not a function: errors with messages.
    let err = execute(&mut c, "ward.runTest", &uri, "main").expect_err("main is not a test");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("#[test]")),
        "{err}"
    );
    let err = execute(&mut c, "ward.run", &uri, "nowhere").expect_err("no such function");
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("nowhere")),
        "{err}"
    );
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn profile_returns_figures_and_shows_them_as_lenses_until_an_edit() {
    let (mut c, uri) = open(Value::Null);
    let result = execute(&mut c, "ward.profile", &uri, "main").expect("the profile runs");
    let functions = result["profile"]["functions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let square = functions
        .iter()
        .find(|f| f["name"] == "square")
        .unwrap_or_else(|| panic!("square in {functions:#?}"));
    assert_eq!(square["calls"], 5);
    let main = functions
        .iter()
        .find(|f| f["name"] == "main")
        .cloned()
        .unwrap_or_default();
    assert_eq!(main["calls"], 1);
    assert!(main["totalMs"].as_f64() >= square["totalMs"].as_f64());
    let gc = &result["profile"]["gc"];
    assert!(gc["count"].is_u64());
    // The histogram's buckets: 10 µs up, a last one without a bound, and
    // every pause in one of them.
    let buckets = gc["histogram"].as_array().cloned().unwrap_or_default();
    assert_eq!(buckets.len(), 14, "{gc}");
    assert_eq!(buckets[0]["upToMs"], 0.01);
    assert!(buckets[13]["upToMs"].is_null());
    let counted: u64 = buckets.iter().filter_map(|b| b["count"].as_u64()).sum();
    assert_eq!(Some(counted), gc["count"].as_u64());
    let titles = lens_titles(&mut c, &uri);
    assert!(
        titles
            .iter()
            .any(|(line, t)| *line == 0 && t.starts_with("⏱ 5 calls")),
        "{titles:#?}"
    );
    // An edit makes the figures stale: they go.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"text": PROGRAM.replace("total {}", "sum {}")}]}),
    );
    c.diagnostics(&uri, 2);
    let titles = lens_titles(&mut c, &uri);
    assert!(
        titles.iter().all(|(_, t)| !t.contains("calls")),
        "{titles:#?}"
    );
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn runs_stop_at_the_time_limit_and_on_cancel() {
    let (mut c, uri) = open(json!({"run": {"timeoutMs": 300}}));
    let result = execute(&mut c, "ward.run", &uri, "spin").expect("the run ends");
    assert_eq!(result["exitCode"], 101);
    assert!(result["stopped"].as_str().is_some(), "{result:#}");
    assert_eq!(result["stdout"], "spinning\n");

    // Cancel: start a run without waiting, then stop it by its id.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ward": {"run": {"timeoutMs": 60000}}}}),
    );
    c.send_raw(
        json!({"jsonrpc": "2.0", "id": 9001, "method": "workspace/executeCommand",
               "params": {"command": "ward.run", "arguments": [uri, "spin"]}})
        .to_string()
        .as_bytes(),
    );
    let first_run = result["runId"].clone();
    let started = c.wait_for(|m| {
        m["method"] == "ward/runOutput"
            && m["params"]["runId"] != first_run
            && m["params"]["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("spinning"))
    });
    let run_id = started["params"]["runId"].clone();
    let cancelled = c
        .request("ward/cancelRun", json!({"runId": run_id}))
        .expect("cancelRun answers");
    assert_eq!(cancelled, true);
    let response = c.wait_for(|m| m["id"] == 9001);
    assert_eq!(response["result"]["exitCode"], 101, "{response:#}");
    // Turning runs off refuses them.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ward": {"run": {"enabled": false}}}}),
    );
    let refused = execute(&mut c, "ward.run", &uri, "main");
    assert!(refused.is_err());
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn clients_without_the_output_extension_get_the_outcome_as_a_message() {
    let (mut c, uri) = open(Value::Null);
    let result = execute(&mut c, "ward.run", &uri, "main").expect("the run succeeds");
    assert_eq!(result["exitCode"], 0);
    let shown = c.wait_for(|m| m["method"] == "window/showMessage");
    let message = shown["params"]["message"].as_str().unwrap_or("");
    assert_eq!(shown["params"]["type"], 3, "info: {shown}");
    assert!(
        message.starts_with("total 30\ndone\n`main` exited with code 0 in "),
        "{message}"
    );
    assert!(c.shutdown_and_exit().success());
}

/// Every program of `tests/hostile` (recursion through natives, deep
/// values, memory grown without end, a petabyte nursery …) runs from the
/// Run lens inside the server's process: each ends as the CLI would end it
/// (same stdout, status 0 or 101), and the server answers afterwards.
#[test]
fn the_run_lens_survives_hostile_programs() {
    let (mut c, _) = initialized(
        json!({}),
        json!({"run": {"maxHeapMb": 256, "timeoutMs": 60000}}),
    );
    let files = ward_tests::hostile_programs();
    assert!(files.len() >= 10);
    for file in &files {
        let source = std::fs::read_to_string(file).expect("readable");
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (_, uri) = temp_uri(&format!("hostile-{}-{name}", options_tag()));
        c.open(&uri, &source);
        let want_status = ward_tests::expected_status(&source);
        let result = execute(&mut c, "ward.run", &uri, "main")
            .unwrap_or_else(|e| panic!("{name}: the run failed: {e}"));
        assert_eq!(result["exitCode"], want_status, "{name}: {result}");
        let want_out = std::fs::read_to_string(file.with_extension("out")).unwrap_or_default();
        assert_eq!(result["stdout"], want_out.as_str(), "{name}");
    }
    // The server is still whole: an ordinary run after them all.
    let (_, uri) = temp_uri(&format!("after-hostile-{}.ward", options_tag()));
    c.open(&uri, PROGRAM);
    let result = execute(&mut c, "ward.run", &uri, "main").expect("the run succeeds");
    assert_eq!(result["stdout"], "total 30\n");
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn runs_grant_the_capabilities_of_ward_run_allow() {
    let program = "use std::caps;\nuse std::time;\nfn main() uses clock {\n    let _ = time::now();\n    println(\"fs held: {}\", caps::has(Cap::Fs));\n}\n";
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = temp_uri(&format!("run-caps-{}.ward", options_tag()));
    c.open(&uri, program);
    assert_eq!(c.diagnostics(&uri, 1), Vec::<Value>::new());
    // Nothing granted: the program does not start, and says what to add.
    let result = execute(&mut c, "ward.run", &uri, "main").expect("answers");
    assert_eq!(result["exitCode"], 1, "{result:#}");
    assert_eq!(result["stdout"], "");
    let stderr = result["stderr"].as_str().unwrap_or_default();
    assert!(
        stderr.contains("`main` needs `clock`, but it was not granted")
            && stderr.contains("add \"clock\" to the `ward.run.allow` setting"),
        "{stderr}"
    );
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ward": {"run": {"allow": ["clock"]}}}}),
    );
    let result = execute(&mut c, "ward.run", &uri, "main").expect("answers");
    assert_eq!(result["exitCode"], 0, "{result:#}");
    assert_eq!(result["stdout"], "fs held: false\n");
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ward": {"run": {"allow": ["all"]}}}}),
    );
    let result = execute(&mut c, "ward.run", &uri, "main").expect("answers");
    assert_eq!(result["stdout"], "fs held: true\n");
    // An entry that is not a capability is an error, not a silent grant.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ward": {"run": {"allow": ["clock", "disk"]}}}}),
    );
    let refused = execute(&mut c, "ward.run", &uri, "main").expect_err("refused");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("disk")),
        "{refused:#}"
    );
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn tasks_output_is_attributed_and_profiled_per_task() {
    let program = "use std::task;\n\nfn work(n: int) -> int {\n    let mut acc = 0;\n    for i in 0..n {\n        acc += i;\n    }\n    println(\"worker summed {}\", acc);\n    acc\n}\n\nfn main() -> Result<(), Error> {\n    println(\"main starts\");\n    let h = task::spawn(move || work(100));\n    let total = h.join()?;\n    println(\"main got {}\", total);\n    Ok(())\n}\n";
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = temp_uri(&format!("run-tasks-{}.ward", options_tag()));
    c.open(&uri, program);
    assert_eq!(c.diagnostics(&uri, 1), Vec::<Value>::new());
    let result = execute(&mut c, "ward.profile", &uri, "main").expect("the profile runs");
    assert_eq!(result["exitCode"], 0, "{result:#}");
    assert_eq!(
        result["stdout"],
        "main starts\nworker summed 4950\nmain got 4950\n"
    );
    // Each line came with its task: none for main's, 1 for the spawned one.
    let mut lines = Vec::new();
    while lines.len() < 3 {
        let m = c.wait_for(|m| m["method"] == "ward/runOutput");
        lines.push((
            m["params"]["text"].as_str().unwrap_or("").to_string(),
            m["params"]["task"].as_u64(),
        ));
    }
    assert_eq!(
        lines,
        vec![
            ("main starts\n".to_string(), None),
            ("worker summed 4950\n".to_string(), Some(1)),
            ("main got 4950\n".to_string(), None),
        ]
    );
    // The profile has both tasks, and the spawned task's function calls.
    let tasks = result["profile"]["tasks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(tasks.len(), 2, "{result:#}");
    assert_eq!(tasks[0]["id"], 0);
    assert_eq!(tasks[1]["id"], 1);
    assert_eq!(tasks[1]["priority"], "Normal");
    assert!(tasks[1]["runMs"].as_f64().is_some_and(|ms| ms > 0.0));
    assert!(tasks[1]["gcPauses"].is_u64());
    let functions = result["profile"]["functions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        functions
            .iter()
            .any(|f| f["name"] == "work" && f["calls"] == 1),
        "{functions:#?}"
    );
    assert!(c.shutdown_and_exit().success());
}
