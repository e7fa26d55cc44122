"""Linkage over the persons in the database, the review queue, and reversible merges."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from svidok.core.actors import SYSTEM
from svidok.core.errors import Conflict, Forbidden, NotFound
from svidok.schemas.others import CustodyEpisodeIn
from svidok.services import history, merges, person_linkage, persons, records
from svidok.storage.models import LedgerEntry, Person
from tests import fixtures as fx


def _people(app) -> dict[str, int]:
    ids = {
        "uk": fx.person(app, full_name="Шевченко Олександр Петрович", birth_date="1957-03-05", sex="male")["id"],
        "en": fx.person(app, full_name="Oleksandr Shevchenko", birth_date="1957-03-05", sex="male",
                        other_names=[{"name": "Шевченко Александр Петрович"}])["id"],
        "other": fx.person(app, full_name="Коваленко Марія Іванівна", birth_date="1988-11-20", sex="female")["id"],
        "near": fx.person(app, full_name="Шевченко Олександр Іванович", birth_date="1991", sex="male")["id"],
    }
    for who in ("uk", "en"):
        records.create(app, SYSTEM, "custody_episode", CustodyEpisodeIn(
            person_id=ids[who], authority="fsb", date_from="2022-03-20", facility="FAC-RU-TAGANROG-SIZO2"))
    return ids


def _pair_of(app, a: int, b: int) -> dict:
    items = person_linkage.queue(app, SYSTEM, min_probability=0.0)["items"]
    found = [i for i in items if {i["left"]["id"], i["right"]["id"]} == {a, b}]
    assert found, f"no pair for {a}, {b} in {[(i['left']['id'], i['right']['id']) for i in items]}"
    return found[0]


def _snapshots(app, *ids: int) -> list[dict]:
    with app.db.session() as s:
        return [history.snapshot(s.get(Person, i)) for i in ids]


def test_run_queues_the_same_person_across_scripts_with_evidence(app):
    ids = _people(app)
    out = person_linkage.run(app, SYSTEM, review_threshold=0.3)
    assert out["persons"] == 4 and out["new"] >= 1
    pair = _pair_of(app, ids["uk"], ids["en"])
    assert pair["match_probability"] > 0.9
    ev = pair["evidence"]
    assert "same family name across spellings (shevchenko)" in ev["for"]
    assert "same birth date (1957-03-05)" in ev["for"]
    assert any("same facility" in e for e in ev["for"]) and any("within 0 day" in e for e in ev["for"])
    side = person_linkage.show(app, SYSTEM, pair["id"])
    assert {side["left"]["full_name"], side["right"]["full_name"]} == {"Шевченко Олександр Петрович", "Oleksandr Shevchenko"}
    assert side["left"]["custody_episodes"] and side["right"]["custody_episodes"]
    # how the model weighed each field: a birth date that agrees counts for, with its weight
    model = side["evidence"]["model"]
    birth = next(f for f in model["fields"] if f["field"] == "birth date")
    assert birth["finding"] == "same date" and birth["verdict"] == "for" and birth["weight"] > 3
    assert round(model["prior"] + sum(f["weight"] for f in model["fields"]), 1) == pytest.approx(model["total"], abs=0.2)
    assert any(line.startswith("birth date: same date: ") for line in side["why"])
    # the queue is ordered most likely first
    probs = [i["match_probability"] for i in person_linkage.queue(app, SYSTEM)["items"]]
    assert probs == sorted(probs, reverse=True)


def test_accept_merges_reversibly_and_undo_restores_both_records_exactly(app):
    ids = _people(app)
    person_linkage.run(app, SYSTEM, review_threshold=0.3)
    pair = _pair_of(app, ids["uk"], ids["en"])
    before = _snapshots(app, ids["uk"], ids["en"])
    investigator = fx.user(app, "investigator")
    done = person_linkage.accept(app, investigator, pair["id"], "same passport number in both files")
    assert done["status"] == "accepted" and done["merge"]["survivor_id"] == ids["uk"]
    with app.db.session() as s:
        assert s.get(Person, ids["en"]).merged_into_id == ids["uk"]
        assert merges.cluster_ids(s, ids["uk"]) == {ids["uk"], ids["en"]}
    # merged records leave the listings but stay readable
    listed = {p["id"] for p in persons.listing(app, SYSTEM, limit=50)[0]}
    assert ids["en"] not in listed and persons.get(app, SYSTEM, ids["en"])["merged_into_id"] == ids["uk"]
    with pytest.raises(Conflict):
        person_linkage.reject(app, investigator, pair["id"])
    person_linkage.undo(app, investigator, pair["id"], "wrong: two brothers")
    assert _snapshots(app, ids["uk"], ids["en"]) == before
    assert person_linkage.show(app, SYSTEM, pair["id"])["status"] == "pending"
    with app.db.session() as s:
        actions = list(s.scalars(select(LedgerEntry.action).where(
            LedgerEntry.action.in_(("linkage.run", "linkage.accept", "linkage.undo", "person.merge", "person.unmerge")))
            .order_by(LedgerEntry.seq)))
    assert actions == ["linkage.run", "person.merge", "linkage.accept", "person.unmerge", "linkage.undo"]


def test_rejected_pair_is_fed_back_and_not_queued_again(app):
    ids = _people(app)
    person_linkage.run(app, SYSTEM, review_threshold=0.3)
    pair = _pair_of(app, ids["uk"], ids["en"])
    person_linkage.reject(app, SYSTEM, pair["id"], "different fathers' names in the testimony")
    with app.db.session() as s:
        labels = person_linkage.labels(s)
    assert [(lb.record_id_l, lb.record_id_r, lb.is_match) for lb in labels] == [(str(ids["uk"]), str(ids["en"]), False)]
    again = person_linkage.run(app, SYSTEM, review_threshold=0.3)
    assert again["labels_fed_back"] == 1 and again["already_decided"] >= 1
    pending = {(i["left"]["id"], i["right"]["id"]) for i in person_linkage.queue(app, SYSTEM)["items"]}
    assert (ids["uk"], ids["en"]) not in pending
    assert person_linkage.queue(app, SYSTEM, status="rejected")["total"] == 1


def test_merges_chain_and_undo_in_any_order_restores_each_link(app):
    a, b, c = (fx.person(app, full_name=n)["id"] for n in ("Бойко Іван", "Boiko Ivan", "Бойко Иван"))
    m1 = merges.merge(app, SYSTEM, b, c)   # c -> b
    m2 = merges.merge(app, SYSTEM, a, c)   # b's cluster -> a
    with app.db.session() as s:
        assert merges.root_of(s, c) == a and merges.cluster_ids(s, a) == {a, b, c}
    assert merges.merge(app, SYSTEM, a, b) is None  # already one person
    merges.undo(app, SYSTEM, m1["id"])  # the older merge first: c leaves, b stays with a
    with app.db.session() as s:
        assert merges.cluster_ids(s, a) == {a, b} and merges.root_of(s, c) == c
    with pytest.raises(Conflict):
        merges.undo(app, SYSTEM, m1["id"])
    merges.undo(app, SYSTEM, m2["id"])
    with app.db.session() as s:
        assert [merges.root_of(s, x) for x in (a, b, c)] == [a, b, c]
    assert [m["active"] for m in merges.merges_of(app, SYSTEM, b)] == [False, False]


def test_need_to_know_applies_to_the_queue(app):
    ids = _people(app)
    secret = fx.person(app, full_name="Oleksandr Shevchenko", birth_date="1957-03-05", sex="male",
                       confidentiality="strictly_confidential")["id"]
    person_linkage.run(app, SYSTEM, review_threshold=0.3)
    analyst = fx.user(app, "analyst")
    seen = person_linkage.queue(app, analyst)["items"]
    assert all(secret not in (i["left"]["id"], i["right"]["id"]) for i in seen)
    hidden = [i for i in person_linkage.queue(app, SYSTEM)["items"] if secret in (i["left"]["id"], i["right"]["id"])]
    assert hidden
    with pytest.raises(NotFound):
        person_linkage.show(app, analyst, hidden[0]["id"])
    with pytest.raises(Forbidden):
        person_linkage.accept(app, analyst, _pair_of(app, ids["uk"], ids["en"])["id"])
    with pytest.raises(Forbidden):
        person_linkage.run(app, analyst)
