"""conformance::<lang>::read, and the reading loop the relay shares."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from google.protobuf.message import Message
from iii.channel import ChannelReader

from .context import Context
from .deadline import within
from .digest import Clock, DigestBuilder
from .log import log, size
from .refs import READ_REF_KEYS, find_reader, request_part
from .schema import message_class, parse
from .styled_writer import CONNECT_ERRORS

ROLE = "reader"
# ReadStyle numbers; anything else is READ_ALL (UNSPECIFIED means READ_ALL).
STREAM = 2
TEXTS_ONLY = 3

OnChunk = Callable[[bytes], Awaitable[None]]


class OutputFailed(Exception):
    """Raised by an `on_chunk` whose own digest already holds the failure."""


def read_spec(req: Message) -> Message:
    """The request's ReadSpec; a missing one means {style: READ_ALL, texts: true}."""
    if req.HasField("read"):
        return req.read
    return message_class("ReadSpec")(style=1, texts=True)


async def handle_read(ctx: Context, payload: Any) -> dict[str, Any]:
    clock = Clock()
    req = parse("ReadRequest", request_part(payload, READ_REF_KEYS, "ReadRequest"))
    reader = find_reader(payload)
    spec = read_spec(req)
    digest = DigestBuilder(ROLE, ctx.lang, clock, list(spec.expect))
    if spec.style == TEXTS_ONLY:
        log(req.cell, ROLE, f"start (TEXTS_ONLY, waiting for {spec.expect_texts} texts)")
        work = listen_for_texts(reader, spec, digest, req.cell)
    else:
        style = "STREAM" if spec.style == STREAM else "READ_ALL"
        log(req.cell, ROLE, f"start ({style}, texts={spec.texts})")
        work = consume(reader, spec, digest, spec.style == STREAM, req.cell, ROLE)
    if not await within(clock, req.deadline_ms, work):
        digest.finish("timeout")
        ctx.background(reader.close_async())
    log(req.cell, ROLE, f"{digest.end} {size(digest.bytes)}, {digest.text_count} texts")
    return {"digest": digest.to_dict()}


async def consume(
    reader: ChannelReader,
    spec: Message,
    digest: DigestBuilder,
    stream: bool,
    cell: str,
    role: str,
    on_chunk: OnChunk | None = None,
    on_text: Callable[[str], None] | None = None,
) -> None:
    """Drain `reader` per `spec` into `digest`; failures are recorded, not raised.

    `on_chunk` runs after each binary chunk is counted and `on_text` after
    each text, so a relay can pass them on in the order they arrived.
    """
    await asyncio.sleep(spec.start_delay_ms / 1000)
    try:
        if spec.texts:
            digest.started()
            reader.on_message(_text_callback(digest, on_text))
        digest.started()
        if not stream:
            # One buffer is all READ_ALL surfaces; texts arrive before it, so
            # their at_byte is 0 (nothing was consumed yet when they ran).
            data = await reader.read_all()
            digest.add_chunk(data)
            if on_chunk is not None:
                await on_chunk(data)
        else:
            async for chunk in reader:
                digest.add_chunk(chunk)
                if on_chunk is not None:
                    await on_chunk(chunk)
                if spec.chunk_delay_ms:
                    await asyncio.sleep(spec.chunk_delay_ms / 1000)
                if spec.stop_after_bytes and digest.bytes >= spec.stop_after_bytes:
                    digest.finish("stopped")
                    break
            if digest.end == "stopped":
                stopped_ms = digest.clock.ms()
                await reader.close_async()
                # Worth a line: close_async waits for the engine's Close reply.
                log(cell, role, f"close_async took {digest.clock.ms() - stopped_ms} ms")
        digest.finish("closed")
    except OutputFailed:
        raise
    except Exception as err:  # noqa: BLE001 - the SDK's errors have no common base
        connecting = digest.chunks == 0 and isinstance(err, CONNECT_ERRORS)
        digest.fail("connect" if connecting else "read", err)


async def listen_for_texts(
    reader: ChannelReader, spec: Message, digest: DigestBuilder, cell: str
) -> None:
    """TEXTS_ONLY: a user who only listens for messages.

    Registers the SDK's text callback and nothing else: no read call, no
    iteration, nothing that would pull binary data (or, as a side effect,
    open the socket). Once `expect_texts` texts arrived the reader is closed
    with the SDK's close (end "stopped"); otherwise the caller's deadline
    ends the wait (end "timeout"). If the SDK only dispatches texts while
    binary is being read, nothing ever arrives: that is the finding, and no
    hidden read may paper over it.
    """
    await asyncio.sleep(spec.start_delay_ms / 1000)
    enough = asyncio.Event()

    def count(_: str) -> None:
        if digest.text_count >= spec.expect_texts:
            enough.set()

    digest.started()
    reader.on_message(_text_callback(digest, count))
    # expect_texts 0 is a protocol that promises no texts: done at once.
    if digest.text_count >= spec.expect_texts:
        enough.set()
    await enough.wait()
    digest.finish("stopped")
    try:
        await reader.close_async()
    except Exception as err:  # noqa: BLE001 - the SDK's errors have no common base
        digest.fail("close", err)
    log(cell, ROLE, f"{digest.text_count} texts arrived; reader closed")


def _text_callback(
    digest: DigestBuilder, then: Callable[[str], None] | None
) -> Callable[[str], None]:
    # The SDK calls text callbacks synchronously and never awaits them.
    def on_message(text: str) -> None:
        digest.add_text(text)
        if then is not None:
            then(text)

    return on_message
