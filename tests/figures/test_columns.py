"""A brief's victim figures answered from the in-memory columns are the SQL's figures, on each engine."""

from __future__ import annotations

import pytest

from svidok.app import Svidok
from svidok.core.actors import SYSTEM
from svidok.figures import columns as queries_columns
from svidok.figures import harm_facts, queries
from svidok.reports import engine
from svidok.schemas.others import CaseIn
from svidok.services import accounts, demo, incidents, merges, records
from tests import fixtures as fx

BYS = ("sex", "age_band", "age_group", "oblast", "month", "year", "means", "violation_type", "harm", "status")
#: Filters the columns can apply.
FILTERS = [
    {},
    {"harm": ["killed", "injured"], "victim_status": "civilian", "date_from": "2022-02-24"},
    {"harm": "killed", "place": fx.KHARKIV_OBLAST, "date_to": "2023-06"},
    {"family": "attacks_on_civilians", "means": "missile", "verification_status": "verified"},
    {"violation_type": "killing_of_civilians", "harm": [], "date_from": "2022", "date_to": "2022"},
]
#: Filters only the SQL can apply.
SQL_ONLY = [{"q": "missile"}, {"characteristic": "child"}, {"provision": "rs_7_1_a"},
            {"date_from": ["2022-02-24"]}]


def _figures(app, actor, filters: list[dict], use_columns: bool) -> tuple[dict, list]:
    """Every victim figure for every filter, in a session answering from the columns or from SQL only."""
    out = {}
    with app.db.session() as s:
        s.info[queries_columns.USE_COLUMNS] = use_columns
        for f in filters:
            key = repr(sorted(f.items()))
            out[("victims", key)] = queries.run(app, s, actor, "victims", **f)
            for by in BYS:
                out[(by, key)] = queries.run(app, s, actor, "victims_by", by=by, **f)
            for by in ("age", "age_sex"):
                out[("compare " + by, key)] = queries.run(app, s, actor, "disproportionality", by=by, **f)
        return out, list(s.info.get(queries_columns.ANSWERED, []))


@pytest.fixture
def world(app):
    """Demo data, plus what the columns must leave out or hide: a withdrawn incident, a person on two
    lists, a confidential incident and one inside a case."""
    demo.load(app, size=300)
    gone = fx.incident(app, acts=[{"violation_type": "killing_of_civilians", "means": "missile",
                                   "victims": [{"harm": "killed", "count": 40, "status": "civilian"}]}])
    incidents.remove(app, SYSTEM, gone["id"], "duplicate")
    a = fx.person(app, full_name="Бондар Марія Іванівна", sex="female", birth_date="1950")
    b = fx.person(app, full_name="Bondar Mariia", sex="female", birth_date="1950")
    for pid in (a["id"], b["id"]):
        fx.incident(app, date_start="2022-05-01", acts=[{"violation_type": "killing_of_civilians", "means": "missile",
                    "victims": [{"harm": "killed", "person_id": pid, "sex": "female", "age": 72, "status": "civilian"}]}])
    merges.merge(app, SYSTEM, a["id"], b["id"], reason="same person, two lists")
    fx.incident(app, confidentiality="confidential", date_start="2022-04-01")
    case = records.create(app, SYSTEM, "case", CaseIn(code="UA-2022-001", title="Synthetic case"))
    fx.incident(app, case_id=case["id"], confidentiality="restricted", date_start="2022-04-02")
    fx.user(app, "analyst", "case-analyst")
    accounts.grant_case(app, SYSTEM, "case-analyst", case["id"], "restricted")
    return app


