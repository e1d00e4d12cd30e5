//! `conformance::<lang>::relay`: read one channel and write every chunk and
//! text on to another in the order received, closing the output when the
//! input ends. Two digests, so a failure names the hop.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use iii_sdk::Error;
use iii_sdk::channel::{ChannelReader, ChannelWriter};
use serde_json::{Value, json};

use crate::digest::{End, Recorder};
use crate::refs::{self, Lookup, Placement, READER_PLACEMENTS, WRITER};
use crate::reject::Rejection;
use crate::request::{ReadSpec, RelayRequest, parse, schema_fields};
use crate::worker::{Shared, close_within_grace, deadline, log, record_error};
use crate::write::check_style;

/// The input side: its digest and the texts not yet forwarded. Texts reach
/// the SDK callback inside `next_binary`, before the chunk it returns, so
/// forwarding the queue first keeps the received order.
struct Inbound {
    recorder: Recorder,
    pending: VecDeque<String>,
}

pub async fn handle(worker: Shared, payload: Value) -> Result<Value, Error> {
    let clock = Instant::now();
    let fields = schema_fields(&payload, &["reader", "writer"])?;
    let request: RelayRequest = parse("RelayRequest", fields)?;
    check_style(&request.style)?;
    let cell = request.cell.as_str();
    let spec = request.read.clone().unwrap_or_else(ReadSpec::missing);
    check_read(&spec)?;
    let mut input = Recorder::new(clock, "relay-in", &worker.lang);
    let mut output = Recorder::new(clock, "relay-out", &worker.lang);

    let reader = lookup(&payload, READER_PLACEMENTS[0].clone(), &mut input)?;
    let writer = lookup(&payload, WRITER, &mut output)?;
    let address = worker.iii.address();
    if let (Some(reader), Some(writer)) = (reader, writer) {
        let reader = ChannelReader::new(address, &reader);
        let writer = ChannelWriter::new(address, &writer);
        log(cell, "relay", "start");
        let deadline_ms = request.deadline_ms;
        input = relay(
            cell,
            &reader,
            writer,
            &spec,
            input,
            &mut output,
            deadline_ms,
        )
        .await;
        log(
            cell,
            "relay",
            format!("done: {} B in, {} B out", input.bytes(), output.bytes()),
        );
    }
    Ok(json!({ "input": input.digest(), "output": output.digest() }))
}

/// A relay must read the binary side to pass it on, so the contract never
/// asks one for a text-only read; such a request is malformed.
pub fn check_read(spec: &ReadSpec) -> Result<(), Rejection> {
    if spec.texts_only() {
        return Err(Rejection::invalid(
            "read.style",
            "TEXTS_ONLY is a reader-only style: a relay must read the binary side to pass it on",
        ));
    }
    Ok(())
}

fn lookup(
    payload: &Value,
    placement: Placement,
    recorder: &mut Recorder,
) -> Result<Option<iii_sdk::channel::StreamChannelRef>, Rejection> {
    match refs::find(payload, std::slice::from_ref(&placement)) {
        Lookup::Found { channel, .. } => Ok(Some(channel)),
        Lookup::Missed { placement } => {
            recorder.fail(
                "connect",
                "REF_NOT_EXTRACTED",
                &refs::missed_message(&placement),
            );
            Ok(None)
        }
        Lookup::Absent => Err(Rejection::invalid(
            &placement.sdk_path,
            "missing channel ref",
        )),
    }
}

async fn relay(
    cell: &str,
    reader: &ChannelReader,
    writer: ChannelWriter,
    spec: &ReadSpec,
    input: Recorder,
    output: &mut Recorder,
    deadline_ms: u32,
) -> Recorder {
    let inbound = Arc::new(Mutex::new(Inbound {
        recorder: input,
        pending: VecDeque::new(),
    }));
    let work = pump(reader, &writer, spec, &inbound, output);
    if tokio::time::timeout(deadline(deadline_ms), work)
        .await
        .is_err()
    {
        lock(&inbound).recorder.finish(End::Timeout);
        output.finish(End::Timeout);
        log(cell, "relay", format!("timeout after {deadline_ms} ms"));
        let _ = reader.close().await;
        close_within_grace(Some(writer)).await;
    }
    let mut guard = lock(&inbound);
    let empty = Recorder::new(Instant::now(), "relay-in", "");
    std::mem::replace(&mut guard.recorder, empty)
}

async fn pump(
    reader: &ChannelReader,
    writer: &ChannelWriter,
    spec: &ReadSpec,
    inbound: &Arc<Mutex<Inbound>>,
    output: &mut Recorder,
) {
    tokio::time::sleep(Duration::from_millis(u64::from(spec.start_delay_ms))).await;
    if spec.texts {
        lock(inbound).recorder.sdk_call();
        let texts = Arc::clone(inbound);
        reader
            .on_message(move |text| {
                let mut inbound = lock(&texts);
                inbound.recorder.text(&text);
                inbound.pending.push_back(text);
            })
            .await;
    }
    let stop_after = u64::from(spec.stop_after_bytes);
    let chunk_delay = Duration::from_millis(u64::from(spec.chunk_delay_ms));
    let mut first_call = true;
    loop {
        lock(inbound).recorder.sdk_call();
        let next = reader.next_binary().await;
        let texts: Vec<String> = lock(inbound).pending.drain(..).collect();
        for text in texts {
            output.sdk_call();
            output.text(&text);
            if let Err(error) = writer.send_message(&text).await {
                return abandon(reader, inbound, output, "text", &error).await;
            }
        }

        let chunk = match next {
            Ok(Some(chunk)) => chunk,
            Ok(None) => {
                lock(inbound).recorder.finish(End::Closed);
                return close_output(writer, output).await;
            }
            Err(error) => {
                let stage = if first_call { "connect" } else { "read" };
                record_error(&mut lock(inbound).recorder, stage, &error);
                return close_output(writer, output).await;
            }
        };
        first_call = false;
        let consumed = {
            let recorder = &mut lock(inbound).recorder;
            recorder.chunk(&chunk);
            if !chunk.is_empty() {
                recorder.first_byte();
            }
            recorder.bytes()
        };
        output.sdk_call();
        output.chunk(&chunk);
        if let Err(error) = writer.write(&chunk).await {
            return abandon(reader, inbound, output, "write", &error).await;
        }
        if !chunk.is_empty() {
            output.first_byte();
        }

        if stop_after > 0 && consumed >= stop_after {
            let _ = reader.close().await;
            lock(inbound).recorder.finish(End::Stopped);
            return close_output(writer, output).await;
        }
        if !chunk_delay.is_zero() {
            tokio::time::sleep(chunk_delay).await;
        }
    }
}

/// The input ended (cleanly or not): finish the output the way a user's
/// relay would, with the SDK's close.
async fn close_output(writer: &ChannelWriter, output: &mut Recorder) {
    output.sdk_call();
    match writer.close().await {
        Ok(()) => output.finish(End::Closed),
        Err(error) => record_error(output, "close", &error),
    }
}

/// The output failed: stop reading, since nothing more can be passed on.
async fn abandon(
    reader: &ChannelReader,
    inbound: &Arc<Mutex<Inbound>>,
    output: &mut Recorder,
    stage: &str,
    error: &Error,
) {
    record_error(output, stage, error);
    let _ = reader.close().await;
    lock(inbound).recorder.finish(End::Stopped);
}

fn lock(inbound: &Mutex<Inbound>) -> MutexGuard<'_, Inbound> {
    inbound
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
