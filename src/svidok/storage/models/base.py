"""Declarative base and the columns every documentation record shares."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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
    def case_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("cases.id"), index=True)


__all__ = ["Base", "Record", "Confidential", "utcnow"]
