"""Fan-out writes (WriteRequest.fanout): parsing, ref look-up, op order, error isolation.

The writers here are ChannelWriter subclasses that record calls instead of
opening a socket, so the order the plan reaches each writer is visible
without an engine.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from google.protobuf import json_format
from iii import InvocationError
from iii.channel import ChannelWriter, StreamChannelRef

from iii_conformance_worker.context import Context
from iii_conformance_worker.describe import describe
from iii_conformance_worker.refs import (
    WRITE_REF_KEYS,
    fanout_ref_keys,
    find_fanout_writers,
    request_part,
)
from iii_conformance_worker.schema import message_class, parse
from iii_conformance_worker.write import handle_write

Call = tuple[str, str, Any]  # (writer name, what, detail)


class RecordingWriter(ChannelWriter):
    """A writer whose SDK calls are recorded; `fail_on` makes one kind raise."""

    def __init__(self, name: str, calls: list[Call], fail_on: str = "") -> None:
        ref = StreamChannelRef(channel_id=name, access_key="k-1", direction="write")
        super().__init__("ws://127.0.0.1:9", ref)  # never connects: the calls are overridden
        self.name = name
        self.calls = calls
        self.fail_on = fail_on

    def _record(self, what: str, detail: Any) -> None:
        if what == self.fail_on:
            raise ConnectionResetError(f"{self.name}: {what} refused")
        self.calls.append((self.name, what, detail))

    async def write(self, data: bytes) -> None:
        self._record("write", len(data))

    async def send_message_async(self, msg: str) -> None:
        self._record("text", msg)

    async def close_async(self) -> None:
        self._record("close", None)


PLAN = {
    "ops": [
        {"bytes": {"seed": "fan", "length": 5, "chunk": 3}},
        {"text": {"value": "hi"}},
        {"pause": {"ms": 1}},
        {"close": {}},
    ]
}


def fan_payload(calls: list[Call], n: int, fail: dict[str, str] | None = None) -> dict[str, Any]:
    fail = fail or {}
    payload: dict[str, Any] = {"cell": "fanout/unit", "plan": PLAN, "fanout": n}
    for k in range(1, n + 1):
        key = "writer" if k == 1 else f"writer_{k}"
        payload[key] = RecordingWriter(key, calls, fail.get(key, ""))
    return payload


def write(payload: dict[str, Any]) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        result = await handle_write(Context(iii=None, lang="py"), payload)
        # Fire-and-forget calls are tasks: let them run before the loop ends.
        await asyncio.sleep(0.05)
        return result

    result = asyncio.run(run())
    json_format.ParseDict(result, message_class("WriteResult")(), ignore_unknown_fields=False)
    return result


def test_fanout_parses_and_is_advertised() -> None:
    assert parse("WriteRequest", {"cell": "c", "fanout": 3}).fanout == 3
    assert describe(Context(iii=None, lang="py"))["capabilities"]["fanout"] is True


def test_fanout_refs_are_not_schema_fields() -> None:
    payload = {"cell": "c", "writer": 1, "writer_2": 2, "writer_10": 3, "writer_x": 4}
    keys = fanout_ref_keys(payload)
    assert keys == ("writer_2", "writer_10")
    # writer_x is no ref key, so the schema check still sees (and rejects) it.
    assert request_part(payload, WRITE_REF_KEYS + keys, "WriteRequest") == {
        "cell": "c",
        "writer_x": 4,
    }


@pytest.mark.parametrize("n", [0, 1])
def test_fanout_zero_and_one_mean_writer_alone(n: int) -> None:
    calls: list[Call] = []
    payload = fan_payload(calls, 1)
    payload["fanout"] = n
    assert find_fanout_writers(payload, n) == [payload["writer"]]
    assert "fanout" not in write(payload)


def test_writers_are_found_in_order() -> None:
    payload = fan_payload([], 3)
    found = find_fanout_writers(payload, 3)
    assert found == [payload["writer"], payload["writer_2"], payload["writer_3"]]


@pytest.mark.parametrize(
    ("patch", "drop", "field"),
    [
        ({"fanout": -1}, "", "WriteRequest.fanout"),
        ({"fanout": "3"}, "", "WriteRequest.fanout"),
        ({"fanout": 2**32}, "", "WriteRequest.fanout"),
        ({}, "writer_3", "writer_3"),  # a ref the fanout promises is missing
        ({}, "writer", "writer"),
        ({"fanout": 2}, "", "writer_3"),  # a ref beyond the fanout
        ({"fanout": 0}, "", "writer_2"),  # refs without fanout
        ({"writer_1": "x"}, "", "writer_1"),  # `writer` is the first; there is no writer_1
        ({"writer_03": "x"}, "", "writer_03"),
        ({"writer_2": {"channel_id": "c"}}, "", "writer_2"),  # not a live writer
        ({"fanout": 2**32 - 1}, "", "writer_4"),  # fails at the first missing ref, at once
    ],
)
def test_bad_fanouts_name_the_field(patch: dict[str, Any], drop: str, field: str) -> None:
    payload = {**fan_payload([], 3), **patch}
    payload.pop(drop, None)
    with pytest.raises(InvocationError) as caught:
        write(payload)
    assert caught.value.code == "INVALID_REQUEST"
    assert str(caught.value).startswith(f"INVALID_REQUEST: {field}:"), str(caught.value)


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"fanout": 2}, "WriteRequest.fanout"),
        ({"writer_2": "x"}, "writer_2"),  # a stray ref is not silently ignored either
    ],
)
def test_fanout_with_produce_is_invalid(patch: dict[str, Any], field: str) -> None:
    produce = {"reader_function": "conformance::py::read"}
    payload = {"cell": "c", "plan": PLAN, "produce": produce, **patch}
    with pytest.raises(InvocationError, match=rf"^INVALID_REQUEST: {field}:"):
        write(payload)


@pytest.mark.parametrize("style", ["AWAITED", "FIRE_AND_FORGET"])
def test_each_op_reaches_every_writer_before_the_next_op(style: str) -> None:
    calls: list[Call] = []
    payload = fan_payload(calls, 3)
    payload["plan"] = {**PLAN, "style": style}
    result = write(payload)
    names = ["writer", "writer_2", "writer_3"]
    # A bytes op is all its write calls: both chunks reach one writer before the next.
    expected = [(name, "write", n) for name in names for n in (3, 2)]
    for what, detail in [("text", "hi"), ("close", None)]:
        expected += [(name, what, detail) for name in names]
    assert calls == expected
    digests = [result["digest"], *result["fanout"]]
    assert len(digests) == 3
    # Each writer has its own digest of the same stream.
    assert len({d["sha256"] for d in digests}) == 1
    assert [(d["bytes"], d["chunks"], d["end"]) for d in digests] == [(5, 2, "closed")] * 3


def test_an_error_ends_only_that_writers_digest() -> None:
    calls: list[Call] = []
    result = write(fan_payload(calls, 3, fail={"writer_2": "text"}))
    first, second, third = result["digest"], *result["fanout"]
    assert second["end"] == "error"
    assert second["error"]["stage"] == "text"
    assert second["error"]["code"] == "ConnectionResetError"
    assert (first["end"], third["end"]) == ("closed", "closed")
    assert ("writer_2", "close", None) not in calls
    assert [c for c in calls if c[1] == "close"] == [
        ("writer", "close", None),
        ("writer_3", "close", None),
    ]


def test_every_writer_failing_ends_the_plan() -> None:
    calls: list[Call] = []
    fail = {"writer": "write", "writer_2": "write"}
    result = write(fan_payload(calls, 2, fail=fail))
    assert [d["end"] for d in (result["digest"], *result["fanout"])] == ["error", "error"]
    assert calls == []
