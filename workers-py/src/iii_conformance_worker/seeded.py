"""The seeded byte stream of worker-contract.md.

Block i of seed s is SHA-256(utf8(s) || u64be(i)); the stream is the blocks
concatenated. Hashing a copy of a pre-fed hash object avoids re-hashing the
seed for every block, which keeps 16 MiB well under a second.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

BLOCK = 32
WINDOW = 1 << 20


def seeded_slice(seed: str, offset: int, length: int) -> bytes:
    """The bytes [offset, offset + length) of the stream of `seed`."""
    if offset < 0 or length < 0:
        raise ValueError(f"offset and length must be >= 0, got {offset}, {length}")
    if length == 0:
        return b""

    prefix = hashlib.sha256(seed.encode("utf-8"))
    first = offset // BLOCK
    last = (offset + length - 1) // BLOCK

    def block(i: int) -> bytes:
        h = prefix.copy()
        h.update(i.to_bytes(8, "big"))
        return h.digest()

    joined = b"".join([block(i) for i in range(first, last + 1)])
    start = offset - first * BLOCK
    return joined[start : start + length]


def seeded_pieces(seed: str, offset: int, length: int, chunk: int) -> Iterator[bytes]:
    """The slice as the buffers one SDK write call each gets.

    `chunk` 0 means one buffer with everything; `length` 0 means one empty
    buffer. Pieces are generated lazily so a 64 MiB plan never sits in
    memory twice.
    """
    if length == 0:
        yield b""
        return
    size = length if chunk == 0 else chunk
    # Generate about a MiB at a time and cut it into pieces, so tiny chunks
    # do not pay one hash call each.
    window = max(size, (WINDOW // size) * size)
    done = 0
    while done < length:
        span = min(window, length - done)
        buf = seeded_slice(seed, offset + done, span)
        for start in range(0, span, size):
            yield buf[start : start + size]
        done += span
