"""Dashboard figures on every engine: need-to-know, months, oblasts, occupied areas."""

from __future__ import annotations

from svidok.core.actors import SYSTEM
from svidok.figures import dashboard
from svidok.services import reference
from tests import fixtures as fx


def test_counts_respect_need_to_know_on_each_engine(app):
    viewer = fx.user(app, "viewer")
    fx.incident(app, confidentiality="public", date_start="2022-03-05")
    fx.incident(app, confidentiality="public", date_start="2022-04", place=fx.CRIMEA,
                acts=[{"violation_type": "arbitrary_detention", "victims": [{"harm": "detained", "count": 1}]}])
    fx.incident(app, confidentiality="confidential", date_start="2022", title="Hidden")
    all_ = dashboard.summary(app, SYSTEM, fresh=True)
    seen = dashboard.summary(app, viewer, fresh=True)
    assert all_["total"] == 3 and seen["total"] == 2
    assert dict(seen["by_family"]) == {"attacks_on_civilians": 1, "detention": 1}
    assert dict(all_["by_family"]) == {"attacks_on_civilians": 2, "detention": 1}
    assert seen["by_month"] == [["2022-03", 1], ["2022-04", 1]] and seen["month_imprecise"] == 0
    assert all_["month_imprecise"] == 1  # "2022" is not one month
    oblasts = {reference.place(app, oid)["code"]: n for oid, _en, _uk, n in seen["by_oblast"]}
    assert oblasts == {fx.KHARKIV_OBLAST: 1, fx.CRIMEA: 1}


def test_cached_figures_are_per_clearance(app):
    viewer = fx.user(app, "viewer")
    dashboard.forget(app)
    fx.incident(app, confidentiality="confidential")
    assert dashboard.summary(app, viewer)["total"] == 0
    assert dashboard.summary(app, SYSTEM)["total"] == 1  # not the viewer's cached figure
    cached = dashboard.summary(app, viewer)
    assert cached["computed_at"] == dashboard.summary(app, viewer)["computed_at"]  # from the cache
    fx.incident(app, confidentiality="public")
    assert dashboard.summary(app, viewer)["total"] == 1  # the change is seen at once, not after CACHE_SECONDS


def test_occupied_units_for_the_map(app):
    occupied = dashboard.occupied_units(app)
    assert occupied[fx.CRIMEA] == "occupied"
    assert occupied.get(fx.KHARKIV_OBLAST) in (None, "partly")
    assert "partly" in occupied.values()  # parts of Donetsk, Luhansk, Zaporizhzhia, Kherson oblasts
