//! Framing between stdio and the protocol library, with one job the
//! library does not do: surviving bad input. `tower-lsp-server` answers a
//! malformed message with a parse error and then stops reading (its framed
//! stream ends after the first decode error). So messages are checked
//! here first: well-formed ones pass through unchanged; for the rest this
//! module writes the JSON-RPC error itself (parse error, or invalid request
//! with the message's id) and the server never sees them. Both the
//! server's output and these errors go to stdout through one writer, a
//! whole frame at a time.

use serde_json::{Value, json};
use tokio::io::{
    AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream,
};
use tokio::sync::mpsc;

/// Largest message accepted (a 64 MiB document is already absurd).
const MAX_BODY: usize = 64 << 20;

/// Starts the two pumps; returns the ends the server reads and writes.
pub fn spawn() -> (DuplexStream, DuplexStream) {
    let (server_in, mut to_server) = tokio::io::duplex(1 << 16);
    let (server_out, from_server) = tokio::io::duplex(1 << 16);
    let (errors_tx, errors_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        let mut stdin = BufReader::new(tokio::io::stdin());
        while let Some(frame) = read_frame(&mut stdin).await {
            match frame {
                Ok(body) => match check(&body) {
                    Ok(()) => {
                        if write_frame(&mut to_server, &body).await.is_err() {
                            break;
                        }
                    }
                    Err(error) => {
                        let _ = errors_tx.send(error.to_string().into_bytes());
                    }
                },
                Err(error) => {
                    let _ = errors_tx.send(error.to_string().into_bytes());
                }
            }
        }
        // End of input: the server sees it and stops.
        let _ = to_server.shutdown().await;
    });
    tokio::spawn(write_out(from_server, errors_rx));
    (server_in, server_out)
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

/// The next frame's body, `Err` with the error response for a bad header,
/// `None` at the end of input.
async fn read_frame(input: &mut (impl AsyncBufReadExt + Unpin)) -> Option<Result<Vec<u8>, Value>> {
    let mut length: Option<usize> = None;
    let mut bad_header = false;
    let mut saw_any = false;
    loop {
        let mut line = String::new();
        match input.read_line(&mut line).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_any {
                break;
            }
            continue;
        }
        saw_any = true;
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                match value.trim().parse::<usize>() {
                    Ok(n) if n <= MAX_BODY => length = Some(n),
                    _ => bad_header = true,
                }
            }
        } else {
            bad_header = true;
        }
    }
    let Some(length) = length.filter(|_| !bad_header) else {
        return Some(Err(error(
            &Value::Null,
            -32700,
            "Parse error: missing or invalid Content-Length header",
        )));
    };
    let mut body = vec![0; length];
    input.read_exact(&mut body).await.ok()?;
    Some(Ok(body))
}

async fn write_frame(out: &mut (impl AsyncWrite + Unpin), body: &[u8]) -> std::io::Result<()> {
    out.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await?;
    out.write_all(body).await?;
    out.flush().await
}

/// Copies the server's frames and the error responses to stdout.
async fn write_out(from_server: DuplexStream, mut errors: mpsc::UnboundedReceiver<Vec<u8>>) {
    let mut stdout = tokio::io::stdout();
    let mut from_server = BufReader::new(from_server);
    let (mut server_open, mut errors_open) = (true, true);
    loop {
        let body = tokio::select! {
            frame = read_frame(&mut from_server), if server_open => match frame {
                Some(Ok(body)) => body,
                Some(Err(_)) => continue,
                None => {
                    server_open = false;
                    continue;
                }
            },
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

#[cfg(test)]
mod tests {
    use super::*;

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
