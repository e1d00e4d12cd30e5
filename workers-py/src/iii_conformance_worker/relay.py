"""conformance::<lang>::relay: read one channel, write everything on to another.

The input is always iterated chunk by chunk, whatever `read.style` says:
texts reach the callback in between binary chunks, and only iteration lets
the relay pass both on in the order they arrived.
"""

from __future__ import annotations

from typing import Any

from .context import Context
from .deadline import within
from .digest import Clock, DigestBuilder
from .log import log, size
from .plan import style_name
from .read import TEXTS_ONLY, OutputFailed, consume, read_spec
from .refs import RELAY_REF_KEYS, find_reader, find_writer, request_part
from .schema import invalid_request, parse
from .styled_writer import StyledWriter

ROLE = "relay"


async def handle_relay(ctx: Context, payload: Any) -> dict[str, Any]:
    clock = Clock()
    req = parse("RelayRequest", request_part(payload, RELAY_REF_KEYS, "RelayRequest"))
    reader = find_reader({"reader": payload.get("reader")} if isinstance(payload, dict) else None)
    writer = find_writer(payload)
    spec = read_spec(req)
    if spec.style == TEXTS_ONLY:
        # A relay must read the binary side to pass it on; the contract never asks it.
        raise invalid_request(
            "RelayRequest.read.style", "TEXTS_ONLY is for readers only, never for a relay"
        )
    source = DigestBuilder("relay-in", ctx.lang, clock, list(spec.expect))
    out = StyledWriter(writer, style_name(req), DigestBuilder("relay-out", ctx.lang, clock))
    log(req.cell, ROLE, f"start ({out.style})")

    pending: list[str] = []

    async def forward_texts() -> None:
        while pending:
            await out.text(pending.pop(0))

    async def on_chunk(chunk: bytes) -> None:
        try:
            await forward_texts()
            await out.write(chunk)
        except Exception as err:
            out.fail(err)
            raise OutputFailed from err

    async def work() -> None:
        try:
            await consume(
                reader, spec, source, True, req.cell, ROLE, on_chunk, on_text=pending.append
            )
            await forward_texts()
            await out.close()
        except OutputFailed:
            source.finish("stopped")
            ctx.background(reader.close_async())
        except Exception as err:  # noqa: BLE001 - a failed final text or close
            out.fail(err)

    if not await within(clock, req.deadline_ms, work()):
        source.finish("timeout")
        out.digest.finish("timeout")
        out.close_after_timeout()
        ctx.background(reader.close_async())
    log(
        req.cell,
        ROLE,
        f"in {source.end} {size(source.bytes)}, "
        f"out {out.digest.end or 'open'} {size(out.digest.bytes)}",
    )
    return {"input": source.to_dict(), "output": out.digest.to_dict()}
