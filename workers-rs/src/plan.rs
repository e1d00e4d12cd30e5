//! A writer's plan: checked ops, and performing them on an SDK writer.

use std::time::Duration;

use iii_sdk::channel::ChannelWriter;

use crate::digest::{End, Recorder};
use crate::reject::Rejection;
use crate::request::{OpFields, Plan};
use crate::seeded::SeededStream;
use crate::worker::{close_within_grace, log, record_error};

/// The largest single buffer one op may ask for. The schema allows 4 GiB;
/// a request that big must be an error, never an out-of-memory exit.
pub const MAX_BUFFER: u64 = 1 << 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Bytes {
        seed: String,
        offset: u64,
        length: usize,
        chunk: usize,
    },
    Text(String),
    Pause(Duration),
    Close,
    Abort,
    Exit(i32),
}

/// The plan's ops in order, each with exactly one kind set.
pub fn ops(plan: &Plan) -> Result<Vec<Op>, Rejection> {
    plan.ops
        .iter()
        .enumerate()
        .map(|(index, fields)| op(index, fields))
        .collect()
}

fn op(index: usize, fields: &OpFields) -> Result<Op, Rejection> {
    let field = format!("plan.ops[{index}]");
    let set = [
        fields.bytes.is_some(),
        fields.text.is_some(),
        fields.pause.is_some(),
        fields.close.is_some(),
        fields.abort.is_some(),
        fields.exit.is_some(),
    ];
    if set.iter().filter(|set| **set).count() != 1 {
        let detail = "expected exactly one of bytes, text, pause, close, abort, exit";
        return Err(Rejection::invalid(&field, detail));
    }

    if let Some(bytes) = &fields.bytes {
        let single = if bytes.chunk == 0 {
            bytes.length
        } else {
            bytes.chunk.min(bytes.length)
        };
        if u64::from(single) > MAX_BUFFER {
            let detail = format!("{single} bytes in one call exceeds this worker's {MAX_BUFFER}");
            return Err(Rejection::invalid(&format!("{field}.bytes.chunk"), &detail));
        }
        return Ok(Op::Bytes {
            seed: bytes.seed.clone(),
            offset: u64::from(bytes.offset),
            length: bytes.length as usize,
            chunk: bytes.chunk as usize,
        });
    }
    if let Some(text) = &fields.text {
        let repeat = text.repeat.max(1);
        if text.value.len() as u64 * u64::from(repeat) > MAX_BUFFER {
            let detail = format!("the repeated text exceeds this worker's {MAX_BUFFER} bytes");
            return Err(Rejection::invalid(&format!("{field}.text.repeat"), &detail));
        }
        return Ok(Op::Text(text.value.repeat(repeat as usize)));
    }
    if let Some(pause) = &fields.pause {
        return Ok(Op::Pause(Duration::from_millis(u64::from(pause.ms))));
    }
    if fields.close.is_some() {
        return Ok(Op::Close);
    }
    if fields.abort.is_some() {
        return Ok(Op::Abort);
    }
    Ok(Op::Exit(fields.exit.as_ref().map_or(0, |exit| exit.code)))
}

/// One channel a plan is performed on: the SDK writer (`None` once it can
/// take no more: a ref the SDK missed, an SDK error, an abort) and the
/// digest of what was handed to it. `name` is its ref key, the log role.
pub struct Lane {
    pub name: String,
    pub writer: Option<ChannelWriter>,
    pub recorder: Recorder,
}

impl Lane {
    pub fn live(&self) -> bool {
        self.writer.is_some()
    }
}

