"""Cross-script person name search on a large database.

    uv run python bench/name_search.py --data-dir /tmp/svidok-1m

Fill the database first with bench/core_load.py (1,000,000 incidents give about
1.3 million persons). Prints the number of persons and search latency per query.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, summary_ms

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import Actor
from svidok.services import persons
from svidok.storage.models import Person

QUERIES = ["Oleksandr", "Александр Шевченко", "Oleksandr Shevchenko", "Hryhorii", "Григорий Коваленко",
           "Mariia Bondarenko", "Олена", "Alexander Melnyk"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/svidok-bench"))
    ap.add_argument("--database-url")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    app = Svidok(Settings(data_dir=args.data_dir), database_url=args.database_url)
    actor = Actor("bench", "investigator")
    with app.db.session() as s:
        n = s.scalar(select(func.count()).select_from(Person))
    print(f"machine: {machine()}; engine: {app.db.dialect}; persons: {n:,}")
    all_times = []
    for q in QUERIES:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            found = persons.search(app, actor, q, 20)
            times.append(time.perf_counter() - t)
        all_times += times
        print(f"{q:28s} {len(found):3d} shown  {summary_ms(times)}")
    print(f"{'ALL':28s}      {summary_ms(all_times)}")


if __name__ == "__main__":
    main()
