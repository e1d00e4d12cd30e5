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


def _engine_params() -> list[Any]:
    from engines import available_engines

    found = available_engines()
    if not found:
        return [pytest.param(None, marks=pytest.mark.skip(reason="no engine available"))]
    return found


@pytest.fixture(scope="module", params=_engine_params())
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Engine + one worker process + an SDK client, shared by a test module."""
    from engines import WorkerProcess, iii_engine, reference_engine
    from stack import Stack

    tmp = tmp_path_factory.mktemp(f"e2e-{request.param}")
    start = reference_engine if request.param == "reference" else iii_engine
    with pytest.MonkeyPatch.context() as env, start(tmp) as url:
        # The client in this process: no telemetry, SDK run markers kept in tmp.
        env.setenv("OTEL_ENABLED", "false")
        env.setenv("HOME", str(tmp))
        env.setenv("III_URL", url)
        worker = WorkerProcess(url, tmp, f"py-worker-{request.param}")
        stack = Stack(url, worker)
        try:
            yield stack
        finally:
            stack.close()
            code = worker.stop()
            assert code == 0, f"worker exited with {code}: {worker.log()[-2000:]}"
