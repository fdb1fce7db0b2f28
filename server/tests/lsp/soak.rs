//! The soak test: thousands of random edits to a real program — inserts
//! and deletes at random UTF-16 positions, some splitting a surrogate pair
//! or past a line's end, with emoji, line separators and CRLF in the
//! pasted text — with requests of every kind interleaved, none awaited
//! before the next edit. Afterwards every request was answered, the
//! diagnostics published for the last version equal `ward check` of the
//! final text, and the server's memory is back near its level after the
//! document was opened.
//!
//! `WARD_SOAK_EDITS=N` (default 2000) and `WARD_SOAK_SEED=S` run it longer
//! or differently; the figures are printed (see them with `--nocapture`):
//! `WARD_SOAK_EDITS=200000 cargo test --release -p ward --test lsp soak -- --nocapture`.

use serde_json::{Value, json};

use crate::client::temp_uri;
use crate::initialized;
// The differential tester's seeded generator: a failure can be replayed.
use ward_tests::difftest::generate::Rng;

/// Text an edit inserts: tokens, whole statements, and characters that
/// test the position arithmetic (outside the BMP, a line separator that is
/// not a line break for the protocol, CRLF).
const PIECES: &[&str] = &[
    "",
    "x",
    "y1",
    "let ",
    "mut ",
    "fn ",
    "{",
    "}",
    "(",
    ")",
    ";",
    ",",
    ".",
    "\n",
    "    ",
    "\"",
    "//",
    "/*",
    "*/",
    "123",
    "+ 1",
    "🫀",
    "😀x",
    "é",
    "\u{2028}",
    "\r\n",
    "::",
    "println(\"{} {}\", a, b);\n",
    "let s = \"bed 4\".to_string();\n",
    "match x {\n",
    "if a > b { a } else { b }",
    "&mut ",
    "struct P { x: int }\n",
    "'a",
    "|x| x + 1",
];

/// The char index of a protocol position, as the server reads one: lines
/// end at `\n` only; a position inside a character (between the halves of
/// a surrogate pair) is that character's start; past a line's end (or at
/// its `\r`), the line's end.
fn char_index(text: &str, line: usize, character: usize) -> usize {
    let mut index = 0;
    for (n, l) in text.split('\n').enumerate() {
        if n == line {
            let mut units = 0;
            for (i, c) in l.chars().enumerate() {
                if c == '\r' {
                    return index + i;
                }
                units += c.len_utf16();
                if units > character {
                    return index + i;
                }
            }
            return index + l.chars().count();
        }
        index += l.chars().count() + 1;
    }
    text.chars().count()
}

fn byte_of_char(text: &str, char_index: usize) -> usize {
    text.char_indices()
        .nth(char_index)
        .map_or(text.len(), |(b, _)| b)
}

/// The protocol position (UTF-16) of a byte offset.
fn position_of(text: &str, byte: usize) -> (u64, u64) {
    let before = &text[..byte.min(text.len())];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[start..].chars().map(char::len_utf16).sum();
    (line as u64, character as u64)
}

/// A random position: usually inside the text, sometimes past a line's
/// end or the last line.
fn random_position(rng: &mut Rng, text: &str) -> (usize, usize) {
    let lines: Vec<&str> = text.split('\n').collect();
    let line = rng.below(lines.len() + 1);
    let width: usize = lines
        .get(line)
        .map_or(0, |l| l.chars().map(char::len_utf16).sum());
    (line, rng.below(width + 3))
}

