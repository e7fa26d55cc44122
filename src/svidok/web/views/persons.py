"""Persons: list, page (every incident and custody episode), forms, protected fields."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from svidok.core.errors import Conflict, FieldError, Forbidden, ValidationFailed
from svidok.core.messages import M_
from svidok.http.deps import PathId
from svidok.schemas.records import PersonIn, PersonUpdate
from svidok.services import persons

from ..deps import SignedIn, Writer, csrf_checked
from ..i18n import _
from ..render import redirect, render
from .common import call, form_again, form_dict, listed, parse, text, whole

router = APIRouter()
#: The list counts persons up to this many and says "more than" beyond (as the incident list does).
COUNT_CAP = 10_000
FIELDS = ("full_name", "family_name", "given_name", "patronymic", "sex", "birth_date", "age_band", "status",
          "life_status", "residence_place", "address", "contact", "notes", "confidentiality", "case_id")


def _data(form: dict, update: bool) -> dict:
    data = {f: text(form.get(f)) for f in FIELDS}
    if not data["full_name"]:
        raise ValidationFailed(FieldError("full_name", M_("required")))
    if not update:
        data = {k: v for k, v in data.items() if v is not None}
    else:
        # Protected fields are never shown in the form: empty means "leave as it is".
        for f in ("address", "contact"):
            if data[f] is None:
                data.pop(f)
        for f in ("sex", "status", "life_status", "confidentiality"):
            if data[f] is None:
                data.pop(f)
        data["version"] = text(form.get("version"))
    data["characteristics"] = listed(form.get("characteristics"))
    return data


@router.get("/persons")
async def person_list(request: Request, actor: SignedIn):
    after = request.query_params.get("after")
    items, nxt = await call(persons.listing, request.app.state.svidok, actor, whole(after), 50)
    total = await call(persons.count, request.app.state.svidok, actor, COUNT_CAP + 1)
    return render(request, "persons/list.html", items=items, next_id=nxt, total=total, count_cap=COUNT_CAP)


@router.get("/persons/new")
async def new_person(request: Request, actor: Writer):
    return render(request, "persons/form.html", values={"confidentiality": "restricted"}, errors={}, person=None)


@router.post("/persons/new", dependencies=[Depends(csrf_checked)])
async def create_person(request: Request, actor: Writer):
    form = await form_dict(request)
    async with form_again(lambda errors: render(request, "persons/form.html", status=422, values=form, errors=errors,
            person=None, message=_("The person was not saved: correct the fields marked below."))):
        person = await call(persons.create, request.app.state.svidok, actor, parse(PersonIn, _data(form, False)))
    return redirect(request, f"/persons/{person['id']}", _("Person saved."))


async def _show(request: Request, actor, person_id: PathId, status: int = 200, **extra):
    person = await call(persons.get, request.app.state.svidok, actor, person_id)
    return render(request, "persons/show.html", status=status, person=person, **extra)


@router.get("/persons/{person_id}")
async def show_person(person_id: PathId, request: Request, actor: SignedIn):
    return await _show(request, actor, person_id)


@router.get("/persons/{person_id}/edit")
async def edit_person(person_id: PathId, request: Request, actor: Writer):
    person = await call(persons.get, request.app.state.svidok, actor, person_id)
    values = {k: v for k, v in person.items() if k in FIELDS or k == "version"}
    values["characteristics"] = ", ".join(person["characteristics"])
    values["residence_place"] = person.get("residence_place_id")
    return render(request, "persons/form.html", values=values, errors={}, person=person)


@router.post("/persons/{person_id}/edit", dependencies=[Depends(csrf_checked)])
async def update_person(person_id: PathId, request: Request, actor: Writer):
    core = request.app.state.svidok
    form = await form_dict(request)
    person = await call(persons.get, core, actor, person_id)
    try:
        async with form_again(lambda errors: render(request, "persons/form.html", status=422, values=form,
                errors=errors, person=person,
                message=_("Your changes were not saved: correct the fields marked below."))):
            await call(persons.update, core, actor, person_id, parse(PersonUpdate, _data(form, True)))
    except Conflict:
        return render(request, "persons/form.html", status=409, values=form, errors={}, person=person, message=_(
            "Someone else saved this person after you opened the form, so your changes were not saved. "
            "Open the person again and make your change again."))
    return redirect(request, f"/persons/{person_id}", _("Changes saved."))


@router.post("/persons/{person_id}/protected", dependencies=[Depends(csrf_checked)])
async def read_protected(person_id: PathId, request: Request, actor: SignedIn):
    """Exact address and contact, for cleared roles; every read is written to the ledger."""
    form = await form_dict(request)
    purpose = text(form.get("purpose"))
    if not purpose or len(purpose) < 3:
        return await _show(request, actor, person_id, status=422,
                           protected_error=_("Say why you need these fields (at least 3 characters); it is logged."))
    try:
        protected = await call(persons.read_protected, request.app.state.svidok, actor, person_id, purpose)
    except Forbidden:
        return await _show(request, actor, person_id, status=403,
                           protected_error=_("Your role may not read protected fields."))
    return await _show(request, actor, person_id, protected=protected)
