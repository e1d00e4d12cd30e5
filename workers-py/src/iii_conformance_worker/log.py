"""One stderr line per lifecycle step, tagged with the cell id and the role."""

from __future__ import annotations

import sys


def log(cell: str, role: str, message: str) -> None:
    print(f"[cell {cell or '-'}] {role}: {message}", file=sys.stderr, flush=True)


def size(n: int) -> str:
    return f"{n} B"
