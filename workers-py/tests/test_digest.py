"""Text hashing and digest bookkeeping, checked against values computed by hand."""

from __future__ import annotations

import hashlib

from iii_conformance_worker.digest import Clock, DigestBuilder, scrub, text_record, texts_sha256

ROCKET = "\U0001f680"  # 4 bytes in UTF-8


def test_empty_text_list_hashes_empty_input() -> None:
    assert texts_sha256([]) == hashlib.sha256(b"").hexdigest()


def test_texts_hash_is_length_prefixed() -> None:
    expected = hashlib.sha256(b"\x00\x00\x00\x01a" + b"\x00\x00\x00\x04" + ROCKET.encode())
    assert texts_sha256(["a", ROCKET]) == expected.hexdigest()
    # The prefix keeps ["ab"] and ["a", "b"] apart.
    assert texts_sha256(["ab"]) != texts_sha256(["a", "b"])


def test_text_record_counts_utf8_bytes_and_previews_characters() -> None:
    value = ROCKET * 20
    record = text_record(value, 7)
    assert record["length"] == 80
    assert record["at_byte"] == 7
    assert record["preview"] == ROCKET * 16
    assert record["sha256"] == hashlib.sha256(value.encode()).hexdigest()


def test_builder_tracks_chunks_texts_and_offsets() -> None:
    d = DigestBuilder("reader", "py", Clock())
    d.add_chunk(b"abc")
    d.add_text("t")
    d.add_chunk(b"")
    d.add_chunk(b"de")
    d.finish("closed")
    d.finish("timeout")  # the first end wins
    out = d.to_dict()
    assert out["bytes"] == 5
    assert out["sha256"] == hashlib.sha256(b"abcde").hexdigest()
    assert (out["chunks"], out["empty_chunks"], out["max_chunk"]) == (3, 1, 3)
    assert out["texts"][0]["at_byte"] == 3
    assert out["end"] == "closed"
    assert "error" not in out


def test_failure_is_reported_without_access_keys() -> None:
    d = DigestBuilder("writer", "py", Clock())
    d.fail("connect", OSError("ws://h/ws/channels/c?key=SECRET&dir=write refused"))
    out = d.to_dict()
    assert out["end"] == "error"
    assert out["error"]["stage"] == "connect"
    assert out["error"]["code"] == "OSError"
    assert "SECRET" not in out["error"]["message"]
    assert scrub("k=SECRET2 here", ("SECRET2",)) == "k=<redacted> here"
