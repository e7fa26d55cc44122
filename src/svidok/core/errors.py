"""Errors the services raise; every interface turns them into a clear message."""

from __future__ import annotations

from dataclasses import dataclass


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


class ServiceError(Exception):
    status = 400
    title = "Bad request"


class ValidationFailed(ServiceError):
    status = 422
    title = "Invalid input"

    def __init__(self, errors: list[FieldError] | FieldError):
        self.errors = errors if isinstance(errors, list) else [errors]
        super().__init__("; ".join(map(str, self.errors)))


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
