"""Civilian harm breakdowns, counted against incidents built by hand through the services.

Every check runs both ways (in-memory columns and plain SQL) on every engine: the two must agree.
"""

from __future__ import annotations

import time

import pytest

from svidok.core.actors import SYSTEM
from svidok.core.errors import ValidationFailed
from svidok.figures.breakdowns import breakdown
from svidok.schemas.filters import IncidentFilter
from svidok.services import incidents, merges
from tests import fixtures as fx

WAYS = [True, False]


def _victims(*vs: dict, vt: str = "killing_of_civilians", means: str | None = "missile") -> list[dict]:
    return [{"violation_type": vt, "means": means, "victims": list(vs)}]


@pytest.fixture
def world(app):
    """Seven people killed or injured in sight, and records that must never count."""
    fx.incident(app, date_start="2022-03-05", place=fx.KHARKIV_OBLAST, acts=_victims(
        {"harm": "killed", "count": 3, "status": "civilian"},  # sex and age unknown
        {"harm": "killed", "sex": "female", "age": 8, "status": "civilian"},
        {"harm": "injured", "sex": "male", "age": 72, "status": "civilian"},
    ))
    fx.incident(app, date_start="2023-06-10", place=fx.CRIMEA, confidentiality="public", acts=_victims(
        {"harm": "injured", "count": 2, "sex": "male", "age": 35, "status": "civilian"},
        {"harm": "detained", "sex": "male", "age": 40, "status": "civilian"},  # not killed/injured
        means="artillery",
    ))
    # dated only to a year: no month
    fx.incident(app, date_start="2022", place=fx.KHARKIV_OBLAST, acts=_victims(
        {"harm": "injured", "sex": "female", "age": 64, "status": "civilian"}, means=None))
    # confidential: an analyst must not see it
    fx.incident(app, date_start="2022-04-01", place=fx.KHARKIV_OBLAST, confidentiality="confidential",
                acts=_victims({"harm": "killed", "count": 50, "sex": "male", "status": "civilian"}))
    # withdrawn: nobody counts it
    gone = fx.incident(app, date_start="2022-04-02", place=fx.KHARKIV_OBLAST,
                       acts=_victims({"harm": "killed", "count": 100, "status": "civilian"}))
    incidents.remove(app, SYSTEM, gone["id"], "duplicate of another record")
    return app


@pytest.mark.parametrize("memory", WAYS)
def test_by_sex_counts_and_missing(world, memory: bool) -> None:
    analyst = fx.user(world, "analyst")
    b = breakdown(world, analyst, "sex", use_memory=memory)
    rows = {r.key: (r.killed, r.injured, r.total) for r in b.rows}
    assert rows == {"female": (1, 1, 2), "male": (0, 3, 3)}
    assert b.missing == 3 and b.missing_by_harm == {"killed": 3, "injured": 0}
    assert b.total == 8
    assert [(r.key, r.label_en, r.label_uk) for r in b.rows] == [("male", "Male", "Чоловіча"), ("female", "Female", "Жіноча")]


@pytest.mark.parametrize("memory", WAYS)
def test_confidential_record_counts_only_for_those_cleared(world, memory: bool) -> None:
    b = breakdown(world, SYSTEM, "sex", harm=["killed"], use_memory=memory)
    assert {r.key: r.killed for r in b.rows} == {"female": 1, "male": 50}  # the withdrawn 100 never count
    assert b.missing == 3


@pytest.mark.parametrize("memory", WAYS)
def test_age_bands_fine_and_broad(world, memory: bool) -> None:
    b = breakdown(world, fx.user(world, "analyst"), "age_band", use_memory=memory)
    assert [(r.key, r.killed, r.injured, r.group) for r in b.rows] == [
        ("5-9", 1, 0, "child"), ("30-44", 0, 2, "adult"), ("60-69", 0, 1, "older"), ("70-79", 0, 1, "older")]
    assert {g.key: g.total for g in b.groups} == {"child": 1, "adult": 2, "older": 2}
    assert b.missing == 3
    broad = breakdown(world, SYSTEM, "age_group", harm=["injured"], use_memory=memory)
    assert {r.key: r.injured for r in broad.rows} == {"adult": 2, "older": 2} and broad.missing == 0


@pytest.mark.parametrize("memory", WAYS)
def test_oblast_occupation_month(world, memory: bool) -> None:
    analyst = fx.user(world, "analyst")
    obl = breakdown(world, analyst, "oblast", use_memory=memory)
    assert {r.key: r.total for r in obl.rows} == {fx.KHARKIV_OBLAST: 6, fx.CRIMEA: 2}
    assert "Krym" in next(r.label_en for r in obl.rows if r.key == fx.CRIMEA)
    occ = breakdown(world, analyst, "occupation", use_memory=memory)
    assert {r.key: r.total for r in occ.rows} == {"occupied": 2, "not_occupied": 6}
    month = breakdown(world, analyst, "month", use_memory=memory)
    by_month = {r.key: r.total for r in month.rows}
    assert by_month["2022-03"] == 5 and by_month["2023-06"] == 2 and by_month["2022-12"] == 0
    assert len(month.rows) == 16  # March 2022 to June 2023, months without victims included
    assert month.missing == 1  # the year-only incident


