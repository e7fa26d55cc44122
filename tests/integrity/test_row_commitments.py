"""Every record row is committed to the ledger when written; `verify` names what changed behind Svidok's back."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from svidok.core.actors import SYSTEM
from svidok.schemas.records import PersonIn, SourceIn
from svidok.services import demo, integrity, persons, sources


def _sql(app, sql: str, **params) -> None:
    with app.db.engine.begin() as c:
        c.execute(text(sql), params)


def _one(app, sql: str):
    with app.db.engine.connect() as c:
        return c.execute(text(sql)).scalar()


@pytest.fixture
def loaded(app):
    demo.load(app, size=60, batch_size=25)
    return app


def test_demo_and_single_writes_verify_clean(loaded):
    report = integrity.verify(loaded, check_files=False)
    assert report.ok, report.problems
    # every incident, victim, person name… was counted, not only versioned records
    assert report.counts["record_rows"] > 60 * 10


def test_a_victims_harm_changed_by_sql_is_named(loaded):
    vid, harm = _one(loaded, "SELECT id FROM victims ORDER BY id LIMIT 1 OFFSET 7"), None
    harm = _one(loaded, f"SELECT harm FROM victims WHERE id = {vid}")
    _sql(loaded, "UPDATE victims SET harm = :h WHERE id = :i", h="injured" if harm != "injured" else "killed", i=vid)
    problems = integrity.verify(loaded, check_files=False).problems
    assert f"victims {vid}: harm changed behind Svidok's back" in "\n".join(problems), problems
    assert len(problems) == 1, problems


def test_an_incident_date_and_a_persons_name_are_named(loaded):
    iid = _one(loaded, "SELECT max(id) FROM incidents WHERE synthetic = true")
    pid = _one(loaded, "SELECT min(id) FROM person_names")
    _sql(loaded, "UPDATE incidents SET date_start = '2021-01-01' WHERE id = :i", i=iid)
    _sql(loaded, "UPDATE person_names SET name = 'Someone Else' WHERE id = :i", i=pid)
    text_ = "\n".join(integrity.verify(loaded, check_files=False).problems)
    assert f"incidents {iid}: date_start changed" in text_
    assert f"person_names {pid}: name changed" in text_


def test_rows_added_or_removed_behind_svidoks_back(loaded):
    aid = _one(loaded, "SELECT max(id) FROM qualifications")
    _sql(loaded, "DELETE FROM qualifications WHERE id = :i", i=aid)
    act = _one(loaded, "SELECT min(id) FROM acts")
    _sql(loaded, "INSERT INTO qualifications (id, act_id, provision) VALUES (999999, :a, 'rome_8_2_b_i')", a=act)
    text_ = "\n".join(integrity.verify(loaded, check_files=False).problems)
    assert f"qualifications {aid}: row is gone from the database" in text_
    assert "qualifications 999999: not committed to the ledger" in text_


def test_swapped_ciphertexts_are_named(app):
    a = sources.create(app, SYSTEM, SourceIn(kind="witness", identity="Witness A (synthetic)", synthetic=True))
    b = sources.create(app, SYSTEM, SourceIn(kind="witness", identity="Witness B (synthetic)", synthetic=True))
    assert integrity.verify(app, check_files=False).ok
    with app.db.engine.begin() as c:
        ea = c.execute(text("SELECT identity_enc FROM sources WHERE id = :i"), {"i": a["id"]}).scalar()
        eb = c.execute(text("SELECT identity_enc FROM sources WHERE id = :i"), {"i": b["id"]}).scalar()
        c.execute(text("UPDATE sources SET identity_enc = :e WHERE id = :i"), {"e": eb, "i": a["id"]})
        c.execute(text("UPDATE sources SET identity_enc = :e WHERE id = :i"), {"e": ea, "i": b["id"]})
    text_ = "\n".join(integrity.verify(app, check_files=False).problems)
    assert f"sources {a['id']}: identity_enc changed" in text_
    assert f"sources {b['id']}: identity_enc changed" in text_


def test_service_edits_stay_clean_and_then_an_edit_is_named(app):
    p = persons.create(app, SYSTEM, PersonIn(full_name="Коваль Петро (synthetic)", synthetic=True, status="civilian"))
    persons.update(app, SYSTEM, p["id"], persons_update(p))
    assert integrity.verify(app, check_files=False).ok, integrity.verify(app, check_files=False).problems
    _sql(app, "UPDATE persons SET status = 'combatant' WHERE id = :i", i=p["id"])
    text_ = "\n".join(integrity.verify(app, check_files=False).problems)
    assert f"persons {p['id']}: status changed behind Svidok's back" in text_


def persons_update(p: dict):
    from svidok.schemas.records import PersonUpdate

    return PersonUpdate(version=p["version"], full_name="Коваль Петро Іванович (synthetic)")


def test_an_edited_commitment_is_caught_by_the_ledger(loaded):
    cid = _one(loaded, "SELECT max(id) FROM row_commitments")
    _sql(loaded, "UPDATE row_commitments SET count = count + 1 WHERE id = :i", i=cid)
    text_ = "\n".join(integrity.verify(loaded, check_files=False).problems)
    assert "row commitments no longer hash to what the entry recorded" in text_


def test_rows_from_before_commitments_are_adopted_once(loaded):
    from svidok.services import row_commitments

    # An installation upgraded from a version without commitments: its rows have none.
    _sql(loaded, "DELETE FROM row_commitments WHERE tbl = 'victims'")
    with loaded.db.engine.begin() as c:  # … nor ledger entries that would miss them
        seqs = [r[0] for r in c.execute(text("SELECT DISTINCT seq FROM row_commitments"))]
    problems = integrity.verify(loaded, check_files=False).problems
    assert any("victims" in p and "not committed to the ledger" in p for p in problems)
    out = row_commitments.adopt(loaded, "admin")
    assert set(out) == {"victims"} and out["victims"] == _one(loaded, "SELECT count(*) FROM victims")
    assert row_commitments.adopt(loaded, "admin") == {}
    assert seqs  # the other tables kept theirs
    problems = integrity.verify(loaded, check_files=False).problems
    # the victims are vouched for again; only the deleted commitments' ledger entries still show
    assert not any("not committed" in p for p in problems)
    assert all("row commitments no longer hash" in p for p in problems), problems
