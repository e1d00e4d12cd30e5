//! End to end: the worker binary on a running engine, driven through the
//! engine by the test's own iii client. Every case runs on the reference
//! broker and, when a binary is there, on a real iii engine; an absent
//! engine skips its cases with a note.

mod common;

use common::Setup;
use common::driver::Driver;
use common::expect::{Expected, check, check_text_positions, expected};
use std::time::Duration;

use iii_sdk::Error;
use serde_json::{Value, json};

fn mixed_plan() -> Value {
    json!([
        { "text": { "value": "hello 🚀" } },
        { "bytes": { "seed": "e2e/mixed", "length": 200_000, "chunk": 65_537 } },
        { "text": { "value": "mid" } },
        { "bytes": { "seed": "e2e/mixed", "offset": 200_000, "length": 3 } },
        { "bytes": { "seed": "e2e/empty", "length": 0 } },
        { "text": { "value": "" } },
        { "close": {} },
    ])
}

async fn describe(setup: &Setup) {
    let driver = Driver::connect(setup).await;
    let description = driver.call("describe", json!({}), 5_000).await.unwrap();
    assert_eq!(description["lang"], "rs");
    assert_eq!(description["sdk"]["version"], "0.25.0");
    let capabilities = &description["capabilities"];
    assert_eq!(capabilities["write_styles"], json!(["AWAITED"]));
    assert_eq!(
        capabilities["read_styles"],
        json!(["READ_ALL", "STREAM", "TEXTS_ONLY"])
    );
    assert_eq!(capabilities["fanout"], true);
    assert_eq!(capabilities["recall"], true);
    driver.close().await;
}

async fn write_then_read(setup: &Setup, ops: Value, read: Value) -> (Value, Value, Expected) {
    let driver = Driver::connect(setup).await;
    let (writer, reader, _channel) = driver.channel(None).await;
    let exp = expected(&ops);
    let mut read = read;
    read["expect"] = Value::Array(exp.slices.clone());
    let write = json!({ "cell": "e2e", "plan": { "ops": ops, "style": "AWAITED" },
                        "deadline_ms": 20_000, "writer": writer });
    let read = json!({ "cell": "e2e", "read": read, "deadline_ms": 20_000, "reader": reader });
    let (w, r) = tokio::join!(
        driver.call("write", write, 30_000),
        driver.call("read", read, 30_000)
    );
    driver.close().await;
    let context = setup.worker_log();
    let w = w.unwrap_or_else(|e| panic!("write failed: {e}\n{context}"));
    let r = r.unwrap_or_else(|e| panic!("read failed: {e}\n{context}"));
    (w["digest"].clone(), r["digest"].clone(), exp)
}

async fn stream_roundtrip(setup: &Setup) {
    let read = json!({ "style": "STREAM", "texts": true });
    let (writer, reader, exp) = write_then_read(setup, mixed_plan(), read).await;
    check("writer", &writer, &exp, setup);
    check("reader", &reader, &exp, setup);
    check_text_positions(&writer, &exp);
    check_text_positions(&reader, &exp);
    // 200 000 B in calls of 65 537 become frames of at most 64 KiB.
    assert_eq!(reader["max_chunk"], 65_536, "{reader:#}");
}

async fn read_all_roundtrip(setup: &Setup) {
    let ops =
        json!([{ "bytes": { "seed": "frames/1MiB+1", "length": 1_048_577 } }, { "close": {} }]);
    let (writer, reader, exp) = write_then_read(setup, ops, json!({ "style": "READ_ALL" })).await;
    check("writer", &writer, &exp, setup);
    check("reader", &reader, &exp, setup);
    assert_eq!(
        (writer["chunks"].as_u64(), reader["chunks"].as_u64()),
        (Some(1), Some(1))
    );
}

async fn zero_length(setup: &Setup) {
    let ops = json!([{ "bytes": { "seed": "zero", "length": 0 } }, { "close": {} }]);
    let (writer, reader, exp) = write_then_read(setup, ops, json!({ "style": "STREAM" })).await;
    check("writer", &writer, &exp, setup);
    check("reader", &reader, &exp, setup);
}

async fn produce(setup: &Setup, placement: &str) -> Value {
    let driver = Driver::connect(setup).await;
    let ops = json!([{ "text": { "value": "t" } },
                     { "bytes": { "seed": "produce", "length": 70_000 } }, { "close": {} }]);
    let request = json!({
        "cell": format!("ownership/{placement}"), "deadline_ms": 5_000,
        "plan": { "ops": ops.clone() },
        "produce": { "reader_function": "conformance::rs::read", "ref_placement": placement,
                     "read": { "style": "STREAM", "texts": true } },
    });
    let result = driver.call("write", request, 20_000).await;
    driver.close().await;
    let result = result.unwrap_or_else(|e| panic!("produce failed: {e}\n{}", setup.worker_log()));
    check("producer", &result["digest"], &expected(&ops), setup);
    let reader = result["reader_digest"].clone();
    if placement == "field" || placement == "nested" {
        check(
            &format!("reader ({placement})"),
            &reader,
            &expected(&ops),
            setup,
        );
    }
    reader
}

