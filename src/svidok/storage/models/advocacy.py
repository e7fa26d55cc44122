"""Interventions (appeals, letters) and their recommendations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Confidential, Record, utcnow


class Intervention(Record, Confidential, Base):
    __tablename__ = "interventions"

    title: Mapped[str] = mapped_column(String(500), nullable=False)
    date: Mapped[date] = mapped_column(Date, nullable=False)
    target: Mapped[str] = mapped_column(String(300), nullable=False)
    target_kind: Mapped[str] = mapped_column(String(40), nullable=False, default="government")
    status: Mapped[str] = mapped_column(String(30), nullable=False, default="draft")
    body: Mapped[str | None] = mapped_column(Text)


class Recommendation(Base):
    __tablename__ = "recommendations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intervention_id: Mapped[int] = mapped_column(ForeignKey("interventions.id"), index=True, nullable=False)
    theme: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    #: Records and figures that support it: [{"entity": "incident", "id": 3}, {"figure": "..."}].
    support: Mapped[list | None] = mapped_column()


class InterventionStatus(Base):
    __tablename__ = "intervention_statuses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intervention_id: Mapped[int] = mapped_column(ForeignKey("interventions.id"), index=True, nullable=False)
    status: Mapped[str] = mapped_column(String(30), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
