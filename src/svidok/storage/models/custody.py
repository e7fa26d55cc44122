"""Deprivation of liberty, displacement, hazard areas."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, Unmapped, mapped_column, relationship, unmapped_column

from .base import Base, Confidential, Record


class CustodyEpisode(Record, Confidential, Base):
    __tablename__ = "custody_episodes"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True, nullable=False)
    authority: Mapped[str] = mapped_column(String(60), nullable=False, default="unknown")
    authority_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    facility_place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    #: The episode this one continues after a transfer between facilities.
    transferred_from_id: Mapped[int | None] = mapped_column(ForeignKey("custody_episodes.id"))
    date_from: Mapped[str] = mapped_column(String(20), nullable=False)
    date_from_lo: Mapped[date] = mapped_column(Date, nullable=False)
    date_to: Mapped[str | None] = mapped_column(String(20))
    date_to_hi: Mapped[date | None] = mapped_column(Date)
    #: None = not known; False = the detaining power denies or conceals it.
    acknowledged: Mapped[bool | None] = mapped_column(Boolean)
    monitor_access: Mapped[bool | None] = mapped_column(Boolean)
    incommunicado: Mapped[bool | None] = mapped_column(Boolean)
    charges: Mapped[str | None] = mapped_column(Text)
    court: Mapped[str | None] = mapped_column(String(300))
    sentence: Mapped[str | None] = mapped_column(String(300))
    fair_trial_concerns: Mapped[str | None] = mapped_column(Text)
    forced_labour: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    outcome: Mapped[str] = mapped_column(String(30), nullable=False, default="in_custody", index=True)
    last_proof_of_life: Mapped[date | None] = mapped_column(Date, index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    # What the marks of the person (child, older person) are judged from: copies of the
    # person's birth range and recorded characteristics, written by database triggers
    # (migration 0006) on every insert, on a change of person_id and on every change of
    # the person, whatever path wrote the rows. The monitoring view filters by mark from
    # its covering index of open episodes instead of reading the persons. Not mapped: the
    # ORM never writes them and record versions never show them.
    person_birth_lo: Unmapped[date | None] = unmapped_column(Date)
    person_birth_hi: Unmapped[date | None] = unmapped_column(Date)
    person_recorded_child: Unmapped[bool] = unmapped_column(Boolean, nullable=False, server_default=false())
    person_recorded_older: Unmapped[bool] = unmapped_column(Boolean, nullable=False, server_default=false())

    proofs_of_life: Mapped[list[ProofOfLife]] = relationship(order_by="ProofOfLife.date_lo")


class ProofOfLife(Base):
    __tablename__ = "proofs_of_life"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("custody_episodes.id"), index=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    date: Mapped[str] = mapped_column(String(20), nullable=False)
    date_lo: Mapped[date] = mapped_column(Date, nullable=False)
    date_hi: Mapped[date] = mapped_column(Date, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)


class Displacement(Record, Confidential, Base):
    __tablename__ = "displacements"

    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    group_count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    from_place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    to_place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    to_country: Mapped[str | None] = mapped_column(String(2))
    date: Mapped[str] = mapped_column(String(20), nullable=False)
    date_lo: Mapped[date] = mapped_column(Date, nullable=False)
    date_hi: Mapped[date] = mapped_column(Date, nullable=False)
    protection_status: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)


class HazardArea(Record, Confidential, Base):
    __tablename__ = "hazard_areas"

    name: Mapped[str] = mapped_column(String(300), nullable=False)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    #: GeoJSON geometry (Polygon) when the area is known; else the point above.
    geometry: Mapped[dict | None] = mapped_column()
    contamination: Mapped[str] = mapped_column(String(40), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="suspected")
    date_reported: Mapped[str | None] = mapped_column(String(20))
    date_cleared: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)


class HazardCasualty(Base):
    __tablename__ = "hazard_casualties"

    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazard_areas.id"), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
