"""Custody episodes, displacements, hazard areas (and cases, organisations): one generic list,
page and form per kind, described by a small field table."""

from __future__ import annotations

import json
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request

from svidok.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from svidok.core.messages import M_
from svidok.http.deps import PathId
from svidok.schemas import others
from svidok.services import persons, records

from ..deps import SignedIn, Writer, csrf_checked
from ..i18n import N_, _, say
from ..render import PageError, redirect, render
from .common import call, errors_by_field, form_again, form_dict, parse, text, whole

router = APIRouter()


def _render(request: Request, name: str, **ctx):
    return render(request, name, labels=LABELS, **ctx)


@dataclass(frozen=True)
class F:
    name: str
    widget: str = "text"          # text, textarea, date, number, select, bool, json, person, place
    vocab: str | None = None
    required: bool = False


CONF = [F("confidentiality", "select", "confidentiality", True), F("case_id", "number")]
KINDS: dict[str, tuple[str, type, list[F]]] = {
    "custody-episodes": ("custody_episode", others.CustodyEpisodeIn, [
        F("person_id", "person", required=True), F("authority", "select", "detaining_authorities", True),
        F("facility", "place"), F("date_from", "date", required=True), F("date_to", "date"),
        F("acknowledged", "bool"), F("monitor_access", "bool"), F("incommunicado", "bool"),
        F("charges", "textarea"), F("court"), F("sentence"), F("fair_trial_concerns", "textarea"),
        F("forced_labour", "bool"), F("outcome", "select", "detention_outcomes", True), F("notes", "textarea"), *CONF]),
    "displacements": ("displacement", others.DisplacementIn, [
        F("person_id", "person"), F("group_count", "number"), F("kind", "select", "displacement_kinds", True),
        F("from_place", "place"), F("to_place", "place"), F("to_country"), F("date", "date", required=True),
        F("protection_status", "select", "protection_statuses"), F("notes", "textarea"), *CONF]),
    "hazard-areas": ("hazard_area", others.HazardAreaIn, [
        F("name", required=True), F("place", "place"), F("lat", "number", required=True), F("lon", "number", required=True),
        F("geometry", "json"), F("contamination", "select", "contamination_types", True),
        F("status", "select", "hazard_statuses", True), F("date_reported", "date"), F("date_cleared", "date"),
        F("notes", "textarea"), *CONF]),
    "cases": ("case", others.CaseIn, [F("code", required=True), F("title", required=True), F("description", "textarea")]),
    "organisations": ("organisation", others.OrganisationIn, [
        F("name", required=True), F("name_uk"), F("kind"), F("country"), F("parent_id", "number"), F("notes", "textarea")]),
}
TITLES = {"custody-episodes": N_("Custody episodes"), "displacements": N_("Displacements"),
          "hazard-areas": N_("Hazard areas"), "cases": N_("Cases"), "organisations": N_("Organisations")}
LABELS = {
    "person_id": N_("Person number"), "authority": N_("Detaining authority"), "facility": N_("Place of detention"),
    "date_from": N_("From"), "date_to": N_("Until"), "acknowledged": N_("Acknowledged by the detaining power"),
    "monitor_access": N_("Access by independent monitors"), "incommunicado": N_("Held incommunicado"),
    "charges": N_("Charges"), "court": N_("Court"), "sentence": N_("Sentence"),
    "fair_trial_concerns": N_("Fair-trial concerns"), "forced_labour": N_("Forced labour"), "outcome": N_("Outcome"),
    "notes": N_("Notes"), "confidentiality": N_("Confidentiality"), "case_id": N_("Case number"),
    "group_count": N_("Number of people"), "kind": N_("Kind"), "from_place": N_("From place"),
    "to_place": N_("To place"), "to_country": N_("To country (two-letter code)"), "date": N_("Date"),
    "protection_status": N_("Protection status"), "name": N_("Name"), "place": N_("Place"),
    "lat": N_("Latitude"), "lon": N_("Longitude"), "geometry": N_("Area (GeoJSON polygon)"),
    "contamination": N_("Contamination"), "status": N_("Status"), "date_reported": N_("Reported on"),
    "date_cleared": N_("Cleared on"), "code": N_("Code"), "title": N_("Title"), "description": N_("Description"),
    "name_uk": N_("Name in Ukrainian"), "country": N_("Country (two-letter code)"), "parent_id": N_("Parent organisation number"),
}
PLACE_IDS = {"facility": "facility_place_id", "from_place": "from_place_id", "to_place": "to_place_id", "place": "place_id"}


def _kind(slug: str) -> tuple[str, type, list[F]]:
    if slug not in KINDS:
        raise PageError(404, _("No such page."))
    return KINDS[slug]


def _model(schema: type, fields: list[F], form: dict):
    """The schema's model from the form; every problem (required, format, JSON) reported at once."""
    try:
        data, errors = _data(fields, form), []
    except ValidationFailed as exc:
        data, errors = exc.data, exc.errors  # type: ignore[attr-defined]
    try:
        model = parse(schema, data)
    except ValidationFailed as exc:
        raise ValidationFailed(errors + [e for e in exc.errors if e.field not in {x.field for x in errors}]) from None
    if errors:
        raise ValidationFailed(errors)
    return model


