"""Place suggestions as a documenter types: Ukrainian, Russian and Latin spellings, any case, both engines."""

from __future__ import annotations

import pytest

from svidok.services import reference


def names(app, q: str, limit: int = 10) -> list[str]:
    return [p["name_uk"] for p in reference.find_places(app, q, limit)]


@pytest.mark.parametrize("typed", ["Буча", "буча", "БУЧА", "Bucha", "bucha", "Буч"])
def test_bucha_in_any_script_and_case(app, typed):
    assert "Буча" in names(app, typed)


@pytest.mark.parametrize("typed,expected", [
    ("Харьков", "Харківська"),     # Russian spelling of an oblast
    ("Kharkiv", "Харківська"),
    ("Запорожье", "Запоріжжя"),     # Russian spelling of a city
    ("Миколаїв", "Миколаївська"),
    ("Mykolaiv", "Миколаїв"),
])
def test_places_by_russian_and_latin_spellings(app, typed, expected):
    found = names(app, typed, 20)
    assert any(expected in n for n in found), found


def test_a_word_of_a_longer_name_and_two_words(app):
    assert any("Євпаторійська" in n for n in names(app, "Yevpatoriiska"))
    assert any("Євпаторійська" in n for n in names(app, "євпаторійська громада"))


def test_code_and_nothing(app):
    first = reference.find_places(app, "Буча", 1)[0]
    assert reference.find_places(app, first["code"], 1)[0]["id"] == first["id"]
    assert reference.find_places(app, "Zzzxq") == []
    assert reference.find_places(app, "   ") == []
