"""The seeded stream reproduces every golden vector (a generator bug must never
pass for an interop bug), and plans cut it into the right write calls."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import pytest

from iii_conformance_worker.seeded import seeded_pieces, seeded_slice


def test_every_golden_vector(golden_vectors: list[dict[str, Any]]) -> None:
    assert len(golden_vectors) >= 10
    for v in golden_vectors:
        data = seeded_slice(v["seed"], v["offset"], v["length"])
        assert len(data) == v["length"], v
        assert hashlib.sha256(data).hexdigest() == v["sha256"], v
        assert data.hex().startswith(v["first_bytes_hex"]), v


def test_block_definition_by_hand() -> None:
    # Block 1 of seed "s" is SHA-256("s" || 00..01), independent of the generator.
    block1 = hashlib.sha256(b"s" + (1).to_bytes(8, "big")).digest()
    assert seeded_slice("s", 32, 32) == block1
    assert seeded_slice("s", 40, 3) == block1[8:11]


@pytest.mark.parametrize(
    ("length", "chunk", "sizes"),
    [
        (0, 0, [0]),
        (0, 7, [0]),
        (1, 0, [1]),
        (65537, 0, [65537]),
        (65537, 65536, [65536, 1]),
        (10, 3, [3, 3, 3, 1]),
        (3 * 1024 * 1024 + 5, 1 << 20, [1 << 20] * 3 + [5]),
    ],
)
def test_pieces_follow_chunk(length: int, chunk: int, sizes: list[int]) -> None:
    pieces = list(seeded_pieces("p", 11, length, chunk))
    assert [len(p) for p in pieces] == sizes
    assert b"".join(pieces) == seeded_slice("p", 11, length)


def test_tiny_chunks_across_windows() -> None:
    pieces = list(seeded_pieces("w", 5, (1 << 20) + 3, 1000))
    assert b"".join(pieces) == seeded_slice("w", 5, (1 << 20) + 3)
    assert all(len(p) == 1000 for p in pieces[:-1])


def test_sixteen_mib_is_fast() -> None:
    started = time.perf_counter()
    data = seeded_slice("speed", 0, 16 << 20)
    elapsed = time.perf_counter() - started
    assert len(data) == 16 << 20
    assert elapsed < 1.0, f"16 MiB took {elapsed:.2f} s"
