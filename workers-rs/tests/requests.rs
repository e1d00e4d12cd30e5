//! Request validation against the committed descriptor, and where the SDK's
//! ref helper finds (or misses) refs in each placement the contract allows,
//! the text-only read style and fan-out's numbered writer refs included.

use conformance_worker::plan::{self, Op};
use conformance_worker::refs::{self, Lookup, READER_KEYS, READER_PLACEMENTS};
use conformance_worker::reject::{INVALID_REQUEST, Rejection};
use conformance_worker::request::{
    ReadRequest, ReadSpec, RelayRequest, WriteRequest, parse, schema_fields,
};
use conformance_worker::{fanout, relay};
use serde_json::{Value, json};

fn ref_of(direction: &str) -> Value {
    json!({ "channel_id": "c0ffee00-0000-4000-8000-000000000000",
            "access_key": "secret-key", "direction": direction })
}

fn write_request(payload: Value) -> Result<WriteRequest, Rejection> {
    parse("WriteRequest", schema_fields(&payload, &["writer"])?)
}

fn rejected(payload: Value) -> String {
    let rejection = write_request(payload).expect_err("must be rejected");
    assert_eq!(rejection.code, INVALID_REQUEST);
    assert!(!rejection.message.contains("secret-key"));
    rejection.message
}

#[test]
fn a_full_write_request_maps_into_typed_ops() {
    let payload = json!({
        "cell": "frames/size-1 rs->rs@reference",
        "plan": { "style": "AWAITED", "ops": [
            { "bytes": { "seed": "s", "offset": 3, "length": 10, "chunk": 4 } },
            { "text": { "value": "hi", "repeat": 2 } },
            { "pause": { "ms": 5 } },
            { "close": {} },
        ]},
        "deadline_ms": 1000,
        "writer": ref_of("write"),
        "_caller_worker_id": "5b0d1b7e-0000-4000-8000-000000000000",
    });
    let request = write_request(payload).unwrap();
    assert_eq!(request.cell, "frames/size-1 rs->rs@reference");
    assert_eq!(request.deadline_ms, 1000);
    assert_eq!(request.plan.style, "AWAITED");
    assert!(request.produce.is_none());
    let ops = plan::ops(&request.plan).unwrap();
    let bytes = Op::Bytes {
        seed: "s".into(),
        offset: 3,
        length: 10,
        chunk: 4,
    };
    assert_eq!(ops[0], bytes);
    assert_eq!(ops[1], Op::Text("hihi".into()));
    assert_eq!(ops[3], Op::Close);
}

#[test]
fn absent_fields_take_their_defaults_and_produce_keeps_its_presence() {
    let request = write_request(json!({ "produce": {} })).unwrap();
    let produce = request.produce.expect("an empty produce is still set");
    assert!(produce.read.is_none() && produce.ref_placement.is_empty());
    assert_eq!(request.plan.style, "");
    let ops = json!({ "plan": { "ops": [{ "close": {} }, { "exit": {} }] } });
    let request = write_request(ops).unwrap();
    assert_eq!(plan::ops(&request.plan).unwrap(), [Op::Close, Op::Exit(0)]);
}

#[test]
fn unknown_fields_are_rejected_by_name() {
    let message = rejected(json!({ "cell": "x", "surprise": 1 }));
    assert!(message.contains("surprise"), "{message}");
    let message = rejected(json!({ "plan": { "ops": [{ "bytes": { "sed": "s" } }] } }));
    assert!(
        message.contains("plan.ops[0].bytes") && message.contains("sed"),
        "{message}"
    );
}

#[test]
fn wrong_types_and_negative_numbers_name_the_field() {
    let message = rejected(json!({ "deadline_ms": -1 }));
    assert!(message.starts_with("deadline_ms:"), "{message}");
    let message = rejected(json!({ "plan": { "ops": [{ "pause": { "ms": 1.5 } }] } }));
    assert!(message.starts_with("plan.ops[0].pause.ms:"), "{message}");
    let message = rejected(json!({ "cell": 7 }));
    assert!(message.starts_with("cell:"), "{message}");
    let message = rejected(json!({ "plan": { "style": "SOMETIMES" } }));
    assert!(message.starts_with("plan.style:"), "{message}");
}

#[test]
fn an_op_needs_exactly_one_kind_and_a_sane_size() {
    let request = write_request(json!({ "plan": { "ops": [{}] } })).unwrap();
    let message = plan::ops(&request.plan).unwrap_err().message;
    assert!(message.starts_with("plan.ops[0]:"), "{message}");

    let huge =
        json!({ "plan": { "ops": [{ "bytes": { "seed": "s", "length": 4294967295u32 } }] } });
    let request = write_request(huge).unwrap();
    let message = plan::ops(&request.plan).unwrap_err().message;
    assert!(message.starts_with("plan.ops[0].bytes.chunk:"), "{message}");
}

