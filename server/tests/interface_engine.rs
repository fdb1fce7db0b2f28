//! The interface engine example (`examples/interface_engine/`) against a
//! real MLLP sender: python-hl7's `MLLPClient` sends an ORU, an ADT, a
//! message type the engine does not handle and an ORU it cannot convert,
//! over one connection; each gets its acknowledgement, and the FHIR
//! resources land in the output directory. Without python-hl7 the test
//! says so and passes, except under `CI=true`.

use std::io::Write;
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ward_tests::repo_root;

fn python_hl7() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import hl7.client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python-hl7 is missing: python3 -m pip install -r tests/oracles/requirements.txt"
        );
        eprintln!("skipped: python-hl7 is not installed");
    }
    ok
}

const MESSAGES: [&str; 4] = [
    "MSH|^~\\&|MONITOR|WARD4|EHR|HOSP|20261121103000||ORU^R01|MSG0001|P|2.5\rPID|1||12345^^^HOSP^MR||Lovelace^Ada||19601210|F\rOBX|1|NM|8867-4^Heart rate^LN||72|/min|60-100||||F\rOBX|2|NM|SPO2^Oxygen saturation||97|%|94-100||||F",
    "MSH|^~\\&|ADT|WARD4|EHR|HOSP|20261121104000||ADT^A01|MSG0003|P|2.5\rPID|1||24680^^^HOSP^MR||Turing^Alan||19120623|M",
    "MSH|^~\\&|LAB|WARD4|EHR|HOSP|20261121110000||QRY^A19|MSG0004|P|2.5",
    "MSH|^~\\&|LAB|WARD4|EHR|HOSP|20261121110500||ORU^R01|MSG0005|P|2.5\rPID|1||13579^^^HOSP^MR||Hamilton^Margaret||19361117|F\rOBX|1|NM|HR^Heart rate||fast|bpm||||F",
];

#[test]
fn the_interface_engine_answers_a_real_mllp_client() {
    if !python_hl7() {
        return;
    }
    let root = repo_root();
    let out = std::env::temp_dir().join(format!("ward-engine-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("output dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let dir = out.to_string_lossy().into_owned();
    // Two connections: the readiness probe below, then the client.
    let engine = Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(["run", "--allow"])
        .arg(format!("net=127.0.0.1,fs={dir},env,clock"))
        .arg("examples/interface_engine/main.ward")
        .args(["--", "serve", &dir, &port.to_string(), "2"])
        .current_dir(&root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ward starts");
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the engine never listened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut client = Command::new("python3")
        .arg(root.join("tests/oracles/mllp_client.py"))
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    let input = serde_json::to_string(&MESSAGES).expect("json");
    client
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("messages written");
    let client = client.wait_with_output().expect("the client runs");
    let engine = engine.wait_with_output().expect("the engine runs");
    let stdout = String::from_utf8_lossy(&engine.stdout);
    assert!(
        client.status.success(),
        "client: {}\nengine: {stdout}{}",
        String::from_utf8_lossy(&client.stderr),
        String::from_utf8_lossy(&engine.stderr)
    );
    assert_eq!(
        engine.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&engine.stderr)
    );
    assert!(stdout.contains("answered 4 messages"), "{stdout}");

    let acks: Vec<serde_json::Value> = String::from_utf8_lossy(&client.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let codes: Vec<&str> = acks.iter().filter_map(|a| a["code"].as_str()).collect();
    assert_eq!(codes, ["AA", "AA", "AR", "AE"]);
    let ids: Vec<&str> = acks
        .iter()
        .filter_map(|a| a["control_id"].as_str())
        .collect();
    assert_eq!(ids, ["MSG0001", "MSG0003", "MSG0004", "MSG0005"]);
    assert_eq!(acks[0]["sender"], "EHR");
    assert_eq!(acks[0]["receiver"], "MONITOR");
    assert_eq!(acks[0]["type"], "ACK^R01^ACK");
    assert!(
        acks[2]["text"].as_str().is_some_and(|t| t.contains("QRY")),
        "{}",
        acks[2]
    );
    assert!(
        acks[3]["text"]
            .as_str()
            .is_some_and(|t| t.contains("not a number")),
        "{}",
        acks[3]
    );

    let read = |name: &str| -> serde_json::Value {
        let text =
            std::fs::read_to_string(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::from_str(&text).expect("FHIR JSON")
    };
    let ada = read("Patient-12345.json");
    assert_eq!(ada["resourceType"], "Patient");
    assert_eq!(ada["name"][0]["family"], "Lovelace");
    assert_eq!(ada["name"][0]["given"][0], "Ada");
    assert_eq!(ada["birthDate"], "1960-12-10");
    assert_eq!(ada["gender"], "female");
    let hr = read("Observation-MSG0001-1.json");
    assert_eq!(hr["code"]["coding"][0]["system"], "http://loinc.org");
    assert_eq!(hr["valueQuantity"]["value"], 72.0);
    assert_eq!(hr["subject"]["reference"], "Patient/12345");
    assert_eq!(read("Patient-24680.json")["gender"], "male");
    // The message the engine could not convert wrote nothing.
    assert!(!out.join("Patient-13579.json").exists());
    let written = std::fs::read_dir(&out).map_or(0, Iterator::count);
    assert_eq!(written, 4, "two patients and two observations");
    let _ = std::fs::remove_dir_all(&out);
}
