"""Interventions (letters, appeals and their recommendations): list, page, form, status changes,
and what changed since the last letter to the same addressee.

Through ``services.records`` (versioned edits, need-to-know) and ``services.advocacy`` (allowed
status transitions with their history), as ``/api/v1/interventions``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from svidok.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from svidok.core.messages import M_
from svidok.http.deps import PathId
from svidok.schemas import others
from svidok.services import advocacy, records

from ..deps import SignedIn, Writer, csrf_checked
from ..i18n import N_, _, say
from ..i18n import reason as say_reason
from ..render import redirect, render
from .common import call, form_again, form_dict, parse, text, whole

router = APIRouter()
ENTITY = "intervention"
FIELDS = ("title", "date", "target", "target_kind", "body", "confidentiality", "case_id")
TARGET_KINDS = {"government": N_("Government"), "parliament": N_("Parliament"),
                "international_organisation": N_("International organisation"), "un_mechanism": N_("UN mechanism"),
                "court": N_("Court"), "company": N_("Company"), "other": N_("Other")}
BLANK_RECOMMENDATIONS = 2
#: A version's operation, as its history list says it.
OPS = {"create": N_("created"), "update": N_("changed"), "withdraw": N_("withdrawn"), "restore": N_("restored")}


def _rows(value) -> list[str]:
    return value if isinstance(value, list) else ([] if value is None else [value])


def _recommendations(form: dict) -> list[dict]:
    themes, texts = _rows(form.get("rec_theme")), _rows(form.get("rec_text"))
    out = []
    for theme, body in zip(themes, texts, strict=False):
        theme, body = text(theme), text(body)
        if theme or body:
            out.append({"theme": theme or "", "text": body or ""})
    return out


def _model(form: dict, status: str):
    data = {k: text(form.get(k)) for k in FIELDS if text(form.get(k)) is not None}
    data["status"] = status  # a status changes only through the status form (allowed transitions)
    data["recommendations"] = _recommendations(form)
    errors = []
    if "case_id" in data and whole(data["case_id"]) is None:
        errors.append(FieldError("case_id", M_("a case number")))
    try:
        model = parse(others.InterventionIn, data)
    except ValidationFailed as exc:
        errors += exc.errors
    if errors:
        raise ValidationFailed(errors)
    return model


def _form(request: Request, record: dict | None, values: dict, status: int = 200, errors: dict | None = None,
          message: str | None = None):
    recs = values.get("recommendations") or []
    recs = list(recs) + [{"theme": "", "text": ""}] * BLANK_RECOMMENDATIONS
    return render(request, "interventions/form.html", status=status, record=record, values=values, recs=recs,
                  target_kinds=TARGET_KINDS, errors=errors or {}, message=message)


def _form_values(form: dict) -> dict:
    return {**form, "recommendations": _recommendations(form)}


@router.get("/interventions")
async def intervention_list(request: Request, actor: SignedIn):
    core = request.app.state.svidok
    items, nxt = await call(records.listing, core, actor, ENTITY, whole(request.query_params.get("after")), 50)
    targets = await call(advocacy.by_target, core, actor)
    return render(request, "interventions/list.html", items=items, next_id=nxt, targets=targets)


@router.get("/interventions/new")
async def new_intervention(request: Request, actor: Writer):
    return _form(request, None, {"confidentiality": "public", "target_kind": "government"})


@router.post("/interventions/new", dependencies=[Depends(csrf_checked)])
async def create_intervention(request: Request, actor: Writer):
    form = await form_dict(request)
    async with form_again(lambda errors: _form(request, None, _form_values(form), 422, errors,
            _("Nothing was saved: correct the fields marked below."))):
        created = await call(records.create, request.app.state.svidok, actor, ENTITY, _model(form, "draft"))
    return redirect(request, f"/interventions/{created['id']}", _("Saved."))


@router.get("/interventions/{ident}")
async def show_intervention(ident: PathId, request: Request, actor: SignedIn):
    core = request.app.state.svidok
    record = await call(records.get, core, actor, ENTITY, ident)
    history = await call(records.history_of, core, actor, ENTITY, ident)
    since = await call(advocacy.since_last_letter, core, actor, record["target"])
    return render(request, "interventions/show.html", record=record, target_kinds=TARGET_KINDS, ops=OPS, history=list(reversed(history)), since=since,
                  next_statuses=advocacy.TRANSITIONS.get(record["status"], ()), errors={})


@router.get("/interventions/{ident}/edit")
async def edit_intervention(ident: PathId, request: Request, actor: Writer):
    record = await call(records.get, request.app.state.svidok, actor, ENTITY, ident)
    return _form(request, record, {**record, "date": str(record.get("date") or "")})


@router.post("/interventions/{ident}/edit", dependencies=[Depends(csrf_checked)])
async def update_intervention(ident: PathId, request: Request, actor: Writer):
    core = request.app.state.svidok
    form = await form_dict(request)
    record = await call(records.get, core, actor, ENTITY, ident)
    version = whole(form.get("version"), 2**31)
    try:
        async with form_again(lambda errors: _form(request, record, _form_values(form), 422, errors,
                _("Your changes were not saved: correct the fields marked below."))):
            if version is None:
                raise ValidationFailed(FieldError("version", M_("missing; reload the form")))
            await call(records.update, core, actor, ENTITY, ident, _model(form, record["status"]), version)
    except Conflict:
        return _form(request, record, _form_values(form), 409, message=_(
            "Someone else saved this record after you opened the form, so your changes were not saved. "
            "Open it again and make your change again."))
    return redirect(request, f"/interventions/{ident}", _("Changes saved."))


@router.post("/interventions/{ident}/status", dependencies=[Depends(csrf_checked)])
async def change_status(ident: PathId, request: Request, actor: Writer):
    core = request.app.state.svidok
    form = await form_dict(request)
    try:
        await call(advocacy.set_status, core, actor, ident, text(form.get("status")) or "", text(form.get("note")),
                   None, whole(form.get("version"), 2**31))
    except (ValidationFailed, Conflict) as exc:
        reason = "; ".join(say_reason(e.reason) for e in exc.errors) if isinstance(exc, ValidationFailed) else say(exc)
        return redirect(request, f"/interventions/{ident}", _("The status was not changed: %(why)s") % {"why": reason})
    except NotFound:
        raise
    return redirect(request, f"/interventions/{ident}", _("Status changed."))
