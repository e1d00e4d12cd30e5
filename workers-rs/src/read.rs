//! `conformance::<lang>::read`: drain the reader ref in the payload with the
//! SDK reader, the way the request's `ReadSpec` says.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use iii_sdk::Error;
use iii_sdk::channel::ChannelReader;
use iii_sdk::helpers::is_channel_ref;
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::digest::{End, Recorder};
use crate::mismatch::MismatchFinder;
use crate::refs::{self, Lookup, READER_KEYS, READER_PLACEMENTS};
use crate::reject::Rejection;
use crate::request::{ReadRequest, ReadSpec, parse, schema_fields};
use crate::worker::{Shared, deadline, log, record_error};

pub async fn handle(worker: Shared, payload: Value) -> Result<Value, Error> {
    let clock = Instant::now();
    // A bare ref as the whole payload (placement `top`) carries no fields.
    let request: ReadRequest = if is_channel_ref(&payload) {
        ReadRequest::default()
    } else {
        parse("ReadRequest", schema_fields(&payload, &READER_KEYS)?)?
    };
    let cell = request.cell.as_str();
    let spec = request.read.clone().unwrap_or_else(ReadSpec::missing);
    let mut recorder = Recorder::new(clock, "reader", &worker.lang);
    if !spec.expect.is_empty() {
        recorder.expect(finder(&spec));
    }

    let reader = match refs::find(&payload, &READER_PLACEMENTS) {
        Lookup::Found { placement, channel } => {
            let where_ = placement.name;
            log(
                cell,
                "reader",
                format!("{} ({where_})", refs::label(&channel)),
            );
            ChannelReader::new(worker.iii.address(), &channel)
        }
        Lookup::Missed { placement } => {
            let message = refs::missed_message(&placement);
            log(cell, "reader", &message);
            recorder.fail("connect", "REF_NOT_EXTRACTED", &message);
            return Ok(json!({ "digest": recorder.digest() }));
        }
        Lookup::Absent => {
            let detail = "missing channel ref (looked in reader, readers[0], \
                          input.channel.reader and the payload itself)";
            return Err(Rejection::invalid("reader", detail).into());
        }
    };

    let recorder = consume(cell, &reader, &spec, recorder, request.deadline_ms).await;
    Ok(json!({ "digest": recorder.digest() }))
}

fn finder(spec: &ReadSpec) -> MismatchFinder {
    let slices = spec.expect.iter().map(|slice| {
        let (offset, length) = (u64::from(slice.offset), u64::from(slice.length));
        (slice.seed.clone(), offset, length)
    });
    MismatchFinder::new(slices.collect())
}

/// Reads until the stream ends, stops or the deadline passes, and returns
/// the recorder with everything the SDK surfaced.
pub async fn consume(
    cell: &str,
    reader: &ChannelReader,
    spec: &ReadSpec,
    recorder: Recorder,
    deadline_ms: u32,
) -> Recorder {
    // The text callback runs inside the SDK's read calls, so the recorder is
    // shared with it; the lock is never held across an await. `arrived`
    // wakes a TEXTS_ONLY reader, which waits on texts and nothing else.
    let shared = Arc::new(Mutex::new(recorder));
    let arrived = Arc::new(Notify::new());
    let work = async {
        tokio::time::sleep(Duration::from_millis(u64::from(spec.start_delay_ms))).await;
        if spec.texts || spec.texts_only() {
            lock(&shared).sdk_call();
            let (texts, arrived) = (Arc::clone(&shared), Arc::clone(&arrived));
            reader
                .on_message(move |text| {
                    lock(&texts).text(&text);
                    arrived.notify_one();
                })
                .await;
        }
        if spec.texts_only() {
            return wait_for_texts(cell, reader, spec, &shared, &arrived).await;
        }
        lock(&shared).sdk_call();
        if spec.streams() {
            read_stream(cell, reader, spec, &shared).await;
        } else {
            read_all(reader, &shared).await;
        }
    };
    if tokio::time::timeout(deadline(deadline_ms), work)
        .await
        .is_err()
    {
        lock(&shared).finish(End::Timeout);
        // Dropping the socket is all the SDK's reader close does.
        let _ = reader.close().await;
    }

    let recorder = take(shared);
    let (bytes, end) = (recorder.bytes(), recorder.end_name());
    let texts = recorder.text_count();
    log(
        cell,
        "reader",
        format!("{end} after {bytes} B, {texts} texts"),
    );
    recorder
}

/// TEXTS_ONLY: a user who only listens for messages. With the callback
/// registered, nothing else is called (no read, no iteration, no connect:
/// the SDK shows none for this) until `expect_texts` texts have come in;
/// then the SDK's close. The caller's deadline ends a wait that never does.
async fn wait_for_texts(
    cell: &str,
    reader: &ChannelReader,
    spec: &ReadSpec,
    shared: &Arc<Mutex<Recorder>>,
    arrived: &Notify,
) {
    let wanted = spec.expect_texts as usize;
    log(cell, "reader", format!("texts only: waiting for {wanted}"));
    loop {
        let count = lock(shared).text_count();
        if count >= wanted {
            break;
        }
        // notify_one keeps a wake-up that came before this wait.
        arrived.notified().await;
    }
    let _ = reader.close().await;
    lock(shared).finish(End::Stopped);
}

async fn read_all(reader: &ChannelReader, shared: &Arc<Mutex<Recorder>>) {
    let result = reader.read_all().await;
    let mut recorder = lock(shared);
    match result {
        Ok(all) => {
            // read_all surfaces the whole stream as one buffer.
            recorder.chunk(&all);
            if !all.is_empty() {
                recorder.first_byte();
            }
            recorder.finish(End::Closed);
        }
        Err(error) => record_error(&mut recorder, "read", &error),
    }
}

async fn read_stream(
    cell: &str,
    reader: &ChannelReader,
    spec: &ReadSpec,
    shared: &Arc<Mutex<Recorder>>,
) {
    let stop_after = u64::from(spec.stop_after_bytes);
    let chunk_delay = Duration::from_millis(u64::from(spec.chunk_delay_ms));
    let mut first_call = true;
    loop {
        let next = reader.next_binary().await;
        let bytes = {
            let mut recorder = lock(shared);
            match next {
                Ok(Some(chunk)) => {
                    recorder.chunk(&chunk);
                    if !chunk.is_empty() {
                        recorder.first_byte();
                    }
                    recorder.bytes()
                }
                Ok(None) => return recorder.finish(End::Closed),
                Err(error) => {
                    // The first call is also the one that connects.
                    let stage = if first_call { "connect" } else { "read" };
                    return record_error(&mut recorder, stage, &error);
                }
            }
        };
        first_call = false;

        if stop_after > 0 && bytes >= stop_after {
            let _ = reader.close().await;
            lock(shared).finish(End::Stopped);
            log(cell, "reader", format!("stopped after {bytes} B"));
            return;
        }
        if !chunk_delay.is_zero() {
            tokio::time::sleep(chunk_delay).await;
        }
    }
}

fn lock(shared: &Mutex<Recorder>) -> MutexGuard<'_, Recorder> {
    // A panic inside the SDK's callback must not also lose the digest.
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The recorder out of its shared cell. The SDK reader keeps the text
/// callback (and so a handle on the cell) for as long as it lives, hence a
/// swap rather than unwrapping the `Arc`.
fn take(shared: Arc<Mutex<Recorder>>) -> Recorder {
    let mut guard = lock(&shared);
    std::mem::replace(&mut *guard, Recorder::new(Instant::now(), "reader", ""))
}
