//! Recall. Without an engine: what the store keeps per cell, how long, and
//! what a running or failed call leaves behind, and the request's
//! validation. Through an engine: the digests a finished write and read
//! answered come back the same, and a read still waiting is named running.
//! The engine is not restarted here; that is the harness's scenario.

mod common;

use std::time::{Duration, Instant};

use common::Setup;
use common::driver::Driver;
use common::expect::{check, expected};
use conformance_worker::recall::{Call, RECALL_CELLS, RecallStore, cell_of, kept, parse_request};
use conformance_worker::reject::INVALID_REQUEST;
use iii_sdk::Error;
use serde_json::{Value, json};
use tokio::sync::oneshot;

fn digest(role: &str, bytes: u64) -> Value {
    json!({ "digest": { "role": role, "bytes": bytes, "end": "closed" } })
}

#[test]
fn an_unknown_cell_is_an_empty_answer() {
    let store = RecallStore::default();
    assert_eq!(store.recall("never-run"), json!({ "running": [] }));
    assert!(store.is_empty());
}

#[test]
fn a_finished_call_is_kept_as_it_answered() {
    let store = RecallStore::default();
    let mark = store.begin("cell", Call::Write);
    assert_eq!(store.recall("cell"), json!({ "running": ["write"] }));
    let answer = digest("writer", 5);
    mark.finished(&answer);
    assert_eq!(
        store.recall("cell"),
        json!({ "running": [], "write": answer })
    );
}

#[test]
fn running_names_each_call_at_work_in_contract_order() {
    let store = RecallStore::default();
    let relay = store.begin("cell", Call::Relay);
    let read = store.begin("cell", Call::Read);
    let write = store.begin("cell", Call::Write);
    let all = json!({ "running": ["write", "read", "relay"] });
    assert_eq!(store.recall("cell"), all);
    read.finished(&digest("reader", 1));
    let answer = store.recall("cell");
    assert_eq!(answer["running"], json!(["write", "relay"]));
    drop((write, relay));
    assert_eq!(store.recall("cell")["running"], json!([]));
}

#[test]
fn two_reads_of_one_cell_each_clear_only_their_own_mark() {
    let store = RecallStore::default();
    let first = store.begin("fanout", Call::Read);
    let second = store.begin("fanout", Call::Read);
    first.finished(&digest("reader", 1));
    let answer = store.recall("fanout");
    assert_eq!(answer["running"], json!(["read"]), "{answer:#}");
    assert_eq!(answer["read"], digest("reader", 1));
    second.finished(&digest("reader", 2));
    let answer = store.recall("fanout");
    assert_eq!(
        answer,
        json!({ "running": [], "read": digest("reader", 2) })
    );
}

#[test]
fn a_failed_call_clears_its_mark_and_keeps_nothing() {
    let store = RecallStore::default();
    drop(store.begin("bad", Call::Relay));
    assert_eq!(store.recall("bad"), json!({ "running": [] }));
}

#[test]
fn a_rerun_replaces_the_last_answer_from_its_start() {
    let store = RecallStore::default();
    store
        .begin("cell", Call::Read)
        .finished(&digest("reader", 1));
    let rerun = store.begin("cell", Call::Read);
    assert_eq!(store.recall("cell"), json!({ "running": ["read"] }));
    // The rerun was rejected: neither its answer nor the old one is left.
    drop(rerun);
    assert_eq!(store.recall("cell"), json!({ "running": [] }));
}

