"""Shared helpers for benchmark scripts (figures are printed, not asserted)."""

from __future__ import annotations

import os
import resource
import socket
import statistics
import subprocess
import sys
import time


def machine() -> str:
    return f"{os.cpu_count()} cores"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, int(round(q / 100 * (len(values) - 1)))))
    return values[k]


def summary_ms(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"median {statistics.median(ms):.1f} ms, p95 {pct(ms, 95):.1f} ms, max {max(ms):.1f} ms (n={len(ms)})"


def serve(data_dir, database_url: str | None = None) -> tuple[subprocess.Popen, str]:
    """Start `svidok.server:serving_app` (what `svidok serve` runs) under uvicorn on a free loopback port, as a separate process
    (its CPU is then its own), and wait until it answers; returns the process and its base URL."""
    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "SVIDOK_DATA_DIR": str(data_dir)}
    if database_url:
        env["SVIDOK_DATABASE_URL"] = database_url
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "svidok.server:serving_app", "--factory",
                               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(base + "/login", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    return server, base
