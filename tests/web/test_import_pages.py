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
    assert png.status_code == 422 and "photo.png is not a file this page reads as a spreadsheet" in png.text
    empty = _upload(c, "empty.csv", b"")
    assert empty.status_code == 422 and "the file is empty" in empty.text
    wrong = _upload(c, "hotline.csv", CSV, mapping=None, mapping_name="acled")
    assert wrong.status_code == 422
    assert "does not fit hotline.csv" in wrong.text and "event_date" in wrong.text
    broken = _upload(c, "hotline.csv", CSV, mapping=b"name: [unclosed\n")
    assert broken.status_code == 422 and "line 2: not valid YAML" in broken.text
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


FORMATS = ROOT / "docs/formats"


def _post(c, kind: str, name: str | None, data: bytes | None, **fields):
    files = {"file": (name, data, "application/octet-stream")} if name is not None else {}
    return c.post("/imports", data={"csrf_token": csrf(c, "/imports"), "kind": kind, "mapping": "", **fields},
                  files=files or {"file": ("", b"", "application/octet-stream")}, follow_redirects=False)


def _check_and_import(core, c, r) -> str:
    """Run the check job, import it, run that job; the finished page's text."""
    assert r.status_code == 303, r.text
    check = r.headers["location"]
    jobs.DatabaseWorker(core).run(burst=True)
    assert "What the check found" in c.get(check).text
    assert _incidents(core) == 0  # the check wrote nothing
    r = c.post(check + "/apply", data={"csrf_token": csrf(c, check)}, follow_redirects=False)
    assert r.status_code == 303
    jobs.DatabaseWorker(core).run(burst=True)
    return c.get(r.headers["location"]).text


def test_the_page_offers_every_kind_of_file(client_for):
    page = client_for("investigator").get("/imports").text
    for kind in ("spreadsheet", "acled", "uwazi", "odk"):
        assert f'<option value="{kind}"' in page
    assert "ODK or Kobo forms (JSON, CSV)" in page
    assert 'accept=".csv,.tsv,.txt,.xlsx,.xlsm,.json"' in page


def test_acled_export_checked_then_imported(web, client_for):
    core, _ = web
    c = client_for("investigator")
    done = _check_and_import(core, c, _post(c, "acled", "acled-example.csv",
                                            (FORMATS / "acled-example.csv").read_bytes()))
    assert "What was imported" in done
    assert _incidents(core) >= 2
    assert "acled" in c.get("/imports").text


def test_uwazi_export_checked_then_imported(web, client_for):
    core, _ = web
    c = client_for("investigator")
    done = _check_and_import(core, c, _post(c, "uwazi", "uwazi-example.csv",
                                            (FORMATS / "uwazi-example.csv").read_bytes()))
    assert "What was imported" in done and _incidents(core) >= 2


def test_odk_submissions_checked_then_imported(web, client_for):
    core, _ = web
    c = client_for("investigator")
    subs = (FORMATS / "odk-example" / "submissions.json").read_bytes()
    done = _check_and_import(core, c, _post(c, "odk", "submissions.json", subs))
    assert "What was imported" in done
    titles = [i["title"] for i in incident_queries.listing(core, SYSTEM, IncidentFilter(), None, 50)["items"]]
    assert "Shelling of a school (synthetic)" in titles
    # The same submissions chosen as a spreadsheet: the odk rows are not columns of the raw export.
    wrong = _post(c, "spreadsheet", "submissions.json", subs, mapping="odk")
    assert wrong.status_code == 422 and "not a file this page reads as a spreadsheet" in wrong.text


def test_a_mapping_started_from_a_shipped_one_is_edited_checked_and_used(web, client_for):
    core, _ = web
    c = client_for("investigator")
    page = c.get("/imports?start=acled").text
    assert "<details id=\"mapping-editor\" class=\"mapping-editor\" open>" in page
    assert "name: acled" in page and '<option value="acled" selected>' in page
    # Written by hand: problems name their line and entry, nothing is staged.
    text = MAPPING.decode("utf-8")
    broken = text.replace("  title: Title", "  title: Title\n  colour: red", 1)
    assert broken != text
    r = c.post("/imports", data={"csrf_token": csrf(c, "/imports"), "kind": "spreadsheet", "action": "check_mapping",
                                 "mapping_text": broken}, files={"file": ("", b"", "application/octet-stream")})
    assert r.status_code == 422
    line = broken.splitlines().index("  colour: red") + 1
    assert f"line {line}: incident.colour: not a field" in r.text
    r = c.post("/imports", data={"csrf_token": csrf(c, "/imports"), "kind": "spreadsheet", "action": "check_mapping",
                                 "mapping_text": "name: x\nincident: [unclosed\n"}, files={"file": ("", b"", "x")})
    assert r.status_code == 422 and "line 3: not valid YAML" in r.text
    ok = c.post("/imports", data={"csrf_token": csrf(c, "/imports"), "kind": "spreadsheet", "action": "check_mapping",
                                  "mapping_text": text}, files={"file": ("", b"", "x")})
    assert ok.status_code == 200 and "The mapping hotline-example is valid" in ok.text
    # A mapping that does not fit the file: the column to change is named; nothing kept.
    misfit = _post(c, "spreadsheet", "hotline.csv", CSV, mapping_text=text.replace("date_start: Date", "date_start: Date of event", 1))
    assert misfit.status_code == 422
    assert "does not fit hotline.csv" in misfit.text and "column &#39;Date of event&#39; is not in the file" in misfit.text
    assert _staged(core) == [] and _incidents(core) == 0
    # The edited mapping, used: the file is checked and imported with it.
    done = _check_and_import(core, c, _post(c, "spreadsheet", "hotline.csv", CSV, mapping_text=text))
    assert "What was imported" in done and _incidents(core) == 3


