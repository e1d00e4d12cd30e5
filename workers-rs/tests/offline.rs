//! Tests that need no engine: the seeded stream against the committed golden
//! vectors, text hashing, mismatch evidence, and the SDK version.

use conformance_worker::digest::{Recorder, text_record, texts_sha256};
use conformance_worker::mismatch::MismatchFinder;
use conformance_worker::seeded::{SeededStream, slice};
use serde_json::Value;
use sha2::{Digest, Sha256};

const GOLDEN: &str = include_str!("../../fixtures/golden-vectors.json");

#[test]
fn seeded_stream_reproduces_every_golden_vector() {
    let golden: Value = serde_json::from_str(GOLDEN).unwrap();
    let vectors = golden["vectors"].as_array().unwrap();
    assert!(
        vectors.len() >= 10,
        "fixtures/golden-vectors.json lost vectors"
    );
    for vector in vectors {
        let seed = vector["seed"].as_str().unwrap();
        let offset = vector["offset"].as_u64().unwrap();
        let length = vector["length"].as_u64().unwrap() as usize;
        let bytes = slice(seed, offset, length);
        let what = format!("seed {seed:?} offset {offset} length {length}");
        assert_eq!(
            hex::encode(Sha256::digest(&bytes)),
            vector["sha256"],
            "{what}"
        );
        let first = vector["first_bytes_hex"].as_str().unwrap();
        assert!(
            hex::encode(&bytes).starts_with(first),
            "{what}: first bytes"
        );
    }
}

#[test]
fn seeded_stream_is_the_same_however_it_is_cut() {
    let whole = slice("cut", 7, 300);
    let mut stream = SeededStream::new("cut", 7);
    let mut pieces = Vec::new();
    for size in [0, 1, 31, 32, 33, 64, 139] {
        let mut piece = vec![0; size];
        stream.fill(&mut piece);
        pieces.extend(piece);
    }
    assert_eq!(pieces, whole);
    assert_eq!(stream.position(), 307);
}

#[test]
fn texts_hash_length_prefixed_utf8_in_order() {
    // The empty list hashes the empty input.
    let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert_eq!(texts_sha256([]), empty);

    let mut by_hand = Vec::new();
    for text in ["a", "", "ünï 🚀"] {
        by_hand.extend((text.len() as u32).to_be_bytes());
        by_hand.extend(text.as_bytes());
    }
    let expected = hex::encode(Sha256::digest(&by_hand));
    assert_eq!(texts_sha256(["a", "", "ünï 🚀"]), expected);
    // Order matters, and so do boundaries between texts.
    assert_ne!(texts_sha256(["", "a", "ünï 🚀"]), expected);
    assert_ne!(texts_sha256(["a", "ünï 🚀"]), expected);
}

#[test]
fn a_text_record_counts_utf8_bytes_and_previews_16_characters() {
    let text = "🚀".repeat(20);
    let record = text_record(&text, 65_537);
    assert_eq!(record.length, 80);
    assert_eq!(record.preview, "🚀".repeat(16));
    assert_eq!(record.at_byte, 65_537);
    assert_eq!(record.sha256, hex::encode(Sha256::digest(text.as_bytes())));
}

#[test]
fn the_recorder_digest_matches_what_went_through() {
    let mut recorder = Recorder::new(std::time::Instant::now(), "reader", "rs");
    recorder.text("first");
    recorder.chunk(&slice("r", 0, 10));
    recorder.chunk(&[]);
    recorder.text("second");
    recorder.chunk(&slice("r", 10, 5));
    recorder.finish(conformance_worker::digest::End::Closed);
    let digest = serde_json::to_value(recorder.digest()).unwrap();
    assert_eq!(digest["bytes"], 15);
    assert_eq!(
        digest["sha256"],
        hex::encode(Sha256::digest(slice("r", 0, 15)))
    );
    assert_eq!(digest["chunks"], 3);
    assert_eq!(digest["empty_chunks"], 1);
    assert_eq!(digest["max_chunk"], 10);
    assert_eq!(digest["texts"][1]["at_byte"], 10);
    assert_eq!(digest["texts_sha256"], texts_sha256(["first", "second"]));
    assert_eq!(digest["end"], "closed");
    assert!(digest.get("error").is_none() && digest.get("mismatch").is_none());
}

fn finder() -> MismatchFinder {
    MismatchFinder::new(vec![("a".into(), 0, 40), ("b".into(), 3, 40)])
}

fn expected() -> Vec<u8> {
    [slice("a", 0, 40), slice("b", 3, 40)].concat()
}

#[test]
fn an_exact_stream_has_no_mismatch_however_it_is_chunked() {
    let mut find = finder();
    for piece in expected().chunks(7) {
        find.observe(piece);
    }
    find.observe(&[]);
    assert_eq!(find.finish(), None);
}

#[test]
fn a_flipped_byte_is_located_by_offset_and_chunk() {
    let mut bytes = expected();
    bytes[45] ^= 0xff;
    let mut find = finder();
    for piece in bytes.chunks(30) {
        find.observe(piece);
    }
    let found = find.finish().unwrap();
    assert_eq!((found.offset, found.chunk, found.chunk_offset), (45, 1, 15));
    assert_eq!(found.expected_hex, hex::encode(&expected()[45..53]));
    assert_eq!(found.actual_hex, hex::encode(&bytes[45..53]));
}

#[test]
fn short_and_overlong_streams_mismatch_at_their_ends() {
    let mut short = finder();
    short.observe(&expected()[..50]);
    let found = short.finish().unwrap();
    assert_eq!((found.offset, found.chunk, found.chunk_offset), (50, 1, 0));
    assert_eq!(found.actual_hex, "");
    assert_eq!(found.expected_hex, hex::encode(&expected()[50..58]));

    let mut long = finder();
    long.observe(&expected()[..78]);
    long.observe(&[expected()[78..].to_vec(), vec![1, 2, 3]].concat());
    let found = long.finish().unwrap();
    assert_eq!((found.offset, found.chunk, found.chunk_offset), (80, 1, 2));
    assert_eq!(
        (found.expected_hex.as_str(), found.actual_hex.as_str()),
        ("", "010203")
    );
}

#[test]
fn the_reported_sdk_version_is_the_one_cargo_resolved() {
    let lock = include_str!("../Cargo.lock");
    let pinned = format!(
        "name = \"iii-sdk\"\nversion = \"{}\"",
        conformance_worker::describe::SDK_VERSION
    );
    assert!(lock.contains(&pinned), "Cargo.lock does not pin {pinned}");
    // The SDK's own default metadata carries its package version too.
    let metadata = iii_sdk::runtime::WorkerMetadata::default();
    assert_eq!(metadata.version, conformance_worker::describe::SDK_VERSION);
}

/// 64 MiB plans must not be bound by the generator. Measured in release
/// builds only; the bound is loose enough for a busy 2-core CI machine.
#[test]
fn the_seeded_stream_is_fast_in_release() {
    if cfg!(debug_assertions) {
        return;
    }
    let started = std::time::Instant::now();
    let mut stream = SeededStream::new("speed", 0);
    let mut buffer = vec![0; 65_536];
    for _ in 0..1024 {
        stream.fill(&mut buffer);
    }
    let took = started.elapsed();
    eprintln!("64 MiB of seeded stream in {took:?}");
    assert!(
        took < std::time::Duration::from_secs(5),
        "64 MiB took {took:?}"
    );
}
