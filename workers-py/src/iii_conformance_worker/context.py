"""What every handler shares: the SDK client, the language tag, loose tasks, recall."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from .recall import RecallStore


@dataclass
class Context:
    iii: Any  # iii.iii.III; typed loosely because the class is not exported
    lang: str
    # What write/read/relay answered, by cell, for recall after an engine restart.
    recall: RecallStore = field(default_factory=RecallStore)
    _tasks: set[asyncio.Future[Any]] = field(default_factory=set)

    def function_id(self, name: str) -> str:
        return f"conformance::{self.lang}::{name}"

    def background(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run clean-up we do not wait for, keeping a reference so it finishes."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
