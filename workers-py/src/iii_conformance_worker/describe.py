"""conformance::<lang>::describe."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from . import CONTRACT_VERSION, __version__
from .context import Context

SDK_DISTRIBUTION = "iii-sdk"


def sdk_version() -> str:
    """The installed iii-sdk, read at run time so a re-pin cannot be misreported."""
    try:
        return version(SDK_DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown"


def describe(ctx: Context) -> dict[str, Any]:
    return {
        "lang": ctx.lang,
        "contract_version": CONTRACT_VERSION,
        "worker_version": __version__,
        "sdk": {"name": "iii-sdk (PyPI)", "version": sdk_version()},
        "capabilities": {
            "write_styles": ["AWAITED", "FIRE_AND_FORGET"],
            # TEXTS_ONLY: the SDK documents on_message; whether texts arrive
            # without a read is what the style's cells find out.
            "read_styles": ["READ_ALL", "STREAM", "TEXTS_ONLY"],
            "exit": True,
            # No documented way to drop a channel socket without a close frame.
            "abort": False,
            "produce": True,
            "relay": True,
            "text_callback": True,
            # One plan over several writer refs is plain SDK use, one writer at a time.
            "fanout": True,
            # Write, read and relay answers are kept by cell (recall.py).
            "recall": True,
        },
    }
