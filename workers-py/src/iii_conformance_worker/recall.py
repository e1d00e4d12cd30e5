"""conformance::<lang>::recall: what this worker's calls for a cell answered.

An engine restart drops every invocation in flight, so the answer of a
write, read or relay call under way never reaches the harness, although the
call itself goes on in this process (the SDK runs each invocation on a task
of its own and does not cancel it when the connection drops). Each call's
answer is therefore also kept here by cell, and the harness asks for it
again through the restarted engine. Pure bookkeeping around the handlers:
what they do does not change.

Every handler runs on the SDK's one event loop, so the store needs no lock.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import count
from typing import Any, Literal

from .log import log
from .refs import request_part
from .schema import invalid_request, parse

ROLE = "recall"

CallKind = Literal["write", "read", "relay"]
# The calls recall gives back, in the order `running` names them.
KINDS: tuple[CallKind, ...] = ("write", "read", "relay")

# The contract's minimum. A digest carries a record per text, so one cell can
# weigh a lot; keeping more would be memory spent on cells nobody asks about.
RECALL_CELLS = 64

Handler = Callable[[Any], Awaitable[dict[str, Any]]]
# Called once when a call is over: with its answer, or None when it had none.
EndCall = Callable[[dict[str, Any] | None], None]


@dataclass
class _CellRecord:
    # One entry per call at work (token -> kind), so two reads of one cell (a
    # fan-out's readers on this worker) each clear only their own mark.
    running: dict[int, CallKind] = field(default_factory=dict)
    answers: dict[CallKind, dict[str, Any]] = field(default_factory=dict)


class RecallStore:
    """The answers of the most recent cells' calls, and which are still at work."""

    def __init__(self, capacity: int = RECALL_CELLS) -> None:
        self.capacity = capacity
        # In order of last activity: the first is the one evicted next.
        self._cells: OrderedDict[str, _CellRecord] = OrderedDict()
        self._tokens = count()

    def __len__(self) -> int:
        return len(self._cells)

    def begin(self, cell: str, kind: CallKind) -> EndCall:
        """Mark a `kind` call for `cell` running until the returned EndCall.

        Its answer replaces the last such call's, so until it ends there is
        none: a rerun of a cell must never be answered with the previous
        run's digest, nor a rejected call with an earlier call's.
        """
        if not cell:
            # A call without a cell id: nobody can ever ask about it.
            return lambda answer: None
        token = next(self._tokens)
        record = self._touch(cell)
        record.running[token] = kind
        record.answers.pop(kind, None)
        return partial(self._end, cell, token, kind)

    def recall(self, cell: str) -> dict[str, Any]:
        """RecallResult for `cell`; an unknown (or evicted) cell is {running: []}."""
        record = self._cells.get(cell)
        if record is None:
            return {"running": []}
        at_work = set(record.running.values())
        answer: dict[str, Any] = {"running": [kind for kind in KINDS if kind in at_work]}
        answer.update((kind, record.answers[kind]) for kind in KINDS if kind in record.answers)
        return answer

    def _end(self, cell: str, token: int, kind: CallKind, answer: dict[str, Any] | None) -> None:
        # The cell may have been evicted while the call ran; its answer is then
        # the newest thing known about it and comes back in.
        record = self._touch(cell)
        record.running.pop(token, None)
        if answer is not None:
            record.answers[kind] = answer

    def _touch(self, cell: str) -> _CellRecord:
        """The cell's record, created if need be, moved to the newest end."""
        record = self._cells.pop(cell, None) or _CellRecord()
        self._cells[cell] = record
        while len(self._cells) > self.capacity:
            self._cells.popitem(last=False)
        return record


def cell_of(payload: Any) -> str:
    """The cell as the caller sent it, read before validation.

    So a rejected request still clears what an earlier call of its kind left
    for that cell. A bare ref as the whole payload (placement `top`) has none.
    """
    cell = payload.get("cell") if isinstance(payload, dict) else None
    return cell if isinstance(cell, str) else ""


def remembered(store: RecallStore, kind: CallKind, handler: Handler) -> Handler:
    """`handler`, with its answer kept in `store` for recall.

    Marked running from entry; the very object it answers is kept when it
    returns. When it raises (an invalid request, or a cancellation) nothing is
    kept: the SDK answers with an invocation error, which has no digest either.
    """

    async def call(payload: Any) -> dict[str, Any]:
        end = store.begin(cell_of(payload), kind)
        answer = None
        try:
            answer = await handler(payload)
            return answer
        finally:
            end(answer)

    return call


def handle_recall(store: RecallStore, payload: Any) -> dict[str, Any]:
    req = parse("RecallRequest", request_part(payload, (), "RecallRequest"))
    if not req.cell:
        # The answer is about one cell; an empty id names none of them.
        raise invalid_request("RecallRequest.cell", "required: the cell whose calls to recall")
    answer = store.recall(req.cell)
    kept = [kind for kind in KINDS if kind in answer]
    log(req.cell, ROLE, f"running [{', '.join(answer['running'])}], kept [{', '.join(kept)}]")
    return answer
