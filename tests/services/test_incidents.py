"""Recording, changing and finding incidents, as a documenter and an analyst would."""

import pytest
from sqlalchemy import func, select, text

from svidok.core.actors import SYSTEM
from svidok.core.errors import Conflict, ValidationFailed
from svidok.domain import dates
from svidok.schemas.filters import IncidentFilter
from svidok.schemas.records import IncidentIn, IncidentUpdate
from svidok.services import incident_queries, incidents, paging
from svidok.storage.models import Incident, LedgerEntry, Victim
from tests import fixtures as fx


def _count(app, model) -> int:
    with app.db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_incident_with_acts_victims_and_qualifications_reads_back(app):
    p = fx.person(app, birth_date="1950-05-01")
    out = fx.incident(app, acts=[{
        "violation_type": "killing_of_civilians", "means": "artillery", "qualifications": ["rs_8_2_b_i"],
        "victims": [{"person_id": p["id"], "harm": "killed", "status": "civilian"},
                    {"harm": "injured", "count": 4, "status": "civilian", "characteristics": ["child"]}],
        "perpetrators": [{"description": "artillery unit (unknown)", "mode": "direct_perpetrator"}],
    }])
    got = incidents.get(app, SYSTEM, out["id"])
    act = got["acts"][0]
    assert act["qualifications"] == ["rs_8_2_b_i"]
    assert "rs_8_2_a_i" in act["may_qualify_under"]
    named, group = act["victims"]
    assert named["person_name"] == "Шевченко Олександр Петрович"
    assert named["age"] == 71 and "older_person" in named["characteristics"]
    assert group["count"] == 4 and group["characteristics"] == ["child"]
    assert got["place"]["code"] == fx.KHARKIV_OBLAST


def test_invalid_input_names_every_field_and_writes_nothing(app):
    before = (_count(app, Incident), _count(app, LedgerEntry))
    data = IncidentIn.model_validate({
        "title": "x", "date_start": "2022-03-05", "date_end": "2022-03-01", "place": "Atlantis",
        "acts": [{"violation_type": "jaywalking", "victims": [{"harm": "killed", "person_id": 99999}]}],
    })
    with pytest.raises(ValidationFailed) as exc:
        incidents.create(app, SYSTEM, data)
    fields = {e.field for e in exc.value.errors}
    assert fields == {"date_end", "place", "acts[0].violation_type", "acts[0].victims[0].person_id"}
    assert "Atlantis" in str(exc.value)
    assert (_count(app, Incident), _count(app, LedgerEntry)) == before


def test_impossible_date_is_refused_by_the_schema():
    with pytest.raises(Exception) as exc:
        IncidentIn.model_validate({"title": "x", "date_start": "2022-02-30"})
    assert "day 30 does not exist" in str(exc.value)


def test_edit_is_versioned_and_a_stale_save_is_refused(app):
    inc = fx.incident(app)
    incidents.update(app, SYSTEM, inc["id"], IncidentUpdate(version=1, title="Strike on a school"))
    with pytest.raises(Conflict, match="changed by someone else"):
        incidents.update(app, SYSTEM, inc["id"], IncidentUpdate(version=1, title="lost update"))
    history = incidents.history_of(app, SYSTEM, inc["id"])
    assert [h["op"] for h in history] == ["create", "update"]
    assert history[1]["changes"]["title"] == {"before": "Strike on a residential building", "after": "Strike on a school"}
    assert incidents.get(app, SYSTEM, inc["id"])["title"] == "Strike on a school"


def test_withdrawal_keeps_the_record_with_its_reason(app):
    inc = fx.incident(app)
    incidents.remove(app, SYSTEM, inc["id"], "duplicate of an earlier report")
    with app.db.session() as s:
        row = s.get(Incident, inc["id"])
        assert row.deleted_reason == "duplicate of an earlier report"
    f = IncidentFilter()
    assert inc["id"] not in [i["id"] for i in incident_queries.listing(app, fx.user(app, "investigator"), f)["items"]]
    assert incidents.history_of(app, SYSTEM, inc["id"])[-1]["op"] == "delete"


