"""Rotating the field key: everything still decrypts, nothing stays under the old key."""

import pytest

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM
from svidok.services import key_rotation, persons, sources
from tests import fixtures as fx


@pytest.fixture
def keyed_app(tmp_path, sqlite_template):
    """An installation whose keyring lives in a key file (rotation rewrites it)."""
    import shutil

    shutil.copy(sqlite_template, tmp_path / "svidok.db")
    app = Svidok(Settings(data_dir=tmp_path))
    app.init()
    yield app
    app.close()


def test_rotation_re_encrypts_and_a_running_process_keeps_reading(keyed_app, tmp_path):
    src = fx.source(keyed_app)
    p = fx.person(keyed_app, address="вул. Синтетична, 7", contact="+380 11 111 11 11")
    server = Svidok(Settings(data_dir=tmp_path))  # another process with the old keyring loaded
    old = server.keyring.active
    out = key_rotation.rotate(keyed_app, SYSTEM)
    assert out["re_encrypted"] == 4 and out["active"] != old
    st = key_rotation.status(keyed_app)
    assert st["ciphertexts_by_key"] == {out["active"]: 4}
    # the "server" meets a key id it does not know and reloads the keyring from the file
    assert sources.reveal(server, SYSTEM, src["id"], "test")["identity"].startswith("Коваленко")
    assert persons.read_protected(server, SYSTEM, p["id"], "test")["address"] == "вул. Синтетична, 7"
    assert key_rotation.retire(keyed_app, SYSTEM)["removed"] == [old]
    assert sources.reveal(keyed_app, SYSTEM, src["id"], "test")["contact"] == "+380 00 000 00 00"
    server.close()
