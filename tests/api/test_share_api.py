"""/api/v1/share: an administrator downloads a package that the partner's installation imports."""

from __future__ import annotations

from fastapi.testclient import TestClient

from svidok.core.actors import SYSTEM
from svidok.server import create_app
from svidok.services import accounts, share_import, sharing
from tests import fixtures
from tests.conftest import _sqlite_app


def test_administrator_exports_a_package_over_the_api(app, tmp_path, sqlite_template):
    (tmp_path / "b").mkdir()
    b = _sqlite_app(sqlite_template, tmp_path / "b")  # the partner: SQLite, whatever engine A runs on
    ka, kb = sharing.create_keys(app, SYSTEM, "Org A"), sharing.create_keys(b, SYSTEM, "Org B")
    sharing.add_partner(app, SYSTEM, "orgb", "Org B", kb["encryption_key"], kb["signing_key"])
    sharing.add_partner(b, SYSTEM, "orga", "Org A", ka["encryption_key"], ka["signing_key"])
    fixtures.incident(app, title="Strike on a school")
    accounts.create_user(app, SYSTEM, "boss", "correct horse battery", "administrator")
    accounts.create_user(app, SYSTEM, "inv", "correct horse battery", "investigator")
    with TestClient(create_app(app), raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Bearer {accounts.create_token(app, SYSTEM, 'inv')}"
        assert c.post("/api/v1/share/partners/orgb/export").status_code == 403
        c.headers["Authorization"] = f"Bearer {accounts.create_token(app, SYSTEM, 'boss')}"
        assert [p["name"] for p in c.get("/api/v1/share/partners").json()] == ["orgb"]
        r = c.post("/api/v1/share/partners/orgb/export")
        assert r.status_code == 200 and r.headers["x-svidok-sequence"] == "1"
        assert c.post("/api/v1/share/partners/nobody/export").status_code == 404
    (tmp_path / "p.svidok-share").write_bytes(r.content)
    got = share_import.run(b, SYSTEM, tmp_path / "p.svidok-share")
    assert got["counts"]["incident"]["new"] == 1
    b.close()
