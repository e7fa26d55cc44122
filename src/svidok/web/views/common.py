"""Shared by the page modules: run a service off the event loop, read forms, map errors to fields."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from svidok.core.errors import FieldError, ServiceError, ValidationFailed
from svidok.core.validation import pydantic_reason
from svidok.services import jobs

from ..i18n import _, reason, say
from ..render import PageError, redirect, render

call = run_in_threadpool


def field_path(loc: tuple) -> str:
    """('acts', 0, 'victims', 1, 'harm') -> 'acts[0].victims[1].harm' (the services' own naming)."""
    path = ""
    for p in loc:
        if p in ("body", "query"):
            continue
        path += f"[{p}]" if isinstance(p, int) else (f".{p}" if path else str(p))
    return path


def parse(schema: type[BaseModel], data: dict) -> BaseModel:
    """Validate a form with the API's schema; errors come out as the services' ValidationFailed."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed([
            FieldError(field_path(tuple(e["loc"])) or "form", pydantic_reason(e))
            for e in exc.errors()
        ]) from None


def errors_by_field(exc: ValidationFailed) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in exc.errors:
        out.setdefault(e.field, reason(e.reason))
    return out


class FormAgain(Exception):
    """The page to answer with instead of the route's own (a form shown again); see :func:`form_again`."""

    def __init__(self, response: Response):
        super().__init__("form shown again")
        self.response = response


@asynccontextmanager
async def form_again(again: Callable[[dict[str, str]], Response | Awaitable[Response]]) -> AsyncIterator[None]:
    """Around a form's work: when a service refuses the input (``ValidationFailed``), the answer is
    ``again(errors by field)``, the form shown again (with its status, usually 422) instead of the
    route's own answer. ``mount`` answers the :class:`FormAgain` this raises with that page."""
    try:
        yield
    except ValidationFailed as exc:
        page = again(errors_by_field(exc))
        raise FormAgain(await page if inspect.isawaitable(page) else page) from None


async def form_dict(request: Request) -> dict[str, Any]:
    """Form fields as a dict; repeated names become lists; the CSRF token is dropped."""
    form = await request.form()
    out: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        values = form.getlist(key)
        out[key] = values if len(values) > 1 else values[0]
    return out


def text(value: Any) -> str | None:
    """An empty form field means "not given"."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def whole(value: Any, limit: int = 2**53) -> int | None:
    """A positive whole number typed in a form or an address (at most ``limit``), else None.

    ``str.isdigit`` alone lets through "٣" and numbers that overflow a database integer (a 500).
    """
    value = str(value or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= limit else None


def listed(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    values = value if isinstance(value, list) else [value]
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in str(v).split(",") if x.strip())
    return out


async def review_decision(request: Request, actor: Any, pair_id: int, verdict: str,
                          decisions: dict[str, tuple[Callable[..., Any], str]], page: str):
    """A decision on a review pair (persons, incidents) or its undo, from the pair page's form.

    ``decisions`` maps each verdict to the service function and what to say when done;
    back to ``page`` with that, or with the service's words when the pair was decided meanwhile.
    """
    if verdict not in decisions:
        return render(request, "error.html", status=404, status_code=404, message=_("No such decision."))
    fn, done = decisions[verdict]
    form = await form_dict(request)
    try:
        await call(fn, request.app.state.svidok, actor, pair_id, text(form.get("note")))
    except ServiceError as exc:
        if exc.status == 409:
            return redirect(request, page, say(exc))
        raise
    return redirect(request, page, _(done))


async def job_of_kind(request: Request, actor, job_id: int, kinds: Collection[str], **params: Any) -> dict:
    """The job a page shows, when it is of one of ``kinds`` and its parameters include ``params``;
    any other job (or none the actor may see) is "no such page", not another page's job."""
    job = await call(jobs.get, request.app.state.svidok, actor, job_id)
    given = job["params"] or {}
    if job["kind"] not in kinds or any(given.get(k) != v for k, v in params.items()):
        raise PageError(404, _("No such page."))
    return job
