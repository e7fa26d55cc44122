"""`svidok backup`: database, evidence and keys restored into a fresh installation that verifies and decrypts."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM
from svidok.core.errors import Conflict, ValidationFailed
from svidok.schemas.records import IncidentIn, SourceIn
from svidok.services import backup, demo, demo_files, evidence, incidents, integrity, sharing, sources
from svidok.storage.db import normalise_url

PASS = "correct horse battery staple"


def _fresh(app, tmp_path: Path):
    """A second, empty installation on the same engine (a new data directory; on PostgreSQL a new database)."""
    data = tmp_path / "restored"
    if app.db.dialect == "sqlite":
        return Svidok(Settings(data_dir=data)), None
    base = app.db.url.rsplit("/", 1)[0]
    name = f"svidok_r_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(base + "/postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    return Svidok(Settings(data_dir=data), database_url=f"{base}/{name}"), (admin, name)


@pytest.mark.parametrize("pg_tools", [True, False], ids=["pg_dump-if-postgres", "logical-dump"])
def test_backup_then_restore_into_a_fresh_installation(app, tmp_path, pg_tools, monkeypatch):
    if not pg_tools:
        if app.db.dialect == "sqlite":
            pytest.skip("SQLite always uses its online backup API")
        monkeypatch.setattr(backup.shutil, "which", lambda _name: None)  # a machine without the PostgreSQL client tools
    demo.load(app, size=20, batch_size=10)
    secret = sources.create(app, SYSTEM, SourceIn(kind="witness", identity="Бондар Олена (synthetic)", synthetic=True))
    inc = incidents.create(app, SYSTEM, IncidentIn(title="Synthetic strike", date_start="2022-08-14"))["id"]
    item = evidence.ingest(app, SYSTEM, io.BytesIO(b"synthetic evidence bytes " * 100), original_name="фото_свідка.txt",
                           incident_id=inc, acquired_by="documenter1", acquisition_method="upload")
    exchange_keys = sharing.create_keys(app, SYSTEM, "Org A (synthetic)")
    dest = tmp_path / "backup"
    out = backup.create(app, dest, PASS)
    if app.db.dialect == "sqlite":
        assert out["database"] == "sqlite-online-backup"
    elif pg_tools and backup.shutil.which("pg_dump"):
        assert out["database"] in ("pg_dump", "svidok-dump")  # the logical dump when pg_dump is older than the server
    else:
        assert out["database"] == "svidok-dump"
    # the demo's synthetic files (its picture is on two incidents, stored once) and this test's file
    assert out["evidence_files"] == len(demo_files.FILES) + 1 and (dest / "manifest.json").is_file()
    assert backup.verify(dest, PASS)["ok"]
    assert "keys.enc" in backup.verify(dest, "wrong passphrase!!")["problems"][0]

    restored, pg = _fresh(app, tmp_path)
    try:
        got = backup.restore(restored, dest, PASS)
        assert got["verify_ok"], got["problems"]
        assert integrity.verify(restored).ok
        shown = sources.reveal(restored, SYSTEM, secret["id"], purpose="check the restored backup")
        assert shown["identity"] == "Бондар Олена (synthetic)"
        assert evidence_store_has(restored, item["sha256"])
        # The exchange keys come back with the database: partners' packages still open, ours still verify.
        assert sharing.own_keys(restored)[0].encryption_key == exchange_keys["encryption_key"]
        with pytest.raises(Conflict, match="already holds records"):
            backup.restore(restored, dest, PASS)
    finally:
        restored.close()
        if pg:
            admin, name = pg
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def evidence_store_has(app, sha: str) -> bool:
    return evidence.evidence_store(app).verify(sha).ok


def test_verify_names_a_changed_missing_or_extra_file(sqlite_app, tmp_path):
    sources.create(sqlite_app, SYSTEM, SourceIn(kind="witness", identity="Witness (synthetic)", synthetic=True))
    dest = tmp_path / "b"
    backup.create(sqlite_app, dest, PASS)
    (dest / "database.sqlite").write_bytes((dest / "database.sqlite").read_bytes() + b"x")
    (dest / "stray.txt").write_text("?")
    problems = backup.verify(dest)["problems"]
    assert any(p.startswith("database.sqlite: changed") for p in problems)
    assert "stray.txt: not in the manifest" in problems
    with pytest.raises(ValidationFailed):
        backup.restore(Svidok(Settings(data_dir=tmp_path / "r")), dest, PASS)


def test_backup_commands(sqlite_app, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from svidok.cli.main import app as cli
    from svidok.config import get_settings

    def invoke(args: list[str]):
        get_settings.cache_clear()  # each command reads the environment as a new process would
        try:
            got = runner.invoke(cli, args)
            got.text = " ".join(got.output.split())  # Rich wraps long lines at the terminal width
            return got
        finally:
            get_settings.cache_clear()

    sources.create(sqlite_app, SYSTEM, SourceIn(kind="witness", identity="Witness (synthetic)", synthetic=True))
    runner = CliRunner()
    monkeypatch.setenv("SVIDOK_BACKUP_PASSPHRASE", PASS)
    monkeypatch.setenv("SVIDOK_DATA_DIR", str(sqlite_app.settings.data_dir))
    monkeypatch.setenv("SVIDOK_FIELD_KEY", sqlite_app.settings.field_key)
    got = invoke(["backup", "create", str(tmp_path / "b")])
    assert got.exit_code == 0 and "sqlite-online-backup" in got.text, got.output
    got = invoke(["backup", "verify", str(tmp_path / "b")])
    assert got.exit_code == 0 and "files match the manifest" in got.text, got.output
    monkeypatch.setenv("SVIDOK_DATA_DIR", str(tmp_path / "fresh"))
    monkeypatch.delenv("SVIDOK_FIELD_KEY")
    got = invoke(["backup", "restore", str(tmp_path / "b")])
    assert got.exit_code == 0 and '"verify_ok": true' in got.text, got.output
    got = invoke(["verify", "--skip-files"])
    assert got.exit_code == 0 and "everything matches" in got.text, got.output
