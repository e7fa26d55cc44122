"""Organisations and units (armed forces units, agencies, detention administrations), cases."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record


class Organisation(Record, Base):
    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(300), nullable=False)
    name_uk: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(50), nullable=False, default="armed_forces_unit")
    country: Mapped[str | None] = mapped_column(String(2))
    #: Hierarchy for command responsibility.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)


class Case(Record, Base):
    """A case file: records that belong to it are seen only by users granted the case."""

    __tablename__ = "cases"
    #: Need-to-know (core.access): seen only by administrators and users granted the case.
    NEED_TO_KNOW = "grant"

    code: Mapped[str] = mapped_column(String(50), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