@pytest.mark.parametrize("memory", WAYS)
def test_means_violation_type_status_and_filters(world, memory: bool) -> None:
    analyst = fx.user(world, "analyst")
    means = breakdown(world, analyst, "means", use_memory=memory)
    assert {r.key: r.total for r in means.rows} == {"missile": 5, "artillery": 2} and means.missing == 1
    vt = breakdown(world, analyst, "violation_type", use_memory=memory)
    assert {r.key: r.total for r in vt.rows} == {"killing_of_civilians": 8} and vt.missing == 0
    st = breakdown(world, analyst, "status", harm=["killed", "injured", "detained"], use_memory=memory)
    assert {r.key: r.total for r in st.rows} == {"civilian": 9}
    crimea = breakdown(world, analyst, "sex", filter=IncidentFilter(place=fx.CRIMEA), use_memory=memory)
    assert crimea.total == 2
    spring = breakdown(world, analyst, "sex", filter=IncidentFilter(date_from="2022-03-01", date_to="2022-03-31"),
                       use_memory=memory)
    assert spring.total == 5 + 1  # the year-only incident may have happened in March 2022
    killed = breakdown(world, analyst, "sex", filter=IncidentFilter(harm="killed"), use_memory=memory)
    assert killed.total == 4 and all(r.injured == 0 for r in killed.rows)


def test_full_text_filter_falls_back_to_sql(world) -> None:
    b = breakdown(world, SYSTEM, "sex", filter=IncidentFilter(q="residential"))
    assert b.total == 8 + 50


@pytest.mark.parametrize("memory", WAYS)
def test_person_documented_twice_counts_once(app, memory: bool) -> None:
    a = fx.person(app, full_name="Бондар Марія Іванівна", sex="female", birth_date="1950")
    b = fx.person(app, full_name="Bondar Mariia", sex="female", birth_date="1950")
    for pid, day in ((a["id"], "2022-05-01"), (b["id"], "2022-05-01")):
        fx.incident(app, date_start=day, acts=_victims({"harm": "killed", "person_id": pid, "sex": "female",
                                                        "age": 72, "status": "civilian"}))
    assert breakdown(app, SYSTEM, "sex", use_memory=memory).total == 2
    merges.merge(app, SYSTEM, a["id"], b["id"], reason="same person, two lists")
    assert breakdown(app, SYSTEM, "sex", use_memory=memory).total == 1


def test_bad_requests_name_the_field(app) -> None:
    with pytest.raises(ValidationFailed) as e:
        breakdown(app, SYSTEM, "shoe_size")
    assert e.value.errors[0].field == "by"
    with pytest.raises(ValidationFailed) as e:
        breakdown(app, SYSTEM, "sex", harm=["bored"])
    assert e.value.errors[0].field == "harm"
    with pytest.raises(ValidationFailed) as e:
        breakdown(app, SYSTEM, "sex", filter=IncidentFilter(means="catapult"))
    assert e.value.errors[0].field == "means"


@pytest.mark.parametrize("memory", WAYS)
def test_occupation_is_read_on_the_day(app, memory: bool) -> None:
    bucha = "UA32080070010087821"  # Bucha, occupied 27 Feb - 31 Mar 2022; its raion (in part) until 2 April
    for day, n in (("2022-03-10", 4), ("2022-04-02", 1), ("2022-04-03", 2), ("2022-02-26", 8)):
        fx.incident(app, date_start=day, place=bucha, acts=_victims({"harm": "killed", "count": n, "status": "civilian"}))
    occ = breakdown(app, SYSTEM, "occupation", use_memory=memory)
    assert {r.key: r.killed for r in occ.rows} == {"occupied": 5, "not_occupied": 10}


def test_new_records_are_counted_at_once_on_a_small_database(app) -> None:
    fx.incident(app)
    assert breakdown(app, SYSTEM, "sex").total == 3
    fx.incident(app)
    assert breakdown(app, SYSTEM, "sex").total == 6


def test_big_database_answers_from_the_last_read_while_rereading(sqlite_app, monkeypatch) -> None:
    from svidok.figures import harm_facts

    monkeypatch.setattr(harm_facts, "SYNC_RELOAD_SECONDS", -1.0)  # treat every load as slow
    fx.incident(sqlite_app)
    assert breakdown(sqlite_app, SYSTEM, "sex").total == 3
    fx.incident(sqlite_app)
    stale = breakdown(sqlite_app, SYSTEM, "sex")
    assert stale.total == 3 and any("as of" in n for n in stale.notes)
    for _ in range(200):  # the background re-read finishes within seconds
        fresh = breakdown(sqlite_app, SYSTEM, "sex")
        if fresh.total == 6:
            break
        time.sleep(0.05)
    assert fresh.total == 6 and not any("as of" in n for n in fresh.notes)
