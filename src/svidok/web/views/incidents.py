"""Incident list (filters of the API, with a map), incident page, create and edit forms."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile

from svidok.core.errors import Conflict, Forbidden, ValidationFailed
from svidok.http.deps import PathId
from svidok.schemas.filters import IncidentFilter
from svidok.schemas.records import IncidentIn, IncidentUpdate, SourceIn
from svidok.services import incident_duplicates, incident_queries, incidents, sources

from ..deps import SignedIn, Writer, csrf_checked
from ..i18n import _
from ..incident_form import IncidentForm, layout, values_of
from ..render import redirect, render
from .common import call, errors_by_field, form_again, form_dict, parse, text
from .evidence import check_upload, ingest_upload, max_upload_bytes

router = APIRouter()
FILTERS = tuple(IncidentFilter.model_fields)
#: The list counts matches up to this many and says "more than" beyond (each counted match of a
#: filter is a row read: 10,000 cost 0.1-0.4 s of CPU at 1,000,000 incidents).
COUNT_CAP = 1_000


def read_filter(request: Request) -> tuple[IncidentFilter, dict, dict]:
    """The filter from the query string; (filter, raw values, errors by field)."""
    raw = {k: v for k, v in request.query_params.items() if k in FILTERS and v.strip()}
    try:
        return parse(IncidentFilter, raw), raw, {}
    except ValidationFailed as exc:
        return IncidentFilter(), raw, errors_by_field(exc)


@router.get("/incidents")
async def incident_list(request: Request, actor: SignedIn):
    core = request.app.state.svidok
    f, raw, errors = read_filter(request)
    page, total = {"items": [], "next_cursor": None}, None
    if not errors:
        try:
            page = await call(incident_queries.listing, core, actor, f, request.query_params.get("cursor"), 50,
                              order="date")
            total = await call(incident_queries.count, core, actor, f, COUNT_CAP + 1)
        except ValidationFailed as exc:
            errors = errors_by_field(exc)
    return render(request, "incidents/list.html", page=page, filters=raw, errors=errors, total=total,
                  count_cap=COUNT_CAP, families=sorted(core.vocab.families()))


async def _show(request: Request, actor, incident_id: PathId, status: int = 200, **extra):
    core = request.app.state.svidok
    incident = await call(incidents.get, core, actor, incident_id)
    history = await call(incidents.history_of, core, actor, incident_id)
    return render(request, "incidents/show.html", status=status, incident=incident, history=list(reversed(history)), **extra)


@router.get("/incidents/new")
async def new_incident(request: Request, actor: Writer):
    values = {"verification_status": "unverified", "confidentiality": "restricted"}
    return render(request, "incidents/form.html", values=values, errors={}, layout=layout(values), incident=None)


@router.post("/incidents/new", dependencies=[Depends(csrf_checked)])
async def create_incident(request: Request, actor: Writer):
    core = request.app.state.svidok
    form = await form_dict(request)
    upload = form.pop("file", None)  # a photo taken on the phone, or any evidence file (optional)
    upload = upload if isinstance(upload, UploadFile) and upload.filename else None
    parsed = None
    try:
        parsed = IncidentForm(form)
        model = parsed.model(IncidentIn)
        media_type = check_upload(upload, max_upload_bytes(core.settings)) if upload else None
        # Warn before saving; "Save anyway" sends confirm_new and the pair is queued for review.
        likely = [] if form.get("confirm_new") else await call(incident_duplicates.check, core, actor, model)
        if likely:
            return render(request, "incidents/form.html", values=form, errors={}, layout=layout(form), incident=None,
                          duplicates=likely, file_again=upload is not None)
        created = await call(incidents.create, core, actor, model)
    except ValidationFailed as exc:
        exc = parsed.remap(exc) if parsed else exc
        return render(request, "incidents/form.html", status=422, values=form, errors=errors_by_field(exc),
                      layout=layout(form), incident=None, file_again=upload is not None,
                      message=_("The incident was not saved: correct the fields marked below."))
    if upload is None:
        return redirect(request, f"/incidents/{created['id']}", _("Incident saved."))
    try:
        item = await ingest_upload(core, actor, upload, media_type, created, form, "attached on the incident form")
    except ValidationFailed as exc:
        problem = "; ".join(errors_by_field(exc).values())
        return redirect(request, f"/incidents/{created['id']}#evidence",
                        _("Incident saved, but the file %(name)s was not added: %(problem)s. Add it again below.")
                        % {"name": upload.filename, "problem": problem})
    return redirect(request, f"/incidents/{created['id']}#evidence",
                    _("Incident saved with the file %(name)s (SHA-256 %(sha)s).")
                    % {"name": upload.filename, "sha": item["sha256"][:16] + "…"})


@router.get("/incidents/{incident_id}")
async def show_incident(incident_id: PathId, request: Request, actor: SignedIn):
    return await _show(request, actor, incident_id)


@router.get("/incidents/{incident_id}/edit")
async def edit_incident(incident_id: PathId, request: Request, actor: Writer):
    incident = await call(incidents.get, request.app.state.svidok, actor, incident_id)
    values = values_of(incident)
    return render(request, "incidents/form.html", values=values, errors={}, layout=layout(values), incident=incident)


@router.post("/incidents/{incident_id}/edit", dependencies=[Depends(csrf_checked)])
async def update_incident(incident_id: PathId, request: Request, actor: Writer):
    core = request.app.state.svidok
    form = await form_dict(request)
    incident = await call(incidents.get, core, actor, incident_id)
    parsed = None
    try:
        parsed = IncidentForm(form, for_update=True)
        await call(incidents.update, core, actor, incident_id, parsed.model(IncidentUpdate))
    except ValidationFailed as exc:
        exc = parsed.remap(exc) if parsed else exc
        return render(request, "incidents/form.html", status=422, values=form, errors=errors_by_field(exc),
                      layout=layout(form), incident=incident,
                      message=_("Your changes were not saved: correct the fields marked below."))
    except Conflict:
        return render(request, "incidents/form.html", status=409, values=form, errors={}, layout=layout(form),
                      incident=incident, message=_(
                          "Someone else saved this incident after you opened it, so your changes were not saved. "
                          "Open the incident again to see their version, then make your change again."))
    return redirect(request, f"/incidents/{incident_id}", _("Changes saved."))


@router.post("/incidents/{incident_id}/sources", dependencies=[Depends(csrf_checked)])
async def add_source(incident_id: PathId, request: Request, actor: Writer):
    """Record a source (witness, media…) and attach it to the incident."""
    core = request.app.state.svidok
    form = await form_dict(request)
    data = {k: text(form.get(k)) for k in ("kind", "description", "identity", "contact", "reliability",
                                             "credibility", "confidentiality")}
    data = {k: v for k, v in data.items() if v is not None}
    data["identity_protected"] = True
    async with form_again(lambda errors: _show(request, actor, incident_id, source_errors=errors, source_values=form)):
        incident = await call(incidents.get, core, actor, incident_id)
        src = await call(sources.create, core, actor, parse(SourceIn, data))
        update = IncidentUpdate(version=incident["version"], source_ids=[*incident["source_ids"], src["id"]])
        await call(incidents.update, core, actor, incident_id, update)
    return redirect(request, f"/incidents/{incident_id}#sources", _("Source added."))


@router.post("/incidents/{incident_id}/sources/{source_id}/identity", dependencies=[Depends(csrf_checked)])
async def reveal_source(incident_id: PathId, source_id: PathId, request: Request, actor: SignedIn):
    """Show a protected identity to a cleared role; the read is written to the ledger."""
    core = request.app.state.svidok
    form = await form_dict(request)
    purpose = text(form.get("purpose"))
    if not purpose or len(purpose) < 3:
        return await _show(request, actor, incident_id, reveal_error={source_id: _("Say why you need the identity (at least 3 characters); it is logged.")})
    try:
        revealed = await call(sources.reveal, core, actor, source_id, purpose)
    except Forbidden:
        return await _show(request, actor, incident_id, status=403, reveal_error={source_id: _("Your role may not read source identities; you see the pseudonym.")})
    return await _show(request, actor, incident_id, revealed={source_id: revealed})
