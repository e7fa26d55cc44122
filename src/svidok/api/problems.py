"""Errors as RFC 9457 problem details that name the field and the reason."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from svidok.core.errors import ServiceError, ValidationFailed

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, errors: list[dict] | None = None, **extra) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _field_path(loc: tuple) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    path = ""
    for p in parts:
        path += f"[{p}]" if isinstance(p, int) else (f".{p}" if path else str(p))
    return path or str(loc[0] if loc else "body")


def install(app: FastAPI) -> None:
    @app.exception_handler(ValidationFailed)
    async def _invalid(_: Request, exc: ValidationFailed) -> JSONResponse:
        return problem(422, exc.title, str(exc), [e.as_dict() for e in exc.errors])

    @app.exception_handler(ServiceError)
    async def _service(_: Request, exc: ServiceError) -> JSONResponse:
        return problem(exc.status, exc.title, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            reason = err["msg"].removeprefix("Value error, ")
            if err["type"] == "json_invalid":
                reason = f"malformed JSON: {err.get('ctx', {}).get('error', reason)}"
            errors.append({"field": _field_path(tuple(err["loc"])), "reason": reason})
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
        return problem(422, "Invalid input", detail, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"type": "about:blank", "title": str(exc.detail), "status": exc.status_code, "detail": str(exc.detail)},
            status_code=exc.status_code, media_type=PROBLEM, headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _crash(_: Request, exc: Exception) -> JSONResponse:  # never a stack trace to the user
        import logging

        logging.getLogger("svidok").exception("unhandled error")
        return problem(500, "Internal error", "the server failed; the error has been logged")
