"""ReadStyle TEXTS_ONLY: parsing, relays refusing it, and that the reader only listens.

The readers here are ChannelReader subclasses that fail the test if anything
pulls the binary side (or opens the socket), and that can play an SDK which
dispatches texts on its own, so both ends of the wait are visible without an
engine. What iii-sdk 0.25.0 really does is pinned in test_e2e_texts_only.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from google.protobuf import json_format
from iii import InvocationError
from iii.channel import ChannelReader, ChannelWriter, StreamChannelRef

from iii_conformance_worker.context import Context
from iii_conformance_worker.describe import describe
from iii_conformance_worker.read import handle_read
from iii_conformance_worker.relay import handle_relay
from iii_conformance_worker.schema import message_class, parse


class ListeningReader(ChannelReader):
    """Records close calls; delivers `texts` to the callbacks itself if given."""

    def __init__(self, texts: list[str] | None = None) -> None:
        ref = StreamChannelRef(channel_id="c-1", access_key="k-1", direction="read")
        super().__init__("ws://127.0.0.1:9", ref)
        self.texts = texts or []
        self.closes = 0

    def on_message(self, callback: Any) -> None:
        super().on_message(callback)
        if self.texts:
            asyncio.get_running_loop().call_later(0.01, self._deliver)

    def _deliver(self) -> None:
        for text in self.texts:
            for cb in self._message_callbacks:
                cb(text)

    async def _ensure_connected(self) -> Any:
        raise AssertionError("TEXTS_ONLY opened the reader's socket")

    def __aiter__(self) -> Any:
        raise AssertionError("TEXTS_ONLY iterated the binary side")

    async def read_all(self) -> bytes:
        raise AssertionError("TEXTS_ONLY called read_all")

    async def close_async(self) -> None:
        self.closes += 1


def read(reader: ChannelReader, spec: dict[str, Any], deadline_ms: int) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        payload = {"cell": "texts-only/unit", "read": spec, "reader": reader}
        result = await handle_read(
            Context(iii=None, lang="py"), {**payload, "deadline_ms": deadline_ms}
        )
        await asyncio.sleep(0.01)  # the background close after a deadline
        return result

    result = asyncio.run(run())
    json_format.ParseDict(result, message_class("ReadResult")(), ignore_unknown_fields=False)
    return result["digest"]


def test_texts_only_parses_and_is_advertised() -> None:
    req = parse("ReadRequest", {"read": {"style": "TEXTS_ONLY", "expect_texts": 2}})
    assert (req.read.style, req.read.expect_texts) == (3, 2)
    styles = describe(Context(iii=None, lang="py"))["capabilities"]["read_styles"]
    assert "TEXTS_ONLY" in styles


@pytest.mark.parametrize(
    ("read_spec", "field"),
    [
        ({"style": "TEXTS_ONLY", "expect_texts": -1}, "ReadRequest.read.expect_texts"),
        ({"style": "TEXTS_ONLY", "expect_texts": "2"}, "ReadRequest.read.expect_texts"),
        ({"style": 3}, "ReadRequest.read.style"),
        ({"style": "TEXT_ONLY"}, "ReadRequest.read.style"),
    ],
)
def test_bad_texts_only_requests_name_the_field(read_spec: dict[str, Any], field: str) -> None:
    with pytest.raises(InvocationError) as caught:
        read(ListeningReader(), read_spec, 1000)
    assert str(caught.value).startswith(f"INVALID_REQUEST: {field}:"), str(caught.value)


def test_a_relay_is_never_asked_for_texts_only() -> None:
    ref = StreamChannelRef(channel_id="c-2", access_key="k-2", direction="write")
    payload = {
        "cell": "c",
        "read": {"style": "TEXTS_ONLY", "expect_texts": 1},
        "reader": ListeningReader(),
        "writer": ChannelWriter("ws://127.0.0.1:9", ref),
    }
    with pytest.raises(InvocationError) as caught:
        asyncio.run(handle_relay(Context(iii=None, lang="py"), payload))
    assert caught.value.code == "INVALID_REQUEST"
    assert str(caught.value).startswith("INVALID_REQUEST: RelayRequest.read.style:")
    assert "TEXTS_ONLY" in str(caught.value)


@pytest.mark.parametrize("texts_flag", [True, False])
def test_stops_once_the_expected_texts_arrived(texts_flag: bool) -> None:
    # An SDK that dispatches texts without a read: the callback is registered
    # whatever `texts` says, and the reader is closed with the SDK's close.
    reader = ListeningReader(["one", "two \U0001f680", "three"])
    spec = {"style": "TEXTS_ONLY", "texts": texts_flag, "expect_texts": 2}
    digest = read(reader, spec, 5000)
    assert digest["end"] == "stopped"
    # All three were dispatched in one go; the wait ends at two, the rest are still recorded.
    assert [t["preview"] for t in digest["texts"]] == ["one", "two \U0001f680", "three"]
    assert [t["at_byte"] for t in digest["texts"]] == [0, 0, 0]
    assert (digest["bytes"], digest["chunks"]) == (0, 0)
    assert reader.closes == 1
    assert digest["timing"]["end_ms"] < 5000


def test_times_out_when_no_text_comes() -> None:
    reader = ListeningReader()
    digest = read(reader, {"style": "TEXTS_ONLY", "expect_texts": 1}, 300)
    assert digest["end"] == "timeout"
    assert digest["texts"] == []
    assert 300 <= digest["timing"]["end_ms"] < 2000
    assert reader.closes == 1  # the deadline closes what it opened


def test_zero_expected_texts_stop_at_once() -> None:
    reader = ListeningReader()
    digest = read(reader, {"style": "TEXTS_ONLY"}, 5000)
    assert digest["end"] == "stopped"
    assert digest["texts"] == []
    assert reader.closes == 1