#[test]
fn the_store_keeps_the_most_recently_active_cells() {
    let store = RecallStore::default();
    for n in 0..RECALL_CELLS {
        let mark = store.begin(&format!("cell {n}"), Call::Write);
        mark.finished(&digest("writer", n as u64));
    }
    // Activity on the oldest cell makes "cell 1" the next to go.
    let running = store.begin("cell 0", Call::Read);
    store
        .begin("one more", Call::Write)
        .finished(&digest("writer", 0));
    assert_eq!(store.len(), RECALL_CELLS);
    assert_eq!(store.recall("cell 1"), json!({ "running": [] }));
    assert_eq!(store.recall("cell 0")["running"], json!(["read"]));
    assert_eq!(store.recall("cell 2")["write"], digest("writer", 2));

    // Many more cells never grow it; a call whose cell was evicted while it
    // ran brings its answer back as the newest thing known.
    for n in 0..10 * RECALL_CELLS {
        drop(store.begin(&format!("later {n}"), Call::Write));
    }
    assert_eq!(store.len(), RECALL_CELLS);
    assert_eq!(store.recall("cell 0"), json!({ "running": [] }));
    running.finished(&digest("reader", 9));
    assert_eq!(store.recall("cell 0")["read"], digest("reader", 9));
    assert_eq!(store.len(), RECALL_CELLS);
}

#[test]
fn a_call_without_a_cell_is_not_kept() {
    let store = RecallStore::default();
    store.begin("", Call::Read).finished(&digest("reader", 1));
    assert!(store.is_empty());
    // A bare ref as the whole payload carries no cell.
    assert_eq!(
        cell_of(&json!({ "channel_id": "c", "direction": "read" })),
        ""
    );
    assert_eq!(cell_of(&json!({ "cell": "x", "bogus": 1 })), "x");
}

#[tokio::test]
async fn a_handler_is_marked_from_entry_and_kept_when_it_answers() {
    let store = RecallStore::default();
    let (answer_tx, answer_rx) = oneshot::channel::<Value>();
    let work = async { Ok(answer_rx.await.unwrap()) };
    let call = kept(&store, Call::Relay, "cell", work);
    let probe = async {
        tokio::task::yield_now().await;
        let waiting = store.recall("cell");
        answer_tx
            .send(json!({ "input": {}, "output": {} }))
            .unwrap();
        waiting
    };
    let (answered, waiting) = tokio::join!(call, probe);
    assert_eq!(waiting, json!({ "running": ["relay"] }));
    let answered = answered.unwrap();
    assert_eq!(
        store.recall("cell"),
        json!({ "running": [], "relay": answered })
    );
}

#[tokio::test]
async fn an_error_answer_keeps_nothing() {
    let store = RecallStore::default();
    let rejected = async {
        Err(Error::Remote {
            code: INVALID_REQUEST.into(),
            message: "bogus: unknown field".into(),
            stacktrace: None,
        })
    };
    assert!(kept(&store, Call::Write, "bad", rejected).await.is_err());
    assert_eq!(store.recall("bad"), json!({ "running": [] }));
}

#[tokio::test]
async fn a_handler_that_panics_does_not_stay_running() {
    let store = std::sync::Arc::new(RecallStore::default());
    let shared = std::sync::Arc::clone(&store);
    let task = tokio::spawn(async move {
        let work = async { panic!("handler bug") };
        kept(&shared, Call::Read, "cell", work).await
    });
    assert!(task.await.is_err());
    assert_eq!(store.recall("cell"), json!({ "running": [] }));
}

#[test]
fn a_recall_request_names_one_cell_and_nothing_else() {
    let ok = json!({ "cell": "frames/size-1 rs->rs@reference", "_caller_worker_id": "w" });
    assert_eq!(
        parse_request(&ok).unwrap(),
        "frames/size-1 rs->rs@reference"
    );
    // Each rejection names the field, as every other request's does.
    for (payload, prefix, names) in [
        (json!({}), "cell:", "required"),
        (json!({ "cell": "" }), "cell:", "required"),
        (json!({ "cell": null }), "cell:", "required"),
        (json!({ "cell": 7 }), "cell:", "string"),
        (json!({ "cell": "x", "bogus": 1 }), "payload:", "'bogus'"),
        (json!("x"), "payload:", "object"),
    ] {
        let rejection = parse_request(&payload).expect_err("must be rejected");
        let message = rejection.message;
        assert_eq!(rejection.code, INVALID_REQUEST, "{payload}");
        assert!(
            message.starts_with(prefix) && message.contains(names),
            "{payload}: {message}"
        );
    }
}

