"""conformance::<lang>::write, including producer ownership."""

from __future__ import annotations

import asyncio
from typing import Any

from google.protobuf.message import Message
from iii import InvocationError
from iii.helpers import create_channel_async

from .context import Context
from .deadline import within
from .digest import Clock, DigestBuilder
from .log import log, size
from .plan import check_plan, run_plan, style_name
from .refs import (
    PLACEMENTS,
    WRITE_REF_KEYS,
    check_fanout_keys,
    fanout_key,
    fanout_ref_keys,
    find_fanout_writers,
    reader_payload,
    request_part,
)
from .schema import invalid_request, parse, to_dict
from .styled_writer import StyledWriter

ROLE = "writer"
# How much longer than its own deadline a producer waits for its reader's
# result: the reader reports `timeout` itself at the deadline.
READER_GRACE_MS = 5000


async def handle_write(ctx: Context, payload: Any) -> dict[str, Any]:
    clock = Clock()
    ref_keys = WRITE_REF_KEYS + fanout_ref_keys(payload)
    req = parse("WriteRequest", request_part(payload, ref_keys, "WriteRequest"))
    check_plan(req.plan, "WriteRequest.plan")
    if req.HasField("produce"):
        _check_produce(req)
        check_fanout_keys(payload, req.fanout)
        return await _produce(ctx, req, clock)

    writers = find_fanout_writers(payload, req.fanout)
    style = style_name(req.plan)
    outs = [
        StyledWriter(w, style, DigestBuilder(ROLE, ctx.lang, clock), label=fanout_key(k))
        for k, w in enumerate(writers, start=1)
    ]
    fanned = f", fan-out to {len(outs)}" if len(outs) > 1 else ""
    log(req.cell, ROLE, f"start {len(req.plan.ops)} ops ({style}{fanned})")
    await _run(outs, req, clock)
    result: dict[str, Any] = {"digest": outs[0].digest.to_dict()}
    if len(outs) > 1:
        result["fanout"] = [out.digest.to_dict() for out in outs[1:]]
    return result


async def _run(outs: list[StyledWriter], req: Message, clock: Clock) -> None:
    if await within(clock, req.deadline_ms, run_plan(outs, req.plan, req.cell)):
        return
    for out in outs:
        out.digest.finish("timeout")
        # A writer whose plan already failed keeps its error and is left alone.
        if out.digest.end == "timeout":
            out.close_after_timeout()
            log(
                req.cell,
                out.label,
                f"deadline {req.deadline_ms} ms passed at {size(out.digest.bytes)}",
            )


def _check_produce(req: Message) -> None:
    produce = req.produce
    if req.fanout > 1:
        # A producer creates one channel for one reader; fan-out refs come from the caller.
        raise invalid_request(
            "WriteRequest.fanout", "not allowed with produce (fan-out needs writer refs)"
        )
    if produce.ref_placement not in PLACEMENTS:
        raise invalid_request(
            "WriteRequest.produce.ref_placement",
            f"expected one of field, array, nested, top, got {produce.ref_placement!r}",
        )
    if not produce.reader_function:
        raise invalid_request("WriteRequest.produce.reader_function", "required with produce")


async def _produce(ctx: Context, req: Message, clock: Clock) -> dict[str, Any]:
    """Create the channel, trigger the reader with its ref and write at the same time."""
    produce = req.produce
    digest = DigestBuilder(ROLE, ctx.lang, clock)
    digest.started()
    try:
        channel = await create_channel_async(ctx.iii, produce.buffer_size or None)
    except Exception as err:  # noqa: BLE001 - reported in the digest, whatever it is
        digest.fail("connect", err)
        log(req.cell, ROLE, f"create_channel failed: {err!r}")
        return {"digest": digest.to_dict()}

    fields: dict[str, Any] = {"cell": req.cell, "deadline_ms": req.deadline_ms}
    if produce.HasField("read"):
        fields["read"] = to_dict(produce.read)
    # As the SDK docs show: a ref travels as `reader_ref.model_dump()`.
    payload = reader_payload(produce.ref_placement, channel.reader_ref.model_dump(), fields)
    call: dict[str, Any] = {"function_id": produce.reader_function, "payload": payload}
    if req.deadline_ms:
        call["timeout_ms"] = req.deadline_ms + READER_GRACE_MS
    log(
        req.cell,
        ROLE,
        f"produce: triggering {produce.reader_function} ({produce.ref_placement or 'field'})",
    )
    reader_call = asyncio.ensure_future(ctx.iii.trigger_async(call))

    out = StyledWriter(channel.writer, style_name(req.plan), digest)
    await _run([out], req, clock)
    reader_digest = await _reader_digest(reader_call, req.cell)
    return {"digest": digest.to_dict(), "reader_digest": reader_digest}


async def _reader_digest(call: asyncio.Future[Any], cell: str) -> dict[str, Any]:
    """The reader's digest, or one describing why there is none."""
    try:
        result = await call
    except Exception as err:  # noqa: BLE001 - reported in the digest, whatever it is
        log(cell, ROLE, f"produce: reader call failed: {err!r}")
        failed = DigestBuilder("reader", "", Clock())
        failed.fail("read", err)
        if isinstance(err, InvocationError) and err.code == "TIMEOUT":
            failed.end = "timeout"
        return failed.to_dict()
    digest = result.get("digest") if isinstance(result, dict) else None
    if not isinstance(digest, dict):
        failed = DigestBuilder("reader", "", Clock())
        failed.fail("read", ValueError(f"reader returned no digest: {str(result)[:200]}"))
        return failed.to_dict()
    return digest
