"""A running stack for end-to-end tests: engine, worker process, SDK client.

The client plays the orchestrator: it creates channels with the Python SDK
and triggers the worker's functions through the engine, as the harness does.
Expectations are computed here from the plan alone, with a deliberately
naive generator that shares no code with the worker.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format
from iii import InitOptions, InvocationError, register_worker
from iii.channel import ChannelReader, StreamChannelRef
from iii.helpers import create_channel

from engines import WorkerProcess
from iii_conformance_worker.schema import message_class

DEADLINE_MS = 20_000
CALL_TIMEOUT_MS = 40_000
RESULTS = {
    "describe": "Description",
    "write": "WriteResult",
    "read": "ReadResult",
    "relay": "RelayResult",
    "recall": "RecallResult",
}


def naive_stream(seed: str, offset: int, length: int) -> bytes:
    out = bytearray()
    i = offset // 32
    while len(out) < offset % 32 + length:
        out += hashlib.sha256(seed.encode() + i.to_bytes(8, "big")).digest()
        i += 1
    return bytes(out[offset % 32 : offset % 32 + length])


@dataclass
class Expected:
    data: bytes = b""
    texts: list[tuple[str, int]] = field(default_factory=list)  # (text, at_byte)

    @property
    def texts_sha256(self) -> str:
        h = hashlib.sha256()
        for text, _ in self.texts:
            utf8 = text.encode()
            h.update(len(utf8).to_bytes(4, "big") + utf8)
        return h.hexdigest()


def expected_for(ops: list[dict[str, Any]]) -> Expected:
    exp = Expected()
    for op in ops:
        if "bytes" in op:
            b = op["bytes"]
            exp.data += naive_stream(b["seed"], b.get("offset", 0), b["length"])
        elif "text" in op:
            t = op["text"]
            exp.texts.append((t["value"] * max(1, t.get("repeat", 0)), len(exp.data)))
    return exp


def assert_digest(digest: dict[str, Any], exp: Expected, *, at_bytes: bool = True) -> None:
    """The digest shows exactly the expected stream."""
    assert digest.get("error") is None, digest.get("error")
    assert digest["bytes"] == len(exp.data), digest
    assert digest["sha256"] == hashlib.sha256(exp.data).hexdigest(), digest
    assert digest["texts_sha256"] == exp.texts_sha256, digest["texts"]
    records = [(t["length"], t["sha256"]) for t in digest["texts"]]
    assert records == [
        (len(t.encode()), hashlib.sha256(t.encode()).hexdigest()) for t, _ in exp.texts
    ]
    if at_bytes:
        assert [t["at_byte"] for t in digest["texts"]] == [at for _, at in exp.texts]


@dataclass
class Drained:
    data: bytes = b""
    texts: list[tuple[str, int]] = field(default_factory=list)  # (text, at_byte)


async def _drain(url: str, reader_ref: dict[str, Any], timeout_s: float) -> Drained:
    reader = ChannelReader(url, StreamChannelRef(**reader_ref))
    out = Drained()
    chunks: list[bytes] = []
    reader.on_message(lambda text: out.texts.append((text, sum(map(len, chunks)))))

    async def read() -> None:
        async for chunk in reader:
            chunks.append(chunk)

    await asyncio.wait_for(read(), timeout_s)
    out.data = b"".join(chunks)
    return out


class Stack:
    def __init__(self, url: str, worker: WorkerProcess, lang: str = "py") -> None:
        self.url = url
        self.worker = worker
        self.lang = lang
        self.client = register_worker(url, InitOptions(worker_name="py-e2e-client"))
        self._pool = ThreadPoolExecutor(8, thread_name_prefix="e2e-call")
        self._wait_for_worker()

    def _wait_for_worker(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                self.call("describe", {}, timeout_ms=2000)
                return
            except InvocationError as err:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"worker never registered: {self.worker.log()}") from err
                time.sleep(0.1)

    def call(
        self, name: str, payload: Any, timeout_ms: int = CALL_TIMEOUT_MS, lang: str | None = None
    ) -> Any:
        function_id = f"conformance::{lang or self.lang}::{name}"
        result = self.client.trigger(
            {"function_id": function_id, "payload": payload, "timeout_ms": timeout_ms}
        )
        # Every result must parse as its schema message, unknown fields refused,
        # as the harness will parse it.
        json_format.ParseDict(result, message_class(RESULTS[name])(), ignore_unknown_fields=False)
        return result

    def call_async(self, name: str, payload: Any, **kwargs: Any) -> Future[Any]:
        return self._pool.submit(self.call, name, payload, **kwargs)

    def drain(self, reader_ref: dict[str, Any], timeout_s: float = 20) -> Future[Drained]:
        """Read a channel to its end with the SDK's reader here in the test client.

        Texts come through on_message, binary by iteration, as a user reads.
        Runs on a pool thread with its own event loop; a stream that never
        ends raises TimeoutError from the future.
        """
        return self._pool.submit(asyncio.run, _drain(self.url, reader_ref, timeout_s))

    def channel(self, buffer_size: int | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        ch = create_channel(self.client, buffer_size)
        return ch.writer_ref.model_dump(), ch.reader_ref.model_dump()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.client.shutdown()
