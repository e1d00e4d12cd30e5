//! `conformance::<lang>::write`: perform a plan on a writer the caller
//! handed over, or (produce) on a channel this worker creates itself.

use std::time::{Duration, Instant};

use iii_sdk::channel::ChannelWriter;
use iii_sdk::helpers::create_channel;
use iii_sdk::protocol::TriggerRequest;
use iii_sdk::{Error, IIIClient};
use serde_json::{Value, json};

use crate::digest::{Digest, End, Recorder};
use crate::plan::{self, Op};
use crate::refs::{self, Lookup};
use crate::reject::Rejection;
use crate::request::{Produce, WriteRequest, parse, schema_fields};
use crate::worker::{Shared, close_within_grace, deadline, lang_of, log, record_error, redact};

/// Extra time the producer gives its reader beyond the shared deadline, so
/// the reader's own `timeout` digest can still come back.
const READER_GRACE: Duration = Duration::from_secs(5);

pub async fn handle(worker: Shared, payload: Value) -> Result<Value, Error> {
    let clock = Instant::now();
    let request: WriteRequest = parse("WriteRequest", schema_fields(&payload, &["writer"])?)?;
    let ops = plan::ops(&request.plan)?;
    check_style(&request.plan.style)?;
    let mut recorder = Recorder::new(clock, "writer", &worker.lang);
    let cell = request.cell.as_str();

    let Some(produce) = &request.produce else {
        let writer = writer_from(&worker.iii, &payload, &mut recorder)?;
        if let Some(writer) = writer {
            log(cell, "writer", format!("start: {} ops", ops.len()));
            run_plan(cell, &ops, writer, &mut recorder, request.deadline_ms).await;
        }
        return Ok(json!({ "digest": recorder.digest() }));
    };

    check_produce(produce)?;
    let mut reader_payload = json!({
        "cell": request.cell,
        "deadline_ms": request.deadline_ms,
    });
    if let Some(read) = payload.pointer("/produce/read") {
        reader_payload["read"] = read.clone();
    }
    let (digest, reader_digest) =
        produce_and_write(&worker, &request, produce, &ops, reader_payload, recorder).await;
    let mut result = json!({ "digest": digest });
    if let Some(reader_digest) = reader_digest {
        result["reader_digest"] = reader_digest;
    }
    Ok(result)
}

pub fn check_style(style: &str) -> Result<(), Rejection> {
    match style {
        "" | "WRITE_STYLE_UNSPECIFIED" | "AWAITED" => Ok(()),
        // ChannelWriter offers only awaited write/send_message/close; there
        // is no documented way to call them without waiting.
        _ => Err(Rejection::unsupported(
            "plan.style",
            &format!("{style} is not offered by the Rust iii-sdk; this worker supports AWAITED"),
        )),
    }
}

fn check_produce(produce: &Produce) -> Result<(), Rejection> {
    if produce.reader_function.is_empty() {
        return Err(Rejection::invalid("produce.reader_function", "required"));
    }
    refs::place(json!({}), &produce.ref_placement, Value::Null)
        .map(|_| ())
        .map_err(|detail| Rejection::invalid("produce.ref_placement", &detail))
}

/// The SDK writer for the request's `writer` ref. `None` when the SDK's
/// helper missed a ref that is there (recorded in the digest).
fn writer_from(
    iii: &IIIClient,
    payload: &Value,
    recorder: &mut Recorder,
) -> Result<Option<ChannelWriter>, Rejection> {
    match refs::find(payload, &[refs::WRITER]) {
        Lookup::Found { channel, .. } => Ok(Some(ChannelWriter::new(iii.address(), &channel))),
        Lookup::Missed { placement } => {
            recorder.fail(
                "connect",
                "REF_NOT_EXTRACTED",
                &refs::missed_message(&placement),
            );
            Ok(None)
        }
        Lookup::Absent => Err(Rejection::invalid(
            "writer",
            "missing channel ref (required unless produce is set)",
        )),
    }
}

/// Runs the plan under the deadline; past it, closes the writer and
/// reports `timeout`.
async fn run_plan(
    cell: &str,
    ops: &[Op],
    writer: ChannelWriter,
    recorder: &mut Recorder,
    deadline_ms: u32,
) {
    let mut writer = Some(writer);
    let performed = plan::perform(cell, ops, &mut writer, recorder);
    if tokio::time::timeout(deadline(deadline_ms), performed)
        .await
        .is_err()
    {
        recorder.finish(End::Timeout);
        close_within_grace(writer).await;
    }
    let (end, bytes) = (recorder.end_name(), recorder.bytes());
    log(cell, "writer", format!("{end} after {bytes} B"));
}

/// Producer ownership: create the channel, trigger the reader with its ref
/// and perform the plan at the same time, then return both digests.
async fn produce_and_write(
    worker: &Shared,
    request: &WriteRequest,
    produce: &Produce,
    ops: &[Op],
    fields: Value,
    mut recorder: Recorder,
) -> (Digest, Option<Value>) {
    let cell = request.cell.as_str();
    let buffer_size = (produce.buffer_size > 0).then_some(produce.buffer_size as usize);
    recorder.sdk_call();
    let channel = match create_channel(&worker.iii, buffer_size).await {
        Ok(channel) => channel,
        Err(error) => {
            record_error(&mut recorder, "connect", &error);
            log(cell, "writer", "create_channel failed");
            return (recorder.digest(), None);
        }
    };
    log(
        cell,
        "writer",
        format!("created {}", refs::label(&channel.writer_ref)),
    );

    let reader_ref = serde_json::to_value(&channel.reader_ref).unwrap_or(Value::Null);
    let reader_payload = refs::place(fields, &produce.ref_placement, reader_ref)
        .expect("placement checked before the channel was created");
    let timeout = deadline(request.deadline_ms) + READER_GRACE;
    let trigger = worker.iii.trigger(TriggerRequest {
        function_id: produce.reader_function.clone(),
        payload: reader_payload,
        action: None,
        timeout_ms: Some(timeout.as_millis() as u64),
    });
    let write = run_plan(
        cell,
        ops,
        channel.writer,
        &mut recorder,
        request.deadline_ms,
    );
    let (read, ()) = tokio::join!(trigger, write);

    let reader_digest = match read {
        Ok(result) => result.get("digest").cloned(),
        Err(error) => Some(failed_reader(&produce.reader_function, &error)),
    };
    (recorder.digest(), reader_digest)
}

/// Stands in for the digest of a reader whose invocation failed, so the
/// report names the hop; its numbers say nothing was read.
fn failed_reader(function_id: &str, error: &Error) -> Value {
    let mut recorder = Recorder::new(Instant::now(), "reader", &lang_of(function_id));
    let message = format!(
        "no digest from {function_id}: {}",
        redact(&error.to_string())
    );
    recorder.fail("read", &crate::worker::error_code(error), &message);
    let mut digest = recorder.digest();
    // The peak memory would be this process's, not the reader's.
    digest.rss_peak_kib = 0;
    serde_json::to_value(digest).unwrap_or(Value::Null)
}
