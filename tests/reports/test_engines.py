"""The same briefs on SQLite and PostgreSQL (the report SQL must run on both)."""

from __future__ import annotations

from sqlalchemy import text

from svidok.core.actors import SYSTEM
from svidok.reports import engine
from svidok.reports.editions import Edition
from svidok.services import demo


def test_every_template_renders_on_each_engine(app) -> None:
    demo.load(app, size=300)
    with app.db.session() as s:
        incidents = s.execute(text("SELECT COUNT(*) FROM incidents WHERE deleted_at IS NULL AND date_hi >= '2022-02-24'")).scalar()
    for t in engine.list_templates():
        for edition in ("internal", "public"):
            brief = engine.render(app, SYSTEM, t.name, edition=Edition(edition))
            assert brief.figures
            if t.name == "letter_annex":
                fig = next(f for f in brief.figures if f.query == "incidents" and f.args == {"date_from": "2022-02-24"})
                assert fig.value == incidents
    points = engine.render(app, SYSTEM, "monthly_update").figures
    drawn = next(f for f in points if f.kind == "map")
    assert drawn.records > 0 and drawn.shown > 0