/// Asks recall until `done` holds (the call may still be on its way).
async fn recall_until(driver: &Driver, cell: &str, done: impl Fn(&Value) -> bool) -> Value {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = driver.call("recall", json!({ "cell": cell }), 5_000).await;
        let answer = answer.expect("recall answers");
        if done(&answer) || Instant::now() > until {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn plan() -> Value {
    json!([{ "bytes": { "seed": "recall", "length": 5_000, "chunk": 1_024 } },
           { "text": { "value": "kept" } }, { "close": {} }])
}

async fn finished(setup: &Setup) {
    let driver = Driver::connect(setup).await;
    let description = driver.call("describe", json!({}), 5_000).await.unwrap();
    assert_eq!(description["capabilities"]["recall"], true);
    let cell = format!("recall/finished rs->rs@{}", setup.label);
    let (writer, reader, _channel) = driver.channel(None).await;
    let write = json!({ "cell": cell, "plan": { "ops": plan() }, "deadline_ms": 10_000,
                        "writer": writer });
    let read = json!({ "cell": cell, "read": { "style": "STREAM", "texts": true },
                       "deadline_ms": 10_000, "reader": reader });
    let (w, r) = tokio::join!(
        driver.call("write", write, 20_000),
        driver.call("read", read, 20_000)
    );
    let (w, r) = (w.unwrap(), r.unwrap());
    check("writer", &w["digest"], &expected(&plan()), setup);
    check("reader", &r["digest"], &expected(&plan()), setup);

    let recalled = driver.call("recall", json!({ "cell": cell }), 5_000).await;
    let recalled = recalled.unwrap();
    assert_eq!(recalled, json!({ "running": [], "write": w, "read": r }));
    let unknown = json!({ "cell": "recall/never-run" });
    let unknown = driver.call("recall", unknown, 5_000).await.unwrap();
    assert_eq!(unknown, json!({ "running": [] }));
    let nameless = driver.call("recall", json!({ "cell": "" }), 5_000).await;
    match nameless {
        Err(Error::Remote { code, message, .. }) => {
            assert_eq!(code, INVALID_REQUEST);
            assert!(message.starts_with("cell:"), "{message}");
        }
        other => panic!("expected an invocation error, got {other:?}"),
    }
    driver.close().await;
}

async fn running(setup: &Setup) {
    let driver = Driver::connect(setup).await;
    let cell = format!("recall/running rs->rs@{}", setup.label);
    let (writer, reader, _channel) = driver.channel(None).await;
    let read = json!({ "cell": cell, "read": { "style": "READ_ALL", "texts": true },
                       "deadline_ms": 10_000, "reader": reader });
    let reading = driver.call("read", read, 20_000);
    let waiting = async {
        // Nobody writes yet, so the reader can only wait.
        let waiting = recall_until(&driver, &cell, |answer| {
            answer["running"]
                .as_array()
                .unwrap()
                .contains(&json!("read"))
        });
        let waiting = waiting.await;
        let write = json!({ "cell": cell, "plan": { "ops": plan() }, "deadline_ms": 10_000,
                            "writer": writer });
        let write = driver.call("write", write, 20_000).await;
        (waiting, write)
    };
    let (read, (waiting, write)) = tokio::join!(reading, waiting);
    assert_eq!(
        waiting,
        json!({ "running": ["read"] }),
        "{}",
        setup.worker_log()
    );
    let (write, read) = (write.unwrap(), read.unwrap());
    check("reader", &read["digest"], &expected(&plan()), setup);
    let recalled = driver.call("recall", json!({ "cell": cell }), 5_000).await;
    let recalled = recalled.unwrap();
    assert_eq!(
        recalled,
        json!({ "running": [], "write": write, "read": read })
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

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn recall_gives_back_the_digests_a_finished_cell_answered() {
                if let Some(setup) = setup() {
                    finished(setup).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn recall_names_a_read_still_waiting_for_its_writer() {
                if let Some(setup) = setup() {
                    running(setup).await;
                }
            }
        }
    };
}

on_engine!(reference);
on_engine!(iii);
