"""The CLI as a documenter or administrator types it."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from svidok.app import Svidok
from svidok.cli.main import app as cli
from svidok.config import Settings, get_settings
from svidok.storage.models import ImportRun, Incident, Person

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SVIDOK_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def invoke(*args: str):
    result = runner.invoke(cli, list(args))
    return result


def test_record_list_show_search(data_dir):
    assert invoke("init").exit_code == 0
    r = invoke("incident", "add", "--title", "Shelling of a market", "--date", "2022-08", "--place", "UA63000000000041885",
               "-v", "killing_of_civilians", "--means", "artillery", "--killed", "3")
    assert r.exit_code == 0, r.output
    r = invoke("incident", "list", "--place", "UA63000000000041885", "--json")
    items = json.loads(r.stdout)["items"]
    assert [i["title"] for i in items] == ["Shelling of a market"]
    r = invoke("incident", "show", str(items[0]["id"]))
    assert json.loads(r.stdout)["acts"][0]["victims"][0]["count"] == 3
    assert invoke("person", "add", "Олександр Мельник", "--birth-date", "1957").exit_code == 0
    r = invoke("search", "Aleksandr Melnik", "--json")
    assert [p["full_name"] for p in json.loads(r.stdout)["persons"]] == ["Олександр Мельник"]
    r = invoke("vocab", "list", "violation_types", "--lang", "uk")
    assert "Вбивство цивільних осіб" in r.stdout


def test_bad_input_is_one_clear_message(data_dir):
    invoke("init")
    r = invoke("incident", "add", "--title", "x", "--date", "2022-02-30")
    assert r.exit_code == 1
    assert "date_start" in r.output and "day 30 does not exist" in r.output
    assert "Traceback" not in r.output


def test_export_import_round_trip(data_dir, tmp_path, monkeypatch):
    invoke("init")
    invoke("person", "add", "Марія Коваль")
    out = tmp_path / "dump.jsonl"
    assert invoke("export", str(out)).exit_code == 0
    monkeypatch.setenv("SVIDOK_DATA_DIR", str(tmp_path / "other"))
    get_settings.cache_clear()
    r = invoke("import", str(out))
    assert r.exit_code == 0, r.output
    out2 = tmp_path / "dump2.jsonl"
    invoke("export", str(out2))
    first = out.read_text().splitlines()
    second = out2.read_text().splitlines()
    # the second database holds the same rows plus the ledger entry recording the import
    extra = set(second) - set(first)
    assert set(first) <= set(second) and len(second) == len(first) + 1
    assert '"action":"dump.import"' in extra.pop()


def test_demo_is_deterministic_and_marked_synthetic(tmp_path):
    counts = []
    for name in ("a", "b"):
        app = Svidok(Settings(data_dir=tmp_path / name))
        from svidok.services import demo

        demo.load(app, size=300, seed=7)
        with app.db.session() as s:
            titles = list(s.scalars(select(Incident.title).order_by(Incident.id)))
            assert s.scalar(select(func.count()).select_from(Incident).where(Incident.synthetic.is_(False))) == 0
            assert s.scalar(select(func.count()).select_from(Person).where(Person.synthetic.is_(False))) == 0
            counts.append(titles)
        app.close()
    assert counts[0] == counts[1] and len(counts[0]) == 300


def test_demo_killed_half_way_resumes_without_duplicates(tmp_path):
    """kill -9 during the bulk load, then run again: the same data as one clean run."""
    env = {**os.environ, "SVIDOK_DATA_DIR": str(tmp_path / "killed")}
    cmd = [sys.executable, "-m", "svidok", "demo", "--size", "8000", "--seed", "3", "--no-serve"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = Svidok(Settings(data_dir=tmp_path / "killed"))
    deadline = time.time() + 120
    while time.time() < deadline:
        time.sleep(0.2)
        try:
            with app.db.session() as s:
                run = s.scalar(select(ImportRun))
                if run and 0 < (run.counts or {}).get("batches", 0):
                    break
        except Exception:
            continue
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with app.db.session() as s:
        partial = s.scalar(select(func.count()).select_from(Incident))
        assert partial < 8000 and partial % 2000 == 0  # whole batches only
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "killed" / ".bulk-scratch").exists()  # the killed load's scratch files are gone
    clean = Svidok(Settings(data_dir=tmp_path / "clean"))
    from svidok.services import demo

    demo.load(clean, size=8000, seed=3)
    with app.db.session() as s1, clean.db.session() as s2:
        q = select(Incident.id, Incident.title, Incident.date_start).order_by(Incident.id)
        assert s1.execute(q).all() == s2.execute(q).all()
        pq = select(func.count()).select_from(Person)
        assert s1.scalar(pq) == s2.scalar(pq)
        word = s1.scalar(select(Incident.title).order_by(Incident.id.desc()).limit(1)).split()[-1]
    # the indexes the killed load had set aside are back, and full-text search sees every incident
    from svidok.core.actors import SYSTEM
    from svidok.schemas.filters import IncidentFilter
    from svidok.services import incident_queries
    from svidok.storage import deferred_indexes

    with app.db.engine.connect() as c:
        assert deferred_indexes.missing(c) == []
    f = IncidentFilter(q=word)
    assert incident_queries.count(app, SYSTEM, f) == incident_queries.count(clean, SYSTEM, f) > 0
    app.close()
    clean.close()


def test_jobs_submit_then_a_burst_worker_runs_it(data_dir):
    assert invoke("init").exit_code == 0
    bad = invoke("jobs", "submit", "verify", "-p", "check_files")
    assert bad.exit_code != 0 and "name=value" in bad.output
    r = invoke("jobs", "submit", "verify", "-p", "check_files=false")
    assert r.exit_code == 0, r.output
    job = json.loads(r.output)
    assert job["status"] == "queued" and job["params"] == {"check_files": False}
    assert invoke("worker", "--burst").exit_code == 0
    shown = json.loads(invoke("jobs", "show", str(job["id"])).output)
    assert shown["status"] == "done" and shown["result"]["ok"] is True, shown
