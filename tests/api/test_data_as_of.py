"""A figure's `data_as_of` moves only with records the reader may see (else it betrays a hidden one)."""

import time

from fastapi.testclient import TestClient

from svidok.core.actors import SYSTEM
from svidok.server import create_app
from svidok.services import accounts
from tests import fixtures as fx


def test_data_as_of_ignores_records_the_reader_may_not_see(app):
    fx.incident(app, confidentiality="public")
    accounts.create_user(app, SYSTEM, "reader", "correct horse battery", "viewer")
    token = accounts.create_token(app, SYSTEM, "reader")
    with TestClient(create_app(app), raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Bearer {token}"

        def as_of() -> str:
            r = c.post("/api/v1/briefs/queries/incident_list", json={"args": {}})
            assert r.status_code == 200, r.text
            return r.json()["data_as_of"]

        before = as_of()
        time.sleep(0.01)
        fx.incident(app, confidentiality="strictly_confidential")
        assert as_of() == before
        time.sleep(0.01)
        fx.incident(app, confidentiality="public")
        assert as_of() > before
