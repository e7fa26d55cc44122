"""Interventions: validated status transitions with history, views by target and theme,
what changed since the last letter, and the letter's evidence annex."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from svidok.core.actors import SYSTEM
from svidok.core.errors import Forbidden, NotFound, ValidationFailed
from svidok.reports import engine
from svidok.reports.editions import Edition
from svidok.schemas.others import InterventionIn
from svidok.services import advocacy, records
from tests import fixtures as fx

TARGET = "Ministry of Foreign Affairs (synthetic)"


def _letter(app, date: str, recs: list[tuple[str, str]], target: str = TARGET, status: str = "sent", **extra) -> dict:
    return records.create(app, SYSTEM, "intervention", InterventionIn.model_validate({
        "title": f"Letter of {date} (synthetic)", "date": date, "target": target, "status": status,
        "recommendations": [{"theme": t, "text": x} for t, x in recs], **extra}))


def test_status_moves_only_along_allowed_transitions_and_keeps_history(app) -> None:
    letter = _letter(app, "2026-09-01", [("mine_action", "Fund clearance.")], status="draft")
    advocacy.set_status(app, SYSTEM, letter["id"], "sent", note="by courier")
    advocacy.set_status(app, SYSTEM, letter["id"], "acknowledged", note="reply 17/2026")
    out = advocacy.set_status(app, SYSTEM, letter["id"], "acted_on")
    assert [h["status"] for h in out["status_history"]] == ["draft", "sent", "acknowledged", "acted_on"]
    assert out["status_history"][1]["note"] == "by courier"
    with pytest.raises(ValidationFailed, match="cannot become 'sent'.*reversed"):
        advocacy.set_status(app, SYSTEM, letter["id"], "sent")
    with pytest.raises(ValidationFailed, match="unknown status 'forgotten'"):
        advocacy.set_status(app, SYSTEM, letter["id"], "forgotten")
    reversed_ = advocacy.set_status(app, SYSTEM, letter["id"], "reversed", note="decree annulled")
    assert reversed_["status"] == "reversed" and reversed_["version"] == letter["version"] + 4


def test_status_dates_and_permissions(app) -> None:
    letter = _letter(app, "2026-09-01", [("accountability", "Refer to the ICC.")])
    with pytest.raises(ValidationFailed, match="future"):
        advocacy.set_status(app, SYSTEM, letter["id"], "acknowledged", at=datetime.now(UTC) + timedelta(days=2))
    with pytest.raises(ValidationFailed, match="before the intervention's date"):
        advocacy.set_status(app, SYSTEM, letter["id"], "acknowledged", at=datetime(2026, 8, 1, tzinfo=UTC))
    analyst = fx.user(app, "analyst")
    with pytest.raises(Forbidden):
        advocacy.set_status(app, analyst, letter["id"], "acknowledged")
    with pytest.raises(NotFound):
        advocacy.set_status(app, SYSTEM, 999, "acknowledged")


def test_views_by_target_and_theme(app) -> None:
    a = _letter(app, "2026-03-01", [("mine_action", "Fund clearance."), ("detainees_and_pows", "Grant ICRC access.")])
    _letter(app, "2026-09-01", [("detainees_and_pows", "Grant ICRC access.")])
    _letter(app, "2026-05-01", [("refugees_and_protection", "Extend TPS.")], target="Congress (synthetic)")
    advocacy.set_status(app, SYSTEM, a["id"], "ignored")
    targets = {t["target"]: t for t in advocacy.by_target(app, SYSTEM)}
    assert set(targets) == {TARGET, "Congress (synthetic)"}
    assert targets[TARGET]["by_status"] == {"ignored": 1, "sent": 1}
    assert targets[TARGET]["last"]["date"] == "2026-09-01"
    themes = {t["theme"]: t for t in advocacy.by_theme(app, SYSTEM)}
    assert len(themes["detainees_and_pows"]["recommendations"]) == 2
    assert themes["refugees_and_protection"]["targets"] == ["Congress (synthetic)"]
    assert themes["humanitarian_access"]["recommendations"] == []
    assert themes["mine_action"]["by_status"] == {"ignored": 1}


def test_what_changed_since_the_last_letter(app) -> None:
    _letter(app, "2026-03-01", [("mine_action", "Fund clearance."), ("detainees_and_pows", "Grant ICRC access.")])
    last = _letter(app, "2026-09-01", [("detainees_and_pows", "Grant  ICRC access."), ("accountability", "Refer to the ICC.")])
    advocacy.set_status(app, SYSTEM, last["id"], "acknowledged", note="reply")
    fx.incident(app, title="Strike after the letter (synthetic)", date_start="2026-10-01")
    out = advocacy.since_last_letter(app, SYSTEM, TARGET)
    assert out["last"]["id"] == last["id"] and out["previous"]["date"] == "2026-03-01"
    rec = out["recommendations"]
    assert [r["theme"] for r in rec["repeated"]] == ["detainees_and_pows"]
    assert [r["theme"] for r in rec["new"]] == ["accountability"]
    assert [r["theme"] for r in rec["dropped"]] == ["mine_action"]
    assert [h["status"] for h in out["status_history"]] == ["sent", "acknowledged"]
    assert out["documented_since"]["by_theme"]["accountability"] == 1
    with pytest.raises(NotFound):
        advocacy.since_last_letter(app, SYSTEM, "Nobody")


def test_a_restricted_letter_is_invisible_to_a_viewer(app) -> None:
    _letter(app, "2026-09-01", [("accountability", "Refer.")], confidentiality="restricted")
    viewer = fx.user(app, "viewer")
    assert advocacy.by_target(app, viewer) == []
    with pytest.raises(NotFound):
        advocacy.since_last_letter(app, viewer, TARGET)


def test_letter_annex_cites_support_records_and_live_figures(sqlite_app) -> None:
    from svidok.services import demo

    demo.load(sqlite_app, size=300)
    public = fx.incident(sqlite_app, title="Public strike (synthetic)", confidentiality="public")
    hidden = fx.incident(sqlite_app, title="Restricted strike (synthetic)", confidentiality="restricted")
    letter = _letter(sqlite_app, "2026-09-01", [("accountability", "Investigate strikes on homes.")])
    with sqlite_app.db.session() as s:
        from svidok.storage.models import Recommendation
        rec = s.query(Recommendation).filter_by(intervention_id=letter["id"]).one()
        rec.support = [{"entity": "incident", "id": public["id"]}, {"entity": "incident", "id": hidden["id"]},
                       {"query": "victims", "args": {"harm": "killed"}, "label": "civilians killed"}]
    internal = engine.render(sqlite_app, SYSTEM, "letter_annex", params={"intervention": letter["id"], "since": "2022-01-01"})
    assert f"incident {public['id']}" in internal.html and f"incident {hidden['id']}" in internal.html
    killed = next(f for f in internal.figures if f.query == "victims" and f.args == {"harm": "killed"})
    with sqlite_app.db.session() as s:
        from sqlalchemy import text
        # people documented by several lists are merged into one record: count them once
        expected = s.execute(text("SELECT SUM(v.count) FROM victims v JOIN acts a ON a.id = v.act_id JOIN incidents i "
                                  "ON i.id = a.incident_id WHERE v.harm = 'killed' AND i.deleted_at IS NULL "
                                  "AND (v.person_id IS NULL OR v.person_id IN "
                                  "(SELECT id FROM persons WHERE merged_into_id IS NULL AND deleted_at IS NULL))")).scalar()
    assert killed.value == expected and killed.title == "civilians killed"
    assert f"civilians killed: <span class=\"num\">{expected:,}</span>".replace(",", "\u202f") in internal.html
    pub = engine.render(sqlite_app, SYSTEM, "letter_annex", edition=Edition("public"),
                        params={"intervention": letter["id"], "since": "2022-01-01"})
    assert f"incident {public['id']}" in pub.html and f"incident {hidden['id']}" not in pub.html
    assert "1 record(s) not shown in this edition" in pub.html
