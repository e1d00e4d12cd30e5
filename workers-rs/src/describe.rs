//! `conformance::<lang>::describe`: who this worker is and what its SDK can do.

use iii_sdk::Error;
use serde_json::{Value, json};

use crate::worker::Shared;

/// Contract version this worker implements (docs/worker-contract.md).
pub const CONTRACT_VERSION: &str = "1";

/// The iii-sdk version Cargo resolved for this build (see build.rs).
pub const SDK_VERSION: &str = env!("III_SDK_VERSION");

pub async fn handle(worker: Shared, _payload: Value) -> Result<Value, Error> {
    Ok(description(&worker.lang))
}

pub fn description(lang: &str) -> Value {
    json!({
        "lang": lang,
        "contract_version": CONTRACT_VERSION,
        "worker_version": env!("CARGO_PKG_VERSION"),
        "sdk": { "name": "iii-sdk (crates.io)", "version": SDK_VERSION },
        "capabilities": {
            // ChannelWriter's write/send_message/close are async fns with no
            // fire-and-forget form, so only the awaited style is offered.
            "write_styles": ["AWAITED"],
            // TEXTS_ONLY is offered because ChannelReader::on_message is the
            // SDK's documented way to listen for texts; whether texts reach
            // it without a read call is what the style tests.
            "read_styles": ["READ_ALL", "STREAM", "TEXTS_ONLY"],
            "exit": true,
            // Dropping a connected ChannelWriter drops its socket without a
            // close frame.
            "abort": true,
            "produce": true,
            "relay": true,
            "text_callback": true,
            // One plan on several ChannelWriters, op by op.
            "fanout": true,
            // Answers are kept by cell in this process, which outlives an
            // engine restart (src/recall.rs).
            "recall": true,
        },
    })
}
