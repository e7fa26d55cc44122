"""`svidok estimate` end to end, as a user runs it: a fresh process each time (start-up included).

Log-linear on the 4-list Kosovo table (also through ``svidok.cli.estimate`` alone, without the
rest of the CLI's imports), and LCMCR with one and its default 4 chains; prints wall and CPU
time (children's rusage) and the load average, since the machine is shared.
Run: uv run python bench/stats_cli.py
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROWS = [
    "1,0,0,0,1131", "0,1,0,0,845", "0,0,1,0,936", "0,0,0,1,306", "1,1,0,0,177", "1,0,1,0,228", "1,0,0,1,106",
    "0,1,1,0,217", "0,1,0,1,31", "0,0,1,1,123", "1,1,1,0,181", "1,1,0,1,18", "1,0,1,1,42", "0,1,1,1,32",
    "1,1,1,1,27",
]  # fmt: skip


def run(args: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    exe = shutil.which("svidok") or str(Path(sys.executable).with_name("svidok"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kosovo.csv"
        path.write_text("EXH,ABA,OSCE,HRW,count\n" + "\n".join(ROWS) + "\n")
        print(f"nproc={os.cpu_count()} loadavg={open('/proc/loadavg').read().split()[:3]}")
        run([exe, "estimate", str(path)])  # warm the disk cache and Numba's compiled-code cache
        own = [sys.executable, "-c", "import typer; from svidok.cli.estimate import estimate; typer.run(estimate)"]
        cases = {
            "estimate's own path, loglinear": [*own, str(path)],
            "loglinear": [exe, "estimate", str(path)],
            "lcmcr, 1 chain": [exe, "estimate", str(path), "-m", "lcmcr", "--chains", "1"],
            "lcmcr, 4 chains (default)": [exe, "estimate", str(path), "-m", "lcmcr"],
        }
        for name, args in cases.items():
            runs = [run(args) for _ in range(3)]
            wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
            print(f"svidok estimate, {name:<32}: {wall:6.2f} s wall, {cpu:6.2f} s CPU (best of 3)")
        print(f"loadavg after: {open('/proc/loadavg').read().split()[:3]}")


if __name__ == "__main__":
    main()
