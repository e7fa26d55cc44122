"""Is this process fit to serve? The database answers and its schema is the code's (``/healthz``)."""

from __future__ import annotations

import os
import time
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import text

from svidok.storage import migrate

if TYPE_CHECKING:
    from svidok.app import Svidok


@cache
def code_revision() -> str:
    """The newest migration this code knows (fixed for the life of the process)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


def check(app: Svidok) -> dict:
    """``ok`` is true when the database answers and is at the code's migration."""
    out: dict = {"pid": os.getpid(), "jobs_mode": app.settings.jobs}
    t = time.perf_counter()
    try:
        with app.db.engine.connect() as c:
            c.execute(text("SELECT 1"))
        out["database"] = {"reachable": True, "ms": round((time.perf_counter() - t) * 1000, 1),
                           "dialect": app.db.dialect}
    except Exception as exc:
        out["database"] = {"reachable": False, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
        out["ok"] = False
        return out
    current, expected = migrate.current_revision(app.db.engine), code_revision()
    out["migrations"] = {"current": current, "expected": expected, "up_to_date": current == expected}
    out["ok"] = current == expected
    return out
