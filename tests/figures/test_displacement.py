"""Displacement figures: host countries with protection status, forcible transfers out of
occupied areas, and need-to-know."""

from __future__ import annotations

import pytest

from svidok.core.actors import SYSTEM
from svidok.core.errors import ValidationFailed
from svidok.figures import displacement as displacement_stats
from svidok.schemas.others import DisplacementIn
from svidok.services import records
from tests import fixtures as fx

SIMFEROPOL_SIZO = "FAC-UA-SIMFEROPOL-SIZO1"  # inside Crimea


def move(app, **kw) -> dict:
    return records.create(app, SYSTEM, "displacement", DisplacementIn.model_validate({"date": "2022-04-01"} | kw))


def test_refugees_by_host_country_and_protection_status(app):
    p = fx.person(app)["id"]
    move(app, person_id=p, kind="refugee", to_country="PL", protection_status="eu_temporary_protection")
    move(app, kind="refugee", group_count=40, to_country="PL", protection_status="eu_temporary_protection")
    move(app, kind="refugee", group_count=3, to_country="US", protection_status="us_tps")
    move(app, kind="internally_displaced", group_count=7, to_place=fx.KHARKIV_OBLAST)
    rows = displacement_stats.by_host_country(app, SYSTEM)
    assert rows == [
        {"host_country": "PL", "protection_status": "eu_temporary_protection", "people": 41, "records": 2},
        {"host_country": "US", "protection_status": "us_tps", "people": 3, "records": 1},
    ]
    assert displacement_stats.by_host_country(app, SYSTEM, date_from="2023") == []


def test_forcible_transfers_out_of_crimea_are_counted_by_origin(app):
    move(app, kind="deported", group_count=12, from_place=fx.CRIMEA, to_country="RU", date="2023-05-10")
    move(app, kind="forcibly_transferred", group_count=5, from_place=fx.KHARKIV_OBLAST, date="2021-01-01")
    move(app, kind="refugee", group_count=100, from_place=fx.CRIMEA, to_country="PL")
    out = displacement_stats.forced_transfers(app, SYSTEM)
    assert out["totals"] == {"people": 17, "records": 2, "people_from_occupied_areas": 12, "people_to_russia": 12}
    crimea = [r for r in out["rows"] if r["from_occupied_area"]]
    assert len(crimea) == 1 and crimea[0]["destination_country"] == "RU" and crimea[0]["people"] == 12
    years = {(r["kind"], r["year"]): r["people"] for r in displacement_stats.by_kind_and_year(app, SYSTEM)}
    assert years == {("deported", 2023): 12, ("forcibly_transferred", 2021): 5, ("refugee", 2022): 100}


def test_hidden_records_are_not_counted(app):
    move(app, kind="refugee", group_count=9, to_country="DE", confidentiality="strictly_confidential")
    viewer = fx.user(app, "viewer")
    assert displacement_stats.by_host_country(app, viewer) == []
    assert displacement_stats.by_host_country(app, SYSTEM)[0]["people"] == 9


def test_bad_period_is_named(app):
    with pytest.raises(ValidationFailed) as exc:
        displacement_stats.by_host_country(app, SYSTEM, date_from="2022-13")
    assert exc.value.errors[0].field == "date_from"
