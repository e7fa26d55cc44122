"""Account security from the command line: deactivate, sessions, two-factor policy and reset."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from svidok.app import Svidok
from svidok.cli.main import app as cli
from svidok.config import Settings, get_settings
from svidok.services import accounts, sessions, two_factor

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SVIDOK_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def invoke(*args: str, stdin: str | None = None):
    return runner.invoke(cli, list(args), input=stdin)


def test_an_administrator_manages_sign_in_from_the_cli(data_dir):
    assert invoke("init").exit_code == 0
    r = invoke("user", "add", "olena", "--role", "investigator", stdin="a long passphrase\na long passphrase\n")
    assert r.exit_code == 0, r.output
    core = Svidok(Settings(data_dir=data_dir))
    try:
        actor = accounts.authenticate(core, "olena", "a long passphrase")
        token, _ = sessions.start(core, actor.user_id, address="192.0.2.5")
        r = invoke("user", "sessions", "olena")
        assert r.exit_code == 0 and "192.0.2.5" in r.output
        assert invoke("user", "revoke-sessions", "olena").output.strip() == "1 sessions ended"
        assert sessions.resolve(core, token).ended == "revoked"
        assert invoke("user", "require-2fa", "investigator").exit_code == 0
        assert two_factor.required(core, actor.user_id)
        assert invoke("user", "require-2fa", "investigator", "--off").exit_code == 0
        assert not two_factor.required(core, actor.user_id)
        r = invoke("user", "require-2fa", "chief")
        assert r.exit_code != 0 and "unknown role" in r.output
        r = invoke("user", "reset-2fa", "olena", "--reason", "phone lost (synthetic)")
        assert r.exit_code == 0, r.output
        assert invoke("user", "deactivate", "olena").exit_code == 0
        assert accounts.authenticate(core, "olena", "a long passphrase") is None
        assert invoke("user", "activate", "olena").exit_code == 0
        r = invoke("user", "password", "olena", stdin="another passphrase\nanother passphrase\n")
        assert r.exit_code == 0, r.output
        assert accounts.authenticate(core, "olena", "another passphrase") is not None
    finally:
        core.close()
