"""Performing a plan's ops, in order, on a StyledWriter."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence

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


async def run_plan(outs: Sequence[StyledWriter], plan: Message, cell: str) -> None:
    """Perform every op on each writer in turn before the next op.

    One writer is the usual case; a fan-out passes several, so the source is
    one stream copied onto each channel. An SDK failure ends that writer's
    plan and lands in its digest, and the other writers go on.
    """
    live = list(outs)
    for op in plan.ops:
        if not live:
            return
        kind = op.WhichOneof("kind")
        if kind == "pause":
            # The source pauses once; pausing per copy would stretch the stream.
            await asyncio.sleep(op.pause.ms / 1000)
        elif kind == "exit":
            first = outs[0]
            log(
                cell,
                first.label,
                f"exit {op.exit.code} as planned after {size(first.digest.bytes)}",
            )
            # At once, as a crash would: no cleanup, no close frames, for every writer.
            os._exit(op.exit.code)
        else:
            for out in list(live):
                try:
                    await _perform(out, op, cell)
                except Exception as err:  # noqa: BLE001 - the SDK's errors have no common base
                    out.fail(err)
                    live.remove(out)
                    stage = out.digest.error["stage"] if out.digest.error else out.stage
                    log(cell, out.label, f"{stage} failed after {size(out.digest.bytes)}: {err!r}")


async def _perform(out: StyledWriter, op: Message, cell: str) -> None:
    """One channel op (bytes, text or close) on one writer."""
    kind = op.WhichOneof("kind")
    if kind == "bytes":
        b = op.bytes
        for piece in seeded_pieces(b.seed, b.offset, b.length, b.chunk):
            await out.write(piece)
    elif kind == "text":
        await out.text(op.text.value * max(1, op.text.repeat))
    elif kind == "close":
        await out.close()
        log(cell, out.label, f"closed {size(out.digest.bytes)} ({out.style})")
