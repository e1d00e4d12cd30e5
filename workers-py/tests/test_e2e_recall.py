"""Recall through an engine: the answers of a cell's calls, asked for again.

The engine is not restarted here; that is the harness's scenario. These
tests pin what the restarted engine's caller relies on: the same digests the
calls answered, and a running mark for a call whose answer is not in yet.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from iii import InvocationError

from stack import Stack, assert_digest, expected_for

OPS = [
    {"bytes": {"seed": "recall", "length": 5000, "chunk": 1024}},
    {"text": {"value": "kept"}},
    {"close": {}},
]
PLAN = {"style": "AWAITED", "ops": OPS}
DEADLINE_MS = 10_000


def recall_until(stack: Stack, cell: str, done: Callable[[dict[str, Any]], bool]) -> Any:
    """Ask recall until `done` holds (the call asked about may still be on its way)."""
    until = time.monotonic() + 10
    while True:
        answer = stack.call("recall", {"cell": cell})
        if done(answer) or time.monotonic() > until:
            return answer
        time.sleep(0.05)


def test_recall_is_advertised(stack: Stack) -> None:
    assert stack.call("describe", {})["capabilities"]["recall"] is True


def test_recall_gives_back_what_a_finished_write_and_read_answered(stack: Stack) -> None:
    cell = "recall/finished py->py"
    writer_ref, reader_ref = stack.channel()
    reading = stack.call_async(
        "read",
        {
            "cell": cell,
            "read": {"style": "STREAM", "texts": True},
            "reader": reader_ref,
            "deadline_ms": DEADLINE_MS,
        },
    )
    write = stack.call(
        "write", {"cell": cell, "plan": PLAN, "writer": writer_ref, "deadline_ms": DEADLINE_MS}
    )
    read = reading.result()
    exp = expected_for(OPS)
    for digest in (write["digest"], read["digest"]):
        assert_digest(digest, exp)
        assert digest["end"] == "closed"

    assert stack.call("recall", {"cell": cell}) == {"running": [], "write": write, "read": read}
    assert stack.call("recall", {"cell": "recall/never-run"}) == {"running": []}


def test_recall_names_a_read_still_waiting_for_its_writer(stack: Stack) -> None:
    cell = "recall/running py->py"
    writer_ref, reader_ref = stack.channel()
    reading = stack.call_async(
        "read",
        {
            "cell": cell,
            "read": {"style": "READ_ALL", "texts": True},
            "reader": reader_ref,
            "deadline_ms": DEADLINE_MS,
        },
    )
    # Nobody writes yet, so the reader can only wait.
    waiting = recall_until(stack, cell, lambda answer: "read" in answer["running"])
    assert waiting == {"running": ["read"]}
    assert not reading.done()

    write = stack.call(
        "write", {"cell": cell, "plan": PLAN, "writer": writer_ref, "deadline_ms": DEADLINE_MS}
    )
    read = reading.result()
    assert_digest(read["digest"], expected_for(OPS), at_bytes=False)
    assert read["digest"]["end"] == "closed"
    assert stack.call("recall", {"cell": cell}) == {"running": [], "write": write, "read": read}


def test_a_rejected_call_is_not_recalled(stack: Stack) -> None:
    cell = "recall/rejected py->py"
    writer_ref, _ = stack.channel()
    with pytest.raises(InvocationError):
        stack.call("write", {"cell": cell, "plan": PLAN, "writer": writer_ref, "colour": "red"})
    assert stack.call("recall", {"cell": cell}) == {"running": []}


def test_a_recall_without_a_cell_names_the_field(stack: Stack) -> None:
    with pytest.raises(InvocationError) as caught:
        stack.call("recall", {"cell": ""})
    assert caught.value.message.startswith("INVALID_REQUEST: RecallRequest.cell:")
