//! `conformance::<lang>::write`: perform a plan on a writer the caller
//! handed over, or (produce) on a channel this worker creates itself.

use std::time::{Duration, Instant};

use iii_sdk::Error;
use iii_sdk::channel::ChannelWriter;
use iii_sdk::helpers::create_channel;
use iii_sdk::protocol::TriggerRequest;
use serde_json::{Value, json};

use crate::digest::{Digest, Recorder};
use crate::fanout;
use crate::plan::{self, Lane, Op};
use crate::refs::{self, Lookup};
use crate::reject::Rejection;
use crate::request::{Produce, WriteRequest};
use crate::worker::{Shared, deadline, lang_of, log, record_error, redact};

/// Extra time the producer gives its reader beyond the shared deadline, so
/// the reader's own `timeout` digest can still come back.
const READER_GRACE: Duration = Duration::from_secs(5);

pub async fn handle(worker: Shared, payload: Value) -> Result<Value, Error> {
    let clock = Instant::now();
    let request = fanout::parse_request(&payload)?;
    let ops = plan::ops(&request.plan)?;
    check_style(&request.plan.style)?;

    let Some(produce) = &request.produce else {
        return Ok(write_to_refs(&worker, &request, &ops, &payload, clock).await?);
    };

    check_produce(produce)?;
    let recorder = Recorder::new(clock, "writer", &worker.lang);
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

/// The plan on the refs the caller handed over: `writer`, or in a fan-out
/// `writer` … `writer_N`, each with its own digest.
async fn write_to_refs(
    worker: &Shared,
    request: &WriteRequest,
    ops: &[Op],
    payload: &Value,
    clock: Instant,
) -> Result<Value, Rejection> {
    let cell = request.cell.as_str();
    let found = fanout::find_refs(payload, fanout::width(request))?;
    let mut lanes: Vec<Lane> = found
        .into_iter()
        .map(|lookup| lane(worker, clock, lookup))
        .collect();
    if lanes.iter().any(Lane::live) {
        let across = match lanes.len() {
            1 => String::new(),
            n => format!(" on {n} channels"),
        };
        log(cell, "writer", format!("start: {} ops{across}", ops.len()));
        run_plan(cell, ops, &mut lanes, request.deadline_ms).await;
    }
    let mut digests = lanes.into_iter().map(|lane| lane.recorder.digest());
    let mut result = json!({ "digest": digests.next() });
    let fanned: Vec<Digest> = digests.collect();
    if !fanned.is_empty() {
        result["fanout"] = json!(fanned);
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

/// The SDK writer for one write ref, with its own digest. A ref the SDK's
/// helper missed although it is there leaves the lane without a writer and
/// says so in the digest.
fn lane(worker: &Shared, clock: Instant, lookup: Lookup) -> Lane {
    let mut recorder = Recorder::new(clock, "writer", &worker.lang);
    match lookup {
        Lookup::Found { placement, channel } => Lane {
            name: placement.sdk_path.into_owned(),
            writer: Some(ChannelWriter::new(worker.iii.address(), &channel)),
            recorder,
        },
        Lookup::Missed { placement } => {
            let message = refs::missed_message(&placement);
            recorder.fail("connect", "REF_NOT_EXTRACTED", &message);
            Lane {
                name: placement.sdk_path.into_owned(),
                writer: None,
                recorder,
            }
        }
        Lookup::Absent => unreachable!("fanout::find_refs rejects an absent ref"),
    }
}

/// Runs the plan under the deadline; past it, closes every writer still
/// open and reports `timeout` for it.
async fn run_plan(cell: &str, ops: &[Op], lanes: &mut [Lane], deadline_ms: u32) {
    let performed = plan::perform(cell, ops, lanes);
    if tokio::time::timeout(deadline(deadline_ms), performed)
        .await
        .is_err()
    {
        plan::time_out(lanes).await;
    }
    for lane in lanes.iter() {
        let (end, bytes) = (lane.recorder.end_name(), lane.recorder.bytes());
        log(cell, &lane.name, format!("{end} after {bytes} B"));
    }
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
    let mut lanes = [Lane {
        name: "writer".into(),
        writer: Some(channel.writer),
        recorder,
    }];
    let write = run_plan(cell, ops, &mut lanes, request.deadline_ms);
    let (read, ()) = tokio::join!(trigger, write);

    let reader_digest = match read {
        Ok(result) => result.get("digest").cloned(),
        Err(error) => Some(failed_reader(&produce.reader_function, &error)),
    };
    let [lane] = lanes;
    (lane.recorder.digest(), reader_digest)
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
