//! The write refs of a `WriteRequest`: `writer` and, in a fan-out
//! (`fanout` N above 1), `writer_2` … `writer_N` beside it. Each is found the
//! way `writer` always was, with the SDK's helper (src/refs.rs); the request
//! is rejected before any channel work when the refs and `fanout` disagree.

use serde_json::Value;

use crate::refs::{self, Lookup};
use crate::reject::Rejection;
use crate::request::{WriteRequest, parse, schema_fields};

/// Parses a write payload: the refs (`writer`, `writer_<k>`) and engine keys
/// set aside, the rest checked against the schema, then fan-out's own rules.
pub fn parse_request(payload: &Value) -> Result<WriteRequest, Rejection> {
    let numbered = numbered_writer_keys(payload);
    let mut ref_keys = vec!["writer"];
    ref_keys.extend(numbered.iter().map(|(key, _)| key.as_str()));
    let request: WriteRequest = parse("WriteRequest", schema_fields(payload, &ref_keys)?)?;
    check(&request, &numbered)?;
    Ok(request)
}

/// How many writers the request drives: 0 and 1 both mean `writer` alone.
pub fn width(request: &WriteRequest) -> usize {
    request.fanout.max(1) as usize
}

/// Top-level keys spelled like a fan-out ref, `writer_<k>` with k ≥ 2 written
/// plainly, and their k. Anything else (`writer_1`, `writer_02`) is left to
/// the schema check, which names it as an unknown field.
fn numbered_writer_keys(payload: &Value) -> Vec<(String, u64)> {
    let Some(object) = payload.as_object() else {
        return Vec::new();
    };
    object
        .keys()
        .filter_map(|key| {
            let digits = key.strip_prefix("writer_")?;
            let k: u64 = digits.parse().ok()?;
            (k >= 2 && k.to_string() == digits).then(|| (key.clone(), k))
        })
        .collect()
}

fn check(request: &WriteRequest, numbered: &[(String, u64)]) -> Result<(), Rejection> {
    let width = u64::from(request.fanout.max(1));
    if width > 1 && request.produce.is_some() {
        // A producer creates its one channel itself; there is nothing to
        // fan out to.
        return Err(Rejection::invalid(
            "fanout",
            &format!("fanout {width} cannot be combined with produce"),
        ));
    }
    // The lowest stray key, so the message does not depend on key order.
    let stray = numbered
        .iter()
        .filter(|(_, k)| *k > width)
        .min_by_key(|(_, k)| *k);
    match stray {
        None => Ok(()),
        Some((key, _)) if width == 1 => Err(Rejection::invalid(
            key,
            "a fan-out ref, but fanout is not set (0 and 1 mean `writer` alone)",
        )),
        Some((key, _)) => Err(Rejection::invalid(
            key,
            &format!("a fan-out ref beyond fanout {width} (its refs are writer … writer_{width})"),
        )),
    }
}

/// The request's write refs in order (`writer`, `writer_2`, …), each as the
/// SDK's helper saw it. A ref missing from the payload rejects the request;
/// one the helper missed is the caller's to report in that writer's digest.
pub fn find_refs(payload: &Value, width: usize) -> Result<Vec<Lookup>, Rejection> {
    (1..=width)
        .map(|k| {
            let placement = refs::fanout_writer(k);
            match refs::find(payload, std::slice::from_ref(&placement)) {
                Lookup::Absent => Err(Rejection::invalid(
                    &placement.sdk_path,
                    &missing_detail(width),
                )),
                found_or_missed => Ok(found_or_missed),
            }
        })
        .collect()
}

fn missing_detail(width: usize) -> String {
    if width == 1 {
        "missing channel ref (required unless produce is set)".into()
    } else {
        format!("missing channel ref (fanout {width} needs writer … writer_{width})")
    }
}
