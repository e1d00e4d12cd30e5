"""Shared fixtures: where the repo's fixtures live."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"


@pytest.fixture(scope="session")
def golden_vectors() -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "golden-vectors.json").read_text())["vectors"]
