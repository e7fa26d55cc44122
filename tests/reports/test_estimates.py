"""Estimates with intervals in a brief: from linked victim records on several lists."""

from __future__ import annotations

from sqlalchemy import update

from svidok.core.actors import SYSTEM
from svidok.reports import engine
from svidok.schemas.records import IncidentIn
from svidok.services import incidents
from svidok.storage.models import Person
from tests.fixtures import CRIMEA, KHARKIV_OBLAST


def _list(app, name: str, n: int, place: str = KHARKIV_OBLAST) -> list[int]:
    victims = [{"harm": "killed", "status": "civilian", "sex": "female", "age": 40,
                "person": {"full_name": f"Синтетична {name} {i}", "sex": "female", "status": "civilian"}} for i in range(n)]
    inc = incidents.create(app, SYSTEM, IncidentIn.model_validate({
        "title": f"Synthetic strike ({name})", "date_start": "2022-04-01", "place": place,
        "acts": [{"violation_type": "killing_of_civilians", "means": "missile", "victims": victims}]}))
    ids = [v["person_id"] for v in inc["acts"][0]["victims"]]
    with app.db.session() as s:
        s.execute(update(Person).where(Person.id.in_(ids)).values(import_source=name))
    return ids


def test_estimate_figure_has_an_interval_and_counts_linked_people_once(sqlite_app, tmp_path) -> None:
    a, b, c = _list(sqlite_app, "A", 60), _list(sqlite_app, "B", 50), _list(sqlite_app, "C", 40)
    with sqlite_app.db.session() as s:  # linkage found: 25 of B are in A, 15 of C in A, 10 of C in B
        for src, dst in list(zip(b[:25], a[:25])) + list(zip(c[:15], a[25:40])) + list(zip(c[15:25], b[25:35])):
            s.execute(update(Person).where(Person.id == src).values(merged_into_id=dst))
    distinct = 60 + 25 + 15  # A, B not in A, C in neither
    path = tmp_path / "est.md.j2"
    path.write_text("---\ntitle: Estimate\n---\n# Estimate\n\n{{ estimates(harm='killed', title='Estimated') }}\n",
                    encoding="utf-8")
    brief = engine.render(sqlite_app, SYSTEM, path)
    fig = brief.figures[0]
    (stratum, observed, estimate), = fig.shown
    assert (stratum, observed) == ("all", distinct)
    row = fig.value["strata"][0]
    assert row["lower"] <= row["estimate"] <= (row["upper"] or float("inf")) and row["estimate"] >= distinct
    assert f">{distinct}</td>" in brief.html.replace("\u202f", "") and "95% interval" in brief.html


def test_stratified_estimates_end_with_a_total_of_the_strata(sqlite_app, tmp_path) -> None:
    for place in (KHARKIV_OBLAST, CRIMEA):
        a, b, c = (_list(sqlite_app, name, n, place) for name, n in (("A", 60), ("B", 50), ("C", 40)))
        with sqlite_app.db.session() as s:
            for src, dst in list(zip(b[:25], a[:25])) + list(zip(c[:15], a[25:40])) + list(zip(c[15:25], b[25:35])):
                s.execute(update(Person).where(Person.id == src).values(merged_into_id=dst))
    path = tmp_path / "est.md.j2"
    path.write_text("---\ntitle: Estimate\n---\n# Estimate\n\n{{ estimates(harm='killed', stratify='oblast') }}\n",
                    encoding="utf-8")
    fig = engine.render(sqlite_app, SYSTEM, path).figures[0]
    strata, total = fig.value["strata"], fig.value["total"]
    assert len(strata) == 2 and total["observed"] == 2 * 100
    assert total["estimate"] == sum(e["estimate"] for e in strata)
    assert fig.shown[-1] == ("total", 200, round(total["estimate"]))
