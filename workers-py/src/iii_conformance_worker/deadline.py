"""Deadlines: a request's `deadline_ms` bounds the handler's channel work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from .digest import Clock


async def within(clock: Clock, deadline_ms: int, work: Awaitable[None]) -> bool:
    """Await `work` until `deadline_ms` after handler entry; False if it passed.

    `work` must record its own failures: any TimeoutError that escapes here is
    taken to be the deadline. 0 means no deadline of the worker's own (the
    harness's trigger timeout still bounds the call).
    """
    if deadline_ms == 0:
        await work
        return True
    loop = asyncio.get_running_loop()
    remaining = max(0.0, (deadline_ms - clock.ms()) / 1000)
    try:
        async with asyncio.timeout_at(loop.time() + remaining):
            await work
    except TimeoutError:
        return False
    return True
