"""Likely duplicate incidents: candidate pairs with the reasons, decisions, reversible merges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, ReversibleMerge, ReviewDecision, utcnow


class IncidentDuplicatePair(ReviewDecision, Base):
    """Two incidents that may be one (``incident_id_l`` < ``incident_id_r``)."""

    __tablename__ = "incident_duplicate_pairs"
    __table_args__ = (
        UniqueConstraint("incident_id_l", "incident_id_r", name="uq_incident_duplicate_pairs_incidents"),
        Index("ix_incident_duplicate_pairs_queue", "status", "probability"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id_l: Mapped[int] = mapped_column(ForeignKey("incidents.id"), nullable=False)
    incident_id_r: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True, nullable=False)
    probability: Mapped[float] = mapped_column(Float, nullable=False)
    #: Total weight in bits (+1 doubles the odds of one incident).
    bits: Mapped[float] = mapped_column(Float, nullable=False)
    #: {"measures": {...}, "reasons": [{"field", "finding", "weight", "verdict"}, ...]}
    evidence: Mapped[dict | None] = mapped_column()
    #: How it was found: "batch" (a run over all incidents) or "entry" (when an incident was saved).
    found_by: Mapped[str] = mapped_column(String(20), nullable=False, default="batch")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False,
                                                 sort_order=2)  # after the decision's columns


class IncidentMerge(ReversibleMerge, Base):
    """A reversible link of one incident into another: only ``merged_into_id`` of the
    merged incident changes; undoing puts back ``previous_merged_into_id``."""

    __tablename__ = "incident_merges"
    _records, _pairs = "incidents", "incident_duplicate_pairs"
