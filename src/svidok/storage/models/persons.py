"""Persons, their names in several scripts, and the keys that make names searchable."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import PARTIAL_INDEX, Base, Confidential, Record, key_id_index


class Person(Record, Confidential, Base):
    __tablename__ = "persons"
    __table_args__ = (UniqueConstraint("import_source", "source_key", name="uq_persons_source_key"),)

    #: The name as the documenter wrote it, and its parts when known.
    full_name: Mapped[str] = mapped_column(String(300), nullable=False)
    family_name: Mapped[str | None] = mapped_column(String(150))
    given_name: Mapped[str | None] = mapped_column(String(150))
    patronymic: Mapped[str | None] = mapped_column(String(150))
    sex: Mapped[str] = mapped_column(String(10), nullable=False, default="unknown")
    birth_date: Mapped[str | None] = mapped_column(String(20))
    birth_lo: Mapped[date | None] = mapped_column(Date)
    birth_hi: Mapped[date | None] = mapped_column(Date)
    #: When no birth date is known: an age band code from the age_bands vocabulary.
    age_band: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(30), nullable=False, default="unknown")
    life_status: Mapped[str] = mapped_column(String(20), nullable=False, default="unknown")
    characteristics: Mapped[str] = mapped_column(String(300), nullable=False, default="|")
    residence_place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), info={PARTIAL_INDEX: True})
    #: Exact address and contacts are protected: AES-GCM ciphertext, never plain text.
    address_enc: Mapped[bytes | None] = mapped_column()
    contact_enc: Mapped[bytes | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(Text)
    #: Reversible merge: this record is linked into the cluster of another person.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)  # IS NULL: not merged

    names: Mapped[list[PersonName]] = relationship(order_by="PersonName.id", cascade="all, delete-orphan")


key_id_index(Person.__table__.c.address_enc)
key_id_index(Person.__table__.c.contact_enc)


class PersonName(Base):
    """A name as recorded in some script or language (each source may spell it differently)."""

    __tablename__ = "person_names"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True, nullable=False)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    script: Mapped[str] = mapped_column(String(10), nullable=False, default="Cyrl")
    lang: Mapped[str | None] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="as_recorded")


class PersonNameKey(Base):
    """One cross-script search key per name token of a person (see ``domain.names.search_keys``)."""

    __tablename__ = "person_name_keys"
    __table_args__ = (Index("ix_person_name_keys_key", "key", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True, nullable=False)
    key: Mapped[str] = mapped_column(String(60), nullable=False)
