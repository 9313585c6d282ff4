//! Framing between the client's stdio and tower-lsp.
//!
//! tower-lsp-server stops reading after the first message it cannot decode (its framed reader
//! ends on an error), so a single malformed message from the client would end the session.
//! This layer reads the frames itself, answers a body that is not a JSON object with a JSON-RPC
//! parse error, and hands only well-formed messages to tower-lsp.

use std::sync::Arc;

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt as _, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _,
};
use tokio::sync::Mutex;

/// The largest header section accepted before the client is considered broken.
const MAX_HEADER_LINE: usize = 8 * 1024;

/// The largest message body accepted. A larger `Content-Length` is refused before anything is
/// allocated: the body buffer was once allocated at the declared size, and a client declaring
/// exabytes aborted the server.
const MAX_BODY: usize = 256 * 1024 * 1024;

/// One message read from the client.
pub enum Frame {
    /// A body that parses as a JSON value.
    Message(Vec<u8>),
    /// A frame whose headers or body are broken.
    Malformed(String),
}

/// Reads the next frame from the client; `None` at the end of the stream.
pub async fn read_frame(
    reader: &mut (impl AsyncBufRead + Unpin),
) -> std::io::Result<Option<Frame>> {
    Ok(read_body(reader).await?.map(|frame| match frame {
        Frame::Message(body) => match is_json_object(&body) {
            Ok(()) => Frame::Message(body),
            Err(message) => Frame::Malformed(message),
        },
        malformed => malformed,
    }))
}

/// Whether a body is one JSON object, checked without building it.
fn is_json_object(body: &[u8]) -> Result<(), String> {
    match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
        Ok(_) if body.trim_ascii_start().starts_with(b"{") => Ok(()),
        Ok(_) => Err("a message must be a JSON object".to_owned()),
        Err(error) => Err(format!("invalid JSON: {error}")),
    }
}

/// Reads the next frame, whatever its body holds: for the server's own output, which
/// tower-lsp wrote; `None` at the end of the stream.
pub async fn read_body(reader: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Option<Frame>> {
    let mut content_length = None;
    let mut saw_header = false;
    loop {
        let mut line = String::new();
        let read = reader.read_line(&mut line).await?;
        if read == 0 {
            return Ok(None);
        }
        if line.len() > MAX_HEADER_LINE {
            return Ok(Some(Frame::Malformed("header line too long".to_owned())));
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            content_length = value.trim().parse::<usize>().ok();
        }
    }
    let Some(length) = content_length else {
        return Ok(Some(Frame::Malformed(
            "missing or invalid Content-Length header".to_owned(),
        )));
    };
    if length > MAX_BODY {
        return Ok(Some(Frame::Malformed(format!(
            "Content-Length {length} is over the {MAX_BODY}-byte limit"
        ))));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    Ok(Some(Frame::Message(body)))
}

/// The client's end of the connection, shared by every writer of frames.
pub type Output = Arc<Mutex<Box<dyn AsyncWrite + Unpin + Send>>>;

/// Writes the notification `method` with `params`, serialized straight from them: tower-lsp's
/// client builds a `serde_json::Value` of the params first, which for hundreds of diagnostics
/// took longer than writing them.
pub async fn write_notification(
    output: &Output,
    method: &str,
    params: &impl serde::Serialize,
) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct Notification<'a, P> {
        jsonrpc: &'static str,
        method: &'a str,
        params: &'a P,
    }
    let body = serde_json::to_vec(&Notification {
        jsonrpc: "2.0",
        method,
        params,
    })
    .map_err(std::io::Error::other)?;
    write_frame(output, body).await
}

/// Writes one framed message, whole: it is written by a task of its own, which goes on when
/// the task that asked for it is aborted (a newer edit aborts the publishing of an older
/// version's diagnostics). A frame cut off after its header would make every later message
/// unreadable.
pub async fn write_frame(output: &Output, body: Vec<u8>) -> std::io::Result<()> {
    let output = Arc::clone(output);
    tokio::spawn(async move {
        let mut writer = output.lock().await;
        writer
            .write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
            .await?;
        writer.write_all(&body).await?;
        writer.flush().await
    })
    .await
    .map_err(std::io::Error::other)?
}

