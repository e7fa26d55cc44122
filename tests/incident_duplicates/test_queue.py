"""Duplicate incidents: found on entry and in a batch run, reviewed, merged reversibly, counted once."""

from __future__ import annotations

import pytest

from svidok.core.actors import SYSTEM
from svidok.core.errors import Conflict, Forbidden
from svidok.figures import incident_figures, registry  # noqa: F401  - registers the queries
from svidok.schemas.records import IncidentIn
from svidok.services import incident_duplicates, incidents
from tests import fixtures as fx


def _strike(app, **overrides) -> dict:
    data = {"title": "Missile strike on the Barabashovo market", "date_start": "2022-03-15", "place": fx.KHARKIV_OBLAST,
            "lat": 49.9925, "lon": 36.2950,
            "narrative": "Synthetic. A missile hit the market in the morning; three traders were killed.",
            "acts": [{"violation_type": "killing_of_civilians", "means": "missile",
                      "victims": [{"harm": "killed", "count": 3, "status": "civilian"}]}]}
    data.update(overrides)
    return fx.incident(app, **data)


def _figures(app) -> tuple[int, int]:
    """Incidents and victims as a brief counts them (fresh sessions: no memo between calls)."""
    with app.db.session() as s:
        incidents_n = registry.run(app, s, SYSTEM, "incidents").value
    with app.db.session() as s:
        return incidents_n, registry.run(app, s, SYSTEM, "victims").value


def test_a_second_report_is_flagged_on_entry_with_reasons_and_merged_reversibly(app):
    first = _strike(app)
    assert first["possible_duplicates"] == []
    # The same strike from another source: Ukrainian title, a day's doubt, 400 m off, 4 killed.
    second = _strike(app, title="Ракетний удар по ринку Барабашово", date_start="2022-03-15", date_end="2022-03-16",
                     lat=49.9960, lon=36.2970, narrative="Синтетичне. Ракета влучила в ринок Барабашово.",
                     acts=[{"violation_type": "killing_of_civilians", "means": "missile",
                            "victims": [{"harm": "killed", "count": 4, "status": "civilian"}]}])
    hit, = second["possible_duplicates"]
    assert hit["incident_id"] == first["id"] and hit["probability"] > 0.5
    findings = {r["field"]: r for r in hit["reasons"]}
    assert findings["date"]["finding"] == "dates overlap (one spans 2 days)"
    assert findings["place"]["finding"].endswith("m apart") and findings["place"]["verdict"] == "for"
    assert findings["means"]["finding"] == "the same means"
    # A different attack the same day across the city is not flagged.
    other = _strike(app, title="Shelling of Saltivka", lat=50.0300, lon=36.3500, narrative="Synthetic. Artillery hit a school.",
                    acts=[{"violation_type": "attack_on_civilian_objects", "means": "artillery", "victims": []}])
    assert other["possible_duplicates"] == []

    assert _figures(app) == (3, 7)
    page = incident_duplicates.queue(app, SYSTEM)
    pair, = page["items"]
    assert (pair["left"]["id"], pair["right"]["id"], pair["found_by"]) == (first["id"], second["id"], "entry")
    inv = fx.user(app, "investigator")
    done = incident_duplicates.same(app, inv, pair["id"], "the same strike")
    assert done["status"] == "same" and done["merge"]["merged_id"] == second["id"]
    assert incidents.get(app, SYSTEM, second["id"])["merged_into_id"] == first["id"]
    assert incidents.get(app, SYSTEM, first["id"])["merged_here"] == [second["id"]]
    assert _figures(app) == (2, 3)  # the strike once, with the victims of the report kept
    with pytest.raises(Conflict):
        incident_duplicates.different(app, inv, pair["id"])
    undone = incident_duplicates.undo(app, inv, pair["id"], "not sure")
    assert undone["status"] == "pending" and undone["merges_undone"] == [done["merge"]["id"]]
    assert incidents.get(app, SYSTEM, second["id"])["merged_into_id"] is None
    assert _figures(app) == (3, 7)
    assert incident_duplicates.different(app, inv, pair["id"])["status"] == "different"
    # A batch run keeps the reviewer's decision and finds nothing new.
    out = incident_duplicates.run(app, SYSTEM)
    assert (out["incidents"], out["likely"], out["new"], out["already_decided"]) == (3, 1, 0, 1)
    with pytest.raises(Forbidden):
        incident_duplicates.run(app, inv)


def test_a_draft_is_checked_before_it_is_saved(app):
    first = _strike(app)
    draft = IncidentIn.model_validate({
        "title": "Удар по рынку Барабашово", "date_start": "2022-03-15", "place": fx.KHARKIV_OBLAST,
        "lat": 49.993, "lon": 36.296, "acts": [{"violation_type": "killing_of_civilians", "means": "missile"}]})
    hits = incident_duplicates.check(app, SYSTEM, draft)
    assert [h["incident_id"] for h in hits] == [first["id"]]
    assert incident_duplicates.queue(app, SYSTEM)["total"] == 0  # a check stores nothing


def test_the_cli_warns_on_entry_and_reviews(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from svidok.cli.main import app as cli
    from svidok.config import get_settings

    monkeypatch.setenv("SVIDOK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        assert runner.invoke(cli, ["init"]).exit_code == 0
        add = ["incident", "add", "--date", "2022-08-03", "--place", fx.KHARKIV_OBLAST, "-v", "killing_of_civilians",
               "--means", "artillery", "--killed", "3"]
        assert runner.invoke(cli, [*add, "--title", "Shelling of the central market"]).exit_code == 0
        r = runner.invoke(cli, [*add, "--title", "Обстріл центрального ринку"])
        assert r.exit_code == 0 and "May be the same incident as 1" in r.output, r.output
        r = runner.invoke(cli, ["duplicates", "show", "1"])
        assert r.exit_code == 0 and "the same means" in r.output and "+1.0" in r.output, r.output
        r = runner.invoke(cli, ["duplicates", "same", "1", "--note", "one shelling"])
        assert "incident 2 merged into 1" in r.output, r.output
        r = runner.invoke(cli, ["duplicates", "undo", "1"])
        assert "now pending" in r.output
        r = runner.invoke(cli, ["duplicates", "run"])
        assert r.exit_code == 0 and '"incidents": 2' in r.output, r.output
    finally:
        get_settings.cache_clear()