/// `(code, message, line, character)` of each diagnostic, sorted.
fn summary(
    items: impl Iterator<Item = (String, String, u64, u64)>,
) -> Vec<(String, String, u64, u64)> {
    let mut v: Vec<_> = items.collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn soak_random_edits_with_interleaved_requests() {
    let edits: usize = std::env::var("WARD_SOAK_EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let seed: u64 = std::env::var("WARD_SOAK_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(22);
    let mut rng = Rng::new(seed);
    let original =
        std::fs::read_to_string(ward_tests::repo_root().join("examples/vitals_monitor.ward"))
            .expect("the example exists");
    let (path, uri) = temp_uri("soak.ward");
    let (mut c, _) = initialized(json!({}), Value::Null);
    c.open(&uri, &original);
    let _ = c.diagnostics(&uri, 1);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let rss_open = c.rss_kib();

    let mut text = original.clone();
    let mut pending = Vec::new();
    let methods = [
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/signatureHelp",
        "textDocument/definition",
        "textDocument/references",
        "textDocument/documentHighlight",
        "textDocument/documentSymbol",
        "textDocument/semanticTokens/full",
        "textDocument/inlayHint",
        "textDocument/foldingRange",
        "textDocument/formatting",
        "textDocument/codeAction",
        "textDocument/codeLens",
        "textDocument/selectionRange",
    ];
    let mut version = 1;
    for k in 0..edits {
        // Now and then the text goes back to the original, so that the
        // edits keep landing in a real program rather than in noise.
        if k % 400 == 199 && k + 200 < edits {
            version += 1;
            text.clone_from(&original);
            c.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
            );
            continue;
        }
        let (l1, c1) = random_position(&mut rng, &text);
        let (l2, c2) = if rng.below(50) == 0 {
            // Now and then a deletion across a few lines.
            (l1 + rng.below(3), rng.below(40))
        } else {
            (l1, c1 + rng.below(4))
        };
        let ((l1, c1), (l2, c2)) = if (l2, c2) < (l1, c1) {
            ((l2, c2), (l1, c1))
        } else {
            ((l1, c1), (l2, c2))
        };
        let insert = PIECES[rng.below(PIECES.len())];
        let a = char_index(&text, l1, c1);
        let b = char_index(&text, l2, c2).max(a);
        let (ba, bb) = (byte_of_char(&text, a), byte_of_char(&text, b));
        text.replace_range(ba..bb, insert);
        version += 1;
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"range": {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}, "text": insert}]}),
        );
        if k % 4 == 0 {
            let method = methods[rng.below(methods.len())];
            let (line, character) = random_position(&mut rng, &text);
            let at = json!({"line": line, "character": character});
            let doc = json!({"uri": uri});
            let params = match method {
                "textDocument/references" => {
                    json!({"textDocument": doc, "position": at, "context": {"includeDeclaration": true}})
                }
                "textDocument/documentSymbol"
                | "textDocument/semanticTokens/full"
                | "textDocument/foldingRange"
                | "textDocument/codeLens" => json!({"textDocument": doc}),
                "textDocument/inlayHint" => {
                    json!({"textDocument": doc, "range": {"start": {"line": 0, "character": 0}, "end": at}})
                }
                "textDocument/formatting" => {
                    json!({"textDocument": doc, "options": {"tabSize": 4, "insertSpaces": true}})
                }
                "textDocument/codeAction" => {
                    json!({"textDocument": doc, "range": {"start": at, "end": at}, "context": {"diagnostics": []}})
                }
                "textDocument/selectionRange" => json!({"textDocument": doc, "positions": [at]}),
                _ => json!({"textDocument": doc, "position": at}),
            };
            pending.push((method, c.send_request(method, params)));
        }
    }
    // Every request gets an answer: a result, or an error other than an
    // internal one (a position the text no longer has is a fair error).
    let mut answered = 0;
    let mut errors = 0;
    for (method, id) in &pending {
        match c.response(*id) {
            Ok(_) => answered += 1,
            Err(e) => {
                assert_ne!(e["code"], -32603, "{method} failed inside the server: {e}");
                if errors < 3 {
                    println!("soak: {method} answered with an error: {e}");
                }
                errors += 1;
            }
        }
    }
    let published = c.diagnostics(&uri, version);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let rss_end = c.rss_kib();
    // Closed, the document's memory goes back (an empty list is published).
    c.close(&uri);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let rss_closed = c.rss_kib();
    assert!(c.shutdown_and_exit().success(), "the server exits cleanly");

    // The last version's diagnostics are what the CLI says of that text.
    std::fs::write(&path, &text).expect("write the final text");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .expect("ward check runs");
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let cli = summary(cli.as_array().into_iter().flatten().map(|d| {
        let (line, character) = position_of(
            &text,
            usize::try_from(d["start"].as_u64().unwrap_or(0)).unwrap_or(0),
        );
        // The server puts a diagnostic's notes and help after its message.
        let mut message = d["message"].as_str().unwrap_or("").to_string();
        for (key, lead) in [("notes", "\nnote: "), ("help", "\nhelp: ")] {
            for line in d[key].as_array().into_iter().flatten() {
                message.push_str(lead);
                message.push_str(line.as_str().unwrap_or(""));
            }
        }
        (
            d["code"].as_str().unwrap_or("").to_string(),
            message,
            line,
            character,
        )
    }));
    let server = summary(published.iter().map(|d| {
        (
            d["code"].as_str().unwrap_or("").to_string(),
            d["message"].as_str().unwrap_or("").to_string(),
            d["range"]["start"]["line"].as_u64().unwrap_or(0),
            d["range"]["start"]["character"].as_u64().unwrap_or(0),
        )
    }));
    let _ = std::fs::remove_file(&path);
    println!(
        "soak: seed {seed}, {edits} edits, {} requests: {answered} answered with a result, {errors} with an error; \
         {} diagnostics at the end of {} lines; RSS {} MB after open, {} MB after the edits, {} MB after didClose",
        pending.len(),
        server.len(),
        text.lines().count(),
        rss_open / 1024,
        rss_end / 1024,
        rss_closed / 1024
    );
    assert_eq!(
        server, cli,
        "published diagnostics differ from `ward check` of the final text:\n{text}"
    );
    assert!(
        rss_end <= rss_open + rss_open / 2 + 32 * 1024,
        "RSS {rss_end} KiB after the edits, {rss_open} KiB after open"
    );
    assert!(
        rss_closed <= rss_open + 32 * 1024,
        "RSS {rss_closed} KiB after didClose, {rss_open} KiB after open"
    );
}
