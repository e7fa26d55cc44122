"""How long `svidok --help` and each command's `--help` take from process start (issue 18: < 0.5 s idle).

    uv run python bench/cli_start.py [--runs 5]

Prints the median wall and CPU time of each, and the machine's load average, which the wall time depends on.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from svidok.cli.main import COMMANDS

SVIDOK = str(Path(sys.executable).with_name("svidok"))


def timed(args: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([SVIDOK, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} at the start")
    rows = []
    for cmd in ([], *([name] for name in COMMANDS)):
        runs = [timed([*cmd, "--help"]) for _ in range(a.runs)]
        wall, cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
        rows.append((wall, cpu))
        print(f"svidok {' '.join(cmd) + ' ' if cmd else ''}--help: median {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU")
    print(f"slowest: {max(r[0] for r in rows) * 1000:.0f} ms wall, {max(r[1] for r in rows) * 1000:.0f} ms CPU; "
          f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