def _data(fields: list[F], form: dict) -> dict:
    data: dict = {}
    errors = []
    for f in fields:
        value = text(form.get(f.name))
        if f.widget == "bool":
            if value in ("yes", "no"):
                data[f.name] = value == "yes"
            elif f.name == "forced_labour":
                data[f.name] = False
            continue
        if value is None:
            continue
        if f.widget == "json":
            try:
                data[f.name] = json.loads(value)
            except json.JSONDecodeError as exc:
                errors.append(FieldError(f.name, M_("not valid GeoJSON: %(msg)s at character %(pos)s", msg=exc.msg, pos=exc.pos)))
            continue
        data[f.name] = value
    if errors:
        exc = ValidationFailed(errors)
        exc.data = data  # type: ignore[attr-defined]
        raise exc
    return data


def _values(fields: list[F], record: dict) -> dict:
    out = {}
    for f in fields:
        v = record.get(PLACE_IDS.get(f.name, f.name))
        if f.widget == "bool" and v is not None:
            v = "yes" if v else "no"
        elif f.widget == "json" and v is not None:
            v = json.dumps(v)
        if v is not None:
            out[f.name] = v
    out["version"] = record.get("version")
    return out


@router.get("/records/{slug}")
async def record_list(slug: str, request: Request, actor: SignedIn):
    entity, _schema, fields = _kind(slug)
    after = request.query_params.get("after")
    person = request.query_params.get("person_id")
    items, nxt = await call(records.listing, request.app.state.svidok, actor, entity,
                            whole(after), 50,
                            whole(person))
    person_names = await call(persons.names_of, request.app.state.svidok, actor,
                              {r["person_id"] for r in items if r.get("person_id")})
    return _render(request, "records/list.html", slug=slug, title=TITLES[slug], items=items, next_id=nxt,
                  fields=fields[:5], person_names=person_names)


@router.get("/records/{slug}/new")
async def new_record(slug: str, request: Request, actor: Writer):
    _entity, _schema, fields = _kind(slug)
    values = {k: v for k, v in request.query_params.items() if k in {f.name for f in fields}}
    return _render(request, "records/form.html", slug=slug, title=TITLES[slug], fields=fields, values=values,
                  errors={}, record=None)


@router.post("/records/{slug}/new", dependencies=[Depends(csrf_checked)])
async def create_record(slug: str, request: Request, actor: Writer):
    entity, schema, fields = _kind(slug)
    form = await form_dict(request)
    try:
        created = await call(records.create, request.app.state.svidok, actor, entity, _model(schema, fields, form))
    except (ValidationFailed, Conflict) as exc:
        errors = errors_by_field(exc) if isinstance(exc, ValidationFailed) else {}
        return _render(request, "records/form.html", status=422 if errors else 409, slug=slug, title=TITLES[slug],
                      fields=fields, values=form, errors=errors, record=None,
                      message=_("Nothing was saved: correct the fields marked below.") if errors else say(exc))
    return redirect(request, f"/records/{slug}/{created['id']}", _("Saved."))


@router.get("/records/{slug}/{ident}")
async def show_record(slug: str, ident: PathId, request: Request, actor: SignedIn):
    entity, _schema, fields = _kind(slug)
    record = await call(records.get, request.app.state.svidok, actor, entity, ident)
    person_names = await call(persons.names_of, request.app.state.svidok, actor,
                              {record["person_id"]} if record.get("person_id") else set())
    return _render(request, "records/show.html", slug=slug, title=TITLES[slug], fields=fields, record=record,
                   person_names=person_names)


@router.get("/records/{slug}/{ident}/edit")
async def edit_record(slug: str, ident: PathId, request: Request, actor: Writer):
    entity, _schema, fields = _kind(slug)
    record = await call(records.get, request.app.state.svidok, actor, entity, ident)
    return _render(request, "records/form.html", slug=slug, title=TITLES[slug], fields=fields,
                  values=_values(fields, record), errors={}, record=record)


@router.post("/records/{slug}/{ident}/edit", dependencies=[Depends(csrf_checked)])
async def update_record(slug: str, ident: PathId, request: Request, actor: Writer):
    entity, schema, fields = _kind(slug)
    core = request.app.state.svidok
    form = await form_dict(request)
    record = await call(records.get, core, actor, entity, ident)
    version = text(form.get("version"))
    try:
        async with form_again(lambda errors: _render(request, "records/form.html", status=422, slug=slug,
                title=TITLES[slug], fields=fields, values=form, errors=errors, record=record,
                message=_("Your changes were not saved: correct the fields marked below."))):
            if whole(version, 2**31) is None:
                raise ValidationFailed(FieldError("version", M_("missing; reload the form")))
            await call(records.update, core, actor, entity, ident, _model(schema, fields, form), whole(version, 2**31))
    except Conflict:
        return _render(request, "records/form.html", status=409, slug=slug, title=TITLES[slug], fields=fields,
                      values=form, errors={}, record=record, message=_(
                          "Someone else saved this record after you opened the form, so your changes were not saved. "
                          "Open it again and make your change again."))
    except NotFound:
        raise
    return redirect(request, f"/records/{slug}/{ident}", _("Changes saved."))
