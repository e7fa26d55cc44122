import pytest
from fastapi.testclient import TestClient

from svidok.core.actors import SYSTEM
from svidok.server import create_app
from svidok.services import accounts


@pytest.fixture
def client(app):
    """An in-process client signed in as an investigator through an API token."""
    accounts.create_user(app, SYSTEM, "inv", "correct horse battery", "investigator")
    token = accounts.create_token(app, SYSTEM, "inv")
    with TestClient(create_app(app), raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        yield c
