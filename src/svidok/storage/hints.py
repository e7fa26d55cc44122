"""``INDEXED BY``: name the index SQLite must read one table of a statement through.

SQLAlchemy renders ``Select.with_hint()`` only for dialects whose compiler defines table
hints (MySQL, SQL Server, Oracle); its SQLite compiler defines none, so a hint addressed
to "sqlite" is dropped. Rather than teach SQLite's compiler hints for every statement of
the process, :func:`indexed_by` is a construct of ours (the compiler extension's
``@compiles`` is registered for this class only): an alias of the table under the
table's own name, which SQLite compiles as ``custody_episodes AS custody_episodes
INDEXED BY ix_…`` and every other engine as the plain alias. SQLite refuses to prepare
the statement if the index does not exist or cannot serve it, so a hint never silently
stops working.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Alias
from sqlalchemy.sql.visitors import InternalTraversal


class IndexedBy(Alias):
    """A table read through a named index (SQLite); see :func:`indexed_by`."""

    index: str
    # The index name is part of the statement's cache key, so two hints never share a compiled form.
    _traverse_internals = [*Alias._traverse_internals, ("index", InternalTraversal.dp_string)]
    inherit_cache = True


def indexed_by(table: Table, index: str) -> IndexedBy:
    """``table`` under its own name, read through ``index`` on SQLite (elsewhere: the table)."""
    if index not in {i.name for i in table.indexes}:
        raise ValueError(f"{table.name} has no index {index!r}")
    alias = IndexedBy._construct(table, name=table.name)
    alias.index = index
    return alias


@compiles(IndexedBy, "sqlite")
def _indexed_by_sqlite(element: IndexedBy, compiler: SQLCompiler, **kw: Any) -> str:
    sql = compiler.visit_alias(element, **kw)
    if kw.get("asfrom") and not kw.get("ashint"):
        sql += f" INDEXED BY {compiler.preparer.quote(element.index)}"
    return sql
