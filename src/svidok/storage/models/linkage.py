"""Linkage of person records in the database: runs, scored candidate pairs with the
evidence for and against, reviewers' decisions, and reversible merges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, ReversibleMerge, ReviewDecision, utcnow
from .custody import CustodyEpisode

# Indexes for the custody status views (services/custody.py), declared here because
# this module's migration created them (migration 0006 reshaped them). "Is this episode
# continued by a transfer?" reads the few episodes that continue another (partial, so the
# planner sees how few they are; equality look-ups such as foreign-key checks can use it
# too). The monitoring view walks open episodes in order of the last sign of life (proof
# of life, else detention) and counts them from the index alone, so it carries every
# column the need-to-know clause and the filters read, the marks of the person included.
_ce = CustodyEpisode.__table__.c
Index("ix_custody_episodes_transfers", _ce.transferred_from_id, _ce.deleted_at,
      sqlite_where=text("transferred_from_id IS NOT NULL"), postgresql_where=text("transferred_from_id IS NOT NULL"))
Index("ix_custody_episodes_open_by_last_sign", func.coalesce(_ce.last_proof_of_life, _ce.date_from_lo), _ce.id,
      _ce.confidentiality, _ce.case_id, _ce.person_id, _ce.outcome, _ce.date_to, _ce.facility_place_id,
      _ce.acknowledged, _ce.incommunicado, _ce.monitor_access, _ce.date_from_lo,
      _ce.person_birth_lo, _ce.person_birth_hi, _ce.person_recorded_child, _ce.person_recorded_older,
      sqlite_where=text("deleted_at IS NULL AND outcome IN ('in_custody', 'unknown')"),
      postgresql_where=text("deleted_at IS NULL AND outcome IN ('in_custody', 'unknown')"))


class LinkageRun(Base):
    """One pass of record linkage over the persons in the database."""

    __tablename__ = "linkage_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    #: threshold, review_threshold, labels fed back, backend ...
    params: Mapped[dict | None] = mapped_column()
    #: persons compared, pairs scored, pairs new / updated / already decided, issues.
    counts: Mapped[dict | None] = mapped_column()
    #: The trained Splink model (settings with m and u), so a run can be audited.
    model: Mapped[dict | None] = mapped_column()


class LinkagePair(ReviewDecision, Base):
    """Two person records that may be the same person (``person_id_l`` < ``person_id_r``)."""

    __tablename__ = "linkage_pairs"
    __table_args__ = (
        UniqueConstraint("person_id_l", "person_id_r", name="uq_linkage_pairs_persons"),
        Index("ix_linkage_pairs_queue", "status", "match_probability"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id_l: Mapped[int] = mapped_column(ForeignKey("persons.id"), nullable=False)
    person_id_r: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True, nullable=False)
    #: The last run that scored the pair.
    run_id: Mapped[int | None] = mapped_column(ForeignKey("linkage_runs.id"))
    match_probability: Mapped[float] = mapped_column(Float, nullable=False)
    match_weight: Mapped[float | None] = mapped_column(Float)
    #: {"for": [...], "against": [...], "missing": [...]}: what agrees and what does not.
    evidence: Mapped[dict | None] = mapped_column()


class PersonMerge(ReversibleMerge, Base):
    """A reversible link of one person's cluster into another's.

    Nothing in either person record changes except ``merged_into_id`` of the merged
    root; undoing the merge puts back ``previous_merged_into_id``.
    """

    __tablename__ = "person_merges"
    _records, _pairs = "persons", "linkage_pairs"
