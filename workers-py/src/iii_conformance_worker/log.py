"""One stderr line per lifecycle step, tagged with the cell id and the role."""

from __future__ import annotations

import sys

from .digest import scrub


def log(cell: str, role: str, message: str) -> None:
    # Messages may quote SDK errors; those must never carry an access key.
    print(f"[cell {cell or '-'}] {role}: {scrub(message)}", file=sys.stderr, flush=True)


def size(n: int) -> str:
    return f"{n} B"
