"""The recall store without an engine: bound, running marks, what is kept and what is not.

What the harness relies on after an engine restart: a finished call's very
answer, a running mark while a call works, nothing for a call that failed
without an answer, and an empty answer for a cell it never saw. The e2e side
is in test_e2e_recall.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from google.protobuf import json_format
from iii import InvocationError

from iii_conformance_worker.context import Context
from iii_conformance_worker.describe import describe
from iii_conformance_worker.read import handle_read
from iii_conformance_worker.recall import (
    RECALL_CELLS,
    RecallStore,
    cell_of,
    handle_recall,
    remembered,
)
from iii_conformance_worker.schema import message_class

DIGEST = {"role": "writer", "lang": "py", "bytes": 3, "end": "closed"}


def answered(result: dict[str, Any]) -> Any:
    async def handler(payload: Any) -> dict[str, Any]:
        return result

    return handler


async def rejected(payload: Any) -> dict[str, Any]:
    raise InvocationError("INVALID_REQUEST", "WriteRequest.colour: unknown field")


def call(store: RecallStore, kind: Any, handler: Any, payload: Any) -> Any:
    return asyncio.run(remembered(store, kind, handler)(payload))


def test_an_unknown_cell_is_an_empty_answer() -> None:
    assert RecallStore().recall("never-run") == {"running": []}


def test_a_finished_call_is_given_back_as_the_very_object_it_answered() -> None:
    store = RecallStore()
    result = {"digest": DIGEST}
    assert call(store, "write", answered(result), {"cell": "c"}) is result
    recalled = store.recall("c")
    assert recalled == {"running": [], "write": result}
    assert recalled["write"] is result


def test_each_kind_keeps_its_own_answer() -> None:
    store = RecallStore()
    write, read, relay = {"digest": DIGEST}, {"digest": {}}, {"input": {}, "output": {}}
    call(store, "relay", answered(relay), {"cell": "c"})
    call(store, "read", answered(read), {"cell": "c"})
    call(store, "write", answered(write), {"cell": "c"})
    assert store.recall("c") == {"running": [], "write": write, "read": read, "relay": relay}
    assert store.recall("other") == {"running": []}


def test_a_running_call_is_marked_until_it_answers() -> None:
    store = RecallStore()

    async def scenario() -> None:
        go = asyncio.Event()

        async def waits(payload: Any) -> dict[str, Any]:
            await go.wait()
            return {"digest": DIGEST}

        reading = asyncio.ensure_future(remembered(store, "read", waits)({"cell": "c"}))
        await asyncio.sleep(0)
        assert store.recall("c") == {"running": ["read"]}
        go.set()
        result = await reading
        assert store.recall("c") == {"running": [], "read": result}

    asyncio.run(scenario())


def test_two_calls_of_one_kind_each_clear_only_their_own_mark() -> None:
    # A fan-out's two readers on this worker share a cell.
    store = RecallStore()
    first, second = store.begin("c", "read"), store.begin("c", "read")
    writing = store.begin("c", "write")
    assert store.recall("c") == {"running": ["write", "read"]}
    first({"digest": {"n": 1}})
    assert store.recall("c") == {"running": ["write", "read"], "read": {"digest": {"n": 1}}}
    second({"digest": {"n": 2}})
    writing(None)
    assert store.recall("c") == {"running": [], "read": {"digest": {"n": 2}}}


def test_a_failed_call_leaves_its_field_absent_and_clears_the_mark() -> None:
    store = RecallStore()
    call(store, "read", answered({"digest": DIGEST}), {"cell": "c"})
    with pytest.raises(InvocationError):
        call(store, "write", rejected, {"cell": "c", "colour": "red"})
    assert store.recall("c") == {"running": [], "read": {"digest": DIGEST}}


def test_a_new_call_replaces_the_last_answer_from_its_start() -> None:
    # A rerun of a cell must never be answered with the previous run's digest.
    store = RecallStore()
    call(store, "write", answered({"digest": DIGEST}), {"cell": "c"})
    end = store.begin("c", "write")
    assert store.recall("c") == {"running": ["write"]}
    end(None)
    assert store.recall("c") == {"running": []}
    with pytest.raises(InvocationError):
        call(store, "write", rejected, {"cell": "c"})
    assert store.recall("c") == {"running": []}


def test_a_cancelled_call_clears_its_mark() -> None:
    store = RecallStore()

    async def scenario() -> None:
        async def hangs(payload: Any) -> dict[str, Any]:
            await asyncio.Event().wait()
            raise AssertionError("unreachable")

        task = asyncio.ensure_future(remembered(store, "relay", hangs)({"cell": "c"}))
        await asyncio.sleep(0)
        assert store.recall("c") == {"running": ["relay"]}
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert store.recall("c") == {"running": []}


def test_a_real_handler_rejecting_a_request_keeps_nothing() -> None:
    ctx = Context(iii=None, lang="py")
    with pytest.raises(InvocationError, match="INVALID_REQUEST: reader:"):
        call(ctx.recall, "read", lambda p: handle_read(ctx, p), {"cell": "c"})
    assert ctx.recall.recall("c") == {"running": []}


def test_calls_without_a_cell_are_not_kept() -> None:
    store = RecallStore()
    for payload in (None, {}, {"cell": ""}, {"cell": 7}, ["cell"]):
        call(store, "read", answered({"digest": DIGEST}), payload)
    assert len(store) == 0
    assert cell_of({"cell": "c", "reader": object()}) == "c"


def test_the_store_keeps_the_last_cells_and_evicts_the_oldest() -> None:
    store = RecallStore()
    assert store.capacity == RECALL_CELLS >= 64
    for i in range(RECALL_CELLS + 10):
        call(store, "write", answered({"digest": {"i": i}}), {"cell": f"cell-{i}"})
        assert len(store) <= RECALL_CELLS
    assert len(store) == RECALL_CELLS
    for i in range(10):
        assert store.recall(f"cell-{i}") == {"running": []}
    for i in range(10, RECALL_CELLS + 10):
        assert store.recall(f"cell-{i}")["write"] == {"digest": {"i": i}}


def test_eviction_goes_by_last_activity() -> None:
    store = RecallStore(capacity=2)
    call(store, "write", answered({"digest": {"n": "a"}}), {"cell": "a"})
    call(store, "write", answered({"digest": {"n": "b"}}), {"cell": "b"})
    # `a` is busy again, so `b` is now the oldest.
    call(store, "read", answered({"digest": {"n": "a"}}), {"cell": "a"})
    call(store, "write", answered({"digest": {"n": "c"}}), {"cell": "c"})
    assert store.recall("b") == {"running": []}
    assert set(store.recall("a")) == {"running", "write", "read"}


def test_a_call_evicted_while_running_comes_back_when_it_answers() -> None:
    store = RecallStore(capacity=1)
    end = store.begin("slow", "read")
    store.begin("other", "write")
    assert store.recall("slow") == {"running": []}
    end({"digest": DIGEST})
    assert store.recall("slow") == {"running": [], "read": {"digest": DIGEST}}
    assert len(store) == 1


def _recall_error(payload: Any) -> str:
    with pytest.raises(InvocationError) as caught:
        handle_recall(RecallStore(), payload)
    assert caught.value.code == "INVALID_REQUEST"
    return str(caught.value)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"cell": "c", "colour": "red"}, "RecallRequest.colour"),
        ({"cell": 7}, "RecallRequest.cell"),
        ({"cell": ""}, "RecallRequest.cell"),
        ({}, "RecallRequest.cell"),
        (None, "RecallRequest.cell"),
        ("c", "RecallRequest"),
    ],
)
def test_bad_recall_requests_name_the_field(payload: Any, field: str) -> None:
    assert _recall_error(payload).startswith(f"INVALID_REQUEST: {field}:")


def test_recall_answers_parse_as_recall_result() -> None:
    store = RecallStore()
    write = {"digest": {"role": "writer", "lang": "py", "bytes": 3, "end": "closed"}}
    call(store, "write", answered(write), {"cell": "c"})
    store.begin("c", "read")
    # Engine-added `_` keys are not schema fields.
    answer = handle_recall(store, {"cell": "c", "_caller_worker_id": "w"})
    assert answer == {"running": ["read"], "write": write}
    for out in (answer, handle_recall(store, {"cell": "unknown"})):
        json_format.ParseDict(out, message_class("RecallResult")(), ignore_unknown_fields=False)


def test_recall_is_advertised() -> None:
    assert describe(Context(iii=None, lang="py"))["capabilities"]["recall"] is True
