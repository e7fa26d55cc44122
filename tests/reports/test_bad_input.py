"""Bad templates fail at render time with the template line — never a wrong or empty number."""

from __future__ import annotations

from pathlib import Path

import pytest

from svidok.core.actors import SYSTEM
from svidok.reports import engine
from svidok.reports.book import BriefError
from svidok.reports.editions import Edition


def _template(tmp_path: Path, body: str, name: str = "custom.md.j2") -> Path:
    path = tmp_path / name
    path.write_text("---\ntitle: Test brief\n---\n# Heading\n\n" + body, encoding="utf-8")
    return path


def _error(app, path: Path, edition: Edition | None = None) -> BriefError:
    with pytest.raises(BriefError) as info:
        engine.render(app, SYSTEM, path, edition=edition)
    return info.value


def test_unknown_query_names_the_line(demo_app, tmp_path) -> None:
    err = _error(demo_app, _template(tmp_path, "Fine: {{ n('incidents') }}.\n\nBad: {{ n('casualties_total') }}.\n"))
    assert (err.template, err.line) == ("custom.md.j2", 8)
    assert "unknown query 'casualties_total'" in err.reason and "victims" in err.reason
    assert str(err).startswith("custom.md.j2:8:")


def test_a_filter_matching_nothing_is_an_error_unless_zero_is_meant(demo_app, tmp_path) -> None:
    body = "{{ n('victims', harm='killed', date_from='1990', date_to='1990') }}\n"
    err = _error(demo_app, _template(tmp_path, body))
    assert err.line == 6 and "matches no records" in err.reason and "allow_zero=True" in err.reason
    ok = engine.render(demo_app, SYSTEM, _template(tmp_path, body.replace(")", ", allow_zero=True)"), "zero.md.j2"))
    assert ok.figures[0].value == 0 and '<span class="num">0</span>' in ok.html


@pytest.mark.parametrize("call, words", [
    ("n('victims', harm='decapitated')", "harm: unknown harms term 'decapitated'"),
    ("n('victims', harm=['killed', 'decapitated'])", "unknown harm 'decapitated'"),
    ("n('victims', colour='red')", "no argument 'colour'"),
    ("n('victims', family='nonsense')", "unknown violation family 'nonsense'"),
    ("n('incidents', place='Atlantis')", "place"),
    ("n('incidents', date_from='2022-13')", "date_from"),
    ("table('victims')", "not a breakdown"),
    ("n('victims_by', by='sex')", "not a number"),
    ("chart('victims_by', by='shoe_size')", "by='shoe_size'"),
    ("chart('victims_by', kind='pie')", "'bar' or 'line'"),
    ("n('victims', date_from=params.nope)", "nope"),
])
def test_bad_figures_name_their_line(demo_app, tmp_path, call, words) -> None:
    err = _error(demo_app, _template(tmp_path, "Text.\n\n{{ " + call + " }}\n"))
    assert err.line == 8, err
    assert words in str(err)


def test_syntax_errors_name_their_line(demo_app, tmp_path) -> None:
    err = _error(demo_app, _template(tmp_path, "one\n\n{% if %}\n"))
    assert err.line == 8 and "syntax" in err.reason


def test_public_listing_of_protected_records_is_refused(demo_app, tmp_path) -> None:
    path = _template(tmp_path, "{{ table('incident_list', limit=50) }}\n")
    internal = engine.render(demo_app, SYSTEM, path)
    assert internal.figures[0].records > 0
    err = _error(demo_app, path, Edition("public"))
    assert err.line == 6 and "not public" in err.reason and "only_public=True" in err.reason
    public = engine.render(demo_app, SYSTEM, _template(tmp_path, "{{ table('incident_list', limit=50, only_public=True) }}\n",
                                                       "pub.md.j2"), Edition("public"))
    assert public.figures[0].shown


def test_unknown_template_and_parameters(demo_app) -> None:
    with pytest.raises(BriefError, match="no such template.*monthly_update"):
        engine.render(demo_app, SYSTEM, "monthly_updte")
    with pytest.raises(BriefError, match="unknown parameter.*colour"):
        engine.render(demo_app, SYSTEM, "monthly_update", params={"colour": "red"})
