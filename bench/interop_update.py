"""Update-in-place speed: re-import a spreadsheet of N rows with 1 % of the rows changed.

    uv run python bench/interop_update.py [ROWS]   (default 1,000,000)

Builds the synthetic CSV of bench/interop_import.py, imports it into a fresh SQLite
database, changes the age on every 100th row, then runs ``svidok import --update``'s
service (``services.import_update``) in its own process and prints rows/s by wall-clock
and by CPU time with the load average, and checks that exactly the changed rows got a
new version. A second update with the same file shows the cost of a run that changes
nothing.
"""

from __future__ import annotations

import base64
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from interop_import import MAPPING, make_csv


def changed_copy(src: Path, dst: Path, every: int = 100) -> int:
    """``src`` with the age (column 10) of every ``every``-th row changed; returns rows changed."""
    n = 0
    with src.open(encoding="utf-8") as fin, dst.open("w", encoding="utf-8") as fout:
        fout.write(fin.readline())
        for i, line in enumerate(fin, start=1):
            if i % every == 0:
                cells = line.rstrip("\n").split(";")
                cells[9] = str((int(cells[9]) + 1) % 95) if cells[9] else "40"
                line = ";".join(cells) + "\n"
                n += 1
            fout.write(line)
    return n


def phase(data_dir: str, csv_path: str, mode: str) -> None:
    from svidok.app import Svidok
    from svidok.config import Settings
    from svidok.core.actors import SYSTEM
    from svidok.services import import_update, imports

    app = Svidok(Settings(data_dir=Path(data_dir), field_key=base64.b64encode(b"b" * 32).decode()))
    app.init()
    t, cpu = time.perf_counter(), time.process_time()
    if mode == "import":
        r = imports.run_file(app, SYSTEM, csv_path, MAPPING)
        rows, extra = r.rows_read, {"incidents": r.counts.incidents}
    else:
        u = import_update.run_file(app, SYSTEM, csv_path, MAPPING)
        rows, extra = u.base.rows_read, {"changed": u.rows_changed, "unchanged": u.rows_unchanged,
                                         "new": u.rows_new, "versions": u.versions}
    dt = time.perf_counter() - t
    cpu = time.process_time() - cpu + sum(getattr(resource.getrusage(resource.RUSAGE_CHILDREN), f)
                                          for f in ("ru_utime", "ru_stime"))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "seconds": dt, "rows_per_s": rows / dt, "cpu_seconds": cpu,
                      "rows_per_cpu_s": rows / cpu, "load": os.getloadavg()[0], "peak_rss_mib": rss, **extra}))


def _run(tmp: str, csv_path: Path, mode: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", str(Path(tmp) / "db"), str(csv_path), mode],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--phase":
        phase(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        v1, v2 = Path(tmp) / "v1.csv", Path(tmp) / "v2.csv"
        make_csv(v1, n)
        changed = changed_copy(v1, v2)
        print(f"cores: {os.cpu_count()}; {n:,} rows, {changed:,} changed (1 %)")
        r = _run(tmp, v1, "import")
        print(f"first import             {r['rows']:>9,} rows  wall {r['seconds']:6.1f} s = {r['rows_per_s']:>7,.0f} rows/s "
              f"(load {r['load']:.1f})")
        for label, path in (("update, 1 % changed", v2), ("update again, unchanged", v2)):
            r = _run(tmp, path, "update")
            print(f"{label:24s} {r['rows']:>9,} rows  wall {r['seconds']:6.1f} s = {r['rows_per_s']:>7,.0f} rows/s;  "
                  f"CPU {r['cpu_seconds']:6.1f} s = {r['rows_per_cpu_s']:>7,.0f} rows/CPU-s;  peak RSS "
                  f"{r['peak_rss_mib']:5.0f} MiB  (changed {r['changed']:,}, unchanged {r['unchanged']:,}, "
                  f"new {r['new']}, versions {r['versions']:,}; load average {r['load']:.1f})")


if __name__ == "__main__":
    main()
