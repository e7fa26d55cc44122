"""Incidents received from a partner enter the duplicate-incident review queue against the receiver's
own; nothing is merged by the import; "same" merges them (reversibly) and figures count the incident once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from svidok.core.actors import SYSTEM
from svidok.figures import incident_figures
from svidok.services import incident_duplicates, share_import
from svidok.storage.models import Incident
from tests import fixtures
from tests.services.test_share_exchange import export, pair, received, shared_incident  # noqa: F401


def _count(app) -> int:
    with app.db.session() as s:
        return incident_figures.incidents(app, s, SYSTEM).value


def test_received_incidents_wait_in_the_duplicate_queue_and_same_counts_once(pair, tmp_path: Path):  # noqa: F811
    a, b, _c = pair
    shared_incident(a)  # Org A's record of the shelling
    own = fixtures.incident(
        b,
        title="Shelling of the central market",
        place="UA63120270010096107",
        lat=49.99,
        lon=36.23,
        acts=[
            {
                "violation_type": "killing_of_civilians",
                "means": "artillery",
                "victims": [{"harm": "killed", "status": "civilian"}, {"harm": "injured", "count": 4, "status": "civilian"}],
            }
        ],
    )
    fixtures.incident(b, title="A strike elsewhere", date_start="2023-07-01")
    assert incident_duplicates.queue(b, SYSTEM)["items"] == []

    export(a, "orgb", tmp_path / "1.svp")
    dry = share_import.run(b, SYSTEM, tmp_path / "1.svp", dry_run=True)
    assert "duplicates" not in dry and incident_duplicates.queue(b, SYSTEM)["items"] == []  # a dry run queues nothing
    out = share_import.run(b, SYSTEM, tmp_path / "1.svp")
    copy = received(b, "Shelling of a market")
    assert out["duplicates"] == {"checked": 1, "queued": 1}
    [pair_item] = incident_duplicates.queue(b, SYSTEM)["items"]
    assert {pair_item["left"]["id"], pair_item["right"]["id"]} == {copy.id, own["id"]}
    with b.db.session() as s:  # never merged by the import
        assert s.scalars(select(Incident.merged_into_id).where(Incident.id.in_([copy.id, own["id"]]))).all() == [None, None]
    assert _count(b) == 3

    incident_duplicates.same(b, SYSTEM, pair_item["id"], "same market, same hour")
    assert _count(b) == 2  # known to two organisations, counted once
    incident_duplicates.undo(b, SYSTEM, pair_item["id"], "checked again: two strikes")
    assert _count(b) == 3

    # the partner's next package (unchanged record) queues nothing new
    export(a, "orgb", tmp_path / "2.svp")
    assert share_import.run(b, SYSTEM, tmp_path / "2.svp")["duplicates"] == {"checked": 0, "queued": 0}


def test_share_link_is_a_reversible_merge_and_victims_count_once(pair, tmp_path: Path):  # noqa: F811
    from svidok.services import sharing
    from svidok.storage.models import IncidentMerge

    a, b, _c = pair
    shared_incident(a)
    own = fixtures.incident(b, title="B's record of the shelling", date_start="2022-03-05")
    export(a, "orgb", tmp_path / "1.svp")
    share_import.run(b, SYSTEM, tmp_path / "1.svp")
    copy = received(b, "Shelling of a market")

    def killed() -> int:
        with b.db.session() as s:
            return incident_figures.victims(b, s, SYSTEM, harm="killed").value

    before = (_count(b), killed())
    out = sharing.link(b, SYSTEM, "incident", copy.id, own["id"], "same street and hour")
    assert (out["survivor_id"], out["merged_id"]) == (min(copy.id, own["id"]), max(copy.id, own["id"]))
    assert _count(b) == before[0] - 1
    assert killed() < before[1]  # the victims of the merged report no longer count twice
    with b.db.session() as s:
        assert s.scalar(select(IncidentMerge.reason).where(IncidentMerge.id == out["merge_id"])).startswith("share link")
    sharing.unlink(b, SYSTEM, "incident", copy.id, "two strikes after all")
    assert (_count(b), killed()) == before
