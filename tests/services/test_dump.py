"""Whole-database export and import: lossless, and all or nothing."""

import io

import pytest
from sqlalchemy import func, select

from svidok.core.actors import SYSTEM
from svidok.core.errors import ValidationFailed
from svidok.services import dump
from svidok.storage.models import Incident
from tests import fixtures as fx


def _export(app) -> str:
    buf = io.StringIO()
    dump.export(app, buf)
    return buf.getvalue()


def _fresh(app, tmp_path, name):
    """An empty database of the same engine as ``app``."""
    from sqlalchemy import create_engine, text

    from svidok.app import Svidok
    from svidok.config import Settings

    url = app.db.url
    if url.startswith("sqlite"):
        return Svidok(Settings(data_dir=tmp_path / name, field_key=app.settings.field_key)), None
    base, dbname = url.rsplit("/", 1)
    new = f"{dbname}_{name}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{new}"'))
    admin.dispose()
    return Svidok(Settings(data_dir=tmp_path / name, field_key=app.settings.field_key), database_url=f"{base}/{new}"), new


def test_export_import_export_is_identical(app, tmp_path):
    p = fx.person(app, address="вул. Синтетична, 1")
    fx.incident(app, acts=[{"violation_type": "killing_of_civilians",
                            "victims": [{"person_id": p["id"], "harm": "killed"}]}], narrative_i18n={"uk": "Синтетичний"})
    fx.source(app)
    first = _export(app)
    other, _ = _fresh(app, tmp_path, "copy")
    try:
        dump.import_lines(other, SYSTEM, io.StringIO(first))
        assert _export(other) == first
    finally:
        other.close()


def test_a_failed_import_leaves_the_database_as_it_was(app, tmp_path):
    fx.incident(app)
    lines = _export(app).splitlines()
    at = max(i for i, line in enumerate(lines) if '"table":"incidents"' in line) + 1
    lines.insert(at, '{"table": "incidents", "row": {"id": 5, "no_such_column": 1}}')
    other, _ = _fresh(app, tmp_path, "broken")
    try:
        other.init()
        before = _export(other)
        with pytest.raises(ValidationFailed) as exc:
            dump.import_lines(other, SYSTEM, io.StringIO("\n".join(lines)))
        assert "no_such_column" in str(exc.value) and f"row {at + 1}" in str(exc.value)
        assert _export(other) == before
        with other.db.session() as s:
            assert s.scalar(select(func.count()).select_from(Incident)) == 0
    finally:
        other.close()


def test_import_refuses_a_database_that_has_records(app):
    fx.incident(app)
    with pytest.raises(ValidationFailed, match="not empty"):
        dump.import_lines(app, SYSTEM, io.StringIO(_export(app)))
