"""The imports page: upload a spreadsheet, see the dry run (each bad row with its field and reason),
import it as a job; bad files are refused with what to change and leave the database unchanged."""

from __future__ import annotations

import re
from pathlib import Path

from svidok.core.actors import SYSTEM
from svidok.schemas.filters import IncidentFilter
from svidok.services import import_uploads, incident_queries, jobs
from tests.web.conftest import csrf

ROOT = Path(__file__).resolve().parents[2]
CSV = (ROOT / "docs/formats/hotline-example.csv").read_bytes()
MAPPING = (ROOT / "docs/formats/hotline-example.mapping.yaml").read_bytes()
BAD_ROW = "HL-009;9;31.02.2022;Харків;Synthetic bad date;Обстріл житла;артилерія;;;;загинула;гаряча лінія\n"


def _incidents(core) -> int:
    return incident_queries.count(core, SYSTEM, IncidentFilter())


def _upload(c, name: str, data: bytes, mapping: bytes | None = MAPPING, mapping_name: str = ""):
    files = {"file": (name, data, "application/octet-stream")}
    if mapping is not None:
        files["mapping_file"] = ("mapping.yaml", mapping, "application/yaml")
    return c.post("/imports", data={"csrf_token": csrf(c, "/imports"), "mapping": mapping_name}, files=files,
                  follow_redirects=False)


def _staged(core) -> list[Path]:
    folder = import_uploads.folder(core)
    return list(folder.iterdir()) if folder.exists() else []


def test_check_then_import_with_progress_and_history(web, client_for):
    core, _ = web
    c = client_for("investigator")
    r = _upload(c, "hotline.csv", CSV + BAD_ROW.encode())
    assert r.status_code == 303, r.text
    check = r.headers["location"]
    assert 'id="job-bar"' in c.get(check).text  # progress while it runs
    jobs.DatabaseWorker(core).run(burst=True)
    page = c.get(check).text
    assert "What the check found" in page
    # the bad row: its line in the file (the header is line 1), column, field, value and reason
    assert '<td class="num">6</td><td>Date</td><td class="field-name">incident.date_start</td>' in page
    assert "day 31 does not exist in 2022-02" in page
    csv_link = re.search(r'href="(/jobs/\d+/result)" download>Download every problem', page).group(1)
    problems = c.get(csv_link)
    assert problems.status_code == 200
    assert "6,Date,incident.date_start,31.02.2022," in problems.content.decode("utf-8-sig")
    assert "Import 4 rows" in page
    assert _incidents(core) == 0  # the check wrote nothing
    token = csrf(c, check)
    r = c.post(check + "/apply", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    jobs.DatabaseWorker(core).run(burst=True)
    done = c.get(r.headers["location"]).text
    assert "What was imported" in done and _incidents(core) == 3
    listing = c.get("/imports").text
    assert "hotline-example" in listing and "hotline.csv" in listing
    # applying the check twice does not import twice (source keys)
    c.post(check + "/apply", data={"csrf_token": token})
    jobs.DatabaseWorker(core).run(burst=True)
    assert _incidents(core) == 3
    assert client_for("administrator").get(check).status_code == 200  # an administrator sees every job
    c.post("/language", data={"lang": "uk", "csrf_token": csrf(c)})
    assert "Що виявила перевірка" in c.get(check).text


def test_bad_files_are_refused_with_what_to_change_and_nothing_kept(web, client_for):
    core, _ = web
    c = client_for("investigator")
    png = _upload(c, "photo.png", b"\x89PNG\r\n\x1a\n" + bytes(100))
    assert png.status_code == 422 and "not a spreadsheet this page reads" in png.text
    empty = _upload(c, "empty.csv", b"")
    assert empty.status_code == 422 and "the file is empty" in empty.text
    wrong = _upload(c, "hotline.csv", CSV, mapping=None, mapping_name="acled")
    assert wrong.status_code == 422
    assert "does not fit hotline.csv" in wrong.text and "event_date" in wrong.text
    broken = _upload(c, "hotline.csv", CSV, mapping=b"name: [unclosed\n")
    assert broken.status_code == 422 and "cannot read the mapping" in broken.text
    none = _upload(c, "hotline.csv", CSV, mapping=None)
    assert none.status_code == 422 and "choose one of the mappings" in none.text
    assert _staged(core) == [] and _incidents(core) == 0
    assert jobs.list_jobs(core, _admin(core), kind="import")["items"] == []


def _admin(core):
    from svidok.services import accounts

    return accounts.authenticate(core, "administrator", "correct horse battery")


def test_only_writers_import(web, client_for):
    for role in ("viewer", "analyst"):
        c = client_for(role)
        assert c.get("/imports").status_code == 403
        assert 'href="/imports"' not in c.get("/").text
    assert 'href="/imports"' in client_for("investigator").get("/").text
