//! Framing between stdio and the protocol library, with one job the
//! library does not do: surviving bad input. `tower-lsp-server` answers a
//! malformed message with a parse error and then stops reading (its framed
//! stream ends after the first decode error). So bytes are framed here
//! (see [`Framer`]) and messages checked: well-formed ones pass through
//! unchanged; for the rest this module writes the JSON-RPC error itself
//! (parse error, or invalid request with the message's id) and the server
//! never sees them. Both the server's output and these errors go to stdout
//! through one writer, a whole frame at a time.

use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;

/// Largest message body accepted (a 64 MiB document is already absurd);
/// a larger one is skipped as it arrives, never buffered.
pub const MAX_BODY: usize = 64 << 20;

/// Largest header block (`Content-Length` and `Content-Type` lines).
pub const MAX_HEADER: usize = 8 << 10;

/// Starts the two pumps; returns the ends the server reads and writes.
pub fn spawn() -> (DuplexStream, DuplexStream) {
    let (server_in, mut to_server) = tokio::io::duplex(1 << 16);
    let (server_out, from_server) = tokio::io::duplex(1 << 16);
    let (errors_tx, errors_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        let mut stdin = tokio::io::stdin();
        let mut framer = Framer::default();
        let mut chunk = vec![0u8; 1 << 16];
        'read: loop {
            let n = match stdin.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            framer.push(&chunk[..n]);
            while let Some(frame) = framer.next_frame() {
                let checked = match frame {
                    Frame::Body(body) => check(&body).map(|()| body),
                    Frame::Garbage(why) => Err(error(&Value::Null, -32700, &why)),
                };
                match checked {
                    Ok(body) => {
                        if write_frame(&mut to_server, &body).await.is_err() {
                            break 'read;
                        }
                    }
                    Err(error) => {
                        let _ = errors_tx.send(error.to_string().into_bytes());
                    }
                }
            }
        }
        if let Some(why) = framer.finish() {
            let _ = errors_tx.send(error(&Value::Null, -32700, &why).to_string().into_bytes());
        }
        // End of input: the server sees it and stops.
        let _ = to_server.shutdown().await;
    });
    tokio::spawn(write_out(from_server, errors_rx));
    (server_in, server_out)
}

/// One unit of the input stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A message body, as its header framed it (not yet parsed).
    Body(Vec<u8>),
    /// Bytes that were dropped, and why (answered with a parse error).
    Garbage(String),
}

/// Splits a byte stream into message bodies whatever arrives: any bytes,
/// headers without an end, wrong or missing lengths, bodies that are too
/// big. Memory stays bounded (a header block is at most [`MAX_HEADER`]
/// bytes, a body at most [`MAX_BODY`]; a bigger body is skipped as it
/// arrives). After a malformed frame it resynchronises at the next
/// `Content-Length:` / `Content-Type:` header:
///
/// 1. Bytes before a header name are dropped (one `Garbage` per run).
/// 2. A header block must end with an empty line within `MAX_HEADER`
///    bytes, be ASCII `Name: value` lines and give one valid length.
/// 3. A body that is not one JSON value was framed with a length too
///    large (it swallowed part of the next message): the bytes after its
///    first JSON value (or, if none is whole, from its first header name
///    on) are put back in front of the stream.
///    A length too small leaves the rest of the body before the next
///    header, where step 1 drops it.
#[derive(Default)]
pub struct Framer {
    buf: Vec<u8>,
    /// Bytes of an oversized body still to skip.
    skip: usize,
    /// The last skipped bytes, where a header name may have begun.
    skip_tail: Vec<u8>,
    /// How far an incomplete body was searched for the next header.
    scanned: usize,
    /// Bytes dropped since the last frame, and the first reason.
    dropped: Option<String>,
    /// The last frame had a bad header: what follows up to the next header
    /// is its body, already answered.
    after_bad_header: bool,
}

/// The header names of the base protocol, lower case.
const HEADER_NAMES: [&[u8]; 2] = [b"content-length:", b"content-type:"];

