"""Capture tests: the test web sites and an application allowed to fetch them (loopback)."""

from __future__ import annotations

import pytest

from tests.web.conftest import client_for, web  # noqa: F401  (the web pages' fixtures, for test_web)

from .sites import Sites


@pytest.fixture(scope="session")
def sites():
    with Sites() as s:
        yield s


@pytest.fixture
def capp(app, sites):
    """The ``app`` fixture (both engines), allowed loopback, Telegram read from the test site."""
    app.settings.capture_allow_private = True
    app.settings.telegram_base = sites.base
    app.settings.capture_page_timeout = 4.0
    app.settings.capture_max_media_bytes = 8 << 20
    return app
