"""Incidents, acts (violations), victims, perpetrators, legal qualifications."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import PARTIAL_INDEX, Base, Confidential, Record


class Incident(Record, Confidential, Base):
    __tablename__ = "incidents"
    __table_args__ = (
        UniqueConstraint("import_source", "source_key", name="uq_incidents_source_key"),
        Index("ix_incidents_dates", "date_lo", "date_hi"),
        # The web list's date order for need-to-know outside cases (migration 0030; named by
        # incident_queries on SQLite, which would not choose it itself).
        Index("ix_incidents_open_by_date", "date_lo", "id", "date_hi", "confidentiality", "deleted_at",
              sqlite_where=text("case_id IS NULL"), postgresql_where=text("case_id IS NULL")),
    )

    title: Mapped[str] = mapped_column(String(500), nullable=False)
    #: Other-language versions of the title, e.g. {"uk": "..."} (shown in that interface language).
    title_i18n: Mapped[dict | None] = mapped_column()
    narrative: Mapped[str | None] = mapped_column(Text)
    #: Other-language versions of the narrative, e.g. {"uk": "..."}.
    narrative_i18n: Mapped[dict | None] = mapped_column()
    #: Partial dates as written ("2022-03", "~2022-04-05") and the interval of days covered.
    date_start: Mapped[str] = mapped_column(String(20), nullable=False)
    date_end: Mapped[str | None] = mapped_column(String(20))
    date_lo: Mapped[date] = mapped_column(Date, nullable=False)
    date_hi: Mapped[date] = mapped_column(Date, nullable=False)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    location_precision: Mapped[str | None] = mapped_column(String(20))
    verification_status: Mapped[str] = mapped_column(String(30), nullable=False, default="unverified")
    #: Name keys of title and narrative across scripts, for full-text search.
    search_text: Mapped[str | None] = mapped_column(Text)
    #: Set when a reviewer found this report to be the same incident as another (reversible,
    #: see services/incident_merges.py); figures count only incidents where it IS NULL.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), info={PARTIAL_INDEX: True})

    acts: Mapped[list[Act]] = relationship(back_populates="incident", order_by="Act.id")


class Act(Record, Base):
    __tablename__ = "acts"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True, nullable=False)
    violation_type: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    means: Mapped[str | None] = mapped_column(String(80), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    date_start: Mapped[str | None] = mapped_column(String(20))

    incident: Mapped[Incident] = relationship(back_populates="acts")
    victims: Mapped[list[Victim]] = relationship(order_by="Victim.id")
    perpetrators: Mapped[list[Perpetrator]] = relationship(order_by="Perpetrator.id")
    qualifications: Mapped[list[Qualification]] = relationship(order_by="Qualification.id")


class Victim(Base):
    """A victim of an act: a known person, or a counted group ("12 civilians")."""

    __tablename__ = "victims"
    # Finds the few victims of a rare status/harm filter (migration 0009; see
    # services.incident_queries.acts_of_few_victims).
    __table_args__ = (Index("ix_victims_status_harm_act_id", "status", "harm", "act_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("acts.id"), index=True, nullable=False)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    group_description: Mapped[str | None] = mapped_column(String(300))
    #: a term of the harms vocabulary (killed, injured, detained, disappeared, …)
    harm: Mapped[str] = mapped_column(String(30), nullable=False)
    status: Mapped[str] = mapped_column(String(30), nullable=False, default="unknown")
    sex: Mapped[str] = mapped_column(String(10), nullable=False, default="unknown")
    #: Age in whole years at the time of the act, when known.
    age: Mapped[int | None] = mapped_column(Integer)
    age_band: Mapped[str | None] = mapped_column(String(10))
    #: Characteristic codes at the time of the act, "|child|journalist|" (LIKE-searchable).
    characteristics: Mapped[str] = mapped_column(String(300), nullable=False, default="|")


class Perpetrator(Base):
    __tablename__ = "perpetrators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("acts.id"), index=True, nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), info={PARTIAL_INDEX: True})
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), info={PARTIAL_INDEX: True})
    description: Mapped[str | None] = mapped_column(String(300))
    mode: Mapped[str] = mapped_column(String(40), nullable=False, default="unknown")


class Qualification(Base):
    """A legal qualification a documenter gave an act (beyond those its type may carry)."""

    __tablename__ = "qualifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("acts.id"), index=True, nullable=False)
    provision: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    note: Mapped[str | None] = mapped_column(Text)


class IncidentSource(Base):
    __tablename__ = "incident_sources"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True, index=True)
    note: Mapped[str | None] = mapped_column(Text)
