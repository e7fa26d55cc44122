"""Pages: the custody monitoring view and the linkage review queue (side by side, decide, undo).

Registered by ``svidok.api.routes.custody.install`` and ``svidok.api.routes.linkage.install``
(the web mount lists its own modules), behind the same session and CSRF checks.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request

from svidok.core.errors import ValidationFailed
from svidok.figures import custody_monitor
from svidok.http.deps import PathId
from svidok.services import person_linkage

from ..deps import SignedIn, Writer, csrf_checked
from ..i18n import _, reason
from ..render import render
from .common import call, review_decision, whole

monitor_router = APIRouter()
review_router = APIRouter()
FLAGS = ("incommunicado", "no_monitor_access", "in_russia", "in_occupied", "disappeared")


@monitor_router.get("/custody/monitor")
async def monitor_page(request: Request, actor: SignedIn):
    q = request.query_params
    values = {k: q.get(k) for k in ("days", "mark", "after", "today", *FLAGS)}
    errors: dict[str, str] = {}
    days = None
    if values["days"]:
        if whole(values["days"], 100_000) is not None:
            days = whole(values["days"], 100_000)
        else:
            errors["days"] = _("Give a whole number of days.")
    today = None
    if values["today"]:
        try:
            today = date.fromisoformat(values["today"])
        except ValueError:
            errors["today"] = _("Give a date as YYYY-MM-DD.")
    page = {"items": [], "total": 0, "next_cursor": None, "today": today or date.today()}
    if not errors:
        try:
            page = await call(lambda: custody_monitor.page(
                request.app.state.svidok, actor, days=days, mark=values["mark"] or None, after=values["after"] or None,
                today=today, **{f: bool(values[f]) for f in FLAGS}))
        except ValidationFailed as exc:
            errors = {e.field: reason(e.reason) for e in exc.errors}
    return render(request, "custody/monitor.html", status=422 if errors else 200, page=page, values=values,
                  errors=errors, flags=FLAGS)


@review_router.get("/review")
async def review_list(request: Request, actor: SignedIn):
    status = request.query_params.get("status") or "pending"
    after = request.query_params.get("after")
    out = await call(person_linkage.queue, request.app.state.svidok, actor, status=status,
                     after=whole(after))
    return render(request, "review/list.html", page=out, status_filter=status)


@review_router.get("/review/{pair_id}")
async def review_show(request: Request, pair_id: PathId, actor: SignedIn):
    pair = await call(person_linkage.show, request.app.state.svidok, actor, pair_id)
    return render(request, "review/show.html", pair=pair)


_DECIDE = {"accept": (person_linkage.accept, "Accepted: the two records are now one person (reversible)."),
           "reject": (person_linkage.reject, "Rejected: later runs will not link these records."),
           "undo": (person_linkage.undo, "Decision undone: both records are as they were.")}


@review_router.post("/review/{pair_id}/{verdict}", dependencies=[Depends(csrf_checked)])
async def review_decide(request: Request, pair_id: PathId, verdict: str, actor: Writer):
    return await review_decision(request, actor, pair_id, verdict, _DECIDE, f"/review/{pair_id}")
