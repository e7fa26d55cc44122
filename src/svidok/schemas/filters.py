"""Filters for listing incidents (the same in the API, the web list, exports and counts)."""

from __future__ import annotations

from pydantic import Field, model_validator

from .common import Code, Id, PartialDateText, PlaceRef, Strict


class IncidentFilter(Strict):
    """Which incidents; an empty value (a blank form field, ``?place=``) means "not given"."""

    @model_validator(mode="before")
    @classmethod
    def _blank_is_none(cls, data: object) -> object:
        if isinstance(data, dict):
            return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()}
        return data

    date_from: PartialDateText | None = Field(None, description="incidents that may have happened on or after this date")
    date_to: PartialDateText | None = Field(None, description="… on or before this date (a year-only date overlaps every day of it)")
    place: PlaceRef | None = Field(None, description="a place and everything inside it")
    violation_type: Code | None = None
    family: Code | None = Field(None, description="violation family, e.g. attacks_on_civilians")
    provision: Code | None = Field(None, description="acts whose type may qualify under it, or explicitly qualified")
    means: Code | None = None
    characteristic: Code | None = Field(None, description="a victim characteristic, e.g. child, older_person")
    victim_status: Code | None = Field(None, description="civilian, prisoner_of_war, combatant, unknown")
    harm: Code | None = None
    verification_status: Code | None = None
    case_id: Id | None = None
    q: str | None = Field(None, max_length=200, description="full-text search, across scripts")


class IncidentPage(IncidentFilter):
    """A filter plus the page wanted (query parameters of the incident list)."""

    cursor: str | None = Field(None, max_length=200, description="next_cursor of the previous page")
    limit: int = Field(50, ge=1, le=500)
