"""Keep PostgreSQL id sequences ahead of ids that were inserted explicitly (bulk, import)."""

from __future__ import annotations

from sqlalchemy import Connection, text

from svidok.storage.models import Base


def reset_sequences(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        return
    for name, table in Base.metadata.tables.items():
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement is not False:
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), coalesce((SELECT max(id) FROM {name}), 0) + 1, false)"
            ))