def test_a_year_only_date_overlaps_every_day_of_that_year(app):
    year = fx.incident(app, date_start="2022")
    march = fx.incident(app, date_start="2022-03")
    other = fx.incident(app, date_start="2023-01-10")
    got = {i["id"] for i in incident_queries.listing(app, SYSTEM, IncidentFilter(date_from="2022-12-31", date_to="2022-12-31"))["items"]}
    assert got == {year["id"]}
    got = {i["id"] for i in incident_queries.listing(app, SYSTEM, IncidentFilter(date_from="2022-03-15", date_to="2022-03-15"))["items"]}
    assert got == {year["id"], march["id"]}
    assert other["id"] not in got


def test_filtering_by_an_oblast_includes_places_inside_it(app):
    raion = _raion_of(app, fx.KHARKIV_OBLAST)
    inside = fx.incident(app, place=raion)
    outside = fx.incident(app, place=fx.CRIMEA)
    got = {i["id"] for i in incident_queries.listing(app, SYSTEM, IncidentFilter(place=fx.KHARKIV_OBLAST))["items"]}
    assert inside["id"] in got and outside["id"] not in got


def _raion_of(app, oblast_code: str) -> str:
    from svidok.storage.models import Place

    with app.db.session() as s:
        oblast = s.scalar(select(Place).where(Place.code == oblast_code))
        return s.scalar(select(Place.code).where(Place.parent_id == oblast.id).limit(1))


def test_provision_finds_acts_that_may_qualify_or_were_qualified(app):
    mines = fx.incident(app, acts=[{"violation_type": "use_of_anti_personnel_mines", "victims": [{"harm": "injured"}]}])
    killing = fx.incident(app)
    explicit = fx.incident(app, acts=[{"violation_type": "pillage", "qualifications": ["rs_8_2_a_i"]}])
    got = {i["id"] for i in incident_queries.listing(app, SYSTEM, IncidentFilter(provision="rs_8_2_a_i"))["items"]}
    assert killing["id"] in got and explicit["id"] in got and mines["id"] not in got


def test_victim_characteristic_and_status_filters(app):
    child = fx.incident(app, acts=[{"violation_type": "injury_of_civilians",
                                    "victims": [{"harm": "injured", "age": 9, "status": "civilian"}]}])
    pow_ = fx.incident(app, acts=[{"violation_type": "torture_of_prisoners_of_war",
                                   "victims": [{"harm": "ill_treated", "status": "prisoner_of_war", "age": 30}]}])
    got = {i["id"] for i in incident_queries.listing(app, SYSTEM, IncidentFilter(characteristic="child"))["items"]}
    assert got == {child["id"]}
    got = {i["id"] for i in incident_queries.listing(app, SYSTEM, IncidentFilter(victim_status="prisoner_of_war"))["items"]}
    assert got == {pow_["id"]}
    with app.db.session() as s:
        assert s.scalar(select(Victim.age_band).where(Victim.age == 9)) == "5-9"


def test_cursor_pagination_visits_every_incident_once(app):
    made = {fx.incident(app, title=f"incident {i}")["id"] for i in range(7)}
    seen, cursor = [], None
    while True:
        page = incident_queries.listing(app, SYSTEM, IncidentFilter(), cursor, 3)
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen, reverse=True) == seen and set(seen) == made


#: incident_queries.FEW_VICTIMS: the default resolves these small filters to their incidents
#: first; 0 makes every victim filter walk the incidents (the path of common filters).
#: INDEX_LOOKUPS 0: SQLite finds those few victims by a table scan (as for a common status).
VICTIM_FILTER_PATHS = pytest.mark.parametrize(("few_victims", "index_lookups"), [(1000, 50_000), (1000, 0), (0, 50_000)],
                                              ids=["few-victims-first", "few-victims-by-scan", "walk"])


@VICTIM_FILTER_PATHS
def test_cursor_pages_of_a_victim_filter_visit_every_match_once(app, monkeypatch, few_victims, index_lookups):
    monkeypatch.setattr(incident_queries, "FEW_VICTIMS", few_victims)
    monkeypatch.setattr(incident_queries, "INDEX_LOOKUPS", index_lookups)
    pow_acts = [{"violation_type": "torture_of_prisoners_of_war",
                 "victims": [{"harm": "ill_treated", "status": "prisoner_of_war", "age": 30}]}]
    strike = [{"violation_type": kind, "victims": [{"harm": "killed", "status": "civilian"}]}
              for kind in ("killing_of_civilians", "attack_on_civilian_objects")]
    # incidents 1, 2, 4, 5, 7, 8 hold prisoners of war; 0, 3, 6, 9 two acts each (act ids run ahead)
    made = [fx.incident(app, title=f"incident {i}", acts=pow_acts if i % 3 else strike)["id"] for i in range(10)]
    matching = sorted((made[i] for i in range(10) if i % 3), reverse=True)
    f = IncidentFilter(victim_status="prisoner_of_war", harm="ill_treated")
    seen, cursor = [], None
    while True:
        page = incident_queries.listing(app, SYSTEM, f, cursor, 2)
        assert len(page["items"]) <= 2
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(matching) == 6 and seen == matching
    assert incident_queries.count(app, SYSTEM, f) == 6