#[test]
fn a_payload_that_is_not_an_object_is_rejected() {
    assert!(rejected(json!([1, 2])).starts_with("payload:"));
}

#[test]
fn read_requests_ignore_ref_keys_and_engine_keys() {
    let payload = json!({
        "cell": "c", "read": { "style": "STREAM", "texts": true,
            "expect": [{ "seed": "s", "length": 3 }] },
        "readers": [ref_of("read")], "_caller_worker_id": "w",
    });
    let request: ReadRequest = parse(
        "ReadRequest",
        schema_fields(&payload, &READER_KEYS).unwrap(),
    )
    .unwrap();
    let read = request.read.unwrap();
    assert!(read.streams() && read.texts);
    assert_eq!(read.expect[0].length, 3);
}

fn lookup(payload: &Value) -> Lookup {
    refs::find(payload, &READER_PLACEMENTS)
}

#[test]
fn the_sdk_helper_finds_field_and_nested_refs() {
    let field = json!({ "cell": "c", "reader": ref_of("read") });
    assert!(matches!(lookup(&field), Lookup::Found { placement, .. } if placement.name == "field"));
    let nested = json!({ "input": { "channel": { "reader": ref_of("read") } } });
    assert!(
        matches!(lookup(&nested), Lookup::Found { placement, .. } if placement.name == "nested")
    );
    assert!(matches!(lookup(&json!({ "cell": "c" })), Lookup::Absent));
}

/// iii-sdk 0.25.0's `extract_channel_refs` walks object fields only: a ref
/// that is a direct array element or the payload itself is never returned.
/// The worker reports this as REF_NOT_EXTRACTED instead of parsing it.
#[test]
fn the_sdk_helper_misses_array_element_and_top_level_refs() {
    let array = json!({ "cell": "c", "readers": [ref_of("read")] });
    assert!(iii_sdk::helpers::extract_channel_refs(&array).is_empty());
    assert!(matches!(lookup(&array), Lookup::Missed { placement } if placement.name == "array"));

    let top = ref_of("read");
    assert!(iii_sdk::helpers::extract_channel_refs(&top).is_empty());
    assert!(matches!(lookup(&top), Lookup::Missed { placement } if placement.name == "top"));
}

#[test]
fn refs_are_placed_where_the_contract_says() {
    let fields = json!({ "cell": "c" });
    let reader = ref_of("read");
    let placed = |how: &str| refs::place(fields.clone(), how, reader.clone()).unwrap();
    assert_eq!(placed("field")["reader"], reader);
    assert_eq!(placed("")["reader"], reader);
    assert_eq!(placed("array")["readers"][0], reader);
    assert_eq!(placed("nested")["input"]["channel"]["reader"], reader);
    assert_eq!(placed("top"), reader);
    assert!(refs::place(fields, "sideways", reader).is_err());
}

#[test]
fn a_text_only_read_parses_with_the_texts_it_waits_for() {
    let payload = json!({ "cell": "c", "reader": ref_of("read"),
                          "read": { "style": "TEXTS_ONLY", "expect_texts": 3 } });
    let fields = schema_fields(&payload, &READER_KEYS).unwrap();
    let read = parse::<ReadRequest>("ReadRequest", fields)
        .unwrap()
        .read
        .unwrap();
    assert!(read.texts_only() && !read.streams());
    // The callback is registered whatever `texts` says; it is not needed.
    assert!(!read.texts);
    assert_eq!(read.expect_texts, 3);
}

#[test]
fn a_bad_text_count_or_style_name_is_rejected_by_field() {
    let reject = |read: Value| {
        let payload = json!({ "read": read });
        let fields = schema_fields(&payload, &READER_KEYS).unwrap();
        parse::<ReadRequest>("ReadRequest", fields)
            .expect_err("must be rejected")
            .message
    };
    let message = reject(json!({ "style": "TEXTS_ONLY", "expect_texts": -1 }));
    assert!(message.starts_with("read.expect_texts:"), "{message}");
    let message = reject(json!({ "style": "TEXT_ONLY" }));
    assert!(message.starts_with("read.style:"), "{message}");
}

#[test]
fn a_relay_is_never_asked_for_a_text_only_read() {
    let payload = json!({ "cell": "c", "reader": ref_of("read"), "writer": ref_of("write"),
                          "read": { "style": "TEXTS_ONLY", "expect_texts": 1 } });
    let fields = schema_fields(&payload, &["reader", "writer"]).unwrap();
    let request: RelayRequest = parse("RelayRequest", fields).unwrap();
    let rejection = relay::check_read(&request.read.unwrap()).unwrap_err();
    assert_eq!(rejection.code, INVALID_REQUEST);
    assert!(
        rejection.message.starts_with("read.style:") && rejection.message.contains("TEXTS_ONLY"),
        "{}",
        rejection.message
    );
    assert!(relay::check_read(&ReadSpec::missing()).is_ok());
}

