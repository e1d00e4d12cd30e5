"""Performing a plan's ops, in order, on a StyledWriter."""

from __future__ import annotations

import asyncio
import os

from google.protobuf.message import Message

from .log import log, size
from .schema import invalid_request
from .seeded import seeded_pieces
from .styled_writer import FIRE_AND_FORGET, StyledWriter

KINDS = ("bytes", "text", "pause", "close", "abort", "exit")


def style_name(message: Message) -> str:
    """The WriteStyle in `message.style`; UNSPECIFIED is treated as AWAITED."""
    enum = message.DESCRIPTOR.fields_by_name["style"].enum_type
    name = enum.values_by_number[message.style].name
    return FIRE_AND_FORGET if name == FIRE_AND_FORGET else "AWAITED"


def check_plan(plan: Message, path: str) -> None:
    """Reject what the schema allows but this worker cannot perform."""
    for i, op in enumerate(plan.ops):
        kind = op.WhichOneof("kind")
        if kind is None:
            raise invalid_request(f"{path}.ops[{i}]", "no operation set")
        if kind == "abort":
            # iii-sdk 0.25 has no documented way to drop a channel socket
            # without a close frame; capabilities say abort: false.
            raise invalid_request(f"{path}.ops[{i}].abort", "not supported (capability abort)")


async def run_plan(out: StyledWriter, plan: Message, cell: str, role: str) -> None:
    """Perform every op; an SDK failure ends the plan and lands in the digest."""
    try:
        for op in plan.ops:
            await _perform(out, op, cell, role)
    except Exception as err:  # noqa: BLE001 - the SDK's errors have no common base
        out.fail(err)
        stage = out.digest.error["stage"] if out.digest.error else out.stage
        log(cell, role, f"{stage} failed after {size(out.digest.bytes)}: {err!r}")


async def _perform(out: StyledWriter, op: Message, cell: str, role: str) -> None:
    kind = op.WhichOneof("kind")
    if kind == "bytes":
        b = op.bytes
        for piece in seeded_pieces(b.seed, b.offset, b.length, b.chunk):
            await out.write(piece)
    elif kind == "text":
        await out.text(op.text.value * max(1, op.text.repeat))
    elif kind == "pause":
        await asyncio.sleep(op.pause.ms / 1000)
    elif kind == "close":
        await out.close()
        log(cell, role, f"closed {size(out.digest.bytes)} ({out.style})")
    elif kind == "exit":
        log(cell, role, f"exit {op.exit.code} as planned after {size(out.digest.bytes)}")
        # At once, as a crash would: no cleanup, no close frames.
        os._exit(op.exit.code)
