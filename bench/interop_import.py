"""Spreadsheet import speed: a synthetic CSV of N rows into a fresh SQLite database.

    uv run python bench/interop_import.py [ROWS]   (default 1,000,000)

Prints rows/s of the dry run (validation only) and of the import, and the peak memory
of each (each phase runs in its own process so the figures do not mix). Rows per
second are given by wall-clock time and by the process's own CPU time: on a machine
shared with other work (see the load average printed) the second is the fair figure
of the code's cost, the first what a user waits.
"""

from __future__ import annotations

import base64
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = ["Case", "Row", "Date", "Settlement", "Title", "Violation", "Weapon", "Victim", "Sex", "Age", "Harm", "Source"]
VIOLATIONS = ["Обстріл житла", "Свавільне затримання", "Протипіхотні міни"]
WEAPONS = ["артилерія", "", "протипіхотна міна"]
HARMS = ["загинула", "поранений", "затриманий"]
PLACES = ["Харків", "Kharkiv", "UA63000000000041885", "Херсон", "Ізюм", "Бахмут", "Маріуполь", "Київ"]
GIVEN = ["Олена", "Ірина", "Андрій", "Петро", "Марія", "Іван", "Ганна", "Сергій", "Оксана", "Тарас"]
FAMILY = ["Коваленко", "Бондар", "Ткач", "Мельник", "Шевчук", "Кравченко", "Олійник", "Гнатюк", "Поліщук", "Савчук"]
MAPPING = Path(__file__).resolve().parent.parent / "docs" / "formats" / "hotline-example.mapping.yaml"


def make_csv(path: Path, n: int, seed: int = 7) -> None:
    """Synthetic rows in the layout of docs/formats/hotline-example.csv (2 rows per incident on average)."""
    rnd = random.Random(seed)
    case = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(";".join(HEADER) + "\n")
        i = 0
        while i < n:
            case += 1
            day = f"{rnd.randrange(1, 29):02d}.{rnd.randrange(1, 13):02d}.{rnd.choice((2022, 2023, 2024))}"
            place = rnd.choice(PLACES)
            k = rnd.randrange(3)
            for _ in range(min(rnd.choice((1, 1, 2, 3)), n - i)):
                i += 1
                name = f"{rnd.choice(FAMILY)} {rnd.choice(GIVEN)} {i}" if rnd.random() < 0.7 else ""
                sex = rnd.choice("жч") if name else ""
                age = str(rnd.randrange(0, 95)) if name else ""
                fh.write(f"C{case};{i};{day};{place};Synthetic incident {case};{VIOLATIONS[k]};{WEAPONS[k]};"
                         f"{name};{sex};{age};{HARMS[k]};гаряча лінія\n")


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def phase(data_dir: str, csv_path: str, dry: bool) -> None:
    from svidok.app import Svidok
    from svidok.config import Settings
    from svidok.core.actors import SYSTEM
    from svidok.services import imports

    app = Svidok(Settings(data_dir=Path(data_dir), field_key=base64.b64encode(b"b" * 32).decode()))
    app.init()
    t, cpu = time.perf_counter(), time.process_time()
    child_cpu0 = _children_cpu()
    # What `svidok import` runs: a big file is validated in a forked child while this process writes.
    r = imports.run_file(app, SYSTEM, csv_path, MAPPING, dry_run=dry)
    dt, cpu = time.perf_counter() - t, time.process_time() - cpu + _children_cpu() - child_cpu0
    # peak memory of this process plus that of the validating child (if any): the two together
    rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(json.dumps({"rows": r.rows_read, "bad": r.rows_bad, "seconds": dt, "rows_per_s": r.rows_read / dt,
                      "cpu_seconds": cpu, "rows_per_cpu_s": r.rows_read / cpu, "load": os.getloadavg()[0],
                      "peak_rss_mib": rss, "incidents": r.counts.incidents, "acts": r.counts.acts}))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--phase":
        phase(sys.argv[2], sys.argv[3], sys.argv[4] == "dry")
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "rows.csv"
        t = time.perf_counter()
        make_csv(csv_path, n)
        print(f"cores: {os.cpu_count()}; generated {n:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - t:.1f}s")
        for label, mode in (("dry run (validate only)", "dry"), ("import into SQLite", "write")):
            out = subprocess.run([sys.executable, __file__, "--phase", str(Path(tmp) / "db"), str(csv_path), mode],
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{label:26s} {r['rows']:>9,} rows  wall {r['seconds']:7.1f} s = {r['rows_per_s']:>7,.0f} rows/s;  "
                  f"CPU {r['cpu_seconds']:6.1f} s = {r['rows_per_cpu_s']:>7,.0f} rows/CPU-s;  peak RSS {r['peak_rss_mib']:5.0f} MiB  "
                  f"(bad rows {r['bad']}, incidents {r['incidents']:,}; load average {r['load']:.1f})")


if __name__ == "__main__":
    main()
