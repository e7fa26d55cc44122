"""What an RFC 3161 timestamp adds to `svidok seal` (issue 16: < 1 s).

    uv run python bench/timestamp_seal.py

Seals 20 times with no TSA and 20 times with one TSA on 127.0.0.1 (the test suite's:
``openssl ts -reply`` behind an HTTP server), a few ledger entries added before each seal.
A real TSA adds its network round trip (typically 50-300 ms) to the local figure.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from _common import machine  # noqa: E402


def main() -> None:
    from svidok.app import Svidok
    from svidok.config import Settings
    from svidok.core.actors import Actor
    from svidok.services import captures, ledger_sealing
    from tests.captures.tsa import TestTSA

    app = Svidok(Settings(data_dir=Path(tempfile.mkdtemp(prefix="svidok-bench-tsa-")), field_key="a" * 43 + "="))
    app.init()
    actor = Actor("bench", "administrator")
    print(f"{machine()}, load average {open('/proc/loadavg').read().split()[:3]}")
    with TestTSA() as tsa:
        for label, urls in (("no TSA", []), ("one local TSA", [tsa.url])):
            app.settings.tsa_urls = urls
            times = []
            for _ in range(20):
                captures.create_batch(app, actor, ["https://example.org/x"])
                t = time.perf_counter()
                head = ledger_sealing.seal(app)
                times.append(time.perf_counter() - t)
                assert all("error" not in x for x in head.get("timestamps", []))
            print(f"seal, {label}: median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")
    app.close()


if __name__ == "__main__":
    os.environ.setdefault("SVIDOK_FIELD_KEY", "a" * 43 + "=")
    main()
