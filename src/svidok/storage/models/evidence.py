"""Evidence items (files by SHA-256), their custody events and verification assessments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Confidential, Record, utcnow


class EvidenceItem(Record, Confidential, Base):
    __tablename__ = "evidence_items"
    #: Need-to-know (core.access): an item is never more visible than its incident or source.
    NEED_TO_KNOW_PARENTS = ("incident_id", "source_id")

    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    media_type: Mapped[str] = mapped_column(String(100), nullable=False)
    original_name: Mapped[str | None] = mapped_column(String(500))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    #: Acquisition: who collected it, when, how, from where (device, URL, person).
    acquired_by: Mapped[str | None] = mapped_column(String(200))
    acquired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acquisition_method: Mapped[str | None] = mapped_column(String(100))
    acquisition_device: Mapped[str | None] = mapped_column(String(200))
    acquisition_url: Mapped[str | None] = mapped_column(String(2000))
    acquisition_person: Mapped[str | None] = mapped_column(String(200))
    #: Metadata extracted on ingest (EXIF, ffprobe, PDF), kept beside the file.
    extracted: Mapped[dict | None] = mapped_column()
    phash: Mapped[str | None] = mapped_column(String(32), index=True)
    #: Marked graphic (at upload or by a reviewer): blurred and muted for users who ask for it.
    graphic: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())


class CustodyEvent(Base):
    """Chain of custody: acquisition, transfer, access, download, export of an item."""

    __tablename__ = "custody_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id"), index=True, nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    action: Mapped[str] = mapped_column(String(30), nullable=False)
    purpose: Mapped[str | None] = mapped_column(Text)
    sha256_seen: Mapped[str] = mapped_column(String(64), nullable=False)


class VerificationAssessment(Base):
    __tablename__ = "verification_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id"), index=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    method: Mapped[str] = mapped_column(Text, nullable=False)
    result: Mapped[str] = mapped_column(Text, nullable=False)
    confidence: Mapped[str] = mapped_column(String(20), nullable=False)
    assessed_by: Mapped[str] = mapped_column(String(100), nullable=False)
    assessed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
