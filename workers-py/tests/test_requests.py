"""Request validation (good and bad), ref placements, and result shapes."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
from google.protobuf import json_format
from iii import InvocationError
from iii.channel import ChannelReader, ChannelWriter, StreamChannelRef

from iii_conformance_worker.context import Context
from iii_conformance_worker.describe import describe
from iii_conformance_worker.read import handle_read
from iii_conformance_worker.refs import READ_REF_KEYS, find_reader, reader_payload, request_part
from iii_conformance_worker.schema import message_class, parse
from iii_conformance_worker.write import handle_write

REF = {"channel_id": "c-1", "access_key": "k-1"}


def live(direction: str, url: str = "ws://127.0.0.1:9") -> Any:
    # Constructing a channel end does not connect; nothing here touches a socket.
    ref = StreamChannelRef(**REF, direction=direction)
    return ChannelReader(url, ref) if direction == "read" else ChannelWriter(url, ref)


GOOD_WRITE = {
    "cell": "frames/size-1 py->py@reference",
    "plan": {
        "style": "FIRE_AND_FORGET",
        "ops": [
            {"bytes": {"seed": "s", "offset": 0, "length": 65537, "chunk": 1000}},
            {"text": {"value": "héllo \U0001f680", "repeat": 3}},
            {"pause": {"ms": 5}},
            {"close": {}},
            {"exit": {"code": -1}},
        ],
    },
    "produce": {
        "buffer_size": 1,
        "reader_function": "conformance::py::read",
        "read": {"style": "STREAM", "texts": True},
        "ref_placement": "nested",
    },
    "deadline_ms": 30000,
}


def test_good_requests_parse() -> None:
    req = parse("WriteRequest", GOOD_WRITE)
    assert req.plan.ops[0].bytes.length == 65537
    assert req.produce.read.style == 2
    assert parse("ReadRequest", {}).deadline_ms == 0
    assert parse("RelayRequest", {"cell": "c", "style": "AWAITED", "read": None}).style == 1


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"deadline_ms": -1}, "WriteRequest.deadline_ms"),
        ({"deadline_ms": "5"}, "WriteRequest.deadline_ms"),
        ({"deadline_ms": 1.5}, "WriteRequest.deadline_ms"),
        ({"deadline_ms": 2**32}, "WriteRequest.deadline_ms"),
        ({"deadlineMs": 5}, "WriteRequest.deadlineMs"),
        ({"colour": "red"}, "WriteRequest.colour"),
        ({"cell": 7}, "WriteRequest.cell"),
        ({"plan": {"style": "LOUD"}}, "WriteRequest.plan.style"),
        ({"plan": {"style": 1}}, "WriteRequest.plan.style"),
        ({"plan": {"ops": {}}}, "WriteRequest.plan.ops"),
        (
            {"plan": {"ops": [{"bytes": {"seed": "s", "length": -1}}]}},
            "WriteRequest.plan.ops[0].bytes.length",
        ),
        (
            {"plan": {"ops": [{"bytes": {"seed": "s", "lenght": 1}}]}},
            "WriteRequest.plan.ops[0].bytes.lenght",
        ),
        ({"plan": {"ops": [{"close": {}, "pause": {"ms": 1}}]}}, "WriteRequest.plan.ops[0]"),
        ({"plan": {"ops": [{}]}}, "WriteRequest.plan.ops[0]"),
        ({"plan": {"ops": [{"abort": {}}]}}, "WriteRequest.plan.ops[0].abort"),
        ({"plan": {"ops": [{"text": {"value": 5}}]}}, "WriteRequest.plan.ops[0].text.value"),
        ({"produce": {"read": {"texts": "yes"}}}, "WriteRequest.produce.read.texts"),
        (
            {"produce": {"reader_function": "f", "ref_placement": "sideways"}},
            "WriteRequest.produce.ref_placement",
        ),
        ({"produce": {"ref_placement": "top"}}, "WriteRequest.produce.reader_function"),
    ],
)
def test_bad_write_requests_name_the_field(patch: dict[str, Any], field: str) -> None:
    payload = {"cell": "c", "plan": {"ops": []}, "writer": live("write"), **patch}
    with pytest.raises(InvocationError) as caught:
        asyncio.run(handle_write(Context(iii=None, lang="py"), payload))
    assert caught.value.code == "INVALID_REQUEST"
    assert str(caught.value).startswith(f"INVALID_REQUEST: {field}:"), str(caught.value)


def test_missing_refs_are_invalid_requests() -> None:
    with pytest.raises(InvocationError, match=r"INVALID_REQUEST: writer:"):
        asyncio.run(handle_write(Context(iii=None, lang="py"), {"cell": "c"}))
    with pytest.raises(InvocationError, match=r"INVALID_REQUEST: reader:"):
        asyncio.run(handle_read(Context(iii=None, lang="py"), {"cell": "c"}))
    with pytest.raises(InvocationError, match=r"INVALID_REQUEST: reader:"):
        asyncio.run(handle_read(Context(iii=None, lang="py"), {"reader": dict(REF)}))


def test_engine_keys_and_refs_are_not_schema_fields() -> None:
    payload = {"cell": "c", "_caller_worker_id": "w", "reader": live("read"), "deadline_ms": 1}
    assert request_part(payload, READ_REF_KEYS, "ReadRequest") == {"cell": "c", "deadline_ms": 1}
    assert request_part(live("read"), READ_REF_KEYS, "ReadRequest") == {}


@pytest.mark.parametrize("placement", ["", "field", "array", "nested", "top"])
def test_every_placement_round_trips(placement: str) -> None:
    ref = {**REF, "direction": "read"}
    payload = reader_payload(placement, ref, {"cell": "c"})
    # What the SDK hands the reader: every ref object made a live reader.
    materialised = _materialise(payload)
    assert isinstance(find_reader(materialised), ChannelReader)
    if placement != "top":
        assert request_part(materialised, READ_REF_KEYS, "ReadRequest") == {"cell": "c"}


def _materialise(value: Any) -> Any:
    if isinstance(value, dict) and value.get("direction") == "read":
        return live("read")
    if isinstance(value, dict):
        return {k: _materialise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_materialise(v) for v in value]
    return value


def _strict(name: str, value: dict[str, Any]) -> None:
    json_format.ParseDict(value, message_class(name)(), ignore_unknown_fields=False)


def test_description_matches_the_schema() -> None:
    out = describe(Context(iii=None, lang="py"))
    _strict("Description", out)
    assert out["sdk"]["version"] == "0.25.0"


def test_a_failed_connect_is_a_digest_not_an_exception() -> None:
    # A port we bound and released: nothing listens there any more.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    payload = {
        "cell": "c",
        "plan": {"ops": [{"bytes": {"seed": "s", "length": 3}}, {"close": {}}]},
        "writer": live("write", f"ws://127.0.0.1:{port}"),
        "deadline_ms": 5000,
    }
    result = asyncio.run(handle_write(Context(iii=None, lang="py"), payload))
    _strict("WriteResult", result)
    digest = result["digest"]
    assert digest["end"] == "error"
    assert digest["error"]["stage"] == "connect"
    assert "k-1" not in str(digest)
