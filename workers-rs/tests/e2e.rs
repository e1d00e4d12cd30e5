//! End to end: the worker binary on a running engine, driven through the
//! engine by the test's own iii client. Every case runs on the reference
//! broker and, when a binary is there, on a real iii engine; an absent
//! engine skips its cases with a note.

mod common;

use common::Setup;
use common::driver::Driver;
use common::expect::{Expected, check, check_text_positions, expected};
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
    assert_eq!(
        description["capabilities"]["write_styles"],
        json!(["AWAITED"])
    );
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

macro_rules! on_engine {
    ($engine:ident) => {
        mod $engine {
            use super::*;

            fn setup() -> Option<&'static Setup> {
                let setup = common::$engine();
                if setup.is_none() {
                    eprintln!("skipped: no {} engine here", stringify!($engine));
                }
                setup
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
        }
    };
}

on_engine!(reference);
on_engine!(iii);
