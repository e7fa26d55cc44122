"""Field forms: the XLSForm passes pyxform; ODK Central and KoboToolbox submissions come back in."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import func, select

from svidok.core.actors import SYSTEM
from svidok.interop import submissions, xlsform
from svidok.services import evidence_reading, import_forms, incidents, sources
from svidok.storage.models import EvidenceItem, Incident, Person, Source

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "formats" / "odk-example"
I1 = "uuid:0b6a9c1e-0000-4000-8000-000000000001"


def test_xlsform_is_valid_for_pyxform_and_bilingual(sqlite_app, tmp_path):
    from pyxform.xls2xform import convert

    path = tmp_path / "form.xlsx"
    xlsform.write(sqlite_app.vocab, path)
    xml = convert(xlsform=str(path)).xform
    for name in ("incident/title", "incident/location", "victims/harm", "victims/characteristics", "source/identity",
                 "consent/share_prosecutors", "media/photo", "media/video"):
        assert f'nodeset="/svidok_incident/{name}"' in xml or f'nodeset="/data/{name}"' in xml, name
    assert 'lang="Українська (uk)"' in xml and 'lang="English (en)"' in xml
    sheets = xlsform.sheets(sqlite_app.vocab)
    listed = {r[1] for r in sheets["choices"][1:] if r[0] == "violation_types"}
    assert listed == set(sqlite_app.vocab["violation_types"].terms)
    uk = {r[1]: r[3] for r in sheets["choices"][1:] if r[0] == "harms"}
    assert uk["killed"] == sqlite_app.vocab["harms"].terms["killed"].label("uk")
    # Every form field the import reads is a question of the form.
    questions = {f"{g}/{r[1]}" for g, r in _paths(sheets["survey"])}
    wanted = {h for h in submissions.HEADER if "/" in h} - {"incident/date_text", "incident/lat", "incident/lon"}
    assert wanted <= questions


def _paths(survey):
    group = ""
    for r in survey[1:]:
        if r[0] in ("begin group", "begin repeat"):
            group = r[1]
        elif r[0] in ("end group", "end repeat"):
            group = ""
        elif group:
            yield group, r


def test_odk_json_submissions_become_records_and_evidence(app, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(EXAMPLE, folder)
    report = import_forms.run(app, SYSTEM, folder / "submissions.json")
    assert (report.records.counts.incidents, report.records.counts.persons, report.records.counts.sources) == (2, 2, 2)
    assert report.attachments_stored == 1
    [missing] = report.problems
    assert missing.row == 2 and "missing-photo.jpg" in missing.reason  # reported against its submission
    with app.db.session() as s:
        inc_id = s.scalar(select(Incident.id).where(Incident.source_key == I1))
        src_id = s.scalar(select(Source.id).where(Source.source_key == I1))
        item = s.scalar(select(EvidenceItem).where(EvidenceItem.incident_id == inc_id))
    detail = incidents.get(app, SYSTEM, inc_id)
    assert (detail["lat"], detail["lon"]) == (49.9935, 36.2304)
    victims = [v for a in detail["acts"] for v in a["victims"]]
    assert sorted((v["age"], v["sex"]) for v in victims) == [(12, "female"), (67, "male")]
    assert "child" in next(v for v in victims if v["age"] == 12)["characteristics"]
    # The photo is in the vault under its SHA-256, with an acquisition custody event.
    assert item.sha256 == import_forms.imports.file_sha256(folder / "school.png")
    assert b"".join(evidence_reading.download(app, SYSTEM, item.id, purpose="test")) == (folder / "school.png").read_bytes()
    # The source's identity is stored encrypted and readable by a cleared role only.
    revealed = sources.reveal(app, SYSTEM, src_id, "test")
    assert revealed["identity"] == "Синтетична Свідка" and revealed["consent_share_prosecutors"] is True
    with app.db.session() as s:
        assert b"\xd0\xa1\xd0\xb8\xd0\xbd" not in s.scalar(select(Source.identity_enc).where(Source.id == src_id))

    # Again: nothing twice. Once the missing photo is there, only it is added.
    again = import_forms.run(app, SYSTEM, folder / "submissions.json")
    assert again.records.counts.rows_new == 0 and again.attachments_existing == 1 and again.attachments_stored == 0
    (folder / "missing-photo.jpg").write_bytes(b"synthetic bytes standing for a photo")
    third = import_forms.run(app, SYSTEM, folder / "submissions.json")
    assert third.problems == [] and third.attachments_stored == 1
    with app.db.session() as s:
        assert s.scalar(select(func.count()).select_from(EvidenceItem)) == 2
        assert s.scalar(select(func.count()).select_from(Person)) == 2


def test_kobo_flat_json_and_odk_csv_with_repeat_files(sqlite_app, tmp_path):
    kobo = [{"_uuid": "k-1", "meta/instanceID": "uuid:k-1", "incident/title": "Kobo synthetic", "incident/date": "2023-07-01",
             "incident/date_certainty": "approximate", "incident/place": "Kherson", "incident/location": "46.63 32.61 0 0",
             "incident/violation_type": "indiscriminate_attack", "incident/means": "drone",
             "victims": [{"victims/harm": "killed", "victims/sex": "female", "victims/age": "80", "victims/name": "Лисенко Марія"}],
             "source/kind": "hotline", "consent/contact": "no", "consent/share_prosecutors": "no", "consent/publish": "no",
             "media": [{"media/photo": "k.jpg"}], "_attachments": [{"filename": "user/attachments/k-1/k.jpg"}]}]
    (tmp_path / "kobo.json").write_text(json.dumps(kobo, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "att" / "k-1").mkdir(parents=True)
    (tmp_path / "att" / "k-1" / "k.jpg").write_bytes(b"synthetic jpeg stand-in")
    report = import_forms.run(sqlite_app, SYSTEM, tmp_path / "kobo.json", tmp_path / "att")
    assert report.problems == [] and report.attachments_stored == 1
    detail = incidents.get(sqlite_app, SYSTEM, 1)
    assert detail["date_start"] == "~2023-07-01" and detail["acts"][0]["means"] == "drone"
    assert "older_person" in detail["acts"][0]["victims"][0]["characteristics"]

    # ODK Central's CSV export: group paths with "-", repeats in sibling files joined by PARENT_KEY.
    (tmp_path / "form.csv").write_text(
        "KEY,incident-title,incident-date,incident-date_certainty,incident-place,incident-location,incident-violation_type,"
        "source-kind,consent-contact,consent-share_prosecutors,consent-publish\n"
        "uuid:c-1,CSV synthetic,2022-05-10,year,Izium,,forced_labour,witness,yes,no,no\n", encoding="utf-8")
    (tmp_path / "form-victims.csv").write_text(
        "PARENT_KEY,KEY,name,sex,age,harm,status\n"
        "uuid:c-1,uuid:c-1/victims[1],Гнатюк Павло,male,31,detained,civilian\n"
        "uuid:c-1,uuid:c-1/victims[2],,male,29,detained,civilian\n"
        "uuid:c-1,uuid:c-1/victims[3],,male,,nonsense,civilian\n", encoding="utf-8")
    report = import_forms.run(sqlite_app, SYSTEM, tmp_path / "form.csv")
    [bad] = report.problems
    assert bad.field == "victim.harm" and "nonsense" in bad.reason
    assert report.records.counts.acts == 2 and report.records.counts.persons == 1
    with sqlite_app.db.session() as s:
        inc = s.scalar(select(Incident).where(Incident.source_key == "uuid:c-1"))
        assert inc.date_start == "2022" and len(inc.acts) == 2


def test_an_edited_submission_updates_its_records_in_place(sqlite_app, tmp_path):
    sub = {"_uuid": "k-9", "meta/instanceID": "uuid:k-9", "incident/title": "Kobo synthetic", "incident/date": "2023-07-01",
           "incident/place": "Kherson", "incident/violation_type": "indiscriminate_attack",
           "victims": [{"victims/harm": "injured", "victims/sex": "female", "victims/age": "80", "victims/name": "Лисенко Марія"}],
           "source/kind": "hotline", "consent/contact": "no", "consent/share_prosecutors": "no", "consent/publish": "no"}
    f = tmp_path / "kobo.json"
    f.write_text(json.dumps([sub], ensure_ascii=False), encoding="utf-8")
    import_forms.run(sqlite_app, SYSTEM, f)
    sub["victims"][0]["victims/harm"] = "killed"  # the documenter corrected the submission
    f.write_text(json.dumps([sub], ensure_ascii=False), encoding="utf-8")
    dry = import_forms.run(sqlite_app, SYSTEM, f, update=True, dry_run=True)
    assert [c.changes for c in dry.update.changed] == [{"victim.harm": ["injured", "killed"]}]
    done = import_forms.run(sqlite_app, SYSTEM, f, update=True)
    assert done.update.rows_changed == 1 and "updated 1 submission" in done.summary()
    detail = incidents.get(sqlite_app, SYSTEM, 1)
    assert detail["version"] == 2 and detail["acts"][0]["victims"][0]["harm"] == "killed"
    with sqlite_app.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Incident)) == 1
