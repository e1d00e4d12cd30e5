"""The worker process's own lifecycle: how it stops, and the `exit` op."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from iii import InvocationError

from engines import WorkerProcess, quiet_env
from stack import Stack, naive_stream


def start_extra_worker(stack: Stack, tmp: Path, lang: str) -> WorkerProcess:
    """A second worker under another language tag, so it cannot clash with `py`."""
    worker = WorkerProcess(stack.url, tmp, f"py-{lang}", lang=lang)
    deadline = time.monotonic() + 30
    while True:
        try:
            stack.call("describe", {}, timeout_ms=1000, lang=lang)
            return worker
        except InvocationError:
            if time.monotonic() > deadline:
                worker.stop()
                raise
            time.sleep(0.1)


def test_stdin_eof_stops_the_worker(stack: Stack, tmp_path: Path) -> None:
    worker = start_extra_worker(stack, tmp_path, "pyeof")
    assert worker.proc.stdin is not None
    worker.proc.stdin.close()
    assert worker.proc.wait(10) == 0
    assert "stopping (stdin closed)" in worker.log()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_the_worker(stack: Stack, tmp_path: Path, sig: signal.Signals) -> None:
    worker = start_extra_worker(stack, tmp_path, f"pysig{sig.value}")
    worker.proc.send_signal(sig)
    assert worker.proc.wait(10) == 0
    assert f"stopping ({sig.name})" in worker.log()
    worker.stop()


def test_refuses_to_start_without_iii_url(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "iii_conformance_worker"],
        check=False,
        env=quiet_env(tmp_path),
        stdin=subprocess.PIPE,
        capture_output=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert b"III_URL is not set" in done.stderr


def test_exit_op_kills_the_writer_mid_stream(stack: Stack, tmp_path: Path) -> None:
    victim = start_extra_worker(stack, tmp_path, "pyexit")
    writer_ref, reader_ref = stack.channel()
    cell = "lifecycle/writer-exits"
    read = stack.call_async(
        "read",
        {"cell": cell, "read": {"style": "STREAM"}, "reader": reader_ref, "deadline_ms": 8000},
    )
    ops = [
        {"bytes": {"seed": "exit", "length": 100_000}},
        {"pause": {"ms": 200}},
        {"exit": {"code": 3}},
    ]
    with pytest.raises(InvocationError) as caught:
        stack.call(
            "write",
            {"cell": cell, "plan": {"ops": ops}, "writer": writer_ref, "deadline_ms": 8000},
            lang="pyexit",
            timeout_ms=10_000,
        )
    assert caught.value.code == "invocation_stopped"
    assert victim.proc.wait(10) == 3

    digest = read.result()["digest"]
    assert digest["bytes"] == 100_000
    assert digest["sha256"] == hashlib.sha256(naive_stream("exit", 0, 100_000)).hexdigest()
    # The engine ends the reader's stream cleanly and the SDK reader swallows
    # abnormal closes anyway, so a writer that died reads as a complete stream.
    assert digest["end"] == "closed"
    victim.stop()