/// iii-sdk 0.25.0's extract_channel_refs misses these two placements; the
/// reader says so in its digest instead of reading.
async fn produce_missed(setup: &Setup, placement: &str) {
    let reader = produce(setup, placement).await;
    assert_eq!(reader["end"], "error", "{reader:#}");
    assert_eq!(reader["error"]["code"], "REF_NOT_EXTRACTED", "{reader:#}");
    assert_eq!(reader["error"]["stage"], "connect", "{reader:#}");
}

async fn relay(setup: &Setup) {
    let driver = Driver::connect(setup).await;
    let (w1, r1, _a) = driver.channel(None).await;
    let (w2, r2, _b) = driver.channel(Some(4)).await;
    let ops = mixed_plan();
    let exp = expected(&ops);
    let write =
        json!({ "cell": "relay", "plan": { "ops": ops }, "deadline_ms": 20_000, "writer": w1 });
    let relay = json!({ "cell": "relay", "deadline_ms": 20_000, "reader": r1, "writer": w2,
                        "read": { "style": "STREAM", "texts": true } });
    let read = json!({ "cell": "relay", "deadline_ms": 20_000, "reader": r2,
                       "read": { "style": "STREAM", "texts": true } });
    let (w, m, r) = tokio::join!(
        driver.call("write", write, 30_000),
        driver.call("relay", relay, 30_000),
        driver.call("read", read, 30_000)
    );
    driver.close().await;
    let (w, m, r) = (w.unwrap(), m.unwrap(), r.unwrap());
    check("writer", &w["digest"], &exp, setup);
    check("relay-in", &m["input"], &exp, setup);
    check("relay-out", &m["output"], &exp, setup);
    check("reader", &r["digest"], &exp, setup);
    check_text_positions(&m["output"], &exp);
    check_text_positions(&r["digest"], &exp);
}

fn remote_code(result: Result<Value, Error>) -> (String, String) {
    match result {
        Err(Error::Remote { code, message, .. }) => (code, message),
        other => panic!("expected an invocation error, got {other:?}"),
    }
}

async fn rejects(setup: &Setup) {
    let driver = Driver::connect(setup).await;
    let (writer, _, _channel) = driver.channel(None).await;
    let bad = json!({ "cell": "bad", "bogus": 1, "writer": writer.clone() });
    let (code, message) = remote_code(driver.call("write", bad, 5_000).await);
    assert_eq!(code, "INVALID_REQUEST");
    assert!(message.contains("bogus") && !message.contains(writer["access_key"].as_str().unwrap()));
    let negative = json!({ "cell": "bad", "deadline_ms": -5, "reader": {} });
    let (code, message) = remote_code(driver.call("read", negative, 5_000).await);
    assert_eq!(
        (code.as_str(), message.starts_with("deadline_ms")),
        ("INVALID_REQUEST", true)
    );
    let style = json!({ "plan": { "style": "FIRE_AND_FORGET" }, "writer": writer });
    assert_eq!(
        remote_code(driver.call("write", style, 5_000).await).0,
        "UNSUPPORTED"
    );
    driver.close().await;
}

async fn deadline(setup: &Setup) {
    let driver = Driver::connect(setup).await;
    let (_, reader, _channel) = driver.channel(None).await;
    let started = std::time::Instant::now();
    let read = json!({ "cell": "deadline", "deadline_ms": 400, "reader": reader });
    let digest = driver.call("read", read, 10_000).await.unwrap()["digest"].clone();
    driver.close().await;
    assert_eq!(digest["end"], "timeout", "{digest:#}");
    assert!(
        started.elapsed().as_millis() < 3_000,
        "took {:?}",
        started.elapsed()
    );
}

/// One write call with `fanout` 3 onto three channels, each drained by the
/// test's own SDK reader. `broken` replaces writer_2's ref with one the
/// engine refuses, to see the other two go on.
async fn fanout(setup: &Setup, broken: bool) -> (Value, Vec<Value>, Expected) {
    let driver = Driver::connect(setup).await;
    let mut channels = Vec::new();
    for _ in 0..3 {
        channels.push(driver.channel(None).await);
    }
    let ops = mixed_plan();
    let exp = expected(&ops);
    let mut write = json!({ "cell": "fanout", "plan": { "ops": ops }, "deadline_ms": 20_000,
                            "fanout": 3, "writer": channels[0].0 });
    write["writer_2"] = channels[1].0.clone();
    write["writer_3"] = channels[2].0.clone();
    if broken {
        write["writer_2"]["channel_id"] = json!("00000000-0000-4000-8000-00000000dead");
    }
    let client = &driver;
    let read = |i: usize| {
        let reader = &channels[i].1;
        async move {
            // A refused writer never connects, so its reader would wait for
            // the engine's sweep; nothing is read there.
            if broken && i == 1 {
                return Value::Null;
            }
            let drained = tokio::time::timeout(Duration::from_secs(25), client.drain(reader));
            drained
                .await
                .unwrap_or_else(|_| json!({ "end": "timeout" }))
        }
    };
    // All three at once: each channel's backpressure waits on its own
    // reader, and the writer goes op by op across all three.
    let readers = async {
        let (a, b, c) = tokio::join!(read(0), read(1), read(2));
        vec![a, b, c]
    };
    let (result, drained) = tokio::join!(driver.call("write", write, 30_000), readers);
    driver.close().await;
    let result =
        result.unwrap_or_else(|e| panic!("fan-out write failed: {e}\n{}", setup.worker_log()));
    (result, drained, exp)
}

