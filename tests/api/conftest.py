import pytest
from fastapi.testclient import TestClient

from svidok.server import create_app
from svidok.services import accounts
from svidok.core.actors import SYSTEM


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201
    """An in-process client signed in as an investigator through an API token."""
    accounts.create_user(app, SYSTEM, "inv", "correct horse battery", "investigator")
    token = accounts.create_token(app, SYSTEM, "inv")
    with TestClient(create_app(app), raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        yield c
