"""The monitoring page's figures: the page of ``custody.monitor`` with its count from the
shared cache, on each engine: exact per clearance, recounted when the records change."""

from __future__ import annotations

from datetime import date

from svidok.core.actors import SYSTEM
from svidok.figures import cached, custody_monitor
from svidok.schemas.others import CustodyEpisodeIn
from svidok.services import custody, figure_cache, records
from tests import fixtures as fx

TODAY = date(2026, 11, 1)


def _held(app, name: str, since: str, confidentiality: str = "confidential") -> int:
    p = fx.person(app, full_name=name, confidentiality=confidentiality)["id"]
    records.create(app, SYSTEM, "custody_episode", CustodyEpisodeIn(
        person_id=p, authority="fsb", date_from=since, acknowledged=False, confidentiality=confidentiality))
    return p


def test_count_is_per_clearance_and_follows_the_records(app):
    investigator, analyst = fx.user(app, "investigator"), fx.user(app, "analyst")
    _held(app, "Synthetic Person One", "2025-12-01")
    _held(app, "Synthetic Person Two", "2026-10-20")
    # The investigator counts first; the analyst, who may see neither episode, must not get that count.
    seen = custody_monitor.page(app, investigator, today=TODAY)
    assert seen["total"] == 2 == custody.monitor(app, investigator, today=TODAY)["total"]
    assert [i["full_name"] for i in seen["items"]] == ["Synthetic Person One", "Synthetic Person Two"]
    kept = figure_cache.get(app, cached.clearance_key(custody_monitor.count_name(TODAY, {}), investigator))
    assert kept is not None and kept.value["total"] == 2  # kept in the shared cache (keys fit its column)
    hidden = custody_monitor.page(app, analyst, today=TODAY)
    assert hidden["total"] == 0 and hidden["items"] == [] and not hidden["total_stale"]
    # Filters are counted apart: no sign of life for more than 30 days.
    assert custody_monitor.page(app, investigator, today=TODAY, days=30)["total"] == 1
    # A new episode the analyst may see: both counts move at once (a quick count is redone in the request).
    _held(app, "Synthetic Person Three", "2026-01-15", confidentiality="restricted")
    assert custody_monitor.page(app, investigator, today=TODAY)["total"] == 3
    now = custody_monitor.page(app, analyst, today=TODAY)
    assert now["total"] == 1 and [i["full_name"] for i in now["items"]] == ["Synthetic Person Three"]
    assert custody_monitor.page(app, investigator, today=TODAY, days=30)["total"] == 2
