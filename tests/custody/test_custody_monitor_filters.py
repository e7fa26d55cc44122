"""The monitoring view's filters by mark and by occupation give the same people whichever
way the records were written, and stay right when a person or an episode is edited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import and_, func, or_, select

from svidok.core.actors import SYSTEM
from svidok.domain import people
from svidok.schemas.others import CustodyEpisodeIn
from svidok.schemas.records import PersonUpdate
from svidok.services import custody, demo, persons, records
from svidok.storage.models import CustodyEpisode, Person
from tests import fixtures as fx

TODAY = date(2026, 11, 1)
BUCHA = "FAC-UA-BUCHA-YABLUNSKA144"  # Bucha: occupied from 27 Feb 2022; its raion until 2 Apr 2022


def episode(app, person_id: int, **kw) -> dict:
    data = {"person_id": person_id, "authority": "fsb", "date_from": "2022-03-20"} | kw
    return records.create(app, SYSTEM, "custody_episode", CustodyEpisodeIn.model_validate(data))


def listed(app, **kw) -> list[int]:
    return [i["person_id"] for i in custody.monitor(app, SYSTEM, today=TODAY, **kw)["items"]]


def edit_person(app, person_id: int, **fields) -> None:
    version = persons.get(app, SYSTEM, person_id)["version"]
    persons.update(app, SYSTEM, person_id, PersonUpdate.model_validate({"version": version, **fields}))


def test_marks_follow_edits_of_the_person_and_of_the_episode(app):
    adult = fx.person(app, full_name="Савчук Роман", birth_date="1990-05-01")["id"]
    other = fx.person(app, full_name="Олійник Марта", birth_date="1985")["id"]
    held = episode(app, adult)
    assert listed(app, mark="child") == [] and listed(app, mark="older_person") == []

    edit_person(app, adult, birth_date="2012-05-01")  # the birth date was wrong: a child
    assert listed(app, mark="child") == [adult]
    edit_person(app, adult, birth_date=None, characteristics=["older_person"])  # no date, recorded as older
    assert listed(app, mark="child") == [] and listed(app, mark="older_person") == [adult]
    edit_person(app, adult, characteristics=[])
    assert listed(app, mark="older_person") == []

    # the episode was filed under the wrong person: it now follows the other one's marks
    edit_person(app, other, birth_date="1950-02-02")
    data = {"person_id": other, "authority": "fsb", "date_from": "2022-03-20"}
    records.update(app, SYSTEM, "custody_episode", held["id"], CustodyEpisodeIn.model_validate(data), held["version"])
    assert listed(app, mark="older_person") == [other]


def test_mark_filters_count_what_the_persons_say_after_a_bulk_load(app):
    demo.load(app, size=300, seed=5, batch_size=100)
    child_cut = TODAY.replace(year=TODAY.year - people.CHILD_MAX_AGE - 1)
    older_cut = TODAY.replace(year=TODAY.year - people.OLDER_MIN_AGE)
    rule = {
        "child": or_(Person.birth_lo > child_cut,
                     and_(Person.birth_lo.is_(None), Person.characteristics.like("%|child|%"))),
        "older_person": or_(Person.birth_hi <= older_cut,
                            and_(Person.birth_hi.is_(None), Person.characteristics.like("%|older_person|%"))),
    }
    everyone = custody.monitor(app, SYSTEM, today=TODAY, limit=1000)
    open_ids = [i["episode_id"] for i in everyone["items"]]
    assert everyone["total"] == len(open_ids) > 0
    for mark, who in rule.items():
        with app.db.session() as s:
            expected = s.scalar(select(func.count()).select_from(CustodyEpisode).join(Person, Person.id == CustodyEpisode.person_id)
                                .where(CustodyEpisode.id.in_(open_ids), who))
        got = custody.monitor(app, SYSTEM, mark=mark, today=TODAY, limit=1000)
        assert got["total"] == len(got["items"]) == expected > 0, mark


@pytest.mark.parametrize(("detained", "occupied"), [
    ("2022-02-26", False),  # the day before the occupation
    ("2022-02-27", True),   # its first day
    ("2022-04-02", True),   # the last day the raion was occupied
    ("2022-04-03", False),  # liberated
])
def test_occupation_counts_from_its_first_day_to_its_last(app, detained, occupied):
    p = fx.person(app)["id"]
    episode(app, p, facility=BUCHA, date_from=detained)
    assert listed(app, in_occupied=True) == ([p] if occupied else [])
    # combined with another filter, the occupation test still decides
    assert listed(app, in_occupied=True, days=30) == ([p] if occupied else [])
