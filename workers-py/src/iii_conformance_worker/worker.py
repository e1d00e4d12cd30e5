"""The worker process: connect, register the functions, live until told to stop.

It stops on stdin end-of-file (the harness holds the pipe, so a killed
harness takes its workers with it), on SIGTERM and on SIGINT. A malformed
request never stops it: the handler raises and the SDK answers with an error.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from typing import Any

from iii import register_worker

from .context import Context
from .describe import describe, sdk_version
from .log import log
from .read import handle_read
from .recall import handle_recall, remembered
from .relay import handle_relay
from .write import handle_write

ROLE = "worker"
# How long a clean shutdown may take before the process exits regardless.
SHUTDOWN_GRACE_S = 3.0


def register(ctx: Context) -> None:
    """Register describe/write/read/relay/recall under conformance::<lang>::.

    Write, read and relay answers are also kept by cell (`remembered`): an
    engine restart loses the answers of the calls in flight, and recall gives
    them back through the restarted engine.
    """

    async def on_describe(payload: Any) -> dict[str, Any]:
        return describe(ctx)

    async def on_write(payload: Any) -> dict[str, Any]:
        return await handle_write(ctx, payload)

    async def on_read(payload: Any) -> dict[str, Any]:
        return await handle_read(ctx, payload)

    async def on_relay(payload: Any) -> dict[str, Any]:
        return await handle_relay(ctx, payload)

    async def on_recall(payload: Any) -> dict[str, Any]:
        return handle_recall(ctx.recall, payload)

    # Async handlers run on the SDK's own event loop, where the channel
    # objects it materialises live.
    ctx.iii.register_function(ctx.function_id("describe"), on_describe)
    ctx.iii.register_function(ctx.function_id("write"), remembered(ctx.recall, "write", on_write))
    ctx.iii.register_function(ctx.function_id("read"), remembered(ctx.recall, "read", on_read))
    ctx.iii.register_function(ctx.function_id("relay"), remembered(ctx.recall, "relay", on_relay))
    ctx.iii.register_function(ctx.function_id("recall"), on_recall)


def main() -> int:
    url = os.environ.get("III_URL", "")
    if not url:
        # Refuse rather than let the SDK fall back to its default engine address.
        log("", ROLE, "III_URL is not set; refusing to start")
        return 2
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    lang = os.environ.get("III_CONFORMANCE_LANG") or "py"

    stop = threading.Event()
    reason: list[str] = []

    def request_stop(why: str) -> None:
        if not stop.is_set():
            reason.append(why)
            stop.set()

    signal.signal(signal.SIGTERM, lambda *_: request_stop("SIGTERM"))
    signal.signal(signal.SIGINT, lambda *_: request_stop("SIGINT"))
    threading.Thread(target=_watch_stdin, args=(request_stop,), daemon=True).start()

    log("", ROLE, f"connecting to the engine (iii-sdk {sdk_version()}, lang {lang})")
    ctx = Context(iii=register_worker(url), lang=lang)
    register(ctx)
    log("", ROLE, f"registered {ctx.function_id('{describe,write,read,relay,recall}')}")

    # A timed wait keeps the main thread responsive to signals.
    while not stop.wait(0.5):
        pass
    log("", ROLE, f"stopping ({reason[0]})")
    _shutdown(ctx)
    return 0


def _watch_stdin(request_stop: Any) -> None:
    try:
        while sys.stdin.buffer.read1(65536):
            pass
    except (OSError, ValueError):
        pass
    request_stop("stdin closed")


def _shutdown(ctx: Context) -> None:
    """Close the engine connection, but never let a stuck close keep us alive."""
    done = threading.Thread(target=ctx.iii.shutdown, daemon=True)
    done.start()
    done.join(SHUTDOWN_GRACE_S)
    try:
        sys.stderr.flush()
    except OSError:
        pass  # stderr's reader (the harness) may be gone
    # The SDK's loop thread is not a daemon; leave without waiting for it.
    os._exit(0)
