"""Inputs for incidents, acts, victims, perpetrators, persons and sources."""

from __future__ import annotations

from pydantic import Field, model_validator

from .common import Code, Id, Latitude, Longitude, LongText, PartialDateText, PlaceRef, ShortText, Strict, Version


class NameIn(Strict):
    name: ShortText = Field(min_length=1)
    script: Code | None = None
    lang: Code | None = None


class PersonIn(Strict):
    synthetic: bool = Field(False, description="marks demo or training data, never real people")
    full_name: ShortText = Field(min_length=1)
    family_name: ShortText | None = None
    given_name: ShortText | None = None
    patronymic: ShortText | None = None
    other_names: list[NameIn] = Field(default_factory=list, max_length=50)
    sex: Code = "unknown"
    birth_date: PartialDateText | None = None
    age_band: Code | None = None
    status: Code = "unknown"
    life_status: Code = "unknown"
    characteristics: list[Code] = Field(default_factory=list, max_length=30)
    residence_place: PlaceRef | None = None
    address: ShortText | None = Field(None, description="exact address: stored encrypted")
    contact: ShortText | None = Field(None, description="contact details: stored encrypted")
    notes: LongText | None = None
    confidentiality: Code = "restricted"
    case_id: Id | None = None


class PersonUpdate(PersonIn):
    full_name: ShortText | None = Field(None, min_length=1)  # type: ignore[assignment]
    version: Version


class VictimIn(Strict):
    person_id: Id | None = None
    person: PersonIn | None = None
    count: int = Field(1, ge=1, le=1_000_000)
    group_description: ShortText | None = None
    harm: Code
    status: Code = "unknown"
    sex: Code = "unknown"
    age: int | None = Field(None, ge=0, le=125)
    characteristics: list[Code] = Field(default_factory=list, max_length=30)

    @model_validator(mode="after")
    def _one_kind(self) -> VictimIn:
        if self.person_id is not None and self.person is not None:
            raise ValueError("give person_id or person, not both")
        if (self.person_id is not None or self.person is not None) and self.count != 1:
            raise ValueError("a victim who is a person has count 1; use a group for several")
        return self


class PerpetratorIn(Strict):
    organisation_id: Id | None = None
    person_id: Id | None = None
    description: ShortText | None = None
    mode: Code = "unknown"


class ActIn(Strict):
    violation_type: Code
    means: Code | None = None
    description: LongText | None = None
    date_start: PartialDateText | None = None
    qualifications: list[Code] = Field(default_factory=list, max_length=30)
    victims: list[VictimIn] = Field(default_factory=list, max_length=10_000)
    perpetrators: list[PerpetratorIn] = Field(default_factory=list, max_length=100)


class IncidentIn(Strict):
    synthetic: bool = Field(False, description="marks demo or training data, never real people")
    title: ShortText = Field(min_length=1)
    title_i18n: dict[Code, ShortText] | None = None
    narrative: LongText | None = None
    narrative_i18n: dict[Code, LongText] | None = None
    date_start: PartialDateText
    date_end: PartialDateText | None = None
    place: PlaceRef | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    location_precision: Code | None = None
    verification_status: Code = "unverified"
    confidentiality: Code = "restricted"
    case_id: Id | None = None
    acts: list[ActIn] = Field(default_factory=list, max_length=1000)
    source_ids: list[Id] = Field(default_factory=list, max_length=1000)


class IncidentUpdate(Strict):
    """Fields to change; acts, when given, replace the incident's acts."""

    version: Version
    title: ShortText | None = Field(None, min_length=1)
    title_i18n: dict[Code, ShortText] | None = None
    narrative: LongText | None = None
    narrative_i18n: dict[Code, LongText] | None = None
    date_start: PartialDateText | None = None
    date_end: PartialDateText | None = None
    place: PlaceRef | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    location_precision: Code | None = None
    verification_status: Code | None = None
    confidentiality: Code | None = None
    case_id: Id | None = None
    acts: list[ActIn] | None = Field(None, max_length=1000)
    source_ids: list[Id] | None = Field(None, max_length=1000)


class SourceIn(Strict):
    synthetic: bool = Field(False, description="marks demo or training data, never real people")
    kind: Code
    description: LongText | None = None
    pseudonym: ShortText | None = None
    reliability: Code = "F"
    credibility: Code = "6"
    identity_protected: bool = True
    identity: ShortText | None = Field(None, description="who the source is: stored encrypted")
    contact: ShortText | None = Field(None, description="how to reach them: stored encrypted")
    url: str | None = Field(None, max_length=2000)
    consent_contact: bool = False
    consent_share_prosecutors: bool = False
    consent_publish: bool = False
    risk: Code | None = None
    confidentiality: Code = "confidential"
    case_id: Id | None = None


class DeleteIn(Strict):
    reason: str = Field(min_length=3, max_length=2000, description="why the record is withdrawn")
    version: Id | None = None
