"""Computed figures shared by every web process (``services.figure_cache``, database backend)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class FigureCache(Base):
    """One cached computation: its key (what and for which clearance), the data version it was
    computed on (the ledger's head), when, how long it took, and the value."""

    __tablename__ = "figure_cache"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    version: Mapped[str] = mapped_column(String(100), nullable=False)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    seconds: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    value: Mapped[dict] = mapped_column(JSON, nullable=False)
