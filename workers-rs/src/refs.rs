//! Channel refs in payloads, found only with the SDK's documented helper
//! (`iii_sdk::helpers::extract_channel_refs`). When the helper misses a ref
//! the payload plainly holds, that is reported as a finding about the SDK,
//! never patched over with our own parsing.

use std::borrow::Cow;

use iii_sdk::channel::StreamChannelRef;
use iii_sdk::helpers::{extract_channel_refs, is_channel_ref};
use serde_json::Value;

/// One place the contract allows a ref: the helper's path for it and the
/// JSON pointer of the same spot. Paths are borrowed for the fixed places
/// and owned for the numbered fan-out writers (`writer_2`, …).
#[derive(Debug, Clone)]
pub struct Placement {
    pub name: &'static str,
    pub sdk_path: Cow<'static, str>,
    pub pointer: Cow<'static, str>,
}

pub const WRITER: Placement = Placement {
    name: "field",
    sdk_path: Cow::Borrowed("writer"),
    pointer: Cow::Borrowed("/writer"),
};

/// The write ref a fan-out's `k`-th writer (1-based) uses: `writer` for the
/// first, `writer_<k>` after it, each a top-level field like `writer`.
pub fn fanout_writer(k: usize) -> Placement {
    if k <= 1 {
        return WRITER;
    }
    let key = format!("writer_{k}");
    Placement {
        name: "field",
        pointer: Cow::Owned(format!("/{key}")),
        sdk_path: Cow::Owned(key),
    }
}

/// Where a reader looks, in the contract's order.
pub const READER_PLACEMENTS: [Placement; 4] = [
    Placement {
        name: "field",
        sdk_path: Cow::Borrowed("reader"),
        pointer: Cow::Borrowed("/reader"),
    },
    Placement {
        name: "array",
        sdk_path: Cow::Borrowed("readers[0]"),
        pointer: Cow::Borrowed("/readers/0"),
    },
    Placement {
        name: "nested",
        sdk_path: Cow::Borrowed("input.channel.reader"),
        pointer: Cow::Borrowed("/input/channel/reader"),
    },
    // The helper names no path for the payload itself; it never returns one.
    Placement {
        name: "top",
        sdk_path: Cow::Borrowed(""),
        pointer: Cow::Borrowed(""),
    },
];

/// The payload keys a reader ref may occupy (not schema fields).
pub const READER_KEYS: [&str; 3] = ["reader", "readers", "input"];

#[derive(Debug)]
pub enum Lookup {
    Found {
        placement: Placement,
        channel: StreamChannelRef,
    },
    /// The payload holds a ref here but the SDK's helper did not return it.
    Missed { placement: Placement },
    /// No ref at any of the places looked at.
    Absent,
}

/// Looks for a ref at each placement in turn, first hit wins.
pub fn find(payload: &Value, placements: &[Placement]) -> Lookup {
    let extracted = extract_channel_refs(payload);
    for placement in placements {
        let from_sdk = extracted
            .iter()
            .find(|(path, _)| !placement.sdk_path.is_empty() && *path == placement.sdk_path);
        if let Some((_, channel)) = from_sdk {
            return Lookup::Found {
                placement: placement.clone(),
                channel: channel.clone(),
            };
        }
        // The SDK's own predicate says whether a ref sits here at all.
        if payload
            .pointer(&placement.pointer)
            .is_some_and(is_channel_ref)
        {
            return Lookup::Missed {
                placement: placement.clone(),
            };
        }
    }
    Lookup::Absent
}

/// The error message for a ref the helper missed (names no key or id).
pub fn missed_message(placement: &Placement) -> String {
    let at = if placement.sdk_path.is_empty() {
        "the payload itself (top level)".to_string()
    } else {
        format!("`{}`", placement.sdk_path)
    };
    format!(
        "iii_sdk::helpers::extract_channel_refs returned no ref for {at} although the payload \
         holds a channel ref there (placement `{}`)",
        placement.name
    )
}

/// A short, key-free label of a channel for logs.
pub fn label(channel: &StreamChannelRef) -> String {
    let id: String = channel.channel_id.chars().take(8).collect();
    format!("channel {id}…")
}

/// Puts the reader ref where `placement` says, beside the request fields.
pub fn place(mut fields: Value, placement: &str, reader: Value) -> Result<Value, String> {
    match placement {
        "" | "field" => fields["reader"] = reader,
        "array" => fields["readers"] = Value::Array(vec![reader]),
        "nested" => fields["input"] = serde_json::json!({ "channel": { "reader": reader } }),
        "top" => return Ok(reader),
        other => {
            return Err(format!(
                "unknown placement {other:?}; expected one of field, array, nested, top"
            ));
        }
    }
    Ok(fields)
}
