"""Inputs for organisations, cases, custody episodes, displacements, hazard areas, interventions."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .common import Code, Id, Latitude, Longitude, LongText, PartialDateText, PlaceRef, ShortText, Strict


class OrganisationIn(Strict):
    synthetic: bool = Field(False, description="marks demo or training data, never real people")
    name: ShortText = Field(min_length=1)
    name_uk: ShortText | None = None
    kind: Code = "armed_forces_unit"
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    parent_id: Id | None = None
    notes: LongText | None = None


class CaseIn(Strict):
    synthetic: bool = Field(False, description="marks demo or training data, never real people")
    code: str = Field(min_length=1, max_length=50)
    title: ShortText = Field(min_length=1)
    description: LongText | None = None


class ProofOfLifeIn(Strict):
    kind: Code
    date: PartialDateText
    note: LongText | None = None


class CustodyEpisodeIn(Strict):
    synthetic: bool = Field(False, description="marks demo or training data, never real people")
    person_id: Id
    authority: Code = "unknown"
    authority_org_id: Id | None = None
    facility: PlaceRef | None = None
    transferred_from_id: Id | None = None
    date_from: PartialDateText
    date_to: PartialDateText | None = None
    acknowledged: bool | None = None
    monitor_access: bool | None = None
    incommunicado: bool | None = None
    charges: LongText | None = None
    court: ShortText | None = None
    sentence: ShortText | None = None
    fair_trial_concerns: LongText | None = None
    forced_labour: bool = False
    outcome: Code = "in_custody"
    proofs_of_life: list[ProofOfLifeIn] = Field(default_factory=list, max_length=1000)
    notes: LongText | None = None
    confidentiality: Code = "confidential"
    case_id: Id | None = None


class DisplacementIn(Strict):
    synthetic: bool = Field(False, description="marks demo or training data, never real people")
    person_id: Id | None = None
    group_count: int = Field(1, ge=1, le=10_000_000)
    kind: Code
    from_place: PlaceRef | None = None
    to_place: PlaceRef | None = None
    to_country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    date: PartialDateText
    protection_status: Code | None = None
    notes: LongText | None = None
    confidentiality: Code = "restricted"
    case_id: Id | None = None


class HazardAreaIn(Strict):
    synthetic: bool = Field(False, description="marks demo or training data, never real people")
    name: ShortText = Field(min_length=1)
    place: PlaceRef | None = None
    lat: Latitude
    lon: Longitude
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON Polygon")
    contamination: Code
    status: Code = "suspected"
    date_reported: PartialDateText | None = None
    date_cleared: PartialDateText | None = None
    notes: LongText | None = None
    confidentiality: Code = "public"
    case_id: Id | None = None


class RecommendationIn(Strict):
    theme: Code
    text: LongText = Field(min_length=1)
    support: list[dict[str, Any]] = Field(default_factory=list, max_length=200)


class InterventionIn(Strict):
    synthetic: bool = Field(False, description="marks demo or training data, never real people")
    title: ShortText = Field(min_length=1)
    date: PartialDateText
    target: ShortText = Field(min_length=1)
    target_kind: Code = "government"
    status: Code = "draft"
    body: LongText | None = None
    recommendations: list[RecommendationIn] = Field(default_factory=list, max_length=200)
    confidentiality: Code = "public"
    case_id: Id | None = None