@VICTIM_FILTER_PATHS
def test_a_rare_victim_filter_keeps_every_other_condition(app, monkeypatch, few_victims, index_lookups):
    """Killed prisoners of war: the act's type, need-to-know, withdrawals and edits still count."""
    monkeypatch.setattr(incident_queries, "FEW_VICTIMS", few_victims)
    monkeypatch.setattr(incident_queries, "INDEX_LOOKUPS", index_lookups)
    def killed_pow(kind="killing_of_civilians", **kw):
        return fx.incident(app, acts=[{"violation_type": kind, "victims": [
            {"harm": "killed", "status": "prisoner_of_war", "age": 16}]}], **kw)["id"]
    shown = killed_pow()
    other_type = killed_pow("torture_of_prisoners_of_war")
    confidential = killed_pow(confidentiality="confidential")
    withdrawn = killed_pow()
    incidents.remove(app, SYSTEM, withdrawn, "duplicate of another record")
    edited = killed_pow()
    incidents.update(app, SYSTEM, edited, IncidentUpdate.model_validate({"version": 1, "acts": [
        {"violation_type": "killing_of_civilians", "victims": [{"harm": "killed", "status": "civilian"}]}]}))
    fx.incident(app)  # killed civilians only
    analyst = fx.user(app, "analyst")
    f = IncidentFilter(victim_status="prisoner_of_war", harm="killed", violation_type="killing_of_civilians")
    assert [i["id"] for i in incident_queries.listing(app, analyst, f)["items"]] == [shown]
    assert incident_queries.count(app, analyst, f) == 1
    assert [i["id"] for i in incident_queries.listing(app, SYSTEM, f)["items"]] == [confidential, shown]
    f = IncidentFilter(victim_status="prisoner_of_war", characteristic="child")
    assert [i["id"] for i in incident_queries.listing(app, SYSTEM, f)["items"]] == [confidential, other_type, shown]
    f = IncidentFilter(victim_status="prisoner_of_war", harm="sexually_abused")
    assert incident_queries.listing(app, SYSTEM, f) == {"items": [], "next_cursor": None}
    assert incident_queries.count(app, SYSTEM, f) == 0


def test_a_page_leaves_the_transactions_parallel_workers_as_they_were(app):
    made = [fx.incident(app, title=f"incident {i}")["id"] for i in range(3)]
    with app.db.session() as s:
        postgres = app.db.dialect == "postgresql"
        if postgres:  # counts and reports after a page in the same transaction keep their workers
            s.execute(text("SET LOCAL max_parallel_workers_per_gather = 3"))
        rows, next_id = paging.newest_first(s, select(Incident), Incident.id, None, 2)
        assert [r.id for r in rows] == sorted(made, reverse=True)[:2] and next_id == rows[-1].id
        if postgres:
            assert s.scalar(text("SHOW max_parallel_workers_per_gather")) == "3"


def test_unknown_filter_terms_are_errors_not_empty_results(app):
    with pytest.raises(ValidationFailed) as exc:
        incident_queries.listing(app, SYSTEM, IncidentFilter(violation_type="jaywalking", place="Atlantis"))
    assert {e.field for e in exc.value.errors} == {"violation_type", "place"}


def test_full_text_search_across_scripts(app):
    a = fx.incident(app, title="Обстріл Харкова", narrative="Загинув Олександр")
    b = fx.incident(app, title="Shelling of Odesa", narrative="Oleksandr was injured")
    c = fx.incident(app, title="Unrelated", narrative="Nothing here")
    got = {i["id"] for i in incident_queries.listing(app, SYSTEM, IncidentFilter(q="Александр"))["items"]}
    assert got == {a["id"], b["id"]}
    assert c["id"] not in got


