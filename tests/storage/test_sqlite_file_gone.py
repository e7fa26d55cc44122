"""A SQLite database file removed while Svidok still runs (a data directory cleaned up under a
job worker) is said to be gone; sqlite3 would otherwise create an empty file in its place and
every query would fail with "no such table: jobs"."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from svidok.storage.db import Database
from svidok.storage.models import Job
from tests.conftest import _sqlite_app


def test_a_removed_database_file_is_an_error_not_a_new_empty_database(sqlite_template, tmp_path) -> None:
    app = _sqlite_app(sqlite_template, tmp_path)
    with app.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 0
    path = tmp_path / "svidok.db"
    app.db.dispose()  # as app.close() before the folder is removed; a worker thread still asks
    for p in (path, path.with_name("svidok.db-wal"), path.with_name("svidok.db-shm")):
        p.unlink(missing_ok=True)
    with pytest.raises(OperationalError, match="is gone"), app.db.session() as s:
        s.scalar(select(func.count()).select_from(Job))
    assert not path.exists()  # no empty database left behind


def test_a_new_installation_still_creates_its_file(tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'new' / 'svidok.db'}")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(select(1).subquery())) == 1
    assert (tmp_path / "new" / "svidok.db").exists()
    db.dispose()
