"""One stderr line per lifecycle step, tagged with the cell id and the role."""

from __future__ import annotations

import sys

from .digest import scrub


def log(cell: str, role: str, message: str) -> None:
    # Messages may quote SDK errors; those must never carry an access key.
    try:
        print(f"[cell {cell or '-'}] {role}: {scrub(message)}", file=sys.stderr, flush=True)
    except OSError:
        # The harness that reads stderr is gone (killed): there is nobody to
        # tell, and raising here would stop the worker from shutting down.
        pass


def size(n: int) -> str:
    return f"{n} B"
