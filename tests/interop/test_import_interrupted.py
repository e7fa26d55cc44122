"""An import killed with SIGKILL half-way, then restarted: the job finishes, nothing twice, nothing partial."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from svidok.core.actors import SYSTEM
from svidok.services import import_pipeline, imports
from svidok.storage.models import Act, ImportRun, Incident, LedgerEntry, Person, Victim

MAPPING = Path(__file__).resolve().parents[2] / "docs" / "formats" / "hotline-example.mapping.yaml"


def _csv(path: Path, n: int) -> Counter:
    """Synthetic rows; returns how many rows (acts) each case has."""
    rnd = random.Random(3)
    per_case: Counter = Counter()
    lines = ["Case;Row;Date;Settlement;Title;Violation;Weapon;Victim;Sex;Age;Harm;Source"]
    case = 0
    while len(lines) <= n:
        case += 1
        for _ in range(rnd.choice((1, 2, 3))):
            i = len(lines)
            lines.append(f"K{case};{i};{rnd.randrange(1, 28):02d}.03.2022;Харків;Synthetic {case};Обстріл житла;артилерія;"
                         f"Бондар Олена {i};ж;{rnd.randrange(90)};загинула;гаряча лінія")
            per_case[f"K{case}"] += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return per_case


def _state(app) -> tuple[int, dict, int]:
    with app.db.session() as s:
        run = s.scalar(select(ImportRun).order_by(ImportRun.id.desc()).limit(1))
        acts = dict(s.execute(select(Incident.source_key, func.count(Act.id)).join(Act, Act.incident_id == Incident.id)
                              .group_by(Incident.source_key)).all())
        persons = s.scalar(select(func.count()).select_from(Person))
        return (run.counts or {}).get("batches", 0) if run else 0, acts, persons


def _processes_reading(path: Path) -> list[int]:
    """Pids of live processes whose command line names ``path``."""
    out = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(path).encode() in (entry / "cmdline").read_bytes():
                status = (entry / "status").read_text()
                if "\nState:\tZ" not in status:
                    out.append(int(entry.name))
        except OSError:
            continue
    return out


def test_sigkill_half_way_then_restart_finishes_without_duplicates(app, tmp_path):
    # Big enough (> import_pipeline.MIN_BYTES) for the command to validate in a second process.
    per_case = _csv(tmp_path / "big.csv", 24_000)
    assert import_pipeline.worth_it(tmp_path / "big.csv") or (os.cpu_count() or 1) < 2
    m = tmp_path / "m.yaml"
    m.write_text(MAPPING.read_text(encoding="utf-8") + "batch_size: 300\n", encoding="utf-8")
    env = {**os.environ, "SVIDOK_DATA_DIR": str(app.settings.data_dir), "SVIDOK_DATABASE_URL": app.db.url,
           "SVIDOK_FIELD_KEY": app.settings.field_key}
    proc = subprocess.Popen([sys.executable, "-c", "from svidok.cli.main import app; app()", "import",
                             str(tmp_path / "big.csv"), "--mapping", str(m)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if _state(app)[0] >= 3 or proc.poll() is not None:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    # the validating child notices and goes too, writing nothing
    deadline = time.monotonic() + 15
    while _processes_reading(tmp_path / "big.csv") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_reading(tmp_path / "big.csv") == []
    batches_done, acts, _ = _state(app)
    assert 3 <= batches_done and len(acts) < len(per_case), "the kill must come half-way"
    # Whole batches only: every incident in the database has all of its acts.
    assert all(acts[k] == per_case[k] for k in acts)

    report = imports.run_file(app, SYSTEM, tmp_path / "big.csv", m)  # as the command runs it: planned in a child
    assert report.resumed_after_batches == batches_done
    _, acts, persons = _state(app)
    assert acts == dict(per_case)
    assert persons == sum(per_case.values())
    with app.db.session() as s:
        assert s.scalar(select(func.count(func.distinct(Incident.source_key)))) == s.scalar(select(func.count()).select_from(Incident))
        assert s.scalar(select(func.count()).select_from(Victim)) == sum(per_case.values())
        run = s.scalar(select(ImportRun))
        assert run.status == "finished" and s.scalar(select(func.count()).select_from(ImportRun)) == 1
        assert s.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.action == "import.finish")) == 1
