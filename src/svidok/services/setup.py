"""Initialising an installation: schema, gazetteer, keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from svidok.storage import migrate

from . import key_custody, places

if TYPE_CHECKING:
    from svidok.app import Svidok


def initialise(app: Svidok) -> dict:
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
    created_key = key_custody.ensure_field_keys(app)
    app.reload_keyring()
    return {"places_added": added, "field_key_created": created_key}
