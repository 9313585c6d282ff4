//! `redline lsp`: the language server.
//!
//! The server keeps every open document as a rope, re-analyses it with `redline_engine::analyze`
//! after a short per-document debounce, off the request loop, and publishes the findings only if
//! the document has not changed meanwhile. Code actions, hover and pull diagnostics are computed
//! from the current version. Protocol types stay in this crate, and positions are converted
//! only in `convert`.

pub mod convert;
mod escape;
mod proto;
mod server;
mod session;
mod settings;
mod transport;

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt as _, BufReader};
use tokio::sync::Mutex;

use tower_lsp_server::{LspService, Server};

pub use settings::Settings;

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum LspError {
    /// The async runtime could not start.
    #[error("cannot start the language server runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// How long handlers still running may take once the client's input has ended.
const CLOSED_INPUT_GRACE: Duration = Duration::from_secs(1);

/// How the server behaves beyond what the client negotiates.
#[derive(Clone, Copy, Debug)]
pub struct ServerOptions {
    /// How long to wait after the last change before analysing; `debounceMs` in the client's
    /// settings overrides it.
    pub debounce: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            debounce: Duration::from_millis(settings::DEFAULT_DEBOUNCE_MS),
        }
    }
}

/// Serves the language server protocol over standard input and output until the client sends
/// `exit` or closes the stream.
pub fn run(options: ServerOptions) -> Result<(), LspError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout(), options));
    // Blocking analyses still running are abandoned: their results would be for a closed session.
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(())
}

/// Serves the language server protocol over `input` and `output` until the client sends `exit`
/// or `input` ends. `run` calls it with standard input and output; the fuzz targets feed it
/// arbitrary bytes.
pub async fn serve<I, O>(input: I, output: O, options: ServerOptions)
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let client_output: transport::Output = Arc::new(Mutex::new(Box::new(output)));
    let (server_input, mut input_pipe) = tokio::io::duplex(1 << 16);
    let (server_output, output_pipe) = tokio::io::duplex(1 << 16);

    let reader_output = Arc::clone(&client_output);
    // Diagnostics are written to the client directly (see `transport::write_notification`).
    let direct_output = Arc::clone(&client_output);
    // Pulled reports are serialized by their handler and put in place of a placeholder on
    // their way out (see `transport::Splices`).
    let splices = Arc::new(transport::Splices::default());
    let writer_splices = Arc::clone(&splices);
    let (input_closed, input_closed_rx) = tokio::sync::oneshot::channel::<()>();
    let reader = tokio::spawn(async move {
        let mut input = BufReader::new(input);
        while let Ok(Some(frame)) = transport::read_frame(&mut input).await {
            let written = match frame {
                transport::Frame::Message(body) => {
                    let header = format!("Content-Length: {}\r\n\r\n", body.len());
                    match input_pipe.write_all(header.as_bytes()).await {
                        Ok(()) => input_pipe.write_all(&body).await,
                        Err(error) => Err(error),
                    }
                }
                transport::Frame::Malformed(message) => {
                    transport::write_frame(&reader_output, transport::parse_error(&message)).await
                }
            };
            if written.is_err() {
                break;
            }
        }
        let _ = input_closed.send(());
    });
    let writer = tokio::spawn(async move {
        let mut output = BufReader::new(output_pipe);
        while let Ok(Some(transport::Frame::Message(body))) =
            transport::read_body(&mut output).await
        {
            let body = writer_splices.splice(body);
            if transport::write_frame(&client_output, body).await.is_err() {
                break;
            }
        }
    });

    let (service, socket) = LspService::new(|client| {
        server::RedlineServer::new(client, options, direct_output, splices)
    });
    let mut serving = Box::pin(Server::new(server_input, server_output, socket).serve(service));
    // tower-lsp waits for every handler still running when the input ends, and a handler that
    // waits for the client's answer to a request (`client/registerCapability`, progress) would
    // then wait forever for a client that is gone. Handlers get a grace period instead.
    tokio::select! {
        () = &mut serving => {}
        () = async {
            let _ = input_closed_rx.await;
            tokio::time::sleep(CLOSED_INPUT_GRACE).await;
        } => {}
    }
    // Dropping the server closes its output half, which ends the writer.
    drop(serving);
    // The server's output half is gone now: the writer drains what is left and stops, or is
    // abandoned after the grace period when nobody reads the output any more.
    let _ = tokio::time::timeout(CLOSED_INPUT_GRACE, writer).await;
    reader.abort();
}
