"""A real Svidok (SQLite) behind the real ASGI app; clients sign in like a browser does.

The browser tests (real Debian Chromium through Playwright) share one way of serving an
installation: ``serving(core)`` runs uvicorn in a thread; ``server`` and ``browser`` are the
module fixtures most of them use."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from svidok.app import Svidok
from svidok.config import Settings
from svidok.core.actors import SYSTEM
from svidok.figures import dashboard
from svidok.server import create_app
from svidok.services import accounts
from tests import fixtures as fx
from tests.conftest import TEST_KEY

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


# --- Real Chromium against a real uvicorn server (the browser tests share this) ---

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: apt-get install -y chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(core, start_timeout: float = 60) -> Iterator[str]:
    """Serve ``core``'s web app and API with uvicorn in a thread; yields the base URL, then stops it
    and closes ``core``."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(core), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + start_timeout
    try:
        while not server.started:
            if time.time() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        core.close()


def fresh_core(tmp_path_factory, name: str, **settings) -> Svidok:
    """A new SQLite installation in its own temporary data directory."""
    core = Svidok(Settings(data_dir=tmp_path_factory.mktemp(name), field_key=TEST_KEY, **settings))
    core.init()
    return core


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A fresh installation with one user per role (user name = role), served; yields the base URL."""
    need_chromium()
    core = fresh_core(tmp_path_factory, "browser-data")
    for role in ROLES:
        accounts.create_user(core, SYSTEM, role, PASSWORD, role)
    with serving(core) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    """One headless Debian Chromium for the module."""
    from playwright.sync_api import sync_playwright

    need_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def sign_in_page(page, base: str, user: str, password: str = PASSWORD) -> None:
    """Sign in through the login form as a person would (the page lands on the dashboard)."""
    page.goto(base + "/login")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")
