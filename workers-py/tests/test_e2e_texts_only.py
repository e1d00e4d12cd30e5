"""ReadStyle TEXTS_ONLY through an engine: a reader that only listens for texts.

iii-sdk 0.25.0 never delivers them. ChannelReader.on_message only appends the
callback to a list; callbacks are called from inside ChannelReader.__aiter__,
which is also where the socket is first opened (_ensure_connected). A reader
that never iterates therefore never connects and never hears a text. The
first test pins exactly that, so a future SDK that dispatches texts on its
own makes it fail: then revisit it (and the harness's expectation).
"""

from __future__ import annotations

import pytest
from iii import InvocationError

from stack import Stack, assert_digest, expected_for

ROCKET = "\U0001f680"
OPS = [
    {"text": {"value": "hello " + ROCKET}},
    {"bytes": {"seed": "texts-only", "length": 1000}},
    {"text": {"value": "bye"}},
    {"close": {}},
]
LISTEN_MS = 2000


def test_iii_sdk_0_25_never_delivers_texts_without_a_read_so_texts_only_times_out(
    stack: Stack,
) -> None:
    writer_ref, reader_ref = stack.channel()
    cell = "texts-only/listener"
    listen = {"style": "TEXTS_ONLY", "expect_texts": 2}
    read = stack.call_async(
        "read", {"cell": cell, "read": listen, "reader": reader_ref, "deadline_ms": LISTEN_MS}
    )
    written = stack.call(
        "write",
        {"cell": cell, "plan": {"ops": OPS}, "writer": writer_ref, "deadline_ms": LISTEN_MS},
    )["digest"]
    exp = expected_for(OPS)
    assert_digest(written, exp)
    assert written["end"] == "closed"

    # The SDK's behaviour being pinned: both texts were sent, none arrived.
    got = read.result()["digest"]
    assert got["end"] == "timeout", got
    assert got["texts"] == []
    assert (got["bytes"], got["chunks"]) == (0, 0)
    assert got["timing"]["end_ms"] >= LISTEN_MS

    # The texts were in the channel all along: a reader that iterates the
    # same ref gets them (and the binary) at once. The broker is not at fault.
    drained = stack.call(
        "read",
        {
            "cell": cell + " (iterating)",
            "read": {"style": "STREAM", "texts": True},
            "reader": reader_ref,
            "deadline_ms": LISTEN_MS,
        },
    )["digest"]
    assert_digest(drained, exp)
    assert drained["end"] == "closed"


def test_texts_only_is_advertised(stack: Stack) -> None:
    assert "TEXTS_ONLY" in stack.call("describe", {})["capabilities"]["read_styles"]


def test_a_relay_refuses_texts_only(stack: Stack) -> None:
    _, reader_ref = stack.channel()
    writer_ref, _ = stack.channel()
    payload = {
        "cell": "texts-only/relay",
        "read": {"style": "TEXTS_ONLY", "expect_texts": 1},
        "reader": reader_ref,
        "writer": writer_ref,
    }
    with pytest.raises(InvocationError) as caught:
        stack.call("relay", payload)
    # The SDK fixes the code at invocation_failed; the contract's code leads the message.
    assert caught.value.message.startswith("INVALID_REQUEST: RelayRequest.read.style:")
    assert stack.call("describe", {})["lang"] == "py"
