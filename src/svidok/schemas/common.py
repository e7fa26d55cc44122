"""Field types reused by every input schema."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from svidok.core.validation import unsafe_reason
from svidok.domain import dates


def _partial_date(value: str) -> str:
    try:
        return dates.parse(value).to_iso()
    except dates.DateError as exc:
        raise ValueError(str(exc)) from None


PartialDateText = Annotated[str, Field(max_length=40, examples=["2022-03-05", "2022-03", "~2022-04-05"]), AfterValidator(_partial_date)]
Code = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.\-]+$")]
ShortText = Annotated[str, Field(max_length=300)]
LongText = Annotated[str, Field(max_length=100_000)]
#: Record ids are positive and fit in 53 bits (JSON-safe, and within SQLite's INTEGER).
MAX_ID = 2**53
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=1, le=2**31, description="the version you read; a stale one is refused")]
PlaceRef = Annotated[Annotated[str, Field(max_length=200)] | Annotated[int, Field(ge=1, le=MAX_ID)], Field(description="place id, official code (KATOTTG) or exact name")]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


def _refuse_unsafe(value: Any) -> Any:
    if isinstance(value, str):
        if reason := unsafe_reason(value):
            raise ValueError(reason)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            _refuse_unsafe(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_unsafe(key)
            _refuse_unsafe(item)
    return value


class TextChecked(BaseModel):
    """Every text field (and text in lists and mappings) refuses control and bidi-override characters."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_unsafe_characters(cls, value: Any) -> Any:
        return _refuse_unsafe(value)


class Strict(TextChecked):
    """Unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DecisionIn(TextChecked):
    """A reviewer's note with a decision on a review pair (persons, incidents) or an undo."""

    model_config = {"extra": "forbid"}
    note: str | None = Field(None, max_length=5000, description="why (kept with the decision and in the ledger)")
