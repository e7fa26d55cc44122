"""``svidok stats breakdown`` as a user runs it."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from svidok.cli import common
from svidok.cli.main import app as cli
from tests import fixtures as fx

runner = CliRunner()


def test_breakdown_json_and_table(sqlite_app, monkeypatch) -> None:
    fx.incident(sqlite_app, acts=[{"violation_type": "killing_of_civilians", "means": "missile", "victims": [
        {"harm": "killed", "sex": "male", "age": 3, "status": "civilian"},
        {"harm": "injured", "sex": "female", "age": 67, "status": "civilian"},
        {"harm": "killed", "count": 2, "status": "civilian"}]}])
    monkeypatch.setattr(common, "make_app", lambda: sqlite_app)
    r = runner.invoke(cli, ["stats", "breakdown", "--by", "age_band", "--json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert [(row["key"], row["killed"], row["injured"]) for row in body["rows"]] == [("0-4", 1, 0), ("60-69", 0, 1)]
    assert body["missing"] == 2 and body["total"] == 4
    r = runner.invoke(cli, ["stats", "breakdown", "--by", "age_group", "--harm", "killed", "--lang", "uk"])
    assert r.exit_code == 0, r.output
    assert "Діти (0–17)" in r.output and "not recorded" in r.output


def test_breakdown_bad_field_is_one_clear_message(sqlite_app, monkeypatch) -> None:
    monkeypatch.setattr(common, "make_app", lambda: sqlite_app)
    r = runner.invoke(cli, ["stats", "breakdown", "--by", "shoe_size"])
    assert r.exit_code == 1 and "by" in r.output and "Traceback" not in r.output
    r = runner.invoke(cli, ["stats", "breakdown", "--by", "sex", "--date-from", "2022-13"])
    assert r.exit_code == 1 and "date_from" in r.output
