"""``svidok brief`` and ``svidok intervention`` from the command line, on the demo data."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from svidok.cli.main import app as cli
from svidok.config import get_settings


@pytest.fixture
def env(demo_app, monkeypatch):
    monkeypatch.setenv("SVIDOK_DATA_DIR", str(demo_app.settings.data_dir))
    monkeypatch.setenv("SVIDOK_FIELD_KEY", demo_app.settings.field_key)
    get_settings.cache_clear()
    yield demo_app
    get_settings.cache_clear()


def test_brief_commands(env, tmp_path) -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["brief", "list"])
    assert listed.exit_code == 0 and "monthly_update" in listed.output
    out = tmp_path / "m.html"
    done = runner.invoke(cli, ["brief", "render", "mine_action", "--edition", "public", "--threshold", "10", "--out", str(out)])
    assert done.exit_code == 0, done.output
    html = out.read_text(encoding="utf-8")
    assert "&lt;10" in html and "Public / Публічне" in html
    # the annex's reproduction command gives the figure's number
    cmd = [c for c in html.split("<code>") if c.startswith("svidok brief query hazard_areas --arg hazard_status=confirmed")]
    assert cmd
    q = runner.invoke(cli, ["brief", "query", "hazard_areas", "--arg", "hazard_status=confirmed"])
    assert q.exit_code == 0 and json.loads(q.output)["kind"] == "number"
    bad = runner.invoke(cli, ["brief", "render", "monthly_update", "--param", "month=2026-13", "--out", str(tmp_path / "x.pdf")])
    assert bad.exit_code == 1 and "monthly_update.md.j2:13" in bad.output and "month 13" in bad.output
    assert not (tmp_path / "x.pdf").exists()


def test_intervention_commands(env, tmp_path) -> None:
    runner = CliRunner()
    letter = tmp_path / "letter.yaml"
    letter.write_text("title: Appeal on detainees (synthetic)\ndate: 2026-10-01\ntarget: UN Human Rights Council (synthetic)\n"
                      "status: sent\nrecommendations:\n  - theme: detainees_and_pows\n    text: Grant access to monitors.\n",
                      encoding="utf-8")
    added = runner.invoke(cli, ["intervention", "add", str(letter)])
    assert added.exit_code == 0 and "recorded" in added.output, added.output
    ok = runner.invoke(cli, ["intervention", "status", "2", "acknowledged", "--note", "reply 1"])
    assert ok.exit_code == 0, ok.output
    refused = runner.invoke(cli, ["intervention", "status", "2", "draft"])
    assert refused.exit_code == 1 and "cannot become 'draft'" in refused.output
    since = json.loads(runner.invoke(cli, ["intervention", "since", "UN Human Rights Council (synthetic)"]).output)
    assert [h["status"] for h in since["status_history"]] == ["sent", "acknowledged"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\ndate: 2026-10-01\ntarget: y\nrecommendations:\n  - theme: weather\n    text: z\n", encoding="utf-8")
    refused = runner.invoke(cli, ["intervention", "add", str(bad)])
    assert refused.exit_code == 1 and "recommendations[0].theme" in refused.output
