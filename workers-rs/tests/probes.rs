//! Probes of iii-sdk 0.25.0 behaviour that users would see. Each asserts
//! what the SDK does today and says in its name whether that is a finding;
//! when a later SDK changes the behaviour, the probe fails and the finding
//! is re-judged (the same idea as the harness's XFAIL/XPASS).

mod common;

use std::time::Duration;

use common::Setup;
use common::driver::Driver;
use iii_sdk::channel::{ChannelReader, ChannelWriter};
use serde_json::json;

/// A reader that stops early: what does the Rust writer see? The stream is
/// far larger than loopback socket buffers (a few MiB), so the writer cannot
/// finish by filling them before anyone notices the reader left.
async fn reader_stops_early(setup: &Setup) {
    let driver = Driver::connect(setup).await;
    let (writer, reader, _channel) = driver.channel(Some(1)).await;
    let ops = json!([{ "bytes": { "seed": "stop", "length": 33_554_432, "chunk": 65_536 } },
                     { "close": {} }]);
    let write = json!({ "cell": "probe/stop", "plan": { "ops": ops }, "deadline_ms": 8_000,
                        "writer": writer });
    let read = json!({ "cell": "probe/stop", "deadline_ms": 5_000, "reader": reader,
                       "read": { "style": "STREAM", "stop_after_bytes": 65_536 } });
    let (w, r) = tokio::join!(
        driver.call("write", write, 15_000),
        driver.call("read", read, 15_000)
    );
    driver.close().await;
    let (w, r) = (w.unwrap()["digest"].clone(), r.unwrap()["digest"].clone());
    eprintln!(
        "[{}] stop early: reader {} after {} B; writer {} after {} B, error {}",
        setup.label, r["end"], r["bytes"], w["end"], w["bytes"], w["error"]
    );
    assert_eq!(r["end"], "stopped");
    // The writer must learn that nobody reads: an error, not a clean close
    // of 4 MiB that went nowhere, and not a silent hang until its deadline.
    assert_eq!(w["end"], "error", "{w:#}");
}

/// A writer that aborts: the reader's SDK cannot tell it from a clean end.
async fn writer_aborts(setup: &Setup) {
    let driver = Driver::connect(setup).await;
    let (writer, reader, _channel) = driver.channel(None).await;
    let ops = json!([{ "bytes": { "seed": "abort", "length": 100_000 } }, { "abort": {} }]);
    let write = json!({ "cell": "probe/abort", "plan": { "ops": ops }, "deadline_ms": 5_000,
                        "writer": writer });
    let read = json!({ "cell": "probe/abort", "deadline_ms": 5_000, "reader": reader,
                       "read": { "style": "STREAM" } });
    let (w, r) = tokio::join!(
        driver.call("write", write, 15_000),
        driver.call("read", read, 15_000)
    );
    driver.close().await;
    let (w, r) = (w.unwrap()["digest"].clone(), r.unwrap()["digest"].clone());
    eprintln!(
        "[{}] abort: writer {} after {} B; reader {} after {} B",
        setup.label, w["end"], w["bytes"], r["end"], r["bytes"]
    );
    assert_eq!(w["end"], "aborted");
    // Known engine/SDK gap (protocol notes §3.4, §3.9): truncation reads as
    // a clean close.
    assert_eq!(
        (r["end"].as_str(), r["bytes"].as_u64()),
        (Some("closed"), Some(100_000))
    );
}

/// `next_binary` under a timeout, the usual way to bound a read in tokio.
/// The SDK takes the socket out of its slot while a read is pending, so a
/// cancelled read loses the socket; the next call opens a second reader
/// connection, which the engine answers with an immediate close. The rest
/// of the stream is lost and the reader sees a clean, empty end.
async fn cancelled_read_loses_the_stream(setup: &Setup) {
    let driver = Driver::connect(setup).await;
    let (writer_ref, reader_ref, _channel) = driver.channel(None).await;
    let writer_ref = serde_json::from_value(writer_ref).unwrap();
    let reader_ref = serde_json::from_value(reader_ref).unwrap();
    let writer = ChannelWriter::new(driver.iii.address(), &writer_ref);
    let reader = ChannelReader::new(driver.iii.address(), &reader_ref);

    writer.write(b"first").await.unwrap();
    assert_eq!(
        reader.next_binary().await.unwrap().as_deref(),
        Some(&b"first"[..])
    );
    let waited = tokio::time::timeout(Duration::from_millis(200), reader.next_binary()).await;
    assert!(
        waited.is_err(),
        "nothing was written, so the read must time out"
    );
    writer.write(b"second").await.unwrap();
    writer.close().await.unwrap();

    let after = tokio::time::timeout(Duration::from_secs(5), reader.next_binary()).await;
    eprintln!("[{}] read after a cancelled read: {after:?}", setup.label);
    driver.close().await;
    // Finding: the expected answer is Ok(Some(b"second")).
    assert!(matches!(after, Ok(Ok(None))), "{after:?}");
}

