"""Need-to-know: levels, cases, and counts that never reveal hidden records."""

import pytest

from svidok.core.actors import SYSTEM
from svidok.core.errors import Forbidden, NotFound
from svidok.schemas.filters import IncidentFilter
from svidok.schemas.others import CaseIn
from svidok.services import accounts, incident_queries, incidents, records, sources
from tests import fixtures as fx


def test_each_role_sees_only_its_levels_and_counts_agree(app):
    levels = ["public", "restricted", "confidential", "strictly_confidential"]
    made = {lvl: fx.incident(app, confidentiality=lvl)["id"] for lvl in levels}
    expected = {"viewer": 1, "analyst": 2, "investigator": 3, "administrator": 4}
    for role, n in expected.items():
        actor = fx.user(app, role)
        listed = {i["id"] for i in incident_queries.listing(app, actor, IncidentFilter())["items"]}
        assert listed == {made[lvl] for lvl in levels[:n]}
        assert incident_queries.count(app, actor, IncidentFilter()) == n
    viewer = accounts.authenticate(app, "viewer", "correct horse battery")
    with pytest.raises(NotFound):  # not Forbidden: a hidden record does not admit it exists
        incidents.get(app, viewer, made["restricted"])


def test_case_records_need_a_grant(app):
    case = records.create(app, SYSTEM, "case", CaseIn(code="UA-2022-001", title="Synthetic case"))
    inc = fx.incident(app, case_id=case["id"], confidentiality="confidential")
    investigator = fx.user(app, "investigator")
    assert incident_queries.count(app, investigator, IncidentFilter()) == 0
    accounts.grant_case(app, SYSTEM, "investigator", case["id"], "confidential")
    investigator = accounts.authenticate(app, "investigator", "correct horse battery")
    assert incidents.get(app, investigator, inc["id"])["id"] == inc["id"]


def test_viewers_cannot_write_and_see_pseudonyms_only(app):
    viewer = fx.user(app, "viewer")
    with pytest.raises(Forbidden):
        fx.incident(app, viewer)
    src = fx.source(app, confidentiality="public")
    seen = sources.get(app, viewer, src["id"])
    assert seen["identity"] == src["pseudonym"] and "Коваленко" not in str(seen)
    with pytest.raises(Forbidden):
        sources.reveal(app, viewer, src["id"], "curious")
    investigator = fx.user(app, "investigator")
    assert sources.reveal(app, investigator, src["id"], "interview follow-up")["identity"].startswith("Коваленко")
