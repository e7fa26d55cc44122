"""Custody status is derived from episodes; possible enforced disappearances carry their facts;
the monitoring view finds who has had no proof of life for more than N days."""

from __future__ import annotations

from datetime import date

import pytest

from svidok.core.actors import SYSTEM
from svidok.core.errors import NotFound, ValidationFailed
from svidok.schemas.others import CustodyEpisodeIn
from svidok.services import custody, merges, records
from tests import fixtures as fx

TODAY = date(2026, 11, 1)
RU_SIZO = "FAC-RU-TAGANROG-SIZO2"
MELITOPOL = "FAC-UA-MELITOPOL-IVS"  # occupied since 26 Feb 2022
BUCHA = "FAC-UA-BUCHA-YABLUNSKA144"  # occupied 27 Feb - 31 Mar 2022 only


def episode(app, person_id: int, **kw) -> dict:
    data = {"person_id": person_id, "authority": "fsb", "date_from": "2022-03-20"} | kw
    return records.create(app, SYSTEM, "custody_episode", CustodyEpisodeIn.model_validate(data))


def test_status_follows_the_episodes_not_a_typed_field(app):
    p = fx.person(app)["id"]
    assert custody.person_status(app, SYSTEM, p, TODAY)["status"] == "never_detained"
    first = episode(app, p, facility=MELITOPOL, acknowledged=True, date_to="2022-05-01")
    out = custody.person_status(app, SYSTEM, p, TODAY)
    assert out["status"] == "held" and out["held_since"] == date(2022, 3, 20)
    # transferred to Russia: the first episode is continued by the second, which ends in an exchange
    episode(app, p, facility=RU_SIZO, transferred_from_id=first["id"], date_from="2022-05-01",
            date_to="2024-06-25", outcome="exchanged", acknowledged=True)
    out = custody.person_status(app, SYSTEM, p, TODAY)
    assert out["status"] == "exchanged"
    assert [e["facility"]["country"] for e in out["episodes"]] == ["UA", "RU"]
    assert out["episodes"][0]["facility"]["occupied_on_detention"] is True
    assert out["enforced_disappearance"]["flag"] is False


def test_denied_detention_is_a_possible_enforced_disappearance_with_the_facts(app):
    p = fx.person(app, full_name="Коваль Петро Іванович")["id"]
    episode(app, p, acknowledged=False, incommunicado=True, date_from="2023-01-10",
            proofs_of_life=[{"kind": "released_detainee_testimony", "date": "2023-06-02"}])
    out = custody.person_status(app, SYSTEM, p, TODAY)
    assert out["status"] == "disappeared"
    facts = " | ".join(out["enforced_disappearance"]["facts"])
    assert "refuses to acknowledge" in facts and "place of detention unknown" in facts
    assert "incommunicado" in facts and "last proof of life 2023-06-02" in facts
    assert out["last_proof_of_life"] == date(2023, 6, 2)
    assert out["days_without_proof_of_life"] == (TODAY - date(2023, 6, 2)).days


@pytest.mark.parametrize(("outcome", "status"), [
    ("released", "released"), ("died_in_custody", "died_in_custody"), ("returned_home", "returned_home"),
    ("unknown", "unknown"),
])
def test_ended_episode_gives_its_outcome(app, outcome, status):
    p = fx.person(app)["id"]
    episode(app, p, outcome=outcome, date_to="2023-02-01", acknowledged=True)
    assert custody.person_status(app, SYSTEM, p, TODAY)["status"] == status


def test_status_covers_every_record_merged_into_the_person(app):
    a = fx.person(app)["id"]
    b = fx.person(app, full_name="Shevchenko Oleksandr")["id"]
    episode(app, b, acknowledged=False, date_from="2024-02-01")
    assert custody.person_status(app, SYSTEM, a, TODAY)["status"] == "never_detained"
    merges.merge(app, SYSTEM, a, b, "same person")
    out = custody.person_status(app, SYSTEM, a, TODAY)
    assert out["status"] == "disappeared" and out["cluster_person_ids"] == [a, b]


