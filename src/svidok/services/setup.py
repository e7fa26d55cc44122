"""Initialising an installation: schema, gazetteer, keys."""

from __future__ import annotations

from svidok.storage import migrate

from . import places
from .field_crypto import Keyring


def initialise(app) -> dict:  # noqa: ANN001
    app.settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(app.db.engine)
    with app.db.session() as s:
        added = places.load_gazetteer(s, app.settings.gazetteer_dir)
    if added and app.db.dialect == "postgresql":
        # Statistics for the planner right away: without them it takes a place filter
        # ("Kharkiv oblast with everything inside") for one place and a listing takes
        # 0.3 s instead of 6 ms until autovacuum comes round.
        with app.db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE places, place_occupation")
            conn.commit()
    created_key = False
    if not app.settings.field_key and not app.key_file.exists():
        Keyring.generate().save(app.key_file)
        created_key = True
    app.reload_keyring()
    return {"places_added": added, "field_key_created": created_key}