async fn fanout_roundtrip(setup: &Setup) {
    let (result, drained, exp) = fanout(setup, false).await;
    let fanned = result["fanout"].as_array().expect("fanout digests");
    assert_eq!(fanned.len(), 2, "{result:#}");
    let writers = [&result["digest"], &fanned[0], &fanned[1]];
    for (k, (writer, read)) in writers.iter().zip(&drained).enumerate() {
        let k = k + 1;
        check(&format!("writer {k}"), writer, &exp, setup);
        check_text_positions(writer, &exp);
        check(&format!("reader {k} (test client)"), read, &exp, setup);
    }
}

async fn fanout_past_a_failed_writer(setup: &Setup) {
    let (result, drained, exp) = fanout(setup, true).await;
    let failed = &result["fanout"][0];
    assert_eq!(failed["end"], "error", "{result:#}");
    // The plan starts with a text: that is the call whose connect failed.
    assert_eq!(failed["error"]["stage"], "text", "{result:#}");
    check("writer 1", &result["digest"], &exp, setup);
    check("writer 3", &result["fanout"][1], &exp, setup);
    check("reader 1 (test client)", &drained[0], &exp, setup);
    check("reader 3 (test client)", &drained[2], &exp, setup);
}

/// Misuse of the two contract additions is a request error, never a digest.
async fn fanout_and_texts_only_misuse(setup: &Setup) {
    let driver = Driver::connect(setup).await;
    let (writer, reader, _channel) = driver.channel(None).await;
    let missing = json!({ "cell": "bad", "fanout": 2, "writer": writer.clone(),
                          "plan": { "ops": [{ "close": {} }] } });
    let (code, message) = remote_code(driver.call("write", missing, 5_000).await);
    assert_eq!(code, "INVALID_REQUEST");
    assert!(message.starts_with("writer_2:"), "{message}");
    let stray = json!({ "cell": "bad", "writer": writer.clone(), "writer_2": writer.clone() });
    let (code, message) = remote_code(driver.call("write", stray, 5_000).await);
    assert_eq!(
        (code.as_str(), message.starts_with("writer_2:")),
        ("INVALID_REQUEST", true),
        "{message}"
    );
    let relay = json!({ "cell": "bad", "reader": reader, "writer": writer,
                        "read": { "style": "TEXTS_ONLY", "expect_texts": 1 } });
    let (code, message) = remote_code(driver.call("relay", relay, 5_000).await);
    assert_eq!(code, "INVALID_REQUEST");
    assert!(
        message.starts_with("read.style:") && message.contains("TEXTS_ONLY"),
        "{message}"
    );
    driver.close().await;
}

macro_rules! on_engine {
    ($engine:ident) => {
        mod $engine {
            use super::*;

            fn setup() -> Option<&'static Setup> {
                common::or_skip(stringify!($engine), common::$engine())
            }

            macro_rules! case {
                ($name:ident, $body:expr) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        if let Some(setup) = setup() {
                            $body(setup).await;
                        }
                    }
                };
            }

            case!(describe_reports_the_build, describe);
            case!(stream_roundtrip_is_byte_exact, stream_roundtrip);
            case!(read_all_roundtrip_is_byte_exact, read_all_roundtrip);
            case!(a_zero_length_stream_ends_cleanly, zero_length);
            case!(produce_with_a_field_ref, |s| async move {
                produce(s, "field").await;
            });
            case!(produce_with_a_nested_ref, |s| async move {
                produce(s, "nested").await;
            });
            case!(produce_array_ref_is_missed_by_the_sdk, |s| produce_missed(
                s, "array"
            ));
            case!(produce_top_ref_is_missed_by_the_sdk, |s| produce_missed(
                s, "top"
            ));
            case!(relay_passes_chunks_and_texts_in_order, relay);
            case!(bad_requests_are_invocation_errors, rejects);
            case!(a_reader_past_its_deadline_reports_timeout, deadline);
            case!(fanout_copies_one_plan_onto_three_channels, fanout_roundtrip);
            case!(
                fanout_goes_on_past_a_writer_that_fails,
                fanout_past_a_failed_writer
            );
            case!(
                fanout_and_texts_only_misuse_are_request_errors,
                fanout_and_texts_only_misuse
            );
        }
    };
}

on_engine!(reference);
on_engine!(iii);