fn fanout_payload(fanout: u32, keys: &[&str]) -> Value {
    let mut payload = json!({ "cell": "c", "plan": { "ops": [{ "close": {} }] } });
    if fanout > 0 {
        payload["fanout"] = json!(fanout);
    }
    for (n, key) in keys.iter().enumerate() {
        let mut writer = ref_of("write");
        writer["channel_id"] = json!(format!("c0ffee00-0000-4000-8000-00000000000{n}"));
        payload[*key] = writer;
    }
    payload
}

fn fanout_rejected(payload: Value) -> String {
    let rejection = fanout::parse_request(&payload)
        .and_then(|request| fanout::find_refs(&payload, fanout::width(&request)))
        .expect_err("must be rejected");
    assert_eq!(rejection.code, INVALID_REQUEST);
    assert!(!rejection.message.contains("secret-key"));
    rejection.message
}

#[test]
fn a_fanout_finds_writer_then_writer_2_and_on_with_the_sdk_helper() {
    let payload = fanout_payload(3, &["writer_3", "writer", "writer_2"]);
    let request = fanout::parse_request(&payload).unwrap();
    assert_eq!((request.fanout, fanout::width(&request)), (3, 3));
    let found: Vec<(String, String)> = fanout::find_refs(&payload, 3)
        .unwrap()
        .into_iter()
        .map(|lookup| match lookup {
            Lookup::Found { placement, channel } => {
                (placement.sdk_path.into_owned(), channel.channel_id)
            }
            other => panic!("expected a found ref, got {other:?}"),
        })
        .collect();
    let ids = |n: u8| format!("c0ffee00-0000-4000-8000-00000000000{n}");
    let want = [("writer", 1), ("writer_2", 2), ("writer_3", 0)];
    let want: Vec<(String, String)> = want.iter().map(|(k, n)| (k.to_string(), ids(*n))).collect();
    assert_eq!(found, want);
}

#[test]
fn fanout_0_and_1_both_mean_writer_alone() {
    for fanout in [0, 1] {
        let payload = fanout_payload(fanout, &["writer"]);
        let request = fanout::parse_request(&payload).unwrap();
        assert_eq!(fanout::width(&request), 1);
        assert_eq!(fanout::find_refs(&payload, 1).unwrap().len(), 1);
    }
    let message = fanout_rejected(fanout_payload(1, &[]));
    assert!(
        message.starts_with("writer: missing channel ref"),
        "{message}"
    );
}

#[test]
fn a_fanout_missing_a_ref_is_rejected_naming_it() {
    let message = fanout_rejected(fanout_payload(3, &["writer", "writer_2"]));
    assert!(
        message.starts_with("writer_3: missing channel ref"),
        "{message}"
    );
    let message = fanout_rejected(fanout_payload(2, &["writer_2"]));
    assert!(
        message.starts_with("writer: missing channel ref"),
        "{message}"
    );
    // A value that is no channel ref is not one.
    let mut payload = fanout_payload(2, &["writer"]);
    payload["writer_2"] = json!("not a ref");
    let message = fanout_rejected(payload);
    assert!(
        message.starts_with("writer_2: missing channel ref"),
        "{message}"
    );
}

#[test]
fn numbered_refs_beyond_fanout_are_rejected() {
    let message = fanout_rejected(fanout_payload(0, &["writer", "writer_2"]));
    assert!(
        message.starts_with("writer_2:") && message.contains("fanout is not set"),
        "{message}"
    );
    let message = fanout_rejected(fanout_payload(2, &["writer", "writer_2", "writer_4"]));
    assert!(
        message.starts_with("writer_4:") && message.contains("beyond fanout 2"),
        "{message}"
    );
    // Not a fan-out key at all: the schema check names it.
    let message = fanout_rejected(fanout_payload(2, &["writer", "writer_1"]));
    assert!(message.contains("writer_1"), "{message}");
}

#[test]
fn fanout_cannot_be_combined_with_produce_or_be_negative() {
    let mut payload = fanout_payload(2, &[]);
    payload["produce"] = json!({ "reader_function": "conformance::rs::read" });
    let message = fanout_rejected(payload);
    assert!(
        message.starts_with("fanout:") && message.contains("produce"),
        "{message}"
    );
    let mut payload = fanout_payload(0, &["writer"]);
    payload["fanout"] = json!(-2);
    assert!(fanout_rejected(payload).starts_with("fanout:"));
}