/// Where the first header name starts in `bytes` (case-insensitive).
fn find_header(bytes: &[u8]) -> Option<usize> {
    (0..bytes.len()).find(|&i| {
        HEADER_NAMES.iter().any(|name| {
            bytes.len() - i >= name.len() && bytes[i..i + name.len()].eq_ignore_ascii_case(name)
        })
    })
}

impl Framer {
    pub fn push(&mut self, bytes: &[u8]) {
        if self.skip == 0 {
            self.buf.extend_from_slice(bytes);
            return;
        }
        // Skipping an oversized body: a header name in it means the length
        // was a lie (a raw line break or `}` before a header name never
        // occurs in a JSON text's tokens), and the stream resumes there
        // rather than losing everything up to the claimed length. The last
        // bytes are carried over in case a name is split between reads.
        let skipped = self.skip.min(bytes.len());
        let mut window = std::mem::take(&mut self.skip_tail);
        window.extend_from_slice(&bytes[..skipped]);
        if let Some(at) = find_header(&window) {
            self.skip = 0;
            self.buf.extend_from_slice(&window[at..]);
            self.buf.extend_from_slice(&bytes[skipped..]);
            return;
        }
        self.skip -= skipped;
        if self.skip > 0 {
            let keep = window.len().min(HEADER_NAMES[0].len() - 1);
            self.skip_tail = window.split_off(window.len() - keep);
        }
        self.buf.extend_from_slice(&bytes[skipped..]);
    }

    fn drop_front(&mut self, n: usize, why: &str) {
        self.buf.drain(..n);
        if self.dropped.is_none() && !self.after_bad_header {
            self.dropped = Some(why.to_string());
        }
    }

    /// The next frame, or `None` until more bytes arrive.
    pub fn next_frame(&mut self) -> Option<Frame> {
        loop {
            // Whitespace between frames is not garbage.
            let blank = self
                .buf
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            self.buf.drain(..blank);
            match find_header(&self.buf) {
                Some(0) => {}
                Some(at) => {
                    self.drop_front(at, "Parse error: bytes outside a message were skipped");
                }
                None => {
                    // Keep a tail that may be the start of a header name.
                    let keep = HEADER_NAMES[0].len() - 1;
                    if self.buf.len() > keep {
                        let n = self.buf.len() - keep;
                        self.drop_front(n, "Parse error: bytes outside a message were skipped");
                    }
                    return None;
                }
            }
            // A frame starts here: report what was dropped before it.
            self.after_bad_header = false;
            if let Some(why) = self.dropped.take() {
                return Some(Frame::Garbage(why));
            }
            let window = &self.buf[..self.buf.len().min(MAX_HEADER)];
            let end = window
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map(|p| (p, p + 4))
                .or_else(|| {
                    window
                        .windows(2)
                        .position(|w| w == b"\n\n")
                        .map(|p| (p, p + 2))
                });
            let Some((header_end, body_start)) = end else {
                if self.buf.len() >= MAX_HEADER {
                    // No end within the limit: skip this header name and
                    // look for the next one.
                    self.drop_front(1, "Parse error: header block too long or without an end");
                    continue;
                }
                return None;
            };
            let length = parse_header(&self.buf[..header_end]);
            match length {
                Err(why) => {
                    self.scanned = 0;
                    self.buf.drain(..body_start);
                    self.after_bad_header = true;
                    return Some(Frame::Garbage(why));
                }
                Ok(n) if n > MAX_BODY => {
                    self.scanned = 0;
                    self.buf.drain(..body_start);
                    // What already arrived is skipped as `push` skips the
                    // rest: up to a header name.
                    let arrived = std::mem::take(&mut self.buf);
                    self.skip = n;
                    self.skip_tail.clear();
                    self.push(&arrived);
                    return Some(Frame::Garbage(format!(
                        "Parse error: a message of {n} bytes is over the limit of {MAX_BODY}"
                    )));
                }
                Ok(n) => {
                    if self.buf.len() < body_start + n {
                        // A header after a raw line break cannot be inside
                        // a JSON body (a string holds `\n` escaped, and a
                        // name is no JSON token): the length was too large
                        // and the next message has begun. The body ends
                        // there rather than waiting for bytes a client
                        // that awaits its answer will never send.
                        // (From the byte before, the header block's last
                        // `\n`: a body that starts with a header counts.)
                        let from = self.scanned.clamp(body_start, self.buf.len()) - 1;
                        if let Some(at) = header_after_line_break(&self.buf[from..]) {
                            self.scanned = 0;
                            let body = self.buf.drain(..from + at).skip(body_start).collect();
                            return Some(Frame::Body(body));
                        }
                        // Resume after what was looked at (less the part
                        // of a name that may be cut off).
                        self.scanned = self.buf.len().saturating_sub(HEADER_NAMES[0].len());
                        return None;
                    }
                    self.scanned = 0;
                    let mut body: Vec<u8> =
                        self.buf.drain(..body_start + n).skip(body_start).collect();
                    // A length too large swallowed (part of) the next
                    // frame: what follows the first JSON value, or the
                    // first header name, goes back.
                    if serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err() {
                        let mut values = serde_json::Deserializer::from_slice(&body)
                            .into_iter::<serde::de::IgnoredAny>();
                        let at = match values.next() {
                            Some(Ok(_)) => Some(values.byte_offset()),
                            _ => find_header(&body).or_else(|| header_start_at_end(&body)),
                        };
                        if let Some(at) = at {
                            let rest = body.split_off(at);
                            self.buf.splice(0..0, rest);
                        }
                    }
                    return Some(Frame::Body(body));
                }
            }
        }
    }

