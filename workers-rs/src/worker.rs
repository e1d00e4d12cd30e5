//! What every handler shares: the SDK client, the language tag, the answers
//! kept for recall, logging, deadlines and how SDK errors are named in digests.

use std::sync::Arc;
use std::time::Duration;

use iii_sdk::channel::ChannelWriter;
use iii_sdk::{Error, IIIClient};

use crate::digest::Recorder;
use crate::recall::RecallStore;

pub struct Worker {
    pub iii: IIIClient,
    pub lang: String,
    /// What the write, read and relay calls answered, by cell, for when an
    /// engine restart keeps those answers from the caller (src/recall.rs).
    pub recall: RecallStore,
}

pub type Shared = Arc<Worker>;

/// A request without a deadline still ends: an unclaimed channel end is
/// swept by the engine after about 5 minutes, so waiting longer only pins a
/// task on a stream nobody will finish.
const NO_DEADLINE: Duration = Duration::from_secs(600);

/// How long a close may take when the deadline already passed. The SDK's
/// close waits for the socket, which a stalled peer may never drain.
pub const CLOSE_GRACE: Duration = Duration::from_secs(1);

pub fn deadline(ms: u32) -> Duration {
    if ms == 0 {
        NO_DEADLINE
    } else {
        Duration::from_millis(u64::from(ms))
    }
}

/// One lifecycle line on stderr, tagged with the cell id and the role.
pub fn log(cell: &str, role: &str, message: impl std::fmt::Display) {
    let cell = if cell.is_empty() { "?" } else { cell };
    eprintln!("[cell {cell}] {role}: {message}");
}

/// A stable code for an SDK error: the remote code when there is one, else
/// the variant's name.
pub fn error_code(error: &Error) -> String {
    match error {
        Error::NotConnected => "NotConnected".into(),
        Error::Timeout => "Timeout".into(),
        Error::Runtime(_) => "Runtime".into(),
        Error::Remote { code, .. } => code.clone(),
        Error::Handler(_) => "Handler".into(),
        Error::Serde(_) => "Serde".into(),
        Error::WebSocket(_) => "WebSocket".into(),
        Error::RegistrationRejected { code, .. } => code.clone(),
    }
}

/// An SDK error's text with any `key=` query value blanked: the channel
/// URL carries the access key, and error texts may quote URLs.
pub fn redact(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("key=") {
        out.push_str(&rest[..at + 4]);
        out.push_str("<redacted>");
        rest = &rest[at + 4..];
        let end = rest
            .find(|c: char| c == '&' || c == '"' || c.is_whitespace())
            .unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Records an SDK failure at `stage` in the digest.
pub fn record_error(recorder: &mut Recorder, stage: &str, error: &Error) {
    recorder.fail(stage, &error_code(error), &redact(&error.to_string()));
}

/// Closes a writer after a deadline, bounded so a stalled peer cannot hold
/// the handler past its own timeout.
pub async fn close_within_grace(writer: Option<ChannelWriter>) {
    if let Some(writer) = writer {
        let _ = tokio::time::timeout(CLOSE_GRACE, writer.close()).await;
    }
}

/// The language tag in a function id such as `conformance::py::read`.
pub fn lang_of(function_id: &str) -> String {
    function_id.split("::").nth(1).unwrap_or("").to_string()
}