def test_listing_in_date_order_pages_through_every_incident_once(app):
    """Latest date first, incidents of one day newest recorded first, on both engines."""
    days = ["2022-03-05", "2023-01", "2022-03-05", "2024", "~2022-11-20", "2022-03-05", "2022-12-31"]
    made = [fx.incident(app, title=f"Synthetic {n}", date_start=d)["id"] for n, d in enumerate(days)]
    seen, cursor = [], None
    while True:
        page = incident_queries.listing(app, SYSTEM, IncidentFilter(), cursor, 2, order="date")
        seen += [(i["date_start"], i["id"]) for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(i for _, i in seen) == sorted(made)  # each once
    expected = sorted(zip(days, made, strict=True), key=lambda p: (dates.parse(p[0]).lo, p[1]), reverse=True)
    assert seen == expected
    assert incident_queries.count(app, SYSTEM, IncidentFilter(), cap=3) == 3
    assert incident_queries.count(app, SYSTEM, IncidentFilter()) == 7
    with pytest.raises(ValidationFailed):
        incident_queries.listing(app, SYSTEM, IncidentFilter(), "bm90LWEtY3Vyc29y", 2, order="date")


def _date_pages(app, actor, f: IncidentFilter, size: int = 2) -> list[tuple]:
    seen, cursor = [], None
    while True:
        page = incident_queries.listing(app, actor, f, cursor, size, order="date")
        seen += [(dates.parse(i["date_start"]).lo, i["id"]) for i in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            return seen


def test_date_order_for_a_user_outside_cases_lists_only_what_they_may_see(app):
    """An analyst's date-ordered list (read through ``ix_incidents_open_by_date``, migration 0030):
    latest first, every visible incident once, nothing confidential or of a case not granted;
    with a grant the case's incidents join in date order."""
    from svidok.schemas.others import CaseIn
    from svidok.services import accounts, records

    case = records.create(app, SYSTEM, "case", CaseIn(code="UA-2022-030", title="Synthetic case"))
    specs = [("2022-03-05", "public", None), ("2023-01", "restricted", None), ("2022-03-05", "confidential", None),
             ("2024", "restricted", case["id"]), ("~2022-11-20", "public", None), ("2022-03-05", "restricted", None),
             ("2022-12-31", "public", case["id"]), ("2022-06", "restricted", None)]
    made = [(dates.parse(d).lo, fx.incident(app, title=f"Synthetic {n}", date_start=d, confidentiality=c,
                                            case_id=k)["id"], c, k) for n, (d, c, k) in enumerate(specs)]
    analyst = fx.user(app, "analyst")

    def expected(granted: bool) -> list[tuple]:
        return sorted(((lo, i) for lo, i, c, k in made if c != "confidential" and (k is None or granted)), reverse=True)

    assert _date_pages(app, analyst, IncidentFilter()) == expected(False)
    assert incident_queries.count(app, analyst, IncidentFilter()) == len(expected(False)) == 5
    victims = IncidentFilter(victim_status="civilian", harm="killed")  # resolved to the incidents' ids
    assert _date_pages(app, analyst, victims) == expected(False)
    assert incident_queries.count(app, analyst, victims, cap=4) == 4
    in_2022 = IncidentFilter(date_from="2022", date_to="2022")
    assert _date_pages(app, analyst, in_2022, 1) == [p for p in expected(False) if p[0].year == 2022]
    accounts.grant_case(app, SYSTEM, "analyst", case["id"], "restricted")
    analyst = accounts.authenticate(app, "analyst", "correct horse battery")
    assert _date_pages(app, analyst, IncidentFilter(), 3) == expected(True)
    if app.db.engine.dialect.name == "sqlite":  # the plan: a walk of the new index, no sort of every row
        with app.db.session() as s:
            plain = fx.user(app, "analyst", "a2")
            q = incident_queries.by_date(s, plain, IncidentFilter(), select(Incident.id).where(
                *incident_queries.conditions(app, s, plain, IncidentFilter()))
                .order_by(Incident.date_lo.desc(), Incident.id.desc()).limit(3))
            sql = str(q.compile(s.get_bind(), compile_kwargs={"literal_binds": True}))
            plan = " ".join(r[-1] for r in s.execute(text("EXPLAIN QUERY PLAN " + sql)))
        assert "ix_incidents_open_by_date" in plan and "TEMP B-TREE" not in plan, plan