    /// At the end of input: what was left unframed, if anything.
    pub fn finish(&mut self) -> Option<String> {
        let partial = self.buf.iter().any(|b| !b.is_ascii_whitespace());
        self.buf.clear();
        self.dropped
            .take()
            .or_else(|| partial.then(|| "Parse error: the input ended inside a message".into()))
    }
}

/// Where the first header name that follows a raw line feed starts.
fn header_after_line_break(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(nl) = bytes[from..].iter().position(|&b| b == b'\n') {
        let at = from + nl + 1;
        let rest = &bytes[at..];
        if HEADER_NAMES
            .iter()
            .any(|name| rest.len() >= name.len() && rest[..name.len()].eq_ignore_ascii_case(name))
        {
            return Some(at);
        }
        from = at;
    }
    None
}

/// Where the start of a header name that the body's end cut off begins
/// (`…\r\n\r\nCo`: a length a few bytes too large took the first bytes of
/// the next message's header), if the body ends with one after a line
/// break or a closing brace.
fn header_start_at_end(body: &[u8]) -> Option<usize> {
    let longest = HEADER_NAMES.iter().map(|n| n.len()).max().unwrap_or(0);
    (1..=body.len().min(longest)).rev().find_map(|k| {
        let at = body.len() - k;
        let tail = &body[at..];
        let names_it = HEADER_NAMES
            .iter()
            .any(|name| name.len() > k && name[..k].eq_ignore_ascii_case(tail));
        let after_break = at == 0 || matches!(body[at - 1], b'\n' | b'\r' | b'}');
        (names_it && after_break).then_some(at)
    })
}

/// A header field name: an HTTP token (letters, digits, `-` and the like).
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The body length a header block gives.
fn parse_header(block: &[u8]) -> Result<usize, String> {
    let text = std::str::from_utf8(block)
        .ok()
        .filter(|t| t.is_ascii())
        .ok_or("Parse error: a header is not ASCII")?;
    let mut length = None;
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        let Some((name, value)) = line
            .split_once(':')
            .filter(|(name, _)| is_header_name(name))
        else {
            return Err(format!(
                "Parse error: `{}` is not a header",
                line.chars().take(40).collect::<String>()
            ));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            match value.trim().parse::<usize>() {
                Ok(n) if length.is_none() => length = Some(n),
                _ => return Err("Parse error: invalid Content-Length header".into()),
            }
        }
    }
    length.ok_or_else(|| "Parse error: missing Content-Length header".into())
}

