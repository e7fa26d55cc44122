"""Need-to-know on writes: a write that names a record the actor may not see is refused
exactly as if the id did not exist (same error, same message with the id swapped)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest

from svidok.core.actors import SYSTEM
from svidok.core.errors import NotFound, ServiceError, ValidationFailed
from svidok.schemas.others import CaseIn, CustodyEpisodeIn, DisplacementIn, HazardAreaIn, InterventionIn
from svidok.schemas.records import IncidentIn, PersonIn, SourceIn
from svidok.services import evidence, incidents, persons, records, sources
from tests import fixtures as fx

MISSING = 999_999


@pytest.fixture
def hidden(app):
    """Records an investigator without grants may not see (administrator-made)."""
    case = records.create(app, SYSTEM, "case", CaseIn(code="UA-SECRET-1", title="Secret case", description="Sealed"))
    person = fx.person(app, confidentiality="strictly_confidential", full_name="Прихована Особа",
                       characteristics=["journalist"])
    episode = records.create(app, SYSTEM, "custody_episode", CustodyEpisodeIn(
        person_id=fx.person(app, full_name="Інша Особа")["id"], date_from="2022-04", confidentiality="strictly_confidential"))
    return {
        "case": case["id"],
        "person": person["id"],
        "incident": fx.incident(app, confidentiality="strictly_confidential")["id"],
        "source": fx.source(app, confidentiality="strictly_confidential")["id"],
        "episode": episode["id"],
        "case_person": fx.person(app, case_id=case["id"], confidentiality="public")["id"],
    }


def _incident(**over) -> IncidentIn:
    data = {"title": "Shelling", "date_start": "2022-03-05", "acts": [
        {"violation_type": "killing_of_civilians", "victims": [{"harm": "killed", "count": 1}]}]}
    data.update(over)
    return IncidentIn.model_validate(data)


def _victim(pid: int) -> IncidentIn:
    return _incident(acts=[{"violation_type": "killing_of_civilians", "victims": [{"harm": "killed", "person_id": pid}]}])


def _perpetrator(pid: int) -> IncidentIn:
    return _incident(acts=[{"violation_type": "killing_of_civilians", "victims": [{"harm": "killed", "count": 1}],
                            "perpetrators": [{"person_id": pid, "mode": "direct_perpetrator"}]}])


#: (what, which hidden record, the write given an actor and an id)
WRITES: list[tuple[str, str, Callable]] = [
    ("rename a case", "case", lambda app, a, i: records.update(
        app, a, "case", i, CaseIn(code="UA-SECRET-1", title="Renamed"), 1)),
    ("withdraw a case", "case", lambda app, a, i: records.remove(app, a, "case", i, "no reason")),
    ("incident in a case", "case", lambda app, a, i: incidents.create(app, a, _incident(case_id=i))),
    ("incident victim", "person", lambda app, a, i: incidents.create(app, a, _victim(i))),
    ("incident perpetrator", "person", lambda app, a, i: incidents.create(app, a, _perpetrator(i))),
    ("incident source", "source", lambda app, a, i: incidents.create(app, a, _incident(source_ids=[i]))),
    ("person in a case", "case", lambda app, a, i: persons.create(
        app, a, PersonIn(full_name="Нова Особа", case_id=i))),
    ("source in a case", "case", lambda app, a, i: sources.create(app, a, SourceIn(kind="witness", case_id=i))),
    ("evidence of an incident", "incident", lambda app, a, i: evidence.ingest(
        app, a, io.BytesIO(b"synthetic"), original_name="a.txt", incident_id=i)),
    ("evidence of a source", "source", lambda app, a, i: evidence.ingest(
        app, a, io.BytesIO(b"synthetic"), original_name="a.txt", source_id=i)),
    ("evidence in a case", "case", lambda app, a, i: evidence.ingest(
        app, a, io.BytesIO(b"synthetic"), original_name="a.txt", case_id=i)),
    ("custody of a person", "person", lambda app, a, i: records.create(
        app, a, "custody_episode", CustodyEpisodeIn(person_id=i, date_from="2022-05"))),
    ("custody transferred from", "episode", lambda app, a, i: records.create(
        app, a, "custody_episode", CustodyEpisodeIn(person_id=fx.person(app)["id"], date_from="2022-05",
                                                    transferred_from_id=i))),
    ("displacement of a person", "person", lambda app, a, i: records.create(
        app, a, "displacement", DisplacementIn(person_id=i, kind="refugee", date="2022-06"))),
    ("hazard area in a case", "case", lambda app, a, i: records.create(
        app, a, "hazard_area", HazardAreaIn(name="Field", lat=50.0, lon=36.2, contamination="ap_mine", case_id=i))),
    ("intervention in a case", "case", lambda app, a, i: records.create(
        app, a, "intervention", InterventionIn(title="Letter", date="2023-01-01", target="Government", case_id=i))),
    ("change a hidden incident", "incident", lambda app, a, i: incidents.remove(app, a, i, "no reason")),
    ("change a hidden person", "person", lambda app, a, i: persons.remove(app, a, i, "no reason")),
    ("change a hidden custody episode", "episode", lambda app, a, i: records.remove(
        app, a, "custody_episode", i, "no reason")),
]


def _refusal(call: Callable) -> tuple[type, int, str]:
    with pytest.raises(ServiceError) as exc:
        call()
    return type(exc.value), exc.value.status, str(exc.value)


@pytest.mark.parametrize(("what", "kind", "write"), WRITES, ids=[w[0] for w in WRITES])
def test_a_hidden_reference_is_refused_like_a_missing_one(app, hidden, what, kind, write):
    investigator = fx.user(app, "investigator")
    ident = hidden[kind]
    cls, status, message = _refusal(lambda: write(app, investigator, ident))
    m_cls, m_status, m_message = _refusal(lambda: write(app, investigator, MISSING))
    assert cls in (NotFound, ValidationFailed) and "not found" in message, (what, message)
    assert (cls, status) == (m_cls, m_status), (what, message, m_message)
    assert re.sub(rf"\b{ident}\b", "ID", message) == re.sub(rf"\b{MISSING}\b", "ID", m_message), what


def test_a_confidential_victim_is_not_disclosed_through_a_new_incident(app, hidden):
    investigator = fx.user(app, "investigator")
    with pytest.raises(ValidationFailed) as exc:
        incidents.create(app, investigator, _victim(hidden["person"]))
    assert "journalist" not in str(exc.value) and "male" not in str(exc.value)
    assert incidents.create(app, SYSTEM, _victim(hidden["person"]))["acts"][0]["victims"][0]["sex"] == "male"


def test_a_granted_case_opens_its_records_to_writes(app, hidden):
    from svidok.services import accounts

    accounts.create_user(app, SYSTEM, "granted", "correct horse battery", "investigator")
    accounts.grant_case(app, SYSTEM, "granted", hidden["case"], "confidential")
    actor = accounts.authenticate(app, "granted", "correct horse battery")
    made = incidents.create(app, actor, _incident(case_id=hidden["case"]))
    assert made["case_id"] == hidden["case"]
    assert incidents.create(app, actor, _victim(hidden["case_person"]))["acts"][0]["victims"][0]["person_id"] \
        == hidden["case_person"]
    assert records.update(app, actor, "case", hidden["case"], CaseIn(code="UA-SECRET-1", title="Renamed"), 1)["title"] \
        == "Renamed"
