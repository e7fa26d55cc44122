"""What a documenter enters about a victim on an incident reaches the person record."""

from svidok.core.actors import SYSTEM
from svidok.schemas.records import IncidentUpdate
from svidok.services import history, incidents, persons
from tests import fixtures as fx


def _victim_person(app, inc: dict) -> dict:
    pid = inc["acts"][0]["victims"][0]["person_id"]
    return persons.get(app, SYSTEM, pid)


def test_a_killed_victim_of_34_entered_by_name_makes_a_dead_person_with_age_band_and_name_parts(app):
    inc = fx.incident(app, acts=[{"violation_type": "killing_of_civilians", "victims": [
        {"harm": "killed", "status": "civilian", "sex": "male", "age": 34,
         "person": {"full_name": "Бондаренко Андрій Миколайович"}}]}])
    p = _victim_person(app, inc)
    assert p["life_status"] == "dead"
    assert p["age_band"] == "30-44"
    assert p["birth_date"] == "~1988"           # 34 on 5 March 2022: born 1987 or 1988
    assert (p["family_name"], p["given_name"], p["patronymic"]) == ("Бондаренко", "Андрій", "Миколайович")
    assert (p["sex"], p["status"]) == ("male", "civilian")


def test_what_the_documenter_typed_on_the_person_wins_over_the_victim_row(app):
    inc = fx.incident(app, acts=[{"violation_type": "killing_of_civilians", "victims": [
        {"harm": "injured", "age": 34, "person": {"full_name": "Olena Kovalenko", "given_name": "Olena",
                                                    "family_name": "Kovalenko", "birth_date": "1990-01-02"}}]}])
    p = _victim_person(app, inc)
    assert p["life_status"] == "unknown"        # injured says nothing about being alive now
    assert (p["given_name"], p["family_name"], p["birth_date"]) == ("Olena", "Kovalenko", "1990-01-02")


def test_linking_an_existing_person_as_killed_updates_the_record_with_a_new_version(app):
    p = fx.person(app, full_name="Ткаченко Ірина", birth_date=None, sex="female", life_status="alive")
    inc = fx.incident(app, acts=[{"violation_type": "killing_of_civilians", "victims": [
        {"person_id": p["id"], "harm": "killed", "status": "civilian", "age": 61}]}])
    after = persons.get(app, SYSTEM, p["id"])
    assert after["life_status"] == "dead"
    assert after["age_band"] == "60-69"
    assert (after["family_name"], after["given_name"]) == ("Ткаченко", "Ірина")
    assert after["version"] == p["version"] + 1
    # Saving the incident again with nothing new does not make another person version.
    incidents.update(app, SYSTEM, inc["id"], IncidentUpdate(version=inc["version"], title="Renamed"))
    got = incidents.get(app, SYSTEM, inc["id"])
    incidents.update(app, SYSTEM, inc["id"], IncidentUpdate.model_validate({
        "version": got["version"], "acts": [{"violation_type": "killing_of_civilians", "victims": [
            {"person_id": p["id"], "harm": "killed", "status": "civilian", "age": 61}]}]}))
    assert persons.get(app, SYSTEM, p["id"])["version"] == after["version"]


def _correct_harm(app, inc: dict, harm: str, person_id: int) -> None:
    got = incidents.get(app, SYSTEM, inc["id"])
    incidents.update(app, SYSTEM, inc["id"], IncidentUpdate.model_validate({
        "version": got["version"], "acts": [{"violation_type": "killing_of_civilians", "victims": [
            {"person_id": person_id, "harm": harm, "status": "civilian", "age": 34}]}]}))


def test_a_victim_corrected_from_killed_to_injured_is_no_longer_dead_on_the_person(app):
    inc = fx.incident(app, acts=[{"violation_type": "killing_of_civilians", "victims": [
        {"harm": "killed", "status": "civilian", "age": 34, "person": {"full_name": "Мельник Тарас"}}]}])
    pid = inc["acts"][0]["victims"][0]["person_id"]
    assert persons.get(app, SYSTEM, pid)["life_status"] == "dead"
    _correct_harm(app, inc, "injured", pid)
    after = persons.get(app, SYSTEM, pid)
    assert after["life_status"] == "unknown"
    with app.db.session() as s:
        last = history.versions(s, "person", pid)[-1]
        assert "no victim row says killed" in last.reason


def test_an_existing_alive_person_linked_as_killed_then_corrected_is_alive_again(app):
    p = fx.person(app, full_name="Ткаченко Ірина", sex="female", life_status="alive")
    inc = fx.incident(app, acts=[{"violation_type": "killing_of_civilians", "victims": [
        {"person_id": p["id"], "harm": "killed", "status": "civilian", "age": 34}]}])
    assert persons.get(app, SYSTEM, p["id"])["life_status"] == "dead"
    _correct_harm(app, inc, "injured", p["id"])
    assert persons.get(app, SYSTEM, p["id"])["life_status"] == "alive"


def test_a_death_the_documenter_typed_or_another_incident_records_stays(app):
    typed = fx.person(app, full_name="Шевчук Оксана", life_status="dead")
    inc = fx.incident(app, acts=[{"violation_type": "killing_of_civilians", "victims": [
        {"person_id": typed["id"], "harm": "killed", "status": "civilian", "age": 34}]}])
    _correct_harm(app, inc, "injured", typed["id"])
    assert persons.get(app, SYSTEM, typed["id"])["life_status"] == "dead"

    other = fx.person(app, full_name="Гнатюк Петро")
    first = fx.incident(app, acts=[{"violation_type": "killing_of_civilians", "victims": [
        {"person_id": other["id"], "harm": "killed", "status": "civilian", "age": 34}]}])
    fx.incident(app, acts=[{"violation_type": "killing_of_civilians", "victims": [
        {"person_id": other["id"], "harm": "killed", "status": "civilian", "age": 34}]}])
    _correct_harm(app, first, "injured", other["id"])
    assert persons.get(app, SYSTEM, other["id"])["life_status"] == "dead"  # the second incident still says killed