fn error(id: &Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// Whether a body is a JSON-RPC message the library will accept.
fn check(body: &[u8]) -> Result<(), Value> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| error(&Value::Null, -32700, &format!("Parse error: {e}")))?;
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    let Some(object) = value.as_object() else {
        return Err(error(
            &Value::Null,
            -32600,
            "Invalid request: not an object",
        ));
    };
    if object.get("jsonrpc") != Some(&json!("2.0")) {
        return Err(error(
            &id,
            -32600,
            "Invalid request: `jsonrpc` must be \"2.0\"",
        ));
    }
    let id_ok = object
        .get("id")
        .is_none_or(|i| i.is_string() || i.is_i64() || i.is_u64() || i.is_null());
    let is_call = object.get("method").is_some_and(Value::is_string);
    let is_response = object.contains_key("result") || object.contains_key("error");
    let params_ok = object
        .get("params")
        .is_none_or(|p| p.is_object() || p.is_array() || p.is_null());
    if !id_ok || !(is_call || is_response) || !params_ok {
        return Err(error(&id, -32600, "Invalid request"));
    }
    Ok(())
}

async fn write_frame(out: &mut (impl AsyncWrite + Unpin), body: &[u8]) -> std::io::Result<()> {
    out.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await?;
    out.write_all(body).await?;
    out.flush().await
}

/// Copies the server's frames and the error responses to stdout.
async fn write_out(mut from_server: DuplexStream, mut errors: mpsc::UnboundedReceiver<Vec<u8>>) {
    let mut stdout = tokio::io::stdout();
    let mut framer = Framer::default();
    let mut chunk = vec![0u8; 1 << 16];
    let (mut server_open, mut errors_open) = (true, true);
    loop {
        // Whole frames the server wrote go out first.
        while let Some(frame) = framer.next_frame() {
            if let Frame::Body(body) = frame
                && write_frame(&mut stdout, &body).await.is_err()
            {
                return;
            }
        }
        let body = tokio::select! {
            n = read_some(&mut from_server, &mut chunk), if server_open => {
                match n {
                    Some(n) => framer.push(&chunk[..n]),
                    None => server_open = false,
                }
                continue;
            }
            body = errors.recv(), if errors_open => {
                let Some(body) = body else {
                    errors_open = false;
                    continue;
                };
                body
            }
            else => return,
        };
        if write_frame(&mut stdout, &body).await.is_err() {
            return;
        }
    }
}

