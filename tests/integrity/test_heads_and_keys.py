"""Heads kept outside the database catch a truncated ledger; keys are never replaced silently."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from svidok.cli.main import app as cli
from svidok.core.actors import SYSTEM
from svidok.evidence.signing import key_path
from svidok.schemas.records import SourceIn
from svidok.services import evidence, integrity, key_custody, ledger_heads, ledger_sealing, sources
from svidok.services.key_custody import KeyMissing


def _source(app, name: str) -> dict:
    return sources.create(app, SYSTEM, SourceIn(kind="witness", identity=f"{name} (synthetic)", synthetic=True))


def test_a_cut_off_tail_with_its_heads_is_caught_by_an_exported_head(app, tmp_path):
    for i in range(3):
        _source(app, f"Witness {i}")
    out = ledger_heads.export_head(app, tmp_path / "head.json")
    assert json.loads((tmp_path / "head.json").read_text())["tree_size"] == out["tree_size"]
    head = ledger_heads.read_head(tmp_path / "head.json")
    assert integrity.verify(app, check_files=False, heads=[("head.json", head)]).ok
    _source(app, "Witness 4")  # the ledger may grow after the export
    assert integrity.verify(app, check_files=False, heads=[("head.json", head)]).ok
    # The attacker removes the newest entries together with every tree head that covered them.
    with app.db.engine.begin() as c:
        top = c.execute(text("SELECT max(seq) FROM ledger_entries")).scalar()
        c.execute(text("DELETE FROM row_commitments WHERE seq > :n"), {"n": out["tree_size"] - 3})
        c.execute(text("DELETE FROM ledger_entries WHERE seq > :n"), {"n": out["tree_size"] - 3})
        c.execute(text("DELETE FROM tree_heads"))
    without = integrity.verify(app, check_files=False)
    assert not any("removed" in p and "tree head" in p for p in without.problems)  # nothing inside can tell
    problems = integrity.verify(app, check_files=False, heads=[("head.json", head)]).problems
    assert any(f"the ledger now has only {out['tree_size'] - 3} entries, 3 fewer than that head sealed: entries were removed" in p
               for p in problems), problems
    assert top > out["tree_size"]


def test_verify_head_on_the_command_line(sqlite_app, tmp_path, monkeypatch):
    monkeypatch.setenv("SVIDOK_DATA_DIR", str(sqlite_app.settings.data_dir))
    monkeypatch.setenv("SVIDOK_FIELD_KEY", sqlite_app.settings.field_key)
    _source(sqlite_app, "Witness")
    from svidok.config import get_settings

    get_settings.cache_clear()
    monkeypatch.setattr("svidok.cli.common.make_app", lambda: sqlite_app.__class__(sqlite_app.settings))
    runner = CliRunner()
    got = runner.invoke(cli, ["ledger", "export-head", str(tmp_path / "h.json")])
    assert got.exit_code == 0, got.output
    got = runner.invoke(cli, ["verify", "--skip-files", "--head", str(tmp_path / "h.json")])
    assert got.exit_code == 0 and "everything matches" in " ".join(got.output.split()), got.output
    with sqlite_app.db.engine.begin() as c:
        c.execute(text("DELETE FROM ledger_entries WHERE seq = (SELECT max(seq) FROM ledger_entries)"))
        c.execute(text("DELETE FROM tree_heads"))
    got = runner.invoke(cli, ["verify", "--skip-files", "--head", str(tmp_path / "h.json")])
    assert got.exit_code == 1 and "were removed" in " ".join(got.output.split()), got.output


def test_seal_refuses_to_replace_a_missing_signing_key(app):
    _source(app, "Witness")
    ledger_sealing.seal(app)
    key_path(app.settings.data_dir).rename(app.settings.data_dir / "elsewhere.pem")
    _source(app, "Witness 2")
    with pytest.raises(KeyMissing, match="missing, but the ledger has 1 signed tree head"):
        ledger_sealing.seal(app)
    assert not key_path(app.settings.data_dir).exists()
    (app.settings.data_dir / "elsewhere.pem").rename(key_path(app.settings.data_dir))
    assert ledger_sealing.seal(app)["new"]
    assert integrity.verify(app, check_files=False).ok


def test_seal_refuses_a_different_signing_key(app):
    ledger_sealing.seal(app)
    key_path(app.settings.data_dir).unlink()
    from svidok.evidence.signing import load_or_create_key

    load_or_create_key(app.settings.data_dir)
    with pytest.raises(KeyMissing, match="is not the key that signed the ledger's last tree head"):
        ledger_sealing.seal(app)


def test_init_refuses_to_make_a_field_key_while_ciphertexts_exist(tmp_path):
    from svidok.app import Svidok
    from svidok.config import Settings

    app = Svidok(Settings(data_dir=tmp_path))
    app.init()
    assert app.key_file.exists()
    _source(app, "Witness")
    app.key_file.rename(tmp_path / "keys-kept-elsewhere.json")
    with pytest.raises(KeyMissing, match="keyring .* is missing, but 1 key"):
        app.init()
    assert not app.key_file.exists()
    # Another keyring (say, a fresh init elsewhere copied in) lacks the key the ciphertexts use.
    from svidok.services.field_crypto import Keyring

    Keyring.generate().save(app.key_file)
    with pytest.raises(KeyMissing, match="lacks key"):
        key_custody.ensure_field_keys(app)
    (tmp_path / "keys-kept-elsewhere.json").replace(app.key_file)
    app.init()
    app.close()


def test_the_head_a_bundle_carries_checks_the_ledger(sqlite_app, tmp_path):
    import io

    from svidok.schemas.records import IncidentIn
    from svidok.services import evidence_bundles, incidents

    app = sqlite_app
    inc = incidents.create(app, SYSTEM, IncidentIn(title="Synthetic strike", date_start="2022-08-14"))["id"]
    evidence.ingest(app, SYSTEM, io.BytesIO(b"synthetic bytes " * 64), original_name="note.txt", incident_id=inc,
                    acquired_by="documenter1", acquisition_method="upload")
    out = evidence_bundles.create(app, SYSTEM, tmp_path / "case.tar", incident_ids=[inc], purpose="partner NGO")
    head = ledger_heads.read_head(tmp_path / "case.tar")
    assert head.tree_size == out["tree_size"]
    assert integrity.verify(app, heads=[("case.tar", head)]).ok
    with app.db.engine.begin() as c:
        c.execute(text("DELETE FROM ledger_entries WHERE seq > :n"), {"n": head.tree_size - 1})
        c.execute(text("DELETE FROM tree_heads"))
    problems = integrity.verify(app, check_files=False, heads=[("case.tar", head)]).problems
    assert any(p.startswith("tree head kept outside the database (case.tar") and "1 fewer than that head sealed: entries were removed" in p
               for p in problems), problems