/// What a placeholder result id starts with: a control character, which no result id of a
/// report holds (`server::result_id` makes them of digits, dots and hex).
const SPLICE_MARKER: &str = "\u{1}splice:";
/// The same, as serde_json writes it inside a JSON string.
const SPLICE_MARKER_JSON: &[u8] = b"\\u0001splice:";
/// A placeholder response is a few dozen bytes; larger bodies are not searched for one.
const MAX_PLACEHOLDER: usize = 512;
/// How many spliced results are kept waiting for their placeholder. A placeholder follows its
/// result within a few frames; one never written (its request was cancelled after the result
/// was made) is dropped once this many newer ones are waiting.
const MAX_WAITING: usize = 64;

/// Results serialized by a handler, written in place of the placeholder it returned to
/// tower-lsp.
///
/// tower-lsp turns a handler's return value into a `serde_json::Value`, writes that, and frees
/// it: for a pulled report of hundreds of diagnostics, three times the work of serializing the
/// report itself. A handler that answers with such a report serializes it straight to bytes
/// (`Splices::placeholder`) and returns the small placeholder instead, so that tower-lsp still
/// orders, cancels and numbers the response; the writer between tower-lsp and the client puts
/// the bytes in the placeholder's place (`Splices::splice`).
#[derive(Default)]
pub struct Splices {
    next: std::sync::atomic::AtomicU64,
    waiting: std::sync::Mutex<std::collections::VecDeque<(u64, Vec<u8>)>>,
}

impl Splices {
    /// Keeps `result` serialized, and returns the result id of the placeholder to answer with.
    pub fn placeholder(&self, result: &impl serde::Serialize) -> serde_json::Result<String> {
        let body = serde_json::to_vec(result)?;
        let token = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut waiting = self
            .waiting
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if waiting.len() >= MAX_WAITING {
            waiting.pop_front();
        }
        waiting.push_back((token, body));
        Ok(format!("{SPLICE_MARKER}{token}"))
    }

