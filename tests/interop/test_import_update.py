"""Updating records in place from a changed spreadsheet (``svidok import --update``)."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from svidok.core.actors import SYSTEM
from svidok.core.errors import ValidationFailed
from svidok.interop import mapping as mapping_mod
from svidok.services import history, import_update, imports
from svidok.storage.models import Act, ImportRun, Incident, LedgerEntry, Person, RecordVersion, Victim

DOCS = Path(__file__).resolve().parents[2] / "docs" / "formats"
MAPPING = DOCS / "hotline-example.mapping.yaml"
HEADER = "Case;Row;Date;Settlement;Title;Violation;Weapon;Victim;Sex;Age;Harm;Source"
ROWS = [
    "HL-001;1;05.03.2022;Харків;Shelling of a residential block;Обстріл житла;артилерія;Коваленко Ганна;ж;67;загинула;гаряча лінія",
    "HL-001;2;05.03.2022;Харків;Shelling of a residential block;Обстріл житла;артилерія;Коваленко Петро;ч;9;поранений;гаряча лінія",
    "HL-002;3;2022-04-12;Kharkiv;Detention at a checkpoint;Свавільне затримання;;Мельник Андрій;ч;34;затриманий;гаряча лінія",
    "HL-003;4;~2022-05;UA63000000000041885;Mine explosion in a field;Протипіхотні міни;протипіхотна міна;;;;поранений;гаряча лінія",
]


def _write(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _counts(app) -> tuple:
    with app.db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Incident, Act, Victim, Person))


def _first(app, tmp_path) -> mapping_mod.Mapping:
    m = mapping_mod.load(MAPPING)
    imports.run(app, SYSTEM, _write(tmp_path / "v1.csv", ROWS), m)
    return m


def test_changed_rows_get_new_versions_and_nothing_is_duplicated(app, tmp_path):
    m = _first(app, tmp_path)
    before = _counts(app)
    rows = list(ROWS)
    rows[1] = rows[1].replace(";9;поранений;", ";10;загинув;")  # row 2: age and harm corrected
    rows[2] = rows[2].replace("Detention at a checkpoint", "Detention at the Vovchansk checkpoint")
    rows.append("HL-004;5;2022-06-01;Kharkiv;Shelling of a school;Обстріл житла;артилерія;Ткач Ірина;ж;40;поранена;гаряча лінія")
    f = _write(tmp_path / "v2.csv", rows)

    dry = import_update.run(app, SYSTEM, f, m, dry_run=True)
    assert (dry.rows_unchanged, dry.rows_changed, dry.rows_new) == (2, 2, 1)
    by_row = {c.row: c.changes for c in dry.changed}
    assert by_row[3] == {"victim.age": [9, 10], "victim.harm": ["injured", "killed"]}
    assert by_row[4] == {"incident.title": ["Detention at a checkpoint", "Detention at the Vovchansk checkpoint"]}
    assert _counts(app) == before  # the dry run wrote nothing

    rep = import_update.run(app, SYSTEM, f, m)
    assert (rep.rows_changed, rep.rows_new, rep.versions) == (2, 1, 2)
    assert _counts(app) == (before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1)
    with app.db.session() as s:
        inc = s.scalar(select(Incident).where(Incident.source_key == "HL-002"))
        assert (inc.title, inc.version) == ("Detention at the Vovchansk checkpoint", 2)
        assert "vovchansk" in (inc.search_text or "").lower()
        v = s.scalar(select(Victim).join(Act).where(Act.source_key == "2"))
        assert (v.age, v.harm) == (10, "killed")
        versions = history.versions(s, "incident", inc.id)
        assert versions[-1].op == "update" and versions[-1].after == {"incident.title": inc.title}
        untouched = s.scalar(select(Incident).where(Incident.source_key == "HL-003"))
        assert untouched.version == 1
        assert s.scalar(select(func.count()).select_from(LedgerEntry)
                        .where(LedgerEntry.action == "import.update.finish")) == 1

    again = import_update.run(app, SYSTEM, f, m)  # the same file again: nothing changes
    assert (again.rows_changed, again.rows_new, again.versions, again.rows_unchanged) == (0, 0, 0, 5)
    assert _counts(app) == (before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1)


def test_missing_rows_are_withdrawn_only_on_request_with_the_reason(app, tmp_path):
    m = _first(app, tmp_path)
    f = _write(tmp_path / "v2.csv", ROWS[:3])  # row 4 (incident HL-003's only act) left out
    kept = import_update.run(app, SYSTEM, f, m)
    assert kept.rows_withdrawn == 0
    with pytest.raises(ValidationFailed, match="reason"):
        import_update.run(app, SYSTEM, f, m, withdraw_reason="  ")
    rep = import_update.run(app, SYSTEM, f, m, withdraw_reason="duplicate of a ministry record")
    assert (rep.rows_withdrawn, rep.incidents_withdrawn, rep.withdrawn_keys) == (1, 1, ["4"])
    with app.db.session() as s:
        act = s.scalar(select(Act).where(Act.source_key == "4"))
        inc = s.get(Incident, act.incident_id)
        assert act.deleted_reason == inc.deleted_reason == "duplicate of a ministry record"
        assert history.versions(s, "incident", inc.id)[-1].op == "delete"
    assert _counts(app)[1] == 4  # withdrawn, not deleted


def test_a_file_whose_key_column_changed_is_refused_before_any_write(app, tmp_path):
    m = _first(app, tmp_path)
    with app.db.session() as s:
        ledger_before = s.scalar(select(func.count()).select_from(LedgerEntry))
    renamed = _write(tmp_path / "renamed.csv", ROWS, HEADER.replace(";Row;", ";RowNo;"))
    with pytest.raises(ValidationFailed, match="Row"):
        import_update.run(app, SYSTEM, renamed, m)
    m2 = m.model_copy(update={"keys": m.keys.model_copy(update={"row": ["Victim"]})})
    with pytest.raises(ValidationFailed, match="key column changed"):
        import_update.run(app, SYSTEM, _write(tmp_path / "v.csv", ROWS), m2)
    dupes = _write(tmp_path / "dupes.csv", [ROWS[0], ROWS[1].replace(";2;", ";1;"), *ROWS[2:]])
    with pytest.raises(ValidationFailed, match="duplicate row key"):
        import_update.run(app, SYSTEM, dupes, m)
    renumbered = _write(tmp_path / "renum.csv", [r.replace(f";{i + 1};", f";X{i + 1};", 1) for i, r in enumerate(ROWS)])
    with pytest.raises(ValidationFailed, match="none of the row keys"):
        import_update.run(app, SYSTEM, renumbered, m)
    with app.db.session() as s:
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == ledger_before
        assert s.scalar(select(func.count()).select_from(ImportRun)) == 1


# -- kill -9 during an update ---------------------------------------------------------------

def _big(path: Path, n: int, changed: set[int] = frozenset()) -> Path:
    rnd = random.Random(5)
    lines = [HEADER]
    for i in range(1, n + 1):
        age = rnd.randrange(90)
        harm = "поранений" if i in changed else "загинула"
        lines.append(f"K{(i + 1) // 2};{i};{rnd.randrange(1, 28):02d}.03.2022;Харків;Synthetic {(i + 1) // 2};"
                     f"Обстріл житла;артилерія;Бондар Олена {i};ж;{age};{harm};гаряча лінія")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _fingerprint(app) -> str:
    h = hashlib.sha256()
    with app.db.session() as s:
        for model in (Incident, Act, Victim, Person):
            cols = [c for c in model.__table__.columns if c.name not in ("updated_at", "search_text")]
            for row in s.execute(select(*cols).order_by(model.id)):
                h.update(repr(tuple(row)).encode())
        h.update(str(s.scalar(select(func.count()).select_from(RecordVersion))).encode())
    return h.hexdigest()


def _writing(app) -> bool:
    """Whether another process holds the database's write lock (the update's one transaction is open)."""
    if app.db.dialect == "sqlite":
        con = sqlite3.connect(app.db.engine.url.database, timeout=0)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.rollback()
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            con.close()
    with app.db.session() as s:  # the ledger's advisory lock, held until the update commits
        return bool(s.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :k "
                                  "AND pid <> pg_backend_pid()"), {"k": 0x5D1D0C}))


@pytest.mark.parametrize("delay", [0.0, 0.4])
def test_kill_9_during_an_update_leaves_before_or_after_then_a_rerun_finishes(app, tmp_path, delay):
    n = 6000
    m = mapping_mod.load(MAPPING)
    imports.run(app, SYSTEM, _big(tmp_path / "v1.csv", n), m)
    before = _fingerprint(app)
    changed = set(range(1, n + 1, 3))
    f2 = _big(tmp_path / "v2.csv", n, changed)
    env = {**os.environ, "SVIDOK_DATA_DIR": str(app.settings.data_dir), "SVIDOK_DATABASE_URL": app.db.url,
           "SVIDOK_FIELD_KEY": app.settings.field_key}
    proc = subprocess.Popen([sys.executable, "-c", "from svidok.cli.main import app; app()", "import", str(f2),
                             "--mapping", str(MAPPING), "--update"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not _writing(app) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the update finished before it could be killed while writing"
    time.sleep(delay)  # killed while its transaction is open (or, later, possibly just after it committed)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    mid = _fingerprint(app)
    with app.db.session() as s:
        killed = s.scalar(select(func.count()).select_from(Victim).where(Victim.harm == "injured"))
    assert killed in (0, len(changed))  # never some of the rows
    assert (mid == before) == (killed == 0)
    rep = import_update.run(app, SYSTEM, f2, m)
    assert rep.rows_changed == (len(changed) if killed == 0 else 0)
    with app.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Victim).where(Victim.harm == "injured")) == len(changed)
        assert s.scalar(select(func.count()).select_from(Act)) == n
