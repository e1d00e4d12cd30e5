"""Digests: what a worker reports of a stream it wrote or read.

A DigestBuilder is fed as the stream goes, so a deadline that cancels the
work half-way still leaves an accurate digest of everything seen so far.
"""

from __future__ import annotations

import hashlib
import re
import resource
import time
from typing import Any

from .expect import Expectation

PREVIEW_CHARS = 16

# Channel URLs carry the access key as `key=...`; never let one reach a digest.
_KEY_IN_URL = re.compile(r"key=[^&\s'\"]*")


def texts_sha256(texts: list[str]) -> str:
    """SHA-256 over u32be(utf8 length) || utf8, for each text in order."""
    h = hashlib.sha256()
    for text in texts:
        utf8 = text.encode("utf-8")
        h.update(len(utf8).to_bytes(4, "big"))
        h.update(utf8)
    return h.hexdigest()


def text_record(text: str, at_byte: int) -> dict[str, Any]:
    utf8 = text.encode("utf-8")
    return {
        "length": len(utf8),
        "sha256": hashlib.sha256(utf8).hexdigest(),
        "at_byte": at_byte,
        "preview": text[:PREVIEW_CHARS],
    }


def rss_peak_kib() -> int:
    # Linux reports ru_maxrss in KiB already.
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def scrub(message: str, secrets: tuple[str, ...] = ()) -> str:
    """An error message safe to report: no access key in any form."""
    out = _KEY_IN_URL.sub("key=<redacted>", message)
    for secret in secrets:
        if secret:
            out = out.replace(secret, "<redacted>")
    return out


class Clock:
    """Milliseconds since handler entry, the unit of every `timing` field."""

    def __init__(self) -> None:
        self._t0 = time.monotonic()

    def ms(self) -> int:
        return int((time.monotonic() - self._t0) * 1000)


class DigestBuilder:
    def __init__(self, role: str, lang: str, clock: Clock, expect: list[Any] | None = None) -> None:
        self.role = role
        self._expect = Expectation(expect) if expect else None
        self.lang = lang
        self.clock = clock
        self.bytes = 0
        self._sha = hashlib.sha256()
        self._texts: list[str] = []
        self._records: list[dict[str, Any]] = []
        self.chunks = 0
        self.empty_chunks = 0
        self.max_chunk = 0
        self.end = ""
        self.error: dict[str, str] | None = None
        self._start_ms: int | None = None
        self._first_byte_ms: int | None = None
        self._end_ms: int | None = None

    @property
    def text_count(self) -> int:
        return len(self._texts)

    def started(self) -> None:
        """Mark the first SDK channel call (only the first counts)."""
        if self._start_ms is None:
            self._start_ms = self.clock.ms()

    def add_chunk(self, data: bytes) -> None:
        self.started()
        if data and self._first_byte_ms is None:
            self._first_byte_ms = self.clock.ms()
        self.bytes += len(data)
        self._sha.update(data)
        if self._expect is not None:
            self._expect.feed(data)
        self.chunks += 1
        if not data:
            self.empty_chunks += 1
        self.max_chunk = max(self.max_chunk, len(data))

    def add_text(self, text: str) -> None:
        self.started()
        self._texts.append(text)
        self._records.append(text_record(text, self.bytes))

    def finish(self, end: str) -> None:
        """Record how the stream ended; the first call wins."""
        if not self.end:
            self.end = end
            self._end_ms = self.clock.ms()

    def fail(self, stage: str, error: BaseException, secrets: tuple[str, ...] = ()) -> None:
        code = getattr(error, "code", None)
        self.error = {
            "code": code if isinstance(code, str) else type(error).__name__,
            "message": scrub(str(error) or repr(error), secrets),
            "stage": stage,
        }
        self.finish("error")

    def to_dict(self) -> dict[str, Any]:
        """The Digest in proto3 JSON form. Zero counts stay in for readable reports."""
        timing = {
            "start_ms": self._start_ms or 0,
            "first_byte_ms": self._first_byte_ms or 0,
            "end_ms": self._end_ms if self._end_ms is not None else self.clock.ms(),
        }
        out: dict[str, Any] = {
            "role": self.role,
            "lang": self.lang,
            "bytes": self.bytes,
            "sha256": self._sha.hexdigest(),
            "texts": list(self._records),
            "texts_sha256": texts_sha256(self._texts),
            "chunks": self.chunks,
            "empty_chunks": self.empty_chunks,
            "max_chunk": self.max_chunk,
            "end": self.end,
            "timing": timing,
            "rss_peak_kib": rss_peak_kib(),
        }
        if self.error is not None:
            out["error"] = self.error
        mismatch = self._expect.finish() if self._expect is not None else None
        if mismatch is not None:
            out["mismatch"] = mismatch
        return out
