"""Close family members of a victim who may claim for them (Register of Damage), recorded with consent."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Confidential, Record


class ClaimRelative(Record, Confidential, Base):
    """A family member of a person (the victim), with the family's consent to record them.

    The name and contact are protected (AES-GCM ciphertext, like a person's address); the
    relationship is a term of ``domain.claims.RELATIONSHIPS``.
    """

    __tablename__ = "claim_relatives"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True, nullable=False)
    relationship: Mapped[str] = mapped_column(String(30), nullable=False)
    name_enc: Mapped[bytes | None] = mapped_column()
    contact_enc: Mapped[bytes | None] = mapped_column()
    #: Consent of the family to be recorded and to have a claim prepared: who gave it, when, for what.
    consent: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    consent_date: Mapped[str] = mapped_column(String(20), nullable=False)
    consent_scope: Mapped[str | None] = mapped_column(Text)
    #: Who acts for the claimant (e.g. the organisation as representative), if anyone.
    representative: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
