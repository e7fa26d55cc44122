"""Helpers for tests that run real ``svidok worker`` / ``svidok serve`` processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def svidok(*args: str, env: dict, log: Path) -> subprocess.Popen:
    """``svidok ARGS`` in a new process (cwd: the repository, so ``tests.jobs.step_kinds`` imports)."""
    fh = log.open("ab")
    return subprocess.Popen([sys.executable, "-c", "from svidok.cli.main import app; app()", *args],
                            env=env, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)


def kill9(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def wait_for(what: Callable[[], object], timeout: float = 300.0, every: float = 0.05, why: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = what()
        if got:
            return got
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {why or what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server(port: int, folder: Path) -> subprocess.Popen:
    """A Redis of the test's own on ``port`` (to stop it mid-run without touching the shared one)."""
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    wait_for(lambda: _pings(redis, port), 20, 0.05, f"redis-server on {port}")
    return proc


def _pings(redis, port: int) -> bool:
    try:
        return bool(redis.Redis(port=port, socket_connect_timeout=0.2).ping())
    except redis.exceptions.RedisError:
        return False
