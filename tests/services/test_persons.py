"""Persons and names across scripts."""

import pytest

from svidok.core.actors import SYSTEM
from svidok.core.errors import Conflict, Forbidden
from svidok.schemas.records import PersonUpdate
from svidok.services import persons
from tests import fixtures as fx


def test_a_latin_search_finds_ukrainian_and_russian_spellings(app):
    uk = fx.person(app, full_name="Олександр Шевченко")
    ru = fx.person(app, full_name="Александр Шевченко")
    other = fx.person(app, full_name="Григорій Коваленко")
    got = {p["id"] for p in persons.search(app, SYSTEM, "Oleksandr Shevchenko")}
    assert got == {uk["id"], ru["id"]}
    assert {p["id"] for p in persons.search(app, SYSTEM, "Григорий")} == {other["id"]}


def test_name_forms_are_derived(app):
    p = fx.person(app, full_name="Олександр Шевченко")
    forms = persons.get(app, SYSTEM, p["id"])["name_forms"]
    assert forms["uk_latin"] == "Oleksandr Shevchenko"
    assert forms["ru_cyrillic"] == "Александр Шевченко"


def test_person_page_lists_incidents_and_edits_are_versioned(app):
    p = fx.person(app)
    fx.incident(app, acts=[{"violation_type": "injury_of_civilians", "victims": [{"person_id": p["id"], "harm": "injured"}]}])
    got = persons.get(app, SYSTEM, p["id"])
    assert [i["harm"] for i in got["incidents"]] == ["injured"]
    # linking the victim filled in the name parts (a new version): edits start from the one read
    persons.update(app, SYSTEM, p["id"], PersonUpdate(version=got["version"], life_status="dead"))
    with pytest.raises(Conflict):
        persons.update(app, SYSTEM, p["id"], PersonUpdate(version=got["version"], life_status="alive"))


def test_protected_address_is_encrypted_and_each_read_is_logged(app):
    from sqlalchemy import select

    from svidok.storage.models import LedgerEntry, Person

    p = fx.person(app, address="вул. Синтетична, 1, Харків", contact="+380 00 000 00 00", confidentiality="public")
    with app.db.session() as s:
        row = s.get(Person, p["id"])
        assert b"\xd0\xb2\xd1\x83\xd0\xbb" not in row.address_enc  # no plaintext "вул" in storage
    viewer = fx.user(app, "viewer")
    assert persons.get(app, viewer, p["id"])["has_address"] is True
    with pytest.raises(Forbidden):
        persons.read_protected(app, viewer, p["id"], "curious")
    investigator = fx.user(app, "investigator")
    assert persons.read_protected(app, investigator, p["id"], "contact the family")["address"].startswith("вул.")
    with app.db.session() as s:
        reads = s.scalars(select(LedgerEntry).where(LedgerEntry.action == "protected.read")).all()
        assert [(r.actor, r.record_id) for r in reads] == [("investigator", str(p["id"]))]


def test_the_count_is_of_the_persons_the_actor_may_see_and_stops_at_its_cap(app):
    from svidok.core.actors import Actor

    before = {role: persons.count(app, Actor(role, role)) for role in ("viewer", "investigator")}
    fx.person(app, full_name="Публічна Особа", confidentiality="public")
    fx.person(app, full_name="Конфіденційна Особа", confidentiality="confidential")
    removed = fx.person(app, full_name="Вилучена Особа", confidentiality="public")
    persons.remove(app, SYSTEM, removed["id"], "test")
    assert persons.count(app, Actor("viewer", "viewer")) == before["viewer"] + 1
    assert persons.count(app, Actor("investigator", "investigator")) == before["investigator"] + 2
    assert persons.count(app, Actor("investigator", "investigator"), cap=1) == 1
