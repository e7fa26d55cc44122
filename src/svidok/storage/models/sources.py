"""Sources of information, with grades, consent and protected identities."""

from __future__ import annotations

from sqlalchemy import Boolean, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Confidential, Record, key_id_index


class Source(Record, Confidential, Base):
    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("import_source", "source_key", name="uq_sources_source_key"),)

    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    #: A public description ("local resident", "Telegram channel X"); never the identity.
    description: Mapped[str | None] = mapped_column(Text)
    #: Shown instead of the identity to anyone without clearance.
    pseudonym: Mapped[str] = mapped_column(String(60), nullable=False)
    reliability: Mapped[str] = mapped_column(String(2), nullable=False, default="F")
    credibility: Mapped[str] = mapped_column(String(2), nullable=False, default="6")
    identity_protected: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    #: AES-GCM ciphertexts of the identity and contact details.
    identity_enc: Mapped[bytes | None] = mapped_column()
    contact_enc: Mapped[bytes | None] = mapped_column()
    url: Mapped[str | None] = mapped_column(String(2000))
    consent_contact: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    consent_share_prosecutors: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    consent_publish: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    risk: Mapped[str | None] = mapped_column(String(20))


key_id_index(Source.__table__.c.identity_enc)
key_id_index(Source.__table__.c.contact_enc)
