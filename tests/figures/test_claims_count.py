"""The claims figures counted in SQL give exactly the count made person by person in Python.

On a demo dataset with restricted and case records, a merge, family members with and without
consent or withdrawn, a prepared dossier, custody with forced labour, a child's deportation
and a deleted act, for each clearance, on both engines.
"""

from __future__ import annotations

import pytest

from svidok.core.actors import SYSTEM
from svidok.figures import claims as claim_figures
from svidok.schemas import others
from svidok.schemas.others import CaseIn
from svidok.services import accounts, claims, demo, incidents, merges, records
from tests import fixtures as fx
from tests.figures import claims_reference

KHERSON_OBLAST = "UA65000000000030969"


def _victim(app, name, harm, violation, birth="1980", age=None, place=fx.KHARKIV_OBLAST, date="2022-05-01", **extra) -> tuple[int, int]:
    p = fx.person(
        app,
        full_name=name,
        birth_date=birth,
        confidentiality=extra.get("confidentiality", "restricted"),
        **({"case_id": extra["case_id"]} if "case_id" in extra else {}),
    )
    inc = fx.incident(
        app,
        date_start=date,
        place=place,
        acts=[
            {
                "violation_type": violation,
                "victims": [{"harm": harm, "person_id": p["id"], "status": "civilian", **({"age": age} if age is not None else {})}],
            }
        ],
        **extra,
    )
    return p["id"], inc["id"]


@pytest.fixture
def dataset(app):
    demo.load(app, size=120)
    case = records.create(app, SYSTEM, "case", CaseIn(code="UA-2022-007", title="Synthetic case"))
    in_case, _ = _victim(app, "Бондар Олена", "killed", "killing_of_civilians", confidentiality="confidential", case_id=case["id"])
    claims.add_relative(app, SYSTEM, in_case, "spouse", "Бондар Іван (synthetic)", consent=True, consent_date="2024-01-02")
    # Two records of one man, merged: his facts count once, for the survivor.
    a, _ = _victim(app, "Мельник Андрій", "detained", "arbitrary_detention", place=KHERSON_OBLAST)
    b, _ = _victim(app, "Мельник Андрій Петрович", "ill_treated", "torture_and_ill_treatment")
    merges.merge(app, SYSTEM, a, b, reason="same man (synthetic)")
    claims.add_relative(app, SYSTEM, a, "parent", "Мельник Петро (synthetic)", consent=True, consent_date="2024-01-02")
    # A child deported (age from the birth date) and an adult, one hidden above an analyst's clearance.
    child, _ = _victim(app, "Ткач Марія", "displaced", "deportation_or_forcible_transfer", birth="2012")
    claims.add_relative(app, SYSTEM, child, "legal_guardian", "Ткач Ніна (synthetic)", consent=True, consent_date="2024-02-02")
    _victim(app, "Ткач Олег", "displaced", "deportation_or_forcible_transfer", age=40, confidentiality="strictly_confidential")
    # Before the Register's start date: not counted.
    _victim(app, "Давній Випадок", "killed", "killing_of_civilians", date="2021-06-01")
    # Withdrawn family member; a sibling (not a claimant for a death); a prepared dossier.
    killed, inc = _victim(app, "Коваленко Ганна", "killed", "killing_of_civilians", age=70)
    rel = claims.add_relative(app, SYSTEM, killed, "child", "Коваленко Петро (synthetic)", consent=True, consent_date="2024-05-02")
    claims.withdraw_relative(app, SYSTEM, rel["id"], "consent withdrawn (synthetic)")
    claims.add_relative(app, SYSTEM, killed, "sibling", "Коваленко Іра (synthetic)", consent=True, consent_date="2024-05-02")
    claims.record_dossier(app, SYSTEM, killed, {"categories": ["A2.1"]})
    # A removed incident: its facts no longer count.
    _, gone = _victim(app, "Видалений Запис", "injured", "injury_of_civilians")
    incidents.remove(app, SYSTEM, gone, "entered twice (synthetic)")
    # A child deported, known from a displacement record only: the age comes from the birth date.
    taken = fx.person(app, full_name="Ткач Софія", birth_date="2013-09-01")["id"]
    records.create(
        app,
        SYSTEM,
        "displacement",
        others.DisplacementIn.model_validate({"person_id": taken, "kind": "deported", "from_place": KHERSON_OBLAST, "date": "2022-08-15"}),
    )
    # Custody with forced labour, and a refugee displacement.
    held = fx.person(app, full_name="Лисенко Степан", birth_date="1975")["id"]
    records.create(
        app,
        SYSTEM,
        "custody_episode",
        others.CustodyEpisodeIn.model_validate(
            {
                "person_id": held,
                "date_from": "2022-04-03",
                "facility": KHERSON_OBLAST,
                "forced_labour": True,
                "confidentiality": "restricted",
            }
        ),
    )
    fled = fx.person(app, full_name="Гнатюк Ольга", birth_date="1991")["id"]
    records.create(
        app,
        SYSTEM,
        "displacement",
        others.DisplacementIn.model_validate({"person_id": fled, "kind": "refugee", "from_place": KHERSON_OBLAST, "date": "2022-03-10"}),
    )
    investigator = fx.user(app, "investigator", "t-investigator")
    fx.user(app, "investigator", "t-granted")
    accounts.grant_case(app, SYSTEM, "t-granted", case["id"], "confidential")
    granted = accounts.authenticate(app, "t-granted", "correct horse battery")
    return {
        "actors": [
            SYSTEM,
            fx.user(app, "administrator", "t-admin"),
            fx.user(app, "analyst", "t-analyst"),
            fx.user(app, "viewer", "t-viewer"),
            investigator,
            granted,
        ],
        "killed": killed,
        "in_case": in_case,
    }


def test_the_sql_count_equals_the_python_count_for_every_clearance(app, dataset):
    seen = []
    for actor in dataset["actors"]:
        sql, python = claim_figures.by_oblast(app, actor), claims_reference.by_oblast_python(app, actor)
        assert sql == python, actor.username
        seen.append({t["category"]: t["could_claim"] for t in sql["totals"]})
    # The comparison is not vacuous: figures exist, differ by clearance, and cover the cases built.
    admin, analyst, viewer = seen[1], seen[2], seen[3]
    assert sum(admin.values()) > sum(analyst.values()) > 0 and sum(viewer.values()) <= sum(analyst.values())
    totals = {t["category"]: t for t in claim_figures.by_oblast(app, SYSTEM)["totals"]}
    assert totals["A2.1"]["dossier_prepared"] >= 1 and totals["A2.1"]["claimant_recorded"] >= 1
    assert totals["A2.8"]["could_claim"] >= 2 and totals["A2.7"]["could_claim"] >= 1
    granted, ungranted = seen[5], seen[4]
    assert granted["A2.1"] == ungranted["A2.1"] + 1  # the case's victim, seen only with the grant