def test_columns_give_the_sql_figures(world) -> None:
    analyst = accounts.authenticate(world, "case-analyst", "correct horse battery")
    viewer = fx.user(world, "viewer", "a-viewer")
    seen = {}
    for actor in (SYSTEM, analyst, viewer):
        fast, answered = _figures(world, actor, FILTERS, use_columns=True)
        slow, none = _figures(world, actor, FILTERS, use_columns=False)
        assert none == [] and len(answered) == len(fast)  # every figure came from the columns
        for key, res in fast.items():
            assert repr(res) == repr(slow[key]), f"{actor.username}: {key}"  # repr: NaN equals NaN
        seen[actor.username] = fast[("victims", "[]")].value
    # the filters and need-to-know matter: the figures are not all the same number
    assert seen[SYSTEM.username] > seen["case-analyst"] > seen["a-viewer"] > 0
    totals = {key: res.value for key, res in _figures(world, SYSTEM, FILTERS, True)[0].items() if key[0] == "victims"}
    assert len(set(totals.values())) == len(FILTERS) and all(totals.values())


def test_filters_the_columns_cannot_apply_go_to_sql(world) -> None:
    fast, answered = _figures(world, SYSTEM, SQL_ONLY, use_columns=True)
    slow, _ = _figures(world, SYSTEM, SQL_ONLY, use_columns=False)
    assert answered == [] and repr(fast) == repr(slow)


def test_a_new_record_counts_at_once_even_on_a_big_database(world, monkeypatch) -> None:
    monkeypatch.setattr(harm_facts, "SYNC_RELOAD_SECONDS", -1.0)  # breakdowns would answer from the last read
    kw = {"harm": "killed", "date_from": "2022-02-24"}
    with world.db.session() as s:
        before = queries.run(world, s, SYSTEM, "victims", **kw)
    fx.incident(world, date_start="2024-01-02", acts=[{"violation_type": "killing_of_civilians", "means": "drone",
                "victims": [{"harm": "killed", "count": 7, "status": "civilian"}]}])
    with world.db.session() as s:
        after = queries.run(world, s, SYSTEM, "victims", **kw)
        assert s.info[queries_columns.ANSWERED] == ["victims"]
    assert (after.value, after.records) == (before.value + 7, before.records + 1)


def test_briefs_on_unchanged_data_read_the_columns_once(world) -> None:
    first = engine.render(world, SYSTEM, "monthly_update")
    version, columns = harm_facts._cache[str(world.db.url)]
    again = engine.render(world, SYSTEM, "monthly_update")
    assert harm_facts._cache[str(world.db.url)][1] is columns
    with world.db.session() as s:
        assert version == harm_facts.data_version(s)
    assert [(f.query, f.args, f.value, f.records) for f in first.figures] == \
        [(f.query, f.args, f.value, f.records) for f in again.figures]


def test_values_outside_the_vocabulary_are_read_too(app, tmp_path) -> None:
    """A deployment's extra term (here a means) still in old records after the term is gone."""
    extra = tmp_path / "vocab"
    extra.mkdir()
    (extra / "means.yaml").write_text("vocabulary: means\nversion: 2\nterms:\n  - {code: trebuchet, en: Trebuchet}\n",
                                      encoding="utf-8")
    with_term = Svidok(app.settings.model_copy(update={"vocab_dirs": [extra]}), database_url=str(app.db.url))
    fx.incident(with_term, acts=[{"violation_type": "killing_of_civilians", "means": "trebuchet",
                                  "victims": [{"harm": "killed", "count": 5, "status": "civilian"}]}])
    fx.incident(app)
    with_term.close()
    fast, answered = _figures(app, SYSTEM, [{}], use_columns=True)
    slow, _ = _figures(app, SYSTEM, [{}], use_columns=False)
    assert answered and repr(fast) == repr(slow)
    assert ("trebuchet", "trebuchet", 5) in fast[("means", "[]")].value


def test_a_list_of_violation_types_or_means_counts_victims_of_any_of_them(world) -> None:
    with world.db.session() as s:
        one = {v: queries.run(world, s, SYSTEM, "victims", violation_type=v).value
               for v in ("killing_of_civilians", "indiscriminate_attack")}
        both = queries.run(world, s, SYSTEM, "victims", violation_type=list(one)).value
        means = {m: queries.run(world, s, SYSTEM, "victims", means=m).value for m in ("missile", "artillery")}
        either = queries.run(world, s, SYSTEM, "victims_by", by="means", means=list(means)).value
    assert both == sum(one.values()) > 0
    assert {k: n for k, _, n in either} == {k: n for k, n in means.items() if n}
