"""A ChannelWriter driven in one of the two styles the SDK documents.

AWAITED awaits `write`, `send_message_async` and `close_async`.
FIRE_AND_FORGET calls `writer.stream.write`, `send_message` and `close`, which
each schedule a task on the running loop and return at once; the digest then
describes what was handed over, not what arrived. Neither style adds sleeps,
flushes or retries: whatever the SDK does is what the harness should see.
"""

from __future__ import annotations

import websockets
from iii.channel import ChannelWriter

from .digest import DigestBuilder

AWAITED = "AWAITED"
FIRE_AND_FORGET = "FIRE_AND_FORGET"

# What a failed channel connect raises (HTTP 404 for a bad key, refused port,
# websockets' own open timeout).
CONNECT_ERRORS = (websockets.exceptions.InvalidHandshake, OSError, TimeoutError)


class StyledWriter:
    def __init__(
        self, writer: ChannelWriter, style: str, digest: DigestBuilder, label: str = "writer"
    ) -> None:
        self.writer = writer
        self.style = style
        self.digest = digest
        # Who this is in log lines: the ref key, so a fan-out names the copy that failed.
        self.label = label
        self.stage = "plan"
        self.closed = False
        # Until one SDK call has returned, a socket error is a connect error:
        # the SDK opens the channel socket lazily on the first call.
        self._connected = False

    @property
    def awaited(self) -> bool:
        return self.style != FIRE_AND_FORGET

    async def write(self, data: bytes) -> None:
        self.stage = "write"
        self.digest.add_chunk(data)
        if self.awaited:
            await self.writer.write(data)
        else:
            self.writer.stream.write(data)
        self._connected = True

    async def text(self, value: str) -> None:
        self.stage = "text"
        self.digest.add_text(value)
        if self.awaited:
            await self.writer.send_message_async(value)
        else:
            self.writer.send_message(value)
        self._connected = True

    async def close(self) -> None:
        self.stage = "close"
        self.digest.started()
        if self.awaited:
            await self.writer.close_async()
        else:
            self.writer.close()
        self.closed = True
        self.digest.finish("closed")

    def fail(self, error: BaseException) -> None:
        connecting = not self._connected and isinstance(error, CONNECT_ERRORS)
        self.digest.fail("connect" if connecting else self.stage, error)

    def close_after_timeout(self) -> None:
        """Deadline passed: close what we opened without waiting on the SDK again."""
        if not self.closed:
            self.closed = True
            self.writer.close()
