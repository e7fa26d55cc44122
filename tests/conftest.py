"""Fixtures: a real Svidok on SQLite (always) and PostgreSQL (when configured; required in CI).

Each test gets its own database, copied from a template that was migrated and given
the gazetteer once per session, so tests stay fast without sharing state.
"""

from __future__ import annotations

import base64
import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from svidok.app import Svidok
from svidok.config import Settings

PG_ENV = "SVIDOK_TEST_PG_URL"
CI_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
TEST_KEY = base64.b64encode(b"k" * 32).decode()


def pg_base_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        return CI_PG_URL
    return None


def pytest_report_header(config) -> str:
    if pg_base_url():
        return f"PostgreSQL tests: on ({pg_base_url()})"
    return f"PostgreSQL tests: skipped — set {PG_ENV}=postgresql://postgres@127.0.0.1:5432/test to run them"


def pytest_terminal_summary(terminalreporter) -> None:
    if not pg_base_url():
        terminalreporter.write_line(
            f"PostgreSQL tests not run: set {PG_ENV}=postgresql://postgres@127.0.0.1:5432/test to run them"
        )


def pytest_collection_modifyitems(config, items) -> None:
    """Without PostgreSQL configured, its variants are deselected (the header says how to enable them)."""
    if pg_base_url():
        return
    removed = [i for i in items if i.get_closest_marker("postgres")]
    if removed:
        items[:] = [i for i in items if not i.get_closest_marker("postgres")]
        config.hook.pytest_deselected(items=removed)


def _with_db(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def _admin_engine(url: str):
    from svidok.storage.db import normalise_url

    return create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    app = Svidok(Settings(data_dir=folder, field_key=TEST_KEY))
    app.init()
    app.close()
    return folder / "svidok.db"


@pytest.fixture(scope="session")
def pg_template() -> str:
    base = pg_base_url()
    if base is None:
        pytest.skip(f"PostgreSQL not configured: set {PG_ENV} to run these tests")
    name = f"svidok_tpl_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine(base)
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if os.environ.get("CI", "").lower() == "true":
            raise RuntimeError(f"CI needs PostgreSQL at {base}: {exc}") from exc
        pytest.skip(f"PostgreSQL unreachable at {base}: {exc}")
    app = Svidok(Settings(data_dir=Path("/tmp"), field_key=TEST_KEY), database_url=_with_db(base, name))
    app.init()
    app.close()
    yield name
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _sqlite_app(template: Path, tmp_path: Path) -> Svidok:
    shutil.copy(template, tmp_path / "svidok.db")
    return Svidok(Settings(data_dir=tmp_path, field_key=TEST_KEY))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app(request, tmp_path, sqlite_template):
    """A fresh, initialised Svidok on each engine."""
    if request.param == "sqlite":
        a = _sqlite_app(sqlite_template, tmp_path)
        yield a
        a.close()
        return
    template = request.getfixturevalue("pg_template")
    base = pg_base_url()
    name = f"svidok_t_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine(base)
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    a = Svidok(Settings(data_dir=tmp_path, field_key=TEST_KEY), database_url=_with_db(base, name))
    yield a
    a.close()
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_app(tmp_path, sqlite_template):
    """SQLite only, for tests of interfaces where the engine does not matter."""
    a = _sqlite_app(sqlite_template, tmp_path)
    yield a
    a.close()