def test_bad_kind_type_and_size_are_refused_and_nothing_kept(web, client_for, monkeypatch):
    core, _ = web
    c = client_for("investigator")
    unknown = _post(c, "spss", "hotline.csv", CSV)
    assert unknown.status_code == 422 and "unknown kind of file" in unknown.text
    xlsx_as_forms = _post(c, "odk", "forms.xlsx", b"PK\x03\x04" + bytes(50))
    assert xlsx_as_forms.status_code == 422
    assert "save it as .json or .csv" in xlsx_as_forms.text
    not_json = _post(c, "odk", "submissions.json", b"{this is not json")
    assert not_json.status_code == 422 and "cannot be read as form submissions" in not_json.text
    monkeypatch.setattr(core.settings, "max_upload_bytes", 100)
    big = _post(c, "acled", "acled-example.csv", (FORMATS / "acled-example.csv").read_bytes())
    assert big.status_code == 422 and "larger than the limit of 100 bytes" in big.text
    assert _staged(core) == [] and _incidents(core) == 0
    assert jobs.list_jobs(core, _admin(core), kind="import")["items"] == []


ODK = FORMATS / "odk-example"
SCHOOL = "uuid:0b6a9c1e-0000-4000-8000-000000000001"


def _post_forms(c, attachments: list[tuple[str, bytes]], kind: str = "odk"):
    files = [("file", ("submissions.json", (ODK / "submissions.json").read_bytes(), "application/json"))]
    files += [("attachments", (name, data, "application/octet-stream")) for name, data in attachments]
    return c.post("/imports", data={"csrf_token": csrf(c, "/imports"), "kind": kind, "mapping": ""}, files=files,
                  follow_redirects=False)


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_odk_submissions_with_a_zip_of_their_attachments_become_evidence(web, client_for):
    from sqlalchemy import select

    from svidok.services import evidence_reading
    from svidok.storage.models import EvidenceItem, Incident

    core, _ = web
    c = client_for("investigator")
    photo = (ODK / "school.png").read_bytes()
    # As ODK Central exports them: a folder per submission, and files no submission names (left out).
    bundle = _zip({f"media/{SCHOOL.removeprefix('uuid:')}/school.png": photo, "README.txt": b"export notes"})
    r = _post_forms(c, [("attachments.zip", bundle)])
    assert r.status_code == 303, r.text
    check = r.headers["location"]
    jobs.DatabaseWorker(core).run(burst=True)
    page = c.get(check).text
    assert re.search(r"Attachments found</dt><dd>1<", page) and re.search(r"Attachments missing</dt><dd>1<", page)
    assert "missing-photo.jpg" in page  # the other submission's photo is not in the zip: a problem row
    r = c.post(check + "/apply", data={"csrf_token": csrf(c, check)}, follow_redirects=False)
    jobs.DatabaseWorker(core).run(burst=True)
    done = c.get(r.headers["location"]).text
    assert re.search(r"Attachments stored as evidence</dt><dd>1<", done)
    with core.db.session() as s:
        incident_id = s.scalar(select(Incident.id).where(Incident.source_key == SCHOOL))
        item_id = s.scalar(select(EvidenceItem.id).where(EvidenceItem.incident_id == incident_id))
    assert b"".join(evidence_reading.download(core, SYSTEM, item_id, purpose="test")) == photo
    assert _staged(core) == []  # the upload, attachments too, is gone once imported


def test_attachments_chosen_one_by_one_are_checked_and_a_bad_one_refuses_the_upload(web, client_for):
    core, _ = web
    c = client_for("investigator")
    photo = (ODK / "school.png").read_bytes()
    refused = {
        "not named": _post_forms(c, [("school.png", photo), ("holiday.png", photo)]),
        "wrong type": _post_forms(c, [("school.png", b"MZ\x90\x00" + bytes(300))]),
        "broken zip": _post_forms(c, [("media.zip", b"PK\x03\x04 not really a zip")]),
        "not forms": c.post("/imports", data={"csrf_token": csrf(c, "/imports"), "kind": "acled", "mapping": ""},
                            files=[("file", ("acled.csv", (FORMATS / "acled-example.csv").read_bytes(), "text/csv")),
                                   ("attachments", ("school.png", photo, "image/png"))], follow_redirects=False),
    }
    said = {"not named": "holiday.png is not an attachment of any of these submissions",
            "wrong type": "school.png is not a photo, video, audio or PDF file",
            "broken zip": "media.zip is not a zip file that can be read",
            "not forms": "attachments go with ODK or Kobo form submissions only"}
    for case, r in refused.items():
        assert r.status_code == 422 and said[case] in r.text, case
        assert 'id="attachments-error"' in r.text, case
    assert _staged(core) == [] and jobs.list_jobs(core, _admin(core), kind="import")["items"] == []
    big_photo = photo + bytes(1_500_000)  # over the 1 MB of an ordinary request: the page takes uploads
    ok = _post_forms(c, [("school.png", big_photo)])
    assert ok.status_code == 303
    [staged] = _staged(core)
    assert (staged / "media" / "school.png").read_bytes() == big_photo
