"""Exchange between Svidok installations: own keys, partners, sharing rules, packages, provenance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ShareIdentity(Base):
    """This installation's organisation name and the public halves of its exchange keys (one row).

    The private keys are files in ``<data_dir>/keys``; the row lets a replaced file be noticed.
    """

    __tablename__ = "share_identity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation: Mapped[str] = mapped_column(String(200), nullable=False)
    encryption_key: Mapped[str] = mapped_column(String(60), nullable=False)
    signing_key: Mapped[str] = mapped_column(String(60), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class SharePartner(Base):
    __tablename__ = "share_partners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    #: The partner's organisation as its installation names itself (checked against its manifests).
    organisation: Mapped[str] = mapped_column(String(200), nullable=False)
    encryption_key: Mapped[str] = mapped_column(String(60), nullable=False)
    signing_key: Mapped[str] = mapped_column(String(60), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    notes: Mapped[str | None] = mapped_column(Text)



class ShareRetiredKey(Base):
    """A public exchange key replaced by a new one (a partner's, or this installation's when
    ``partner_id`` is None): kept so that a package signed or encrypted with it is refused
    with the reason, never mistaken for an unknown key. Never deleted."""

    __tablename__ = "share_retired_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("share_partners.id"), index=True)
    #: encryption (X25519) | signing (Ed25519)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    key: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    key_id: Mapped[str] = mapped_column(String(20), nullable=False)
    replaced_by: Mapped[str] = mapped_column(String(60), nullable=False)
    retired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    retired_by: Mapped[str] = mapped_column(String(100), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)

class ShareRule(Base):
    """What goes to a partner: which records, and what is redacted."""

    __tablename__ = "share_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("share_partners.id"), nullable=False, unique=True)
    #: An IncidentFilter (schemas.filters) as JSON.
    filter: Mapped[dict] = mapped_column(JSON, nullable=False)
    #: Highest confidentiality level shared.
    ceiling: Mapped[str] = mapped_column(String(30), nullable=False, default="restricted")
    #: Which recorded consent of a source allows sharing: share_prosecutors | publish.
    consent: Mapped[str] = mapped_column(String(30), nullable=False, default="share_prosecutors")
    #: exact | hromada (the incident's point becomes its hromada's centre).
    coordinates: Mapped[str] = mapped_column(String(20), nullable=False, default="hromada")
    #: none | hashes (evidence files never travel in a package; their SHA-256 may).
    evidence: Mapped[str] = mapped_column(String(20), nullable=False, default="hashes")
    #: Whether named victims travel as persons (names, birth date); otherwise victims are anonymous.
    victim_names: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(100), nullable=False)


class SharePackage(Base):
    """A package sent to or received from a partner (sequence numbers per partner and direction)."""

    __tablename__ = "share_packages"
    __table_args__ = (UniqueConstraint("partner_id", "direction", "sequence", name="uq_share_packages_sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("share_partners.id"), nullable=False, index=True)
    direction: Mapped[str] = mapped_column(String(10), nullable=False)  # sent | received
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    counts: Mapped[dict] = mapped_column(JSON, nullable=False)


class ShareRecord(Base):
    """Provenance of a record sent to or received from a partner.

    Received: ``local_id`` is the copy in the partner's namespace; origin names where the
    record was first documented (an organisation may pass on what it received). Sent: the
    version and content last sent, to find changes and withdrawals.
    """

    __tablename__ = "share_records"
    __table_args__ = (
        UniqueConstraint("partner_id", "direction", "entity", "origin_org", "origin_id", name="uq_share_records_origin"),
        Index("ix_share_records_local", "entity", "local_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("share_partners.id"), nullable=False)
    direction: Mapped[str] = mapped_column(String(10), nullable=False)
    entity: Mapped[str] = mapped_column(String(20), nullable=False)  # incident | person | source
    local_id: Mapped[int] = mapped_column(Integer, nullable=False)
    origin_org: Mapped[str] = mapped_column(String(200), nullable=False)
    origin_id: Mapped[int] = mapped_column(Integer, nullable=False)
    origin_version: Mapped[int] = mapped_column(Integer, nullable=False)
    content_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    #: Received: the local record's version when the package was applied (a higher one: edited here).
    local_version: Mapped[int] = mapped_column(Integer, nullable=False)
    package_id: Mapped[int | None] = mapped_column(ForeignKey("share_packages.id"))
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="active")  # active | withdrawn | conflict
    #: A conflicting version the partner sent, kept until someone decides; evidence hashes.
    pending: Mapped[dict | None] = mapped_column(JSON)
    extra: Mapped[dict | None] = mapped_column(JSON)


class ShareLink(Base):
    """``record_id`` documents the same incident or person as ``same_as_id``: figures count them once."""

    __tablename__ = "share_links"
    __table_args__ = (UniqueConstraint("entity", "record_id", name="uq_share_links_record"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(20), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    same_as_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
