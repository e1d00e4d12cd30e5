//! Requests of the conformance functions: validated against the committed
//! descriptor of fixtures/conformance.proto, then mapped into typed structs.

use std::sync::OnceLock;

use prost_reflect::{DescriptorPool, DeserializeOptions, DynamicMessage, SerializeOptions};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::reject::Rejection;

const PACKAGE: &str = "iii_conformance.v1";

// Compiled in, so the binary cannot pair with a different schema at run
// time; cargo rebuilds when the file changes.
static DESCRIPTOR: &[u8] = include_bytes!("../../fixtures/conformance.descriptor.pb");

fn pool() -> &'static DescriptorPool {
    static POOL: OnceLock<DescriptorPool> = OnceLock::new();
    POOL.get_or_init(|| {
        DescriptorPool::decode(DESCRIPTOR).expect("fixtures/conformance.descriptor.pb decodes")
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct WriteRequest {
    pub cell: String,
    pub plan: Plan,
    pub produce: Option<Produce>,
    pub deadline_ms: u32,
    /// Fan-out width: 0 and 1 both mean `writer` alone (see src/fanout.rs).
    pub fanout: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Plan {
    pub ops: Vec<OpFields>,
    pub style: String,
}

/// One `Op` as proto3 JSON spells it: at most one of its oneof members set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OpFields {
    pub bytes: Option<BytesOp>,
    pub text: Option<TextOp>,
    pub pause: Option<PauseOp>,
    pub close: Option<Empty>,
    pub abort: Option<Empty>,
    pub exit: Option<ExitOp>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BytesOp {
    pub seed: String,
    pub offset: u32,
    pub length: u32,
    pub chunk: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TextOp {
    pub value: String,
    pub repeat: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PauseOp {
    pub ms: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Empty {}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ExitOp {
    pub code: i32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Produce {
    pub buffer_size: u32,
    pub reader_function: String,
    pub read: Option<ReadSpec>,
    pub ref_placement: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReadSpec {
    pub style: String,
    pub texts: bool,
    pub start_delay_ms: u32,
    pub chunk_delay_ms: u32,
    pub stop_after_bytes: u32,
    pub expect: Vec<Slice>,
    /// TEXTS_ONLY: how many texts to wait for before closing the reader.
    pub expect_texts: u32,
}

impl ReadSpec {
    /// What a request without `read` means: read everything, collect texts.
    pub fn missing() -> Self {
        Self {
            style: "READ_ALL".into(),
            texts: true,
            ..Self::default()
        }
    }

    pub fn streams(&self) -> bool {
        self.style == "STREAM"
    }

    /// A reader that only listens for texts and never touches the binary side.
    pub fn texts_only(&self) -> bool {
        self.style == "TEXTS_ONLY"
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Slice {
    pub seed: String,
    pub offset: u32,
    pub length: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReadRequest {
    pub cell: String,
    pub read: Option<ReadSpec>,
    pub deadline_ms: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RelayRequest {
    pub cell: String,
    pub read: Option<ReadSpec>,
    pub style: String,
    pub deadline_ms: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RecallRequest {
    pub cell: String,
}

/// The schema part of a payload: everything but the channel refs the
/// contract puts beside the fields and the keys the engine adds. Every
/// engine-added key starts with `_` (the real engine adds `_caller_worker_id`),
/// which no schema field does.
pub fn schema_fields(payload: &Value, ref_keys: &[&str]) -> Result<Map<String, Value>, Rejection> {
    let Some(object) = payload.as_object() else {
        return Err(Rejection::invalid("payload", "expected a JSON object"));
    };
    Ok(object
        .iter()
        .filter(|(key, _)| !key.starts_with('_') && !ref_keys.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect())
}

/// Checks `fields` against message `name` (unknown fields, types, ranges)
/// and maps it into `T`. The error names the offending field.
pub fn parse<T: DeserializeOwned>(name: &str, fields: Map<String, Value>) -> Result<T, Rejection> {
    let full = format!("{PACKAGE}.{name}");
    let descriptor = pool()
        .get_message_by_name(&full)
        .unwrap_or_else(|| panic!("Internal error: {full} is not in the descriptor"));

    // serde_path_to_error tracks where in the JSON the schema check failed,
    // which prost-reflect's own messages leave out.
    let options = DeserializeOptions::new().deny_unknown_fields(true);
    let mut track = serde_path_to_error::Track::new();
    let tracked = serde_path_to_error::Deserializer::new(Value::Object(fields), &mut track);
    let message = DynamicMessage::deserialize_with_options(descriptor, tracked, &options)
        .map_err(|err| Rejection::invalid(&track.path().to_string(), &err.to_string()))?;

    // Re-emitting the checked message gives one canonical JSON form (numbers
    // as numbers, enums by name) for plain serde structs to read.
    let options = SerializeOptions::new()
        .use_proto_field_name(true)
        .skip_default_fields(true);
    let canonical = message
        .serialize_with_options(serde_json::value::Serializer, &options)
        .map_err(|err| Rejection::invalid(name, &err.to_string()))?;
    serde_json::from_value(canonical).map_err(|err| Rejection::invalid(name, &err.to_string()))
}
