"""Render a ~20-page brief with 10 charts and a map to PDF over a large database.

    uv run python bench/core_load.py --size 1000000 --data-dir /tmp/svidok-1m     # once
    uv run python bench/brief_render.py --data-dir /tmp/svidok-1m

Prints the time spent in the queries and HTML (render), in the two Chromium passes (PDF),
the total, the number of pages, figures and incidents, the machine's core count, the CPU time
of this process and the load average. The victim figures come from the in-memory victim
columns, read once at the start of the rendering (a fresh process, as after a server start).
Target: under 30 s on 1,000,000 incidents.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, peak_rss_mib
from pypdf import PdfReader
from sqlalchemy import func, select

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM
from svidok.reports import engine
from svidok.reports.editions import Edition
from svidok.storage.models import Incident

HARMED = 'harm=["killed", "injured"], victim_status="civilian", date_from="2022-02-24"'
SECTIONS = [
    ("Trend", [f'chart("victims_by", kind="line", by="month", {HARMED}, title="Civilians harmed by month")',
               'chart("incidents_by", kind="line", by="month", family="attacks_on_civilians", date_from="2022-02-24", title="Attacks by month")']),
    ("Who", [f'chart("victims_by", by="age_band", {HARMED}, title="By age band")',
             f'chart("victims_by", by="sex", {HARMED}, title="By sex")',
             f'compare({HARMED}, bands="0-17,18-59,60+", title="Older people and children")',
             f'table("victims_by", by="age_band", {HARMED}, title="By age band (table)")']),
    ("Where", ['map("incidents", family="attacks_on_civilians", date_from="2022-02-24", title="Attacks on civilians")',
               f'chart("victims_by", by="oblast", {HARMED}, title="By oblast")',
               f'table("victims_by", by="oblast", {HARMED}, title="By oblast (table)")']),
    ("How", [f'chart("victims_by", by="means", {HARMED}, title="By means")',
             'chart("victims_by", by="violation_type", date_from="2022-02-24", title="By violation")',
             'table("victims_by", by="violation_type", date_from="2022-02-24", title="By violation (table)")']),
    ("Detention", ['chart("custody_by", by="outcome", title="Custody by outcome")',
                   'chart("custody_by", by="oblast", title="Custody by oblast")',
                   'table("custody_by", by="authority", title="Custody by authority")']),
    ("Mines", ['chart("hazard_by", by="contamination", title="Hazard areas by contamination")',
               'table("hazard_by", by="oblast", title="Hazard areas by oblast")']),
    ("Records", ['table("incident_list", family="attacks_on_civilians", limit=150, only_public=True, title="Recent public incidents")']),
]


def template() -> str:
    lines = ["---", "title: Benchmark brief (synthetic data)", "title_uk: Тестовий бриф (синтетичні дані)", "---"]
    lines.append("# Summary / Підсумок\n")
    lines.append('{{ n("victims", harm="killed", victim_status="civilian", date_from="2022-02-24") }} civilians killed, '
                 '{{ n("victims", harm="injured", victim_status="civilian", date_from="2022-02-24") }} injured, in '
                 '{{ n("incidents", date_from="2022-02-24") }} incidents.\n')
    lines.append(("Ця частина тексту українською показує, що шрифти та переноси працюють. " * 6 + "\n\n") * 3)
    for title, figs in SECTIONS:
        lines.append(f"# {title}\n")
        lines.append("Lorem of the analyst: what the figures below show, and what they cannot show. " * 8 + "\n")
        for f in figs:
            lines.append(f"{{{{ {f} }}}}\n")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/svidok-bench"))
    ap.add_argument("--database-url")
    ap.add_argument("--edition", default="internal")
    args = ap.parse_args()
    app = Svidok(Settings(data_dir=args.data_dir), database_url=args.database_url)
    with app.db.session() as s:
        incidents = s.scalar(select(func.count()).select_from(Incident))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_brief.md.j2"
        path.write_text(template(), encoding="utf-8")
        t0, c0 = time.perf_counter(), time.process_time()
        brief = engine.render(app, SYSTEM, path, Edition(args.edition))
        t1, c1 = time.perf_counter(), time.process_time()
        pdf = engine.to_pdf(brief)
        t2, c2 = time.perf_counter(), time.process_time()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    charts = brief.html.count('class="chart"')
    maps = brief.html.count('class="map"')
    print(f"machine: {machine()} (os.cpu_count()={os.cpu_count()}); engine: {app.db.dialect}; incidents: {incidents:,}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"brief: {pages} pages, {len(brief.figures)} figures, {charts} charts, {maps} map(s), {args.edition} edition, "
          f"{len(pdf) / 1024:,.0f} KiB")
    print(f"queries + HTML: {t1 - t0:.1f} s; PDF (two Chromium passes): {t2 - t1:.1f} s; total {t2 - t0:.1f} s "
          f"(target < 30 s); peak memory {peak_rss_mib():,.0f} MiB")
    print(f"CPU of this process: queries + HTML {c1 - c0:.1f} s, PDF {c2 - c1:.1f} s (Chromium's own CPU not counted); "
          f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
