//! A writer's plan: checked ops, and performing them on an SDK writer.

use std::time::Duration;

use iii_sdk::channel::ChannelWriter;

use crate::digest::{End, Recorder};
use crate::reject::Rejection;
use crate::request::{OpFields, Plan};
use crate::seeded::SeededStream;
use crate::worker::{log, record_error};

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

/// Performs `ops` on `writer` with awaited SDK calls, recording every call.
/// An SDK error ends the plan, as it would end a user's stream, and so does
/// an abort (which drops the writer, leaving `None`).
pub async fn perform(
    cell: &str,
    ops: &[Op],
    writer: &mut Option<ChannelWriter>,
    recorder: &mut Recorder,
) {
    for op in ops {
        if let Op::Pause(duration) = op {
            tokio::time::sleep(*duration).await;
            continue;
        }
        if let Op::Exit(code) = op {
            log(cell, "writer", format!("exit {code} (plan)"));
            std::process::exit(*code);
        }
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
            Op::Abort => {
                // Dropping the SDK writer drops its socket without a close
                // frame: the Rust SDK's only way to abandon a stream.
                *writer = None;
                recorder.finish(End::Aborted);
                log(
                    cell,
                    "writer",
                    format!("aborted after {} B", recorder.bytes()),
                );
                // Nothing can follow: the stream is gone.
                return;
            }
            Op::Pause(_) | Op::Exit(_) => unreachable!("handled above"),
        };
        if let Err((stage, error)) = failed {
            record_error(recorder, stage, &error);
            log(
                cell,
                "writer",
                format!("{stage} failed: {}", error_text(recorder)),
            );
            return;
        }
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
