"""Evidence list and evidence page (metadata, hashes, custody, assessments, proof, preview)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request

from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.validation import check_texts
from svidok.http.deps import PathId
from svidok.services import captures, evidence, evidence_c2pa, evidence_queries, incidents

from ..deps import SignedIn, Writer, csrf_checked
from ..i18n import _
from ..render import redirect, render
from .common import call, errors_by_field, form_again, form_dict, text

router = APIRouter()
FILTERS = ("incident_id", "case_id", "media_type", "acquired_from", "acquired_to", "q")
#: The media-type choices of the list's filter (prefixes, as the API takes them).
MEDIA_KINDS = ("image/", "video/", "audio/", "application/pdf", "text/")


def read_filter(raw: dict) -> evidence_queries.EvidenceFilter:
    """The filter from the query string; ValidationFailed names a field that is not valid."""
    values: dict = {}
    problems = []
    for name in ("incident_id", "case_id"):
        if name in raw:
            try:
                values[name] = int(raw[name])
                if values[name] < 1:
                    raise ValueError
            except ValueError:
                problems.append(FieldError(name, _("a record number (1 or more)")))
    for name in ("acquired_from", "acquired_to"):
        if name in raw:
            try:
                values[name] = date.fromisoformat(raw[name])
            except ValueError:
                problems.append(FieldError(name, _("a date like 2022-03-05")))
    for name in ("media_type", "q"):
        if name in raw:
            values[name] = raw[name][:200]
    if problems:
        raise ValidationFailed(problems)
    f = evidence_queries.EvidenceFilter(**values)
    f.check()
    return f


@router.get("/evidence")
async def evidence_list(request: Request, actor: SignedIn):
    core = request.app.state.svidok
    raw = {k: v.strip() for k, v in request.query_params.items() if k in FILTERS and v.strip()}
    page, total, errors = {"items": [], "next_cursor": None}, None, {}
    try:
        f = read_filter(raw)
        page = await call(evidence_queries.listing, core, actor, f, request.query_params.get("cursor"), 50)
        total = await call(evidence_queries.count, core, actor, f)
    except ValidationFailed as exc:
        errors = errors_by_field(exc)
    # The "Preserve a link" form posted with a mistake comes back here (views.captures).
    preserve = getattr(request.state, "preserve_form", None)
    return render(request, "evidence/list.html", status=422 if preserve else 200, page=page, total=total,
                  filters=raw, errors=errors, media_kinds=MEDIA_KINDS, preserve=preserve or {})


async def _show(request: Request, actor, evidence_id: int, status: int = 200, **extra):
    core = request.app.state.svidok
    item = await call(evidence.get, core, actor, evidence_id)
    incident = await call(incidents.get, core, actor, item["incident_id"]) if item.get("incident_id") else None
    capture = await call(captures.of_evidence, core, actor, evidence_id)
    c2pa_stale = await call(evidence_c2pa.judged_with_another_list, core, item.get("extracted"))
    return render(request, "evidence/show.html", status=status, item=item, incident=incident, capture=capture,
                  preview=preview_kind(item["media_type"]), custody_actions=custody_actions(), c2pa_stale=c2pa_stale,
                  confidence_names=confidence_names(), **extra)


def custody_actions() -> dict[str, str]:
    return {"acquisition": _("Acquired"), "transfer": _("Transferred"), "access": _("Viewed"),
            "download": _("Downloaded"), "export": _("Exported"), "verification": _("Verified")}


def confidence_names() -> dict[str, str]:
    return {"low": _("low"), "medium": _("medium"), "high": _("high")}


def preview_kind(media_type: str | None) -> str | None:
    """Which element previews the file in the page, if any."""
    media_type = media_type or ""
    if media_type.startswith("image/") and media_type != "image/svg+xml":
        return "img"
    if media_type.startswith(("video/", "audio/")):
        return media_type.split("/", 1)[0]
    return "pdf" if media_type == "application/pdf" else None


@router.get("/evidence/{evidence_id}")
async def show_evidence(evidence_id: PathId, request: Request, actor: SignedIn):
    return await _show(request, actor, evidence_id)


@router.post("/evidence/{evidence_id}/graphic", dependencies=[Depends(csrf_checked)])
async def mark_graphic(evidence_id: PathId, request: Request, actor: Writer):
    """A reviewer marks the item graphic, or takes the mark away (a new version in its history)."""
    core = request.app.state.svidok
    form = await form_dict(request)
    graphic, reason = form.get("graphic") == "on", text(form.get("reason"))
    async with form_again(lambda errors: _show(request, actor, evidence_id, status=422, errors=errors,
            message=_("The mark was not changed: correct the fields marked below."))):
        check_texts(reason=reason)
        await call(lambda: evidence.mark_graphic(core, actor, evidence_id, graphic, reason))
    return redirect(request, f"/evidence/{evidence_id}", _("Marked graphic.") if graphic
                    else _("The graphic mark was removed."))


@router.post("/evidence/{evidence_id}/assessments", dependencies=[Depends(csrf_checked)])
async def add_assessment(evidence_id: PathId, request: Request, actor: Writer):
    core = request.app.state.svidok
    form = await form_dict(request)
    values = {k: text(form.get(k)) for k in ("kind", "method", "result", "confidence")}
    async with form_again(lambda errors: _show(request, actor, evidence_id, status=422, values=values, errors=errors,
            message=_("The assessment was not saved: correct the fields marked below."))):
        check_texts(method=values["method"], result=values["result"])
        await call(lambda: evidence.assess(core, actor, evidence_id, **values))
    return redirect(request, f"/evidence/{evidence_id}#assessments", _("Assessment added."))
