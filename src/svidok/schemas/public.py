"""What the API answers for its main resources (so ``/api/v1/openapi.json`` documents responses).

The services return plain dicts; these models name and type their fields for clients and the
OpenAPI document. ``extra="allow"``: a field a service adds later is passed on, not dropped.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class RecordMeta(_Open):
    """What every record carries: identity, version, provenance, confidentiality."""

    id: int
    version: int
    created_at: str | None = None
    updated_at: str | None = None
    created_by: str | None = None
    deleted_at: str | None = Field(None, description="set when withdrawn (with deleted_reason)")
    deleted_reason: str | None = None
    synthetic: bool = False
    confidentiality: str
    case_id: int | None = None


class IncidentSummary(_Open):
    """One incident in a list."""

    id: int
    title: str
    date_start: str | None = None
    date_end: str | None = None
    place_id: int | None = None
    place: str | None = Field(None, description="the place's name")
    lat: float | None = None
    lon: float | None = None
    verification_status: str | None = None
    confidentiality: str
    violation_types: list[str] = []


class IncidentList(_Open):
    items: list[IncidentSummary]
    next_cursor: str | None = Field(None, description="pass back as ``cursor`` for the next page")


class IncidentPublic(RecordMeta):
    """An incident with its acts (victims, perpetrators, qualifications), sources and evidence."""

    title: str
    narrative: str | None = None
    narrative_i18n: dict[str, str] | None = None
    date_start: str | None = None
    date_end: str | None = None
    date_lo: str | None = None
    date_hi: str | None = None
    place_id: int | None = None
    place: dict[str, Any] | None = None
    lat: float | None = None
    lon: float | None = None
    location_precision: str | None = None
    verification_status: str | None = None
    occupation: dict[str, Any] | None = None
    acts: list[dict[str, Any]] = []
    sources: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    #: The incident this report was found to duplicate (a reversible merge); figures count that one.
    merged_into_id: int | None = None
    #: Reports merged into this incident.
    merged_here: list[int] = []
    #: On creation: incidents this one is likely to duplicate, queued for review (with the reasons).
    possible_duplicates: list[dict[str, Any]] = []


class PersonPublic(RecordMeta):
    """A person as the caller may see them (protected contacts and address are only flagged)."""

    full_name: str | None = None
    family_name: str | None = None
    given_name: str | None = None
    patronymic: str | None = None
    sex: str | None = None
    birth_date: str | None = None
    age_band: str | None = None
    status: str | None = None
    life_status: str | None = None
    characteristics: list[str] = []
    names: list[dict[str, Any]] = []
    has_address: bool | None = None
    has_contact: bool | None = None


class EvidencePublic(RecordMeta):
    """An evidence item: the file by SHA-256, its acquisition, custody events and assessments."""

    sha256: str
    size: int
    media_type: str | None = None
    original_name: str | None = None
    incident_id: int | None = None
    source_id: int | None = None
    acquired_by: str | None = None
    acquired_at: str | None = None
    acquisition_method: str | None = None
    extracted: dict[str, Any] = {}
    #: Marked graphic (at upload or by a reviewer): blurred and muted for users who ask for it.
    graphic: bool = False
    #: Metadata that does not fit the incident (capture time, place, editing software): kind, source,
    #: the figures, and the sentence in English and Ukrainian (``text.en``, ``text.uk``). Hints, not verdicts.
    metadata_warnings: list[dict[str, Any]] = []
    custody_events: list[dict[str, Any]] = []
    assessments: list[dict[str, Any]] = []


class Count(_Open):
    count: int
