"""Web captures (batches of URLs, each URL's capture) and RFC 3161 timestamps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class CaptureBatch(Base):
    """URLs to preserve together, with what their evidence items are linked to."""

    __tablename__ = "capture_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    confidentiality: Mapped[str] = mapped_column(String(30), nullable=False, default="restricted")
    purpose: Mapped[str | None] = mapped_column(Text)
    total: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The background job that captures the batch (None for batches run from the command line).
    job_id: Mapped[int | None] = mapped_column(Integer)


class Capture(Base):
    """One URL of a batch: pending, done (artefacts stored) or failed (with the reason)."""

    __tablename__ = "captures"
    __table_args__ = (UniqueConstraint("batch_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("capture_batches.id"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    #: SHA-256 of the requested URL: finds earlier captures of the same address.
    url_sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    kind: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    final_url: Mapped[str | None] = mapped_column(String(2000))
    http_status: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(100))
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    #: Earlier done capture of the same URL, and what changed since (``evidence.capture.diff``).
    previous_id: Mapped[int | None] = mapped_column(Integer)
    changes: Mapped[dict | None] = mapped_column()
    #: [{role, evidence_id, sha256, media_type, size, name, source_url}]
    artefacts: Mapped[list | None] = mapped_column()
    #: Metadata read from the page: headers, redirects, Telegram posts, media, problems.
    details: Mapped[dict | None] = mapped_column()


class Timestamp(Base):
    """An RFC 3161 token from one TSA (or an OpenTimestamps proof) over the exact statement stamped."""

    __tablename__ = "timestamps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(20), nullable=False)  # "tree_head" or "capture"
    subject_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    tsa_url: Mapped[str] = mapped_column(String(500), nullable=False)
    #: The canonical JSON statement whose SHA-256 the token carries.
    statement: Mapped[str] = mapped_column(Text, nullable=False)
    #: The TimeStampResp, DER in base64.
    response: Mapped[str] = mapped_column(Text, nullable=False)
    gen_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    serial: Mapped[str] = mapped_column(String(100), nullable=False)
    #: ``rfc3161`` (``response`` is a TimeStampResp; ``tsa_url`` the TSA) or ``opentimestamps``
    #: (``response`` is a ``.ots`` proof; ``tsa_url`` the calendars; ``serial`` pending / complete).
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="rfc3161", server_default="rfc3161")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
