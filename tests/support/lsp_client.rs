//! A small JSON-RPC client that drives the real `redline lsp` binary over stdio.

use std::collections::VecDeque;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

/// How long to wait for one message before failing the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running server and the messages it sent that nobody consumed yet.
pub struct LspClient {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: mpsc::Receiver<Value>,
    backlog: VecDeque<Value>,
    next_id: i64,
}

/// The `uri` of a file.
pub fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl LspClient {
    /// Starts `redline lsp`, with `REDLINE_TODAY` pinned.
    pub fn start(cwd: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_redline"))
            .args(["lsp", "--stdio"])
            .current_dir(cwd)
            .env("REDLINE_TODAY", "2026-06-01")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the redline binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stdin = child.stdin.take();
        let (sender, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length: ") {
                        length = value.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("every message has a Content-Length")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let message: Value = serde_json::from_slice(&body).expect("the server sends JSON");
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        Self {
            child,
            stdin,
            incoming,
            backlog: VecDeque::new(),
            next_id: 1,
        }
    }

    /// Sends raw bytes as one framed message body.
    /// `initialize` for the workspace folder `root` with the client `capabilities` and
    /// `initializationOptions`, then `initialized`; returns the server's answer.
    pub fn initialize(&mut self, root: &Path, capabilities: Value, options: Value) -> Value {
        let root = file_uri(root);
        let result = self
            .request(
                "initialize",
                json!({
                    "processId": std::process::id(),
                    "rootUri": root,
                    "workspaceFolders": [{"uri": root, "name": "ws"}],
                    "initializationOptions": options,
                    "capabilities": capabilities,
                }),
            )
            .unwrap();
        self.notify("initialized", json!({}));
        result
    }

    pub fn send_raw(&mut self, body: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).expect("the server reads");
        stdin.write_all(body).expect("the server reads");
        stdin.flush().expect("the server reads");
    }

    fn send(&mut self, message: &Value) {
        self.send_raw(message.to_string().as_bytes());
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response: `Ok(result)` or `Err(error)`.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.response(&json!(id))
    }

    /// Waits for the response with `id`.
    pub fn response(&mut self, id: &Value) -> Result<Value, Value> {
        loop {
            let message = self.receive();
            if message.get("method").is_none() && message.get("id") == Some(id) {
                if let Some(error) = message.get("error") {
                    return Err(error.clone());
                }
                return Ok(message.get("result").cloned().unwrap_or(Value::Null));
            }
            self.backlog.push_back(message);
        }
    }

    /// The next message; requests from the server are answered before they are returned.
    fn receive(&mut self) -> Value {
        let message = self
            .incoming
            .recv_timeout(PATIENCE)
            .expect("the server answers in time");
        if let (Some(id), Some(method)) = (
            message.get("id"),
            message.get("method").and_then(Value::as_str),
        ) {
            let result = match method {
                "workspace/configuration" => {
                    let n_items = message["params"]["items"].as_array().map_or(0, Vec::len);
                    Value::Array(vec![Value::Null; n_items])
                }
                _ => Value::Null,
            };
            let reply = json!({"jsonrpc": "2.0", "id": id.clone(), "result": result});
            self.send(&reply);
        }
        message
    }

    /// Waits for the first notification `method` that satisfies `accept`, consuming it and
    /// keeping the others.
    pub fn notification(&mut self, method: &str, accept: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self
            .backlog
            .iter()
            .position(|message| message["method"] == method && accept(&message["params"]))
        {
            let message = self.backlog.remove(index).expect("the index is in range");
            return message["params"].clone();
        }
        loop {
            let message = self.receive();
            if message["method"] == method && accept(&message["params"]) {
                return message["params"].clone();
            }
            self.backlog.push_back(message);
        }
    }

    /// Waits for the diagnostics of `uri` at `version` (`Value::Null` for a file that is not open).
    pub fn diagnostics(&mut self, uri: &str, version: Value) -> Vec<Value> {
        let params = self.notification("textDocument/publishDiagnostics", |params| {
            params["uri"] == uri && params.get("version").cloned().unwrap_or(Value::Null) == version
        });
        params["diagnostics"]
            .as_array()
            .expect("diagnostics are an array")
            .clone()
    }

    /// Whether the backlog holds a message satisfying `accept` (without waiting).
    pub fn saw(&self, accept: impl Fn(&Value) -> bool) -> bool {
        self.backlog.iter().any(accept)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes the server's standard input, as a client that died would.
    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }

    /// Removes and returns every notification `method` received so far, waiting for none.
    pub fn take_received(&mut self, method: &str) -> Vec<Value> {
        while let Ok(message) = self.incoming.try_recv() {
            self.backlog.push_back(message);
        }
        let (res, rest) = self
            .backlog
            .drain(..)
            .partition(|message| message["method"] == method);
        self.backlog = rest;
        res.into_iter()
            .map(|message| message["params"].clone())
            .collect()
    }

    /// Sends `shutdown` and `exit` and returns how the process ended.
    pub fn shutdown(mut self) -> ExitStatus {
        assert_eq!(self.request("shutdown", Value::Null), Ok(Value::Null));
        self.notify("exit", Value::Null);
        self.stdin.take();
        self.wait()
    }

    /// Waits for the process to end.
    pub fn wait(&mut self) -> ExitStatus {
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().expect("the process can be waited on") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the server did not exit");
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Applies LSP text edits to `text`, with positions in UTF-16 or UTF-8 code units.
pub fn apply_edits(text: &str, edits: &[Value], utf8: bool) -> String {
    let mut edits: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|edit| {
            (
                offset(text, &edit["range"]["start"], utf8),
                offset(text, &edit["range"]["end"], utf8),
                edit["newText"]
                    .as_str()
                    .expect("newText is a string")
                    .to_owned(),
            )
        })
        .collect();
    edits.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
    let mut res = text.to_owned();
    for (start, end, new_text) in edits {
        res.replace_range(start..end, &new_text);
    }
    res
}

/// The byte offset of an LSP position in `text` (lines end at `\n`).
pub fn offset(text: &str, position: &Value, utf8: bool) -> usize {
    let line = position["line"].as_u64().expect("line") as usize;
    let character = position["character"].as_u64().expect("character") as usize;
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let line_text = text[line_start..].split('\n').next().unwrap_or_default();
    let mut units = 0;
    for (index, c) in line_text.char_indices() {
        if units >= character {
            return line_start + index;
        }
        units += if utf8 { c.len_utf8() } else { c.len_utf16() };
    }
    line_start + line_text.len()
}
