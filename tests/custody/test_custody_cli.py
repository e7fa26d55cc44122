"""``svidok custody`` and ``svidok review`` as a monitor types them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from svidok.cli.main import app as cli
from svidok.config import get_settings
from svidok.core.actors import SYSTEM
from svidok.schemas.others import CustodyEpisodeIn
from svidok.services import records
from tests import fixtures as fx
from tests.conftest import TEST_KEY

runner = CliRunner()


@pytest.fixture
def env(sqlite_app, tmp_path, monkeypatch):
    monkeypatch.setenv("SVIDOK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SVIDOK_FIELD_KEY", TEST_KEY)
    get_settings.cache_clear()
    yield sqlite_app
    get_settings.cache_clear()


def test_monitor_and_status(env):
    p = fx.person(env, full_name="Ткаченко Денис Олегович", birth_date="2010-02-02")["id"]
    records.create(env, SYSTEM, "custody_episode", CustodyEpisodeIn(
        person_id=p, authority="fsb", date_from="2025-12-01", acknowledged=False))
    r = runner.invoke(cli, ["custody", "monitor", "--days", "90", "--today", "2026-11-01", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["total"] == 1 and out["items"][0]["marks"] == ["child"]
    r = runner.invoke(cli, ["custody", "monitor", "--days", "90", "--today", "2026-11-01"])
    assert r.exit_code == 0 and "Ткаченко" in r.output and "ED?" in r.output
    r = runner.invoke(cli, ["custody", "status", str(p), "--today", "2026-11-01"])
    assert r.exit_code == 0 and "disappeared" in r.output and "refuses to acknowledge" in r.output


def test_bad_input_is_one_clear_message(env):
    r = runner.invoke(cli, ["custody", "monitor", "--mark", "adult"])
    assert r.exit_code == 1 and "mark" in r.output and "Traceback" not in r.output
    r = runner.invoke(cli, ["custody", "status", "424242"])
    assert r.exit_code == 1 and "not found" in r.output
    r = runner.invoke(cli, ["review", "accept", "424242"])
    assert r.exit_code == 1 and "pair 424242 not found" in r.output


def test_review_run_list_show_accept_undo(env):
    a = fx.person(env, full_name="Мельник Ганна Петрівна", birth_date="1962-07-01", sex="female")["id"]
    b = fx.person(env, full_name="Hanna Melnyk", birth_date="1962-07-01", sex="female")["id"]
    r = runner.invoke(cli, ["review", "run", "--review-threshold", "0.3"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["review", "list", "--json"])
    pair = json.loads(r.output)["items"][0]
    assert {pair["left"]["id"], pair["right"]["id"]} == {a, b}
    r = runner.invoke(cli, ["review", "show", str(pair["id"])])
    assert r.exit_code == 0 and "Hanna Melnyk" in r.output and "for:" in r.output
    # the weight each field carried, in words
    text = " ".join(r.output.split())
    assert "How the model weighed it" in text and "birth date: same date: " in text and "bits" in text
    r = runner.invoke(cli, ["review", "accept", str(pair["id"]), "--note", "same person"])
    assert r.exit_code == 0 and "accepted" in r.output
    r = runner.invoke(cli, ["review", "undo", str(pair["id"])])
    assert r.exit_code == 0 and "pending" in r.output