/// Performs `ops` with awaited SDK calls on every lane, each op on each lane
/// in turn before the next op: one source copied onto every channel. A plain
/// write is a single lane. An SDK error ends that lane's stream, as it would
/// end a user's, and the others go on; an abort drops every writer.
pub async fn perform(cell: &str, ops: &[Op], lanes: &mut [Lane]) {
    for op in ops {
        if !lanes.iter().any(Lane::live) {
            return;
        }
        match op {
            // A pause belongs to the source, not to a channel: sleeping once
            // per lane would stretch a fan-out's timing N-fold.
            Op::Pause(duration) => tokio::time::sleep(*duration).await,
            Op::Exit(code) => {
                log(cell, "writer", format!("exit {code} (plan)"));
                std::process::exit(*code);
            }
            Op::Abort => return abort(cell, lanes),
            _ => {
                for lane in lanes.iter_mut() {
                    perform_on(cell, op, lane).await;
                }
            }
        }
    }
}

/// One bytes, text or close op on one lane; an SDK error ends the lane.
async fn perform_on(cell: &str, op: &Op, lane: &mut Lane) {
    let Lane {
        name,
        writer,
        recorder,
    } = lane;
    let Some(sdk) = writer.as_ref() else {
        return;
    };
    let failed = match op {
        Op::Bytes {
            seed,
            offset,
            length,
            chunk,
        } => write_bytes(sdk, recorder, seed, *offset, *length, *chunk).await,
        Op::Text(text) => {
            recorder.sdk_call();
            recorder.text(text);
            sdk.send_message(text)
                .await
                .map_err(|error| ("text", error))
        }
        Op::Close => {
            recorder.sdk_call();
            let closed = sdk.close().await.map_err(|error| ("close", error));
            if closed.is_ok() {
                recorder.finish(End::Closed);
            }
            closed
        }
        Op::Pause(_) | Op::Abort | Op::Exit(_) => unreachable!("handled by perform"),
    };
    if let Err((stage, error)) = failed {
        record_error(recorder, stage, &error);
        log(
            cell,
            name,
            format!("{stage} failed: {}", error_text(recorder)),
        );
        // Nothing more goes to a stream the SDK failed; the socket is
        // dropped with the writer, as it would be when the handler returns.
        *writer = None;
    }
}

/// Dropping the SDK writer drops its socket without a close frame: the Rust
/// SDK's only way to abandon a stream. Nothing can follow.
fn abort(cell: &str, lanes: &mut [Lane]) {
    for lane in lanes.iter_mut().filter(|lane| lane.live()) {
        lane.writer = None;
        lane.recorder.finish(End::Aborted);
        let bytes = lane.recorder.bytes();
        log(cell, &lane.name, format!("aborted after {bytes} B"));
    }
}

/// Past the deadline: every lane still open ends `timeout` and gets the
/// SDK's close, all at once, so N stalled peers cost one grace and not N.
pub async fn time_out(lanes: &mut [Lane]) {
    let closing: Vec<_> = lanes
        .iter_mut()
        .map(|lane| {
            lane.recorder.finish(End::Timeout);
            tokio::spawn(close_within_grace(lane.writer.take()))
        })
        .collect();
    for close in closing {
        let _ = close.await;
    }
}

async fn write_bytes(
    writer: &ChannelWriter,
    recorder: &mut Recorder,
    seed: &str,
    offset: u64,
    length: usize,
    chunk: usize,
) -> Result<(), (&'static str, iii_sdk::Error)> {
    // chunk 0 means one call; a length of 0 is still one (empty) call.
    let step = if chunk == 0 {
        length
    } else {
        chunk.min(length)
    };
    let mut stream = SeededStream::new(seed, offset);
    let mut buffer = vec![0; step];
    let mut left = length;
    loop {
        let size = step.min(left);
        stream.fill(&mut buffer[..size]);
        recorder.sdk_call();
        recorder.chunk(&buffer[..size]);
        writer
            .write(&buffer[..size])
            .await
            .map_err(|error| ("write", error))?;
        if size > 0 {
            recorder.first_byte();
        }
        left -= size;
        if left == 0 {
            return Ok(());
        }
    }
}

fn error_text(recorder: &Recorder) -> String {
    recorder.error_summary().unwrap_or_default()
}