async fn read_some(input: &mut (impl AsyncRead + Unpin), chunk: &mut [u8]) -> Option<usize> {
    match input.read(chunk).await {
        Ok(0) | Err(_) => None,
        Ok(n) => Some(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    const A: &str = r#"{"jsonrpc":"2.0","id":1,"method":"a"}"#;
    const B: &str = r#"{"jsonrpc":"2.0","id":2,"method":"b","params":{"t":"é"}}"#;

    /// Feeds `input` in pieces of `step` bytes; returns every frame.
    fn frames(input: &[u8], step: usize) -> Vec<Frame> {
        let mut f = Framer::default();
        let mut out = Vec::new();
        for piece in input.chunks(step.max(1)) {
            f.push(piece);
            while let Some(frame) = f.next_frame() {
                out.push(frame);
            }
            assert!(f.buf.len() <= MAX_HEADER + MAX_BODY + 64);
        }
        if let Some(why) = f.finish() {
            out.push(Frame::Garbage(why));
        }
        out
    }

    fn bodies(frames: &[Frame]) -> Vec<String> {
        frames
            .iter()
            .filter_map(|f| match f {
                Frame::Body(b) => Some(String::from_utf8_lossy(b).into_owned()),
                Frame::Garbage(_) => None,
            })
            .collect()
    }

    fn garbage(frames: &[Frame]) -> usize {
        frames
            .iter()
            .filter(|f| matches!(f, Frame::Garbage(_)))
            .count()
    }

    #[test]
    fn frames_split_anywhere_come_out_whole() {
        let mut input = framed(A);
        input.extend(b"\r\n");
        input.extend(framed(B));
        for step in 1..input.len() {
            let out = frames(&input, step);
            assert_eq!(bodies(&out), [A, B], "step {step}");
            assert_eq!(garbage(&out), 0);
        }
    }

    #[test]
    fn headers_with_content_type_and_bare_newlines() {
        let mut input = format!(
            "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: {}\r\n\r\n{A}",
            A.len()
        )
        .into_bytes();
        input.extend(format!("content-length: {}\n\n{B}", B.len()).as_bytes());
        assert_eq!(bodies(&frames(&input, 7)), [A, B]);
    }

    #[test]
    fn a_non_utf8_header_is_one_error_and_the_stream_goes_on() {
        let mut input = b"Content-Length: 4\xff\r\n\r\n{}{}".to_vec();
        input.extend(framed(A));
        let out = frames(&input, 5);
        assert_eq!(bodies(&out), [A]);
        assert_eq!(garbage(&out), 1);
    }

    #[test]
    fn a_header_without_an_end_is_bounded_and_skipped() {
        let mut f = Framer::default();
        f.push(b"Content-Length: 10");
        let filler = vec![b'x'; 1 << 16];
        for _ in 0..64 {
            f.push(&filler);
            while f.next_frame().is_some() {}
            assert!(f.buf.len() <= MAX_HEADER, "{} bytes held", f.buf.len());
        }
        f.push(&framed(A));
        let mut out = Vec::new();
        while let Some(frame) = f.next_frame() {
            out.push(frame);
        }
        assert_eq!(bodies(&out), [A]);
        assert_eq!(garbage(&out), 1);
    }

    #[test]
    fn a_wrong_length_costs_one_message_not_the_stream() {
        for wrong in [A.len() - 5, A.len() + 9, A.len() + 40, 3] {
            let mut input = format!("Content-Length: {wrong}\r\n\r\n{A}").into_bytes();
            for _ in 0..20 {
                input.extend(framed(B));
            }
            let out = frames(&input, 13);
            let got = bodies(&out);
            let good = got.iter().filter(|b| b.as_str() == B).count();
            assert_eq!(good, 20, "length {wrong}: {got:?}");
        }
    }

    #[test]
    fn an_oversized_body_is_skipped_without_being_held() {
        let n = MAX_BODY + 1000;
        let mut f = Framer::default();
        f.push(format!("Content-Length: {n}\r\n\r\n").as_bytes());
        let mut out = Vec::new();
        let filler = vec![b' '; 1 << 20];
        let mut sent = 0;
        while sent < n {
            let k = filler.len().min(n - sent);
            f.push(&filler[..k]);
            sent += k;
            while let Some(frame) = f.next_frame() {
                out.push(frame);
            }
            assert!(f.buf.len() < 1 << 21);
        }
        f.push(&framed(A));
        while let Some(frame) = f.next_frame() {
            out.push(frame);
        }
        assert_eq!(garbage(&out), 1);
        assert_eq!(bodies(&out), [A]);
    }

    #[test]
    #[allow(clippy::cast_possible_truncation)]
    fn random_bytes_never_panic_and_stay_bounded() {
        // A small deterministic generator (xorshift): garbage, truncated
        // and valid frames mixed; every valid frame after a clean
        // boundary (garbage without header names) comes out.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..300 {
            let mut input = Vec::new();
            let mut valid = 0;
            for _ in 0..(next() % 12) {
                match next() % 4 {
                    0 => {
                        let n = (next() % 200) as usize;
                        input.extend((0..n).map(|_| {
                            let b = (next() % 256) as u8;
                            if b == b'C' || b == b'c' { b'x' } else { b }
                        }));
                        input.extend(b"\r\n\r\n");
                    }
                    1 => {
                        let mut f = framed(A);
                        f.truncate((next() as usize) % f.len());
                        input.extend(f);
                        input.extend(b"\r\n\r\n");
                    }
                    _ => {
                        input.extend(framed(B));
                        valid += 1;
                    }
                }
            }
            let step = 1 + (next() % 64) as usize;
            let out = frames(&input, step);
            let got = bodies(&out).iter().filter(|b| b.as_str() == B).count();
            assert!(got <= valid);
        }
    }

    /// The transport's fuzz loop: valid messages mutated byte by byte
    /// (flips, inserted and removed bytes, digits of `Content-Length`
    /// changed, header lines doubled), fed in random pieces. Nothing
    /// panics, the buffer stays bounded, every body check answers, and a
    /// valid message sent after the damage and a clean boundary always
    /// comes out. `WARD_FUZZ_CASES=N` (default 2000) runs longer:
    /// `WARD_FUZZ_CASES=10000000 cargo test --release -p ward --bin ward transport_fuzz`.
    #[test]
    #[allow(clippy::cast_possible_truncation)]
    fn transport_fuzz_mutated_frames() {
        let cases: u64 = std::env::var("WARD_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000);
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..cases {
            let mut input = Vec::new();
            for _ in 0..=(next() % 3) {
                input.extend(framed(if next() % 2 == 0 { A } else { B }));
            }
            for _ in 0..=(next() % 4) {
                let n = input.len();
                let at = (next() as usize) % n.max(1);
                match next() % 5 {
                    0 => input[at] ^= 1 << (next() % 8),
                    1 => input.insert(at, (next() % 256) as u8),
                    2 => {
                        let end = (at + 1 + (next() as usize) % 8).min(n);
                        input.drain(at..end);
                    }
                    3 => {
                        // A digit of a length, or a length made huge.
                        if let Some(i) = input.iter().position(u8::is_ascii_digit) {
                            input[i] = b'0' + (next() % 10) as u8;
                            if next() % 4 == 0 {
                                input.splice(i..i, b"99999999999".iter().copied());
                            }
                        }
                    }
                    _ => {
                        let header = b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n";
                        input.splice(0..0, header.iter().copied());
                    }
                }
            }
            for frame in frames(&input, 1 + (next() % 97) as usize) {
                if let Frame::Body(b) = frame {
                    // Every body gets a message or an error value.
                    let _ = check(&b);
                }
            }
            // After the damage, a clean boundary and a valid message: it
            // comes out (possibly after one error for the damage).
            let mut tail = input.clone();
            tail.extend(b"\r\n\r\n");
            tail.extend(framed(B));
            let out = frames(&tail, 1 + (next() % 97) as usize);
            assert!(
                bodies(&out).last().is_some_and(|b| b == B),
                "the message after {:?} was lost",
                String::from_utf8_lossy(&input)
            );
        }
    }

    #[test]
    fn bad_bodies_get_the_right_error() {
        let code = |b: &[u8]| check(b).err().map(|e| e["error"]["code"].clone());
        assert_eq!(
            code(b"{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": "),
            Some(json!(-32700))
        );
        assert_eq!(code(b"[1, 2]"), Some(json!(-32600)));
        assert_eq!(
            code(b"{\"jsonrpc\": \"1.0\", \"id\": 1, \"method\": \"x\"}"),
            Some(json!(-32600))
        );
        assert_eq!(
            code(b"{\"jsonrpc\": \"2.0\", \"id\": {}, \"method\": \"x\"}"),
            Some(json!(-32600))
        );
        assert_eq!(
            code(b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"x\", \"params\": 5}"),
            Some(json!(-32600))
        );
        assert_eq!(
            code(b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"x\"}"),
            None
        );
        assert_eq!(
            code(b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"result\": null}"),
            None
        );
    }
}
