"""Declarative base and the columns every documentation record shares."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Text, func, literal_column, text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: Column ``info`` flag: index only the rows where the column is set (see ``partial_indexes``).
PARTIAL_INDEX = "index_where_not_null"


def key_id_of(column):
    """The key id of a field-encryption ciphertext: 8 ASCII bytes after the 2-byte version
    (``services.field_crypto``), as an SQL expression written the way its index is."""
    return func.substr(column, literal_column("3"), literal_column("8"))


def key_id_index(column: Column) -> Index:
    """Index of the key ids of an encrypted column's ciphertexts (partial: most rows have none).

    The keys status page asks which key ids are in use: walking this index from one id to
    the next takes a few look-ups however many ciphertexts there are (migration 0024)."""
    where = text(f"{column.name} IS NOT NULL")
    # Kept live during bulk loads (storage.deferred_indexes): loads leave these columns empty, so
    # keeping the index costs a NULL test per row while rebuilding it would scan the whole table.
    return Index(f"ix_{column.table.name}_{column.name}_key_id", key_id_of(column),
                 sqlite_where=where, postgresql_where=where, info={"live_during_loads": True})


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict: JSON, list: JSON}


class Record:
    """Columns of a versioned, soft-deletable documentation record."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Optimistic locking: an update names the version it read; a stale one is refused.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(100))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_reason: Mapped[str | None] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    #: Where an imported record came from (import name) and its key there: re-runs add nothing.
    import_source: Mapped[str | None] = mapped_column(String(200))
    source_key: Mapped[str | None] = mapped_column(String(200))


class Confidential:
    """Need-to-know: a confidentiality level and an optional case."""

    confidentiality: Mapped[str] = mapped_column(String(30), default="restricted", nullable=False)

    @declared_attr
    def case_id(cls) -> Mapped[int | None]:
        # A full index on purpose: its NULL key walks the records outside any case in id order,
        # the plan SQLite picks for need-to-know listings (``case_id IS NULL OR …``).
        return mapped_column(ForeignKey("cases.id"), index=True)


class ReversibleMerge:
    """Columns of a reversible merge of one record into another (persons, incidents).

    Nothing in either record changes except ``merged_into_id`` of the merged root; undoing
    the merge puts back ``previous_merged_into_id``. A subclass names the tables its
    references point at: ``_records`` (the merged records) and ``_pairs`` (the review pairs).
    """

    _records: str
    _pairs: str

    id: Mapped[int] = mapped_column(Integer, primary_key=True)

    @declared_attr
    def pair_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey(f"{cls._pairs}.id"), index=True)

    @declared_attr
    def survivor_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey(f"{cls._records}.id"), index=True, nullable=False)

    @declared_attr
    def merged_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey(f"{cls._records}.id"), index=True, nullable=False)

    # sort_order=1: after the references (declared last), in the order the migrations made them.
    previous_merged_into_id: Mapped[int | None] = mapped_column(Integer, sort_order=1)
    merged_by: Mapped[str] = mapped_column(String(100), nullable=False, sort_order=1)
    merged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False, sort_order=1)
    reason: Mapped[str | None] = mapped_column(Text, sort_order=1)
    undone_by: Mapped[str | None] = mapped_column(String(100), sort_order=1)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), sort_order=1)
    undo_reason: Mapped[str | None] = mapped_column(Text, sort_order=1)


class ReviewDecision:
    """Columns of a reviewer's decision on a candidate pair (persons, incidents).

    ``sort_order=1``: after the pair's own columns, in the order the migrations made them.
    """

    #: "pending", or the verdict (persons: accepted / rejected; incidents: same / different).
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending", sort_order=1)
    decided_by: Mapped[str | None] = mapped_column(String(100), sort_order=1)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), sort_order=1)
    note: Mapped[str | None] = mapped_column(Text, sort_order=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False, sort_order=1)


def partial_indexes(metadata: MetaData) -> None:
    """``ix_<table>_<column>`` on the rows where a flagged column is not NULL.

    For references most records leave empty and no query asks to be empty (residence, a
    perpetrator's unit or person):
    lookups by value (``= ?``, ``IN``) use the index as before, while an index of millions
    of NULLs is neither built nor kept up to date (a bulk load of 1,000,000 incidents saves
    ~1 s). Migration 0008 turned the earlier full indexes into these.
    """
    for table in metadata.tables.values():
        for column in table.columns:
            name = f"ix_{table.name}_{column.name}"
            if column.info.get(PARTIAL_INDEX) and name not in {i.name for i in table.indexes}:
                where = column.isnot(None)
                Index(name, column, sqlite_where=where, postgresql_where=where)


__all__ = ["Base", "Record", "Confidential", "ReversibleMerge", "ReviewDecision", "PARTIAL_INDEX", "partial_indexes",
           "key_id_index", "key_id_of", "utcnow"]
