//! The language server: transport framing and message dispatch. The input is what a client
//! writes to the server's standard input, after a fixed `initialize` handshake.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use redline_lsp::{ServerOptions, serve};

fn frame(body: &str) -> Vec<u8> {
    let mut res = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    res.extend_from_slice(body.as_bytes());
    res
}

fuzz_target!(|data: &[u8]| {
    let mut input = frame(
        r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{"general":{"positionEncodings":["utf-16"]}}}}"#,
    );
    input.extend(frame(
        r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    ));
    input.extend_from_slice(data);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime needs no resources that can be missing");
    let options = ServerOptions {
        debounce: Duration::ZERO,
    };
    runtime.block_on(async {
        // Invariant: a session on a few kilobytes of input ends when the input does; a hang is
        // a bug the fuzzer reports as a timeout.
        serve(std::io::Cursor::new(input), tokio::io::sink(), options).await;
    });
    runtime.shutdown_timeout(Duration::from_millis(100));
});
