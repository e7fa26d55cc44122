"""The duplicate-incident finder on its own: blocking, weights in words, order, learnt weights."""

from __future__ import annotations

from datetime import date, timedelta

from svidok.linkage.incident_duplicates import IncidentFacts, find
from svidok.linkage.incident_weights import HAND, fit, levels

DAY = date(2023, 5, 14)


def _f(i: int, day: date = DAY, lat: float | None = 49.99, lon: float | None = 36.23, date_hi: date | None = None,
       **kw) -> IncidentFacts:
    base = {"place_id": 7, "types": ("attack_on_civilians",), "means": ("artillery",), "victims": 2,
            "words": ("obstril", "saltivka")}
    return IncidentFacts(id=i, date_lo=day, date_hi=date_hi or day, lat=lat, lon=lon, **(base | kw))


def test_reports_of_one_attack_pair_and_far_ones_are_never_compared():
    facts = [_f(1), _f(2, lat=49.992, lon=36.232),
             _f(3, day=DAY + timedelta(days=20)),        # three weeks later: not compared
             _f(4, lat=46.63, lon=32.61, place_id=9),    # Kherson, the same day: not compared
             _f(5, lat=None, lon=None)]                  # no point, the same place: compared by place
    out = find(facts, min_bits=-100)
    assert {(p["id_l"], p["id_r"]) for p in out.pairs} == {(1, 2), (1, 5), (2, 5)}
    best = out.pairs[0]
    assert (best["id_l"], best["id_r"]) == (1, 2) and best["probability"] > 0.99
    said = {r["field"]: (r["finding"], r["verdict"]) for r in best["reasons"]}
    assert said["date"] == ("the same day", "for") and said["place"][0].endswith("m apart")
    assert said["type"] == ("1 violation type(s) in common", "for") and said["means"] == ("the same means", "for")


def test_a_shared_named_victim_links_reports_weeks_and_cities_apart():
    facts = [_f(1, persons=(41,)), _f(2, day=DAY + timedelta(days=12), lat=50.45, lon=30.52, persons=(41,))]
    pair, = find(facts, min_bits=-100).pairs
    said = {r["field"]: (r["finding"], r["weight"]) for r in pair["reasons"]}
    assert said["victims"] == ("1 named victim(s) in both", HAND["victims"][2])
    assert said["date"][0] == "dates 12 days apart" and said["place"][1] < 0


def test_a_month_known_report_is_compared_with_the_days_of_its_month():
    facts = [_f(1, day=date(2023, 5, 1), date_hi=date(2023, 5, 31)), _f(2, day=date(2023, 5, 24))]
    pair, = find(facts, min_bits=-100).pairs
    assert pair["reasons"][0]["finding"] == "dates overlap (one spans 31 days)"


def test_focus_and_order_are_the_same_on_every_run():
    facts = [_f(i, lat=49.99 + i * 0.001) for i in range(1, 30)]
    a, b = find(facts, min_bits=-100), find(list(reversed(facts)), min_bits=-100)
    assert [(p["id_l"], p["id_r"], p["bits"]) for p in a.pairs] == [(p["id_l"], p["id_r"], p["bits"]) for p in b.pairs]
    only = find(facts, min_bits=-100, focus=7).pairs
    assert only and all(7 in (p["id_l"], p["id_r"]) for p in only)


def test_weights_learnt_without_labels_keep_unknown_at_zero():
    import numpy as np

    rng = np.random.default_rng(3)
    n = 4000
    same = rng.random(n) < 0.2
    m = {"gap": np.where(same, 0, rng.integers(0, 4, n)), "same_day": same & (rng.random(n) < 0.8),
         "span": np.zeros(n), "km": np.where(same, rng.random(n), rng.random(n) * 15),
         "same_place": np.full(n, np.nan), "types_known": np.ones(n), "types_shared": np.where(same, 1, rng.integers(0, 2, n)),
         "means_known": np.zeros(n), "means_shared": np.zeros(n), "persons_known": np.zeros(n),
         "persons_shared": np.zeros(n), "victims_l": np.zeros(n), "victims_r": np.zeros(n),
         "sources_shared": np.zeros(n), "words_shared": np.zeros(n), "words_union": np.zeros(n)}
    table, prior = fit(levels(m))
    assert table["means"][0] == 0 and table["date"][1] > 0 > table["date"][6]
    assert table["place"][1] > table["place"][3] and prior < 0