/// One text over 16 MiB: the Rust writer sends it as a single frame, which
/// is over the 16 MiB frame limit of the real engine (and of the Rust
/// reader). On the real engine the writer is reset and the reader sees a
/// clean close with the text and everything after it missing. The reference
/// broker forwards the frame and the Rust reader refuses it instead.
async fn text_over_16_mib(setup: &Setup) {
    let driver = Driver::connect(setup).await;
    let (writer, reader, _channel) = driver.channel(None).await;
    let ops = json!([{ "bytes": { "seed": "big", "length": 10 } },
                     { "text": { "value": "x", "repeat": 17_000_000 } },
                     { "bytes": { "seed": "big", "offset": 10, "length": 10 } }, { "close": {} }]);
    let write = json!({ "cell": "probe/big-text", "plan": { "ops": ops }, "deadline_ms": 8_000,
                        "writer": writer });
    let read = json!({ "cell": "probe/big-text", "deadline_ms": 8_000, "reader": reader,
                       "read": { "style": "STREAM", "texts": true } });
    let (w, r) = tokio::join!(
        driver.call("write", write, 15_000),
        driver.call("read", read, 15_000)
    );
    driver.close().await;
    let (w, r) = (w.unwrap()["digest"].clone(), r.unwrap()["digest"].clone());
    eprintln!(
        "[{}] 17 MB text: writer {} {}; reader {} after {} B, {} texts, error {}",
        setup.label, w["end"], w["error"], r["end"], r["bytes"], r["texts"], r["error"]
    );
    // Everywhere: the text and the bytes after it never arrive.
    assert_eq!(
        (r["bytes"].as_u64(), r["texts"].as_array().map(Vec::len)),
        (Some(10), Some(0))
    );
    if setup.label == "iii" {
        assert_eq!(
            (w["end"].as_str(), w["error"]["stage"].as_str()),
            (Some("error"), Some("text"))
        );
        // Finding: truncation reads as a clean end.
        assert_eq!(r["end"], "closed");
    }
}

/// TEXTS_ONLY: a reader that registers only the text callback and waits for
/// the two texts the writer sends. iii-sdk 0.25.0 never delivers them:
/// `ChannelReader::on_message` only stores the callback, the callbacks run
/// only inside `next_binary` (which `read_all` loops on), and the reader's
/// socket is opened only by `next_binary`'s `ensure_connected`. A reader
/// that never reads binary therefore never even connects, and waits out its
/// deadline with nothing. If a later SDK delivers texts to a listening
/// reader, this fails: re-judge the finding.
async fn texts_only_never_hears_a_text(setup: &Setup) {
    let driver = Driver::connect(setup).await;
    let (writer, reader, _channel) = driver.channel(None).await;
    let ops = json!([{ "text": { "value": "one" } }, { "text": { "value": "two" } },
                     { "close": {} }]);
    let write = json!({ "cell": "probe/texts-only", "plan": { "ops": ops }, "deadline_ms": 5_000,
                        "writer": writer });
    let read = json!({ "cell": "probe/texts-only", "deadline_ms": 1_500, "reader": reader,
                       "read": { "style": "TEXTS_ONLY", "expect_texts": 2 } });
    let started = std::time::Instant::now();
    let (w, r) = tokio::join!(
        driver.call("write", write, 15_000),
        driver.call("read", read, 15_000)
    );
    driver.close().await;
    let (w, r) = (w.unwrap()["digest"].clone(), r.unwrap()["digest"].clone());
    eprintln!(
        "[{}] texts only: writer {} with {} texts; reader {} after {:?} with {} texts",
        setup.label,
        w["end"],
        w["texts"].as_array().map_or(0, Vec::len),
        r["end"],
        started.elapsed(),
        r["texts"]
    );
    // The writer did its part: both texts went out and the stream closed.
    if setup.label == "reference" {
        assert_eq!(w["end"], "closed", "{w:#}");
    }
    assert_eq!(w["texts"].as_array().map(Vec::len), Some(2), "{w:#}");
    // Finding: the listening reader times out with nothing. Expected of a
    // fixed SDK: end "stopped" with both texts.
    assert_eq!(r["end"], "timeout", "{r:#}");
    assert_eq!(r["texts"], json!([]), "{r:#}");
    assert_eq!(
        (r["bytes"].as_u64(), r["chunks"].as_u64()),
        (Some(0), Some(0))
    );
}

macro_rules! on_engine {
    ($engine:ident) => {
        mod $engine {
            use super::*;

            macro_rules! probe {
                ($name:ident, $body:expr) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        match common::$engine() {
                            Some(setup) => $body(setup).await,
                            None => eprintln!("skipped: no {} engine here", stringify!($engine)),
                        }
                    }
                };
            }

            probe!(a_writer_learns_its_reader_stopped, reader_stops_early);
            probe!(
                finding_an_aborted_writer_reads_as_a_clean_end,
                writer_aborts
            );
            probe!(
                finding_a_cancelled_next_binary_loses_the_stream,
                cancelled_read_loses_the_stream
            );
            probe!(finding_a_text_over_16_mib_is_lost, text_over_16_mib);
            probe!(
                finding_a_texts_only_reader_never_hears_a_text,
                texts_only_never_hears_a_text
            );
        }
    };
}

on_engine!(reference);
on_engine!(iii);
