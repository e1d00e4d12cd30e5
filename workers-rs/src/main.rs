//! Starts the conformance worker: connect with the SDK, register the five
//! functions, and live until stdin closes or a SIGTERM/SIGINT arrives.

use std::future::Future;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use conformance_worker::recall::{Call, RecallStore, remembered};
use conformance_worker::worker::{Shared, Worker};
use conformance_worker::{describe, read, recall, relay, write};
use iii_sdk::{Error, InitOptions, RegisterFunction, register_worker};
use serde_json::Value;
use tokio::signal::unix::{SignalKind, signal};

const ROLE: &str = "[worker rs]";

#[tokio::main]
async fn main() {
    // Never let the SDK fall back to its default engine address: a worker
    // the harness did not point anywhere must not connect anywhere.
    let Some(url) = std::env::var("III_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
    else {
        eprintln!("{ROLE} III_URL is not set; set it to the engine's worker WebSocket URL");
        std::process::exit(2);
    };
    let lang = std::env::var("III_CONFORMANCE_LANG")
        .ok()
        .filter(|lang| !lang.is_empty())
        .unwrap_or_else(|| "rs".into());

    // Installed before anything can announce the worker: a SIGTERM that
    // follows the "registered" line must find our handler, not the default
    // one that kills the process without shutting the SDK down.
    let exit = ExitSignal::install();

    // III_WORKER_NAME and OTEL_ENABLED are read by the SDK itself.
    let iii = register_worker(&url, InitOptions::default());
    let worker: Shared = Arc::new(Worker {
        iii: iii.clone(),
        lang,
        recall: RecallStore::default(),
    });
    register(&worker, "describe", describe::handle);
    // Write, read and relay answers are also kept for recall: an engine
    // restart loses them on the way to the caller.
    register(&worker, "write", |worker, payload| {
        remembered(Call::Write, worker, payload, write::handle)
    });
    register(&worker, "read", |worker, payload| {
        remembered(Call::Read, worker, payload, read::handle)
    });
    register(&worker, "relay", |worker, payload| {
        remembered(Call::Relay, worker, payload, relay::handle)
    });
    register(&worker, "recall", recall::handle);
    let shown = url.split('?').next().unwrap_or_default();
    eprintln!(
        "{ROLE} registered conformance::{}::{{describe,write,read,relay,recall}} at {shown} (iii-sdk {})",
        worker.lang,
        describe::SDK_VERSION
    );

    let reason = exit.wait().await;
    eprintln!("{ROLE} {reason}: shutting down");
    // shutdown() joins the SDK's connection thread, which also removes the
    // marker file it keeps for `iii ps`; bounded so exit is never held up.
    let joined = tokio::task::spawn_blocking(move || iii.shutdown());
    let _ = tokio::time::timeout(Duration::from_secs(2), joined).await;
    std::process::exit(0);
}

fn register<F, Fut>(worker: &Shared, name: &str, handler: F)
where
    F: Fn(Shared, Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, Error>> + Send + 'static,
{
    let id = format!("conformance::{}::{name}", worker.lang);
    let shared = Arc::clone(worker);
    let registration =
        RegisterFunction::new_async(move |input: Value| handler(Arc::clone(&shared), input));
    worker.iii.register_function(id, registration);
}

/// What ends the worker: the harness letting go of stdin, or a signal.
struct ExitSignal {
    eof: tokio::sync::oneshot::Receiver<()>,
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl ExitSignal {
    fn install() -> Self {
        let (eof_tx, eof) = tokio::sync::oneshot::channel();
        // A plain thread: a blocked read on tokio's stdin would keep the
        // runtime from shutting down on a signal.
        std::thread::spawn(move || {
            let mut sink = [0u8; 4096];
            let mut stdin = std::io::stdin().lock();
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
            let _ = eof_tx.send(());
        });
        Self {
            eof,
            term: signal(SignalKind::terminate()).expect("SIGTERM handler installs"),
            int: signal(SignalKind::interrupt()).expect("SIGINT handler installs"),
        }
    }

    /// Resolves with the reason once one of them happens.
    async fn wait(mut self) -> &'static str {
        tokio::select! {
            _ = &mut self.eof => "stdin closed",
            _ = self.term.recv() => "SIGTERM",
            _ = self.int.recv() => "SIGINT",
        }
    }
}
