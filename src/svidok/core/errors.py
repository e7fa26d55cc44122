"""Errors the services raise; every interface turns them into a clear message."""

from __future__ import annotations

from dataclasses import dataclass

from svidok.core.messages import translated


@dataclass
class FieldError:
    """One problem with one field ("date_start": "day 30 does not exist in 2022-02")."""

    field: str
    reason: str
    row: int | None = None

    def as_dict(self) -> dict:
        out = {"field": self.field, "reason": self.reason}
        if self.row is not None:
            out["row"] = self.row
        return out

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {self.reason}"

    def said(self, gettext, field_name=None) -> str:
        """The problem in the language of ``gettext`` (``field_name`` names a field for people)."""
        field = field_name(self.field) if field_name else self.field
        where = gettext("row %(row)s, ") % {"row": self.row} if self.row is not None else ""
        return f"{where}{field}: {translated(self.reason, gettext)}"


class ServiceError(Exception):
    status = 400
    title = "Bad request"

    def said(self, gettext, field_name=None) -> str:
        """The message in the language of ``gettext``: its first argument when the service marked
        it with ``M_`` (``svidok.core.messages``), else as written."""
        return translated(self.args[0], gettext) if self.args else ""


class ValidationFailed(ServiceError):
    status = 422
    title = "Invalid input"

    def __init__(self, errors: list[FieldError] | FieldError):
        self.errors = errors if isinstance(errors, list) else [errors]
        super().__init__("; ".join(map(str, self.errors)))

    def said(self, gettext, field_name=None) -> str:
        return "; ".join(e.said(gettext, field_name) for e in self.errors)


class NotFound(ServiceError):
    status = 404
    title = "Not found"


class Forbidden(ServiceError):
    status = 403
    title = "Forbidden"


class Conflict(ServiceError):
    """A stale update (optimistic locking) or a duplicate."""

    status = 409
    title = "Conflict"


class StorageUnavailable(ServiceError):
    """The evidence store cannot be reached or refuses to work; nothing was recorded."""

    status = 503
    title = "Storage unavailable"


class RangeNotSatisfiable(ServiceError):
    """A byte range outside the file (HTTP 416)."""

    status = 416
    title = "Range not satisfiable"

    def __init__(self, message: str, size: int):
        super().__init__(message)
        self.size = size
