"""Estimates by stratum from linked victim records in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from svidok.cli.main import app as cli
from svidok.config import get_settings
from svidok.core.actors import SYSTEM
from svidok.figures.estimate_input import DIRECT_ENTRY, victim_people_by_stratum
from svidok.schemas.records import IncidentIn
from svidok.services import incidents, merges
from svidok.stats.counts_table import stratified_tables
from svidok.stats.estimate_strata import estimate_by_stratum, estimate_people
from svidok.storage.models import Act, Incident, Person, Victim

from ..fixtures import CRIMEA, KHARKIV_OBLAST


def test_strata_without_enough_data_are_refused_with_the_reason() -> None:
    rng = np.random.default_rng(0)
    people = []
    for _ in range(400):  # a well-documented stratum
        lists = {f"L{j}" for j in range(3) if rng.random() < 0.4}
        if lists:
            people.append(("Kharkiv", lists))
    people += [("Sumy", {"L0"}), ("Sumy", {"L1", "L0"})]  # two people: too few
    people += [("Kherson", {"L0"})] * 30 + [("Kherson", {"L1"})] * 30  # no overlap
    people += [("Chernihiv", {"L0", "L1"})] * 25 + [("Chernihiv", {"L0"})] * 10  # L2 empty there
    out = {r.stratum: r for r in estimate_people(people)}
    assert out["Kharkiv"].result is not None and out["Kharkiv"].result["lower"] <= out["Kharkiv"].result["upper"]
    assert out["Sumy"].result is None and "too few records: 2" in out["Sumy"].warnings[0]
    assert out["Kherson"].result is None and "no person is on more than one list" in out["Kherson"].warnings[0]
    assert out["Chernihiv"].result is not None
    assert any("L2" in w for w in out["Chernihiv"].warnings) and out["Chernihiv"].lists == ["L0", "L1"]
    lc = {r.stratum: r for r in estimate_by_stratum(stratified_tables(people), "lcmcr", samples=50, burnin=50,
                                                    thinning=2)}
    assert lc["Chernihiv"].result is None and "need 3 for lcmcr" in lc["Chernihiv"].warnings[0]


def _victims(n: int, sex: str) -> list[dict]:
    return [{"harm": "killed", "status": "civilian", "sex": sex, "age": 70,
             "person": {"full_name": f"Синтетичний {sex} {i}", "sex": sex, "status": "civilian"}} for i in range(n)]


def _list_incident(app, place: str, list_name: str, n: int) -> list[int]:
    inc = incidents.create(app, SYSTEM, IncidentIn.model_validate({
        "title": f"Synthetic strike ({list_name})", "date_start": "2022-04-01", "place": place,
        "acts": [{"violation_type": "killing_of_civilians", "means": "missile", "victims": _victims(n, "female")}],
    }))
    ids = [v["person_id"] for v in inc["acts"][0]["victims"]]
    with app.db.session() as s:  # what an import of that list would have recorded
        s.execute(update(Person).where(Person.id.in_(ids)).values(import_source=list_name))
    return ids


def test_visible_people_count_only_what_the_actor_may_see_and_the_lists_chosen(app) -> None:
    from svidok.core.actors import Actor
    from svidok.figures.estimate_input import list_sizes, visible_people

    a = _list_incident(app, KHARKIV_OBLAST, "list A", 30)
    b = _list_incident(app, KHARKIV_OBLAST, "list B", 20)
    for x, y in zip(a[:10], b[:10], strict=True):
        merges.merge(app, SYSTEM, x, y)
    secret = _list_incident(app, KHARKIV_OBLAST, "list S", 6)
    with app.db.session() as s:  # the third list's incident is confidential: analysts do not see it
        inc_id = s.execute(select(Act.incident_id).join(Victim, Victim.act_id == Act.id)
                           .where(Victim.person_id == secret[0])).scalar_one()
        s.execute(update(Incident).where(Incident.id == inc_id).values(confidentiality="confidential"))
    analyst, admin = Actor("someone", "analyst"), Actor("boss", "administrator")
    with app.db.session() as s:
        seen = visible_people(app, s, analyst, "oblast", harm=["killed"])
        incidents: set[int] = set()
        all_ = visible_people(app, s, admin, "none", incidents=incidents, harm=["killed"])
        only_b = visible_people(app, s, admin, "none", lists=["list B"], harm=["killed"])
    assert list_sizes(seen) == {"list A": 30, "list B": 20} and len(seen) == 40
    assert {k for k, _ in seen} == {"Kharkivska oblast"}
    assert list_sizes(all_) == {"list A": 30, "list B": 20, "list S": 6} and len(incidents) == 3
    assert len(only_b) == 20 and all(lists == {"list B"} for _, lists in only_b)


def test_linked_victims_become_capture_patterns_per_oblast(app) -> None:
    a = _list_incident(app, KHARKIV_OBLAST, "list A", 30)
    b = _list_incident(app, KHARKIV_OBLAST, "list B", 20)
    c = _list_incident(app, CRIMEA, "list A", 5)
    for x, y in zip(a[:10], b[:10], strict=True):  # linkage found 10 people on both lists
        merges.merge(app, SYSTEM, x, y)
    with app.db.session() as s:
        people = victim_people_by_stratum(s, "oblast")
        total = victim_people_by_stratum(s)
    assert len(total) == 30 + 20 - 10 + 5
    tables = stratified_tables(people)
    kh = next(t for k, t in tables.items() if "Kharkiv" in k)
    assert kh.observed == 40
    assert dict(kh.rows()) == {(1, 0): 20, (0, 1): 10, (1, 1): 10}
    cr = next(t for k, t in tables.items() if "Krym" in k or "Crimea" in k)
    assert cr.observed == len(c) == 5
    assert DIRECT_ENTRY not in kh.lists


def test_cli_from_db_stratified_json(tmp_path, monkeypatch, sqlite_app) -> None:
    a = _list_incident(sqlite_app, KHARKIV_OBLAST, "list A", 40)
    b = _list_incident(sqlite_app, KHARKIV_OBLAST, "list B", 30)
    _list_incident(sqlite_app, CRIMEA, "list A", 3)
    for x, y in zip(a[:12], b[:12], strict=True):
        merges.merge(sqlite_app, SYSTEM, x, y)
    monkeypatch.setenv("SVIDOK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SVIDOK_FIELD_KEY", sqlite_app.settings.field_key)
    get_settings.cache_clear()
    try:
        res = CliRunner().invoke(cli, ["estimate", "--from-db", "--stratify", "oblast", "--json"])
    finally:
        get_settings.cache_clear()
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    strata = {s["stratum"]: s for s in d["strata"]}
    kharkiv = next(s for k, s in strata.items() if "Kharkiv" in k)
    assert kharkiv["observed"] == 58
    assert round(kharkiv["estimate"]) == round(40 * 30 / 12)  # two lists: Lincoln-Petersen
    crimea = next(s for k, s in strata.items() if "Kharkiv" not in k)
    assert crimea["estimate"] is None and any("too few" in w for w in crimea["warnings"])


@pytest.mark.parametrize("stratify", ["year", "month", "sex", "age_group", "harm", "none"])
def test_every_stratification_runs(sqlite_app, stratify: str) -> None:
    _list_incident(sqlite_app, KHARKIV_OBLAST, "list A", 3)
    with sqlite_app.db.session() as s:
        people = victim_people_by_stratum(s, stratify)
    keys = {k for k, _ in people}
    expected = {"year": {"2022"}, "month": {"2022-04"}, "sex": {"female"}, "age_group": {"older"},
                "harm": {"killed"}, "none": {"all"}}[stratify]
    assert keys == expected


def test_victims_by_age_and_sex_count_linked_people_once(sqlite_app) -> None:
    from svidok.figures.estimate_input import victim_age_sex
    from svidok.stats.age_bands import BROAD_BANDS, parse_bands
    from svidok.stats.disproportionality import compare_with_population, tabulate_victims

    a = _list_incident(sqlite_app, KHARKIV_OBLAST, "list A", 12)  # 12 women aged 70
    b = _list_incident(sqlite_app, KHARKIV_OBLAST, "list B", 8)
    for x, y in zip(a[:5], b[:5], strict=True):
        merges.merge(sqlite_app, SYSTEM, x, y)
    incidents.create(sqlite_app, SYSTEM, IncidentIn.model_validate({
        "title": "Synthetic shelling", "date_start": "2022-05-01", "place": KHARKIV_OBLAST,
        "acts": [{"violation_type": "killing_of_civilians", "means": "artillery",
                  "victims": [{"harm": "killed", "count": 6, "status": "civilian", "sex": "male", "age": 35},
                              {"harm": "injured", "count": 2, "status": "civilian"}]}],
    }))
    with sqlite_app.db.session() as s:
        killed = victim_age_sex(s, ["killed"])
        everyone = victim_age_sex(s)
    assert len(killed) == 12 + 8 - 5 + 6
    assert len(everyone) == len(killed) + 2
    counts = tabulate_victims(everyone, parse_bands(BROAD_BANDS))
    assert counts[("60+", "female")] == 15 and counts[("18-59", "male")] == 6 and counts[(None, None)] == 2
    report = compare_with_population(counts, bands=BROAD_BANDS)
    assert report.victims_unknown == 2


def test_cli_from_db_with_a_single_list_says_why_it_cannot_estimate(tmp_path, monkeypatch, sqlite_app) -> None:
    _list_incident(sqlite_app, KHARKIV_OBLAST, "list A", 30)
    monkeypatch.setenv("SVIDOK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SVIDOK_FIELD_KEY", sqlite_app.settings.field_key)
    get_settings.cache_clear()
    try:
        res = CliRunner().invoke(cli, ["estimate", "--from-db", "--json"])
    finally:
        get_settings.cache_clear()
    assert res.exit_code == 2 and "one list (list A)" in res.output and res.stdout.strip() == ""


def test_a_stratum_with_no_data_is_reported_not_estimated() -> None:
    from svidok.stats.counts_table import table_from_source_sets

    tables = {"Kharkiv": table_from_source_sets([{"a", "b"}] * 30 + [{"a"}] * 20 + [{"b"}] * 10, ["a", "b"]),
              "Sumy": table_from_source_sets([], ["a", "b"])}
    out = {r.stratum: r for r in estimate_by_stratum(tables)}
    assert out["Sumy"].result is None and out["Sumy"].warnings == ["not estimated: no documented people in this stratum"]
    assert round(out["Kharkiv"].result["estimate"]) == round(50 * 40 / 30)  # Lincoln-Petersen


def test_list_sizes_counted_by_the_database_match_the_people_read_one_by_one(app) -> None:
    """The statistics form counts lists in SQL; it must say what the estimate itself will count,
    merges (and a merge of a merged record) and need-to-know included."""
    from svidok.core.actors import Actor
    from svidok.figures.estimate_input import list_sizes, visible_list_sizes, visible_people

    a = _list_incident(app, KHARKIV_OBLAST, "list A", 12)
    b = _list_incident(app, KHARKIV_OBLAST, "list B", 9)
    c = _list_incident(app, CRIMEA, "list C", 5)
    for x, y in zip(a[:4], b[:4], strict=True):
        merges.merge(app, SYSTEM, x, y)
    merges.merge(app, SYSTEM, b[0], c[0])  # c[0] → b[0] → a[0]: one person on three lists
    with app.db.session() as s:
        inc_id = s.execute(select(Act.incident_id).join(Victim, Victim.act_id == Act.id)
                           .where(Victim.person_id == c[1])).scalar_one()
        s.execute(update(Incident).where(Incident.id == inc_id).values(confidentiality="confidential"))
    for actor in (Actor("someone", "analyst"), Actor("boss", "administrator")):
        with app.db.session() as s:
            expected = list_sizes(visible_people(app, s, actor, "none", harm=["killed"]))
            assert visible_list_sizes(app, s, actor, harm=["killed"]) == expected
    assert expected == {"list A": 12, "list B": 9, "list C": 5}