def test_monitor_lists_people_without_proof_of_life_for_more_than_n_days(app):
    recent = fx.person(app, full_name="Бондар Ігор Васильович", birth_date="1990")["id"]
    silent = fx.person(app, full_name="Мельник Ганна Петрівна", birth_date="1950-04-01", sex="female")["id"]
    never = fx.person(app, full_name="Ткаченко Денис Олегович", birth_date="2010-02-02")["id"]
    done = fx.person(app, full_name="Кравець Олег Іванович")["id"]
    episode(app, recent, facility=RU_SIZO, acknowledged=True, monitor_access=True,
            proofs_of_life=[{"kind": "letter", "date": "2026-10-01"}])
    episode(app, silent, facility=MELITOPOL, incommunicado=True, date_from="2022-04-01",
            proofs_of_life=[{"kind": "video", "date": "2023-01-15"}])
    episode(app, never, acknowledged=False, date_from="2025-12-01")
    episode(app, done, date_to="2023-01-01", outcome="released")

    out = custody.monitor(app, SYSTEM, days=90, today=TODAY)
    assert [i["person_id"] for i in out["items"]] == [silent, never] and out["total"] == 2
    first, second = out["items"]
    assert first["days_without_proof_of_life"] == (TODAY - date(2023, 1, 15)).days
    assert first["marks"] == ["older_person"] and second["marks"] == ["child"]
    assert second["possible_enforced_disappearance"] and not first["possible_enforced_disappearance"]
    # everyone held, whatever the proof of life
    assert custody.monitor(app, SYSTEM, today=TODAY)["total"] == 3
    assert [i["person_id"] for i in custody.monitor(app, SYSTEM, days=40, today=TODAY)["items"]] == [silent, never]
    assert [i["person_id"] for i in custody.monitor(app, SYSTEM, days=0, today=TODAY)["items"]] == [silent, never, recent]
    assert [i["person_id"] for i in custody.monitor(app, SYSTEM, incommunicado=True, today=TODAY)["items"]] == [silent]
    assert [i["person_id"] for i in custody.monitor(app, SYSTEM, no_monitor_access=True, today=TODAY)["items"]] == [silent, never]
    assert [i["person_id"] for i in custody.monitor(app, SYSTEM, in_russia=True, today=TODAY)["items"]] == [recent]
    assert [i["person_id"] for i in custody.monitor(app, SYSTEM, in_occupied=True, today=TODAY)["items"]] == [silent]
    assert [i["person_id"] for i in custody.monitor(app, SYSTEM, disappeared=True, today=TODAY)["items"]] == [never]
    assert [i["person_id"] for i in custody.monitor(app, SYSTEM, mark="child", today=TODAY)["items"]] == [never]
    assert [i["person_id"] for i in custody.monitor(app, SYSTEM, mark="older_person", today=TODAY)["items"]] == [silent]
    counts = custody.status_counts(app, SYSTEM)
    assert counts == {"deprived_of_liberty": 3, "possible_enforced_disappearance": 1, "held_in_russia": 1}


def test_occupation_is_judged_on_the_detention_date(app):
    before = fx.person(app, full_name="Лисенко Марко")["id"]
    during = fx.person(app, full_name="Гончар Андрій")["id"]
    episode(app, before, facility=BUCHA, date_from="2022-03-10")
    episode(app, during, facility=BUCHA, date_from="2022-06-10")
    got = custody.monitor(app, SYSTEM, in_occupied=True, today=TODAY)["items"]
    assert [i["person_id"] for i in got] == [before]


def test_monitor_pages_with_a_cursor(app):
    ids = [fx.person(app, full_name=f"Особа Тест{i}")["id"] for i in range(5)]
    for i, pid in enumerate(ids):
        episode(app, pid, date_from=f"2022-0{i + 1}-15")
    page1 = custody.monitor(app, SYSTEM, limit=2, today=TODAY)
    page2 = custody.monitor(app, SYSTEM, limit=2, after=page1["next_cursor"], today=TODAY)
    page3 = custody.monitor(app, SYSTEM, limit=2, after=page2["next_cursor"], today=TODAY)
    seen = [i["person_id"] for p in (page1, page2, page3) for i in p["items"]]
    assert seen == ids and page3["next_cursor"] is None


def test_need_to_know_hides_confidential_episodes_and_persons(app):
    p = fx.person(app)["id"]
    episode(app, p, confidentiality="strictly_confidential")
    analyst = fx.user(app, "analyst")
    investigator = fx.user(app, "investigator")
    assert custody.monitor(app, analyst, today=TODAY)["total"] == 0
    assert custody.monitor(app, investigator, today=TODAY)["total"] == 0
    assert custody.monitor(app, SYSTEM, today=TODAY)["total"] == 1
    assert custody.person_status(app, investigator, p, TODAY)["status"] == "never_detained"
    hidden = fx.person(app, full_name="Прихована Особа", confidentiality="strictly_confidential")["id"]
    with pytest.raises(NotFound):
        custody.person_status(app, investigator, hidden, TODAY)


def test_bad_filters_are_named(app):
    with pytest.raises(ValidationFailed) as exc:
        custody.monitor(app, SYSTEM, days=-1, mark="adult", after="garbage")
    fields = {e.field for e in exc.value.errors}
    assert fields == {"days", "mark", "after"}


def test_a_visible_episode_of_a_hidden_person_is_listed_without_the_person(app):
    p = fx.person(app, full_name="Засекречена Особа", confidentiality="strictly_confidential")["id"]
    episode(app, p, confidentiality="restricted", acknowledged=False)
    analyst = fx.user(app, "analyst")
    out = custody.monitor(app, analyst, today=TODAY)
    assert out["total"] == 1
    row = out["items"][0]
    assert row["person_withheld"] and row["full_name"] is None and row["marks"] == []
    assert row["possible_enforced_disappearance"]
    assert custody.monitor(app, SYSTEM, today=TODAY)["items"][0]["full_name"] == "Засекречена Особа"