    /// The response tower-lsp wrote as `body`, with a placeholder's result put back: the
    /// response with the serialized result in its place, or, if that result is gone, an error
    /// that makes the client ask again. Any other body is returned as it is.
    pub fn splice(&self, body: Vec<u8>) -> Vec<u8> {
        if body.len() > MAX_PLACEHOLDER
            || !body
                .windows(SPLICE_MARKER_JSON.len())
                .any(|window| window == SPLICE_MARKER_JSON)
        {
            return body;
        }
        let Ok(response) = serde_json::from_slice::<serde_json::Value>(&body) else {
            return body;
        };
        let Some(token) = placeholder_token(&response["result"]) else {
            return body;
        };
        let id = serde_json::to_string(&response["id"]).unwrap_or_else(|_| "null".to_owned());
        let result = {
            let mut waiting = self
                .waiting
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            let index = waiting.iter().position(|(waiting, _)| *waiting == token);
            index.and_then(|index| waiting.remove(index))
        };
        let Some((_, result)) = result else {
            // -32801 (ContentModified): the client pulls again.
            return format!(
                r#"{{"jsonrpc":"2.0","error":{{"code":-32801,"message":"the report was dropped before it was sent; ask again"}},"id":{id}}}"#
            )
            .into_bytes();
        };
        let mut res = Vec::with_capacity(result.len() + id.len() + 40);
        res.extend_from_slice(br#"{"jsonrpc":"2.0","result":"#);
        res.extend_from_slice(&result);
        res.extend_from_slice(br#","id":"#);
        res.extend_from_slice(id.as_bytes());
        res.push(b'}');
        res
    }
}

/// The token of a placeholder result: one whose `resultId` is `SPLICE_MARKER` and a number.
fn placeholder_token(result: &serde_json::Value) -> Option<u64> {
    result["resultId"]
        .as_str()?
        .strip_prefix(SPLICE_MARKER)?
        .parse()
        .ok()
}

/// The JSON-RPC answer to a frame that could not be parsed.
pub fn parse_error(message: &str) -> Vec<u8> {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": -32700, "message": format!("parse error: {message}")}
    })
    .to_string()
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame found by the `lsp` fuzz target: a huge `Content-Length` is refused, not
    /// allocated.
    #[test]
    fn a_huge_content_length_is_malformed() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime needs nothing that can be missing");
        let input = b"Content-Length: 18446744073709551615\r\n\r\n{}";
        let frame = runtime.block_on(read_frame(&mut &input[..]));
        assert!(matches!(frame, Ok(Some(Frame::Malformed(message))) if message.contains("limit")));
    }

    /// Only a body that is one JSON object goes on to tower-lsp.
    #[test]
    fn only_a_json_object_is_a_message() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime needs nothing that can be missing");
        let frame = |body: &str| {
            let input = format!("Content-Length: {}\r\n\r\n{body}", body.len());
            runtime.block_on(read_frame(&mut input.as_bytes()))
        };
        assert!(matches!(
            frame(" {\"a\": [1]}"),
            Ok(Some(Frame::Message(_)))
        ));
        for (body, expected) in [
            ("[1]", "JSON object"),
            ("\"{\"", "JSON object"),
            ("{\"a\": ", "invalid JSON"),
            ("{} {}", "invalid JSON"),
        ] {
            assert!(
                matches!(frame(body), Ok(Some(Frame::Malformed(ref message))) if message.contains(expected)),
                "{body}"
            );
        }
    }
    /// A placeholder response gets its result back, under the request's own id; other bodies
    /// pass as they are.
    #[test]
    fn a_placeholder_is_replaced_by_its_result() {
        let splices = Splices::default();
        let result =
            serde_json::json!({"kind": "full", "resultId": "3.ab", "items": [{"message": "x"}]});
        for id in [serde_json::json!(7), serde_json::json!("seven")] {
            let placeholder = splices
                .placeholder(&result)
                .expect("a JSON value serializes");
            let body = serde_json::to_vec(&serde_json::json!({
                "jsonrpc": "2.0",
                "result": {"kind": "full", "resultId": placeholder, "items": []},
                "id": id,
            }))
            .expect("a JSON value serializes");
            let spliced: serde_json::Value =
                serde_json::from_slice(&splices.splice(body)).expect("the splice is JSON");
            assert_eq!(
                spliced,
                serde_json::json!({"jsonrpc": "2.0", "result": result, "id": id})
            );
        }
        let other =
            br#"{"jsonrpc":"2.0","result":{"kind":"full","resultId":"1.2","items":[]},"id":1}"#;
        assert_eq!(splices.splice(other.to_vec()), other.to_vec());
    }

    /// A placeholder whose result was dropped (too many newer ones waited) is answered with an
    /// error that makes the client ask again, never with the placeholder's empty report.
    #[test]
    fn a_placeholder_without_its_result_asks_again() {
        let splices = Splices::default();
        let first = splices.placeholder(&1).expect("a number serializes");
        for _ in 0..MAX_WAITING {
            splices.placeholder(&2).expect("a number serializes");
        }
        let body = serde_json::to_vec(&serde_json::json!({
            "jsonrpc": "2.0", "result": {"resultId": first, "items": []}, "id": 4,
        }))
        .expect("a JSON value serializes");
        let answer: serde_json::Value =
            serde_json::from_slice(&splices.splice(body)).expect("the answer is JSON");
        assert_eq!(answer["error"]["code"], -32801);
        assert_eq!(answer["id"], 4);
        assert_eq!(
            splices
                .waiting
                .lock()
                .map(|waiting| waiting.len())
                .unwrap_or(0),
            MAX_WAITING
        );
    }

    /// A notification whose writer is aborted halfway (a newer edit aborts the publishing of
    /// an older version) is still written whole: the frames after it stay readable.
    #[test]
    fn an_aborted_writer_leaves_no_frame_cut_off() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a current-thread runtime needs nothing that can be missing");
        runtime.block_on(async {
            // A pipe far smaller than the message: the write waits for the reader.
            let (client, server) = tokio::io::duplex(64);
            let output: Output = Arc::new(Mutex::new(Box::new(server)));
            let big = "x".repeat(100_000);
            let first = tokio::spawn({
                let output = Arc::clone(&output);
                async move { write_notification(&output, "first", &big).await }
            });
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            first.abort();
            let second = tokio::spawn({
                let output = Arc::clone(&output);
                async move { write_notification(&output, "second", &1).await }
            });
            let mut client = tokio::io::BufReader::new(client);
            for method in ["first", "second"] {
                // A cut-off frame would take the next one's bytes as its own, and wait.
                let read = tokio::time::timeout(
                    std::time::Duration::from_secs(10),
                    read_body(&mut client),
                );
                let Ok(Ok(Some(Frame::Message(body)))) = read.await else {
                    panic!("no whole {method} frame");
                };
                let message: serde_json::Value =
                    serde_json::from_slice(&body).expect("a whole JSON message");
                assert_eq!(message["method"], method);
            }
            assert!(second.await.is_ok_and(|written| written.is_ok()));
        });
    }
}
