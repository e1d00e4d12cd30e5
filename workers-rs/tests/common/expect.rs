//! What the end-to-end tests expect of a digest, computed from the plan.

use conformance_worker::digest::texts_sha256;
use conformance_worker::seeded::slice;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Setup;

/// What a perfect channel delivers for `ops` (bytes and text ops only).
pub struct Expected {
    pub bytes: u64,
    pub sha256: String,
    pub texts: Vec<(String, u64)>,
    pub slices: Vec<Value>,
}

pub fn expected(ops: &Value) -> Expected {
    let mut stream = Vec::new();
    let mut texts = Vec::new();
    let mut slices = Vec::new();
    for op in ops.as_array().unwrap() {
        if let Some(b) = op.get("bytes") {
            let (seed, offset) = (
                b["seed"].as_str().unwrap(),
                b["offset"].as_u64().unwrap_or(0),
            );
            let length = b["length"].as_u64().unwrap_or(0);
            stream.extend(slice(seed, offset, length as usize));
            slices.push(json!({ "seed": seed, "offset": offset, "length": length }));
        } else if let Some(t) = op.get("text") {
            texts.push((
                t["value"].as_str().unwrap().to_string(),
                stream.len() as u64,
            ));
        }
    }
    Expected {
        bytes: stream.len() as u64,
        sha256: hex::encode(Sha256::digest(&stream)),
        texts,
        slices,
    }
}

pub fn check(who: &str, digest: &Value, exp: &Expected, setup: &Setup) {
    let context = || {
        format!(
            "{who} on {}: {digest:#}\n{}",
            setup.label,
            setup.worker_log()
        )
    };
    assert_eq!(digest["end"], "closed", "{}", context());
    assert_eq!(digest["bytes"], exp.bytes, "{}", context());
    assert_eq!(digest["sha256"], exp.sha256.as_str(), "{}", context());
    let values = exp.texts.iter().map(|(text, _)| text.as_str());
    assert_eq!(
        digest["texts_sha256"],
        texts_sha256(values).as_str(),
        "{}",
        context()
    );
    assert!(digest.get("mismatch").is_none(), "{}", context());
}

/// Text positions are exact for writers and for streaming readers, whose
/// callbacks run between the chunks they fall between.
pub fn check_text_positions(digest: &Value, exp: &Expected) {
    let at: Vec<u64> = digest["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["at_byte"].as_u64().unwrap())
        .collect();
    let want: Vec<u64> = exp.texts.iter().map(|(_, at)| *at).collect();
    assert_eq!(at, want, "{digest:#}");
}
