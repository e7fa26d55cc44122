"""A demo database (300 synthetic incidents) built once per session; each test gets its own copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from svidok.app import Svidok
from svidok.config import Settings
from svidok.services import demo
from tests.conftest import TEST_KEY


@pytest.fixture(scope="session")
def demo_db(sqlite_template, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("reports-demo")
    shutil.copy(sqlite_template, folder / "svidok.db")
    app = Svidok(Settings(data_dir=folder, field_key=TEST_KEY))
    demo.load(app, size=300)
    app.close()
    return folder / "svidok.db"


@pytest.fixture
def demo_app(demo_db, tmp_path):
    shutil.copy(demo_db, tmp_path / "svidok.db")
    a = Svidok(Settings(data_dir=tmp_path, field_key=TEST_KEY))
    yield a
    a.close()
