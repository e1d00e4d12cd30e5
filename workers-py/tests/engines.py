"""Engines and worker processes for the end-to-end tests.

Everything listens on 127.0.0.1 on a port the OS picks (or that we bound and
released), and everything is started with stdin as a pipe, so closing it is
how each process is told to go.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[2]
TSX = REPO / "node_modules" / ".bin" / "tsx"
REFERENCE_MAIN = REPO / "engines" / "reference" / "main.ts"
DEFAULT_III_BIN = Path("/work/iii-src/target/release/iii")


def iii_bin() -> Path | None:
    path = Path(os.environ.get("III_BIN") or DEFAULT_III_BIN)
    return path if path.is_file() and os.access(path, os.X_OK) else None


def available_engines() -> list[str]:
    found = []
    if REFERENCE_MAIN.is_file() and TSX.is_file():
        found.append("reference")
    if iii_bin() is not None:
        found.append("iii")
    return found


def quiet_env(tmp: Path, **extra: str) -> dict[str, str]:
    """An environment with telemetry off and the SDK's run markers kept in `tmp`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("III_", "OTEL_"))}
    env.update(OTEL_ENABLED="false", III_TELEMETRY_ENABLED="false", HOME=str(tmp), **extra)
    return env


def _stop(proc: subprocess.Popen[bytes], grace_s: float = 5.0) -> None:
    if proc.stdin is not None and not proc.stdin.closed:
        proc.stdin.close()
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def reference_engine(tmp: Path) -> Iterator[str]:
    log = open(tmp / "reference.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(TSX), str(REFERENCE_MAIN), "--port", "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        env=quiet_env(tmp),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"reference broker exited: {_tail(tmp / 'reference.log')}")
        event = json.loads(line)
        assert event["event"] == "listening", event
        yield event["wsUrl"]
    finally:
        _stop(proc)
        log.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def iii_engine(tmp: Path) -> Iterator[str]:
    binary = iii_bin()
    assert binary is not None
    port = free_port()
    config = tmp / "iii-config.yaml"
    config.write_text(
        f"workers:\n  - name: iii-worker-manager\n    config: {{ host: 127.0.0.1, port: {port} }}\n"
    )
    log = open(tmp / "iii.log", "wb")  # noqa: SIM115 - closed below
    env = quiet_env(tmp, IIIWORKER_DISABLE_BUILTIN_DAEMONS="1")
    proc = subprocess.Popen(
        [str(binary), "--config", str(config), "--no-update-check"],
        stdin=subprocess.PIPE,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=tmp,
    )
    try:
        _wait_for_port(port, proc, tmp / "iii.log")
        yield f"ws://127.0.0.1:{port}"
    finally:
        proc.terminate()
        _stop(proc)
        log.close()


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"iii exited with {proc.returncode}: {_tail(log)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"iii did not listen on {port} within 30 s: {_tail(log)}")


class WorkerProcess:
    """`python -m iii_conformance_worker`, with its stderr kept for the asserts."""

    def __init__(self, url: str, tmp: Path, name: str, lang: str = "py") -> None:
        self.log_path = tmp / f"{name}.log"
        self._log: IO[bytes] = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "iii_conformance_worker"],
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=quiet_env(tmp, III_URL=url, III_WORKER_NAME=name, III_CONFORMANCE_LANG=lang),
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        _stop(self.proc)
        self._log.close()
        return self.proc.returncode


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "<no log>"
