"""Locating the first byte a reader got wrong (worker-contract.md, read step 5).

Evidence only: the verdict rests on the harness's own digest. The expected
stream is generated a window at a time, so a 64 MiB check never holds the
whole stream in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .seeded import WINDOW, seeded_slice

SHOWN = 8  # bytes of each side quoted in a mismatch


def _expected_windows(slices: list[Any]) -> Iterator[bytes]:
    for s in slices:
        for at in range(0, s.length, WINDOW):
            yield seeded_slice(s.seed, s.offset + at, min(WINDOW, s.length - at))


class Expectation:
    """Compares consumed bytes against ReadSpec.expect as they arrive."""

    def __init__(self, slices: list[Any]) -> None:
        self._windows = _expected_windows(slices)
        self._pending = b""
        self._total = sum(s.length for s in slices)
        self._received = 0
        self._chunk = 0
        self.mismatch: dict[str, Any] | None = None

    def _take(self, n: int) -> bytes:
        while len(self._pending) < n:
            nxt = next(self._windows, None)
            if nxt is None:
                break
            self._pending += nxt
        out, self._pending = self._pending[:n], self._pending[n:]
        return out

    def feed(self, data: bytes) -> None:
        chunk, self._chunk = self._chunk, self._chunk + 1
        if self.mismatch is not None:
            self._received += len(data)
            return
        expected = self._take(len(data))
        for i, (got, want) in enumerate(zip(data, expected, strict=False)):
            if got != want:
                self._record(self._received + i, chunk, i, expected[i:], data[i:])
                break
        else:
            if len(expected) < len(data):
                i = len(expected)
                self._record(self._received + i, chunk, i, b"", data[i:])
        self._received += len(data)

    def _record(self, offset: int, chunk: int, at: int, want: bytes, got: bytes) -> None:
        self.mismatch = {
            "offset": offset,
            "chunk": chunk,
            "chunk_offset": at,
            "expected_hex": want[:SHOWN].hex(),
            "actual_hex": got[:SHOWN].hex(),
        }

    def finish(self) -> dict[str, Any] | None:
        """The mismatch, including a stream that ended short of the expectation."""
        if self.mismatch is None and self._received < self._total:
            tail = self._take(SHOWN)
            self._record(self._received, self._chunk, 0, tail, b"")
        return self.mismatch
