"""A real Svidok (SQLite) behind the real ASGI app; clients sign in like a browser does."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from svidok.figures import dashboard
from svidok.server import create_app
from tests import fixtures as fx

PASSWORD = "correct horse battery"
ROLES = ("administrator", "investigator", "analyst", "viewer")


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)


def csrf(client: TestClient, path: str = "/account") -> str:
    return csrf_of(client.get(path).text)


@pytest.fixture
def web(sqlite_app):
    """(core app, ASGI app) with one user per role (user name = role)."""
    for role in ROLES:
        fx.user(sqlite_app, role)
    dashboard.forget()
    return sqlite_app, create_app(sqlite_app)


@pytest.fixture
def client_for(web):
    """client_for(role) -> a TestClient signed in as that role (None: not signed in)."""
    _core, asgi = web
    clients = []

    def make(role: str | None) -> TestClient:
        c = TestClient(asgi, raise_server_exceptions=False)
        clients.append(c)
        if role:
            r = sign_in(c, role)
            assert r.status_code == 303, r.text
        return c

    yield make
    for c in clients:
        c.close()
