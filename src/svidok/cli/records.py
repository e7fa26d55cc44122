"""``svidok incident …`` and ``svidok person …``"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from pydantic import ValidationError
from rich.table import Table

from . import lazy
from .common import cli_actor, console, print_json, run

if TYPE_CHECKING:
    from svidok.app import Svidok

incident_queries = lazy.module("svidok.services.incident_queries")
incidents = lazy.module("svidok.services.incidents")
persons = lazy.module("svidok.services.persons")
filters = lazy.module("svidok.schemas.filters")
records = lazy.module("svidok.schemas.records")
validation = lazy.module("svidok.core.validation")

incident_app = typer.Typer(help="Record and read incidents.", no_args_is_help=True)
person_app = typer.Typer(help="Record and read persons.", no_args_is_help=True)


def _parse(model, data: dict):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation.from_pydantic(exc) from None


@incident_app.command("add")
def incident_add(
    title: str = typer.Option(None, help="Short title"),
    date: str = typer.Option(None, help="Partial date: 2022-03-05, 2022-03, 2022, '~2022-04-05'"),
    place: str = typer.Option(None, help="Place code (KATOTTG), id or exact name"),
    violation: list[str] = typer.Option([], "--violation", "-v", help="Violation type code (repeatable)"),
    means: str = typer.Option(None, help="Means or weapon code"),
    killed: int = typer.Option(0, help="Number of people killed (a counted group)"),
    injured: int = typer.Option(0, help="Number of people injured (a counted group)"),
    narrative: str = typer.Option(None, help="What happened"),
    confidentiality: str = typer.Option("restricted"),
    from_file: Path = typer.Option(None, "--json", exists=True, dir_okay=False, help="A JSON file with the whole incident (API shape)"),
) -> None:
    """Record an incident from options, or from a JSON file in the API's shape."""
    def go(app: Svidok):
        if from_file:
            try:
                raw = json.loads(from_file.read_text(encoding="utf-8-sig"))
            except json.JSONDecodeError as exc:
                raise typer.BadParameter(f"{from_file}: malformed JSON: {exc}") from None
            data = _parse(records.IncidentIn, raw)
        else:
            if not title or not date:
                raise typer.BadParameter("give --title and --date, or --json FILE")
            acts = []
            for vt in violation or []:
                victims = [records.VictimIn(harm="killed", count=killed, status="civilian")] if killed else []
                victims += [records.VictimIn(harm="injured", count=injured, status="civilian")] if injured else []
                acts.append(records.ActIn(violation_type=vt, means=means, victims=victims))
            data = _parse(records.IncidentIn, {"title": title, "date_start": date, "place": place, "narrative": narrative,
                                       "confidentiality": confidentiality, "acts": [a.model_dump() for a in acts]})
        out = incidents.create(app, cli_actor(), data)
        console.print(f"[green]Incident {out['id']} recorded[/green]: {out['title']}")
        for d in out.get("possible_duplicates", []):
            console.print(f"[yellow]May be the same incident as {d['incident_id']}[/yellow] ({d['probability']:.2f}): "
                          f"{d['title']} — queued for review: svidok duplicates list")
    run(go)


@incident_app.command("list")
def incident_list(
    date_from: str = typer.Option(None), date_to: str = typer.Option(None),
    place: str = typer.Option(None, help="Place and everything inside it"),
    violation_type: str = typer.Option(None), provision: str = typer.Option(None),
    characteristic: str = typer.Option(None, help="Victim characteristic, e.g. child, older_person"),
    q: str = typer.Option(None, help="Full-text search across scripts"),
    limit: int = typer.Option(20, min=1, max=500), as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List incidents, newest first, by filter."""
    def go(app: Svidok):
        f = _parse(filters.IncidentFilter, {k: v for k, v in dict(date_from=date_from, date_to=date_to, place=place,
                   violation_type=violation_type, provision=provision, characteristic=characteristic, q=q).items() if v})
        page = incident_queries.listing(app, cli_actor(), f, None, limit)
        if as_json:
            print_json(page)
            return
        t = Table("id", "date", "place", "title", "violation types")
        for i in page["items"]:
            t.add_row(str(i["id"]), i["date_start"], i["place"] or "", i["title"], ", ".join(i["violation_types"]))
        console.print(t)
    run(go)


@incident_app.command("show")
def incident_show(incident_id: int, history: bool = typer.Option(False, help="Also print the history")) -> None:
    """Print an incident with its acts, victims, sources and evidence (JSON)."""
    def go(app: Svidok):
        out = incidents.get(app, cli_actor(), incident_id)
        if history:
            out["history"] = incidents.history_of(app, cli_actor(), incident_id)
        print_json(out)
    run(go)


@person_app.command("add")
def person_add(
    name: str = typer.Argument(..., help="Full name as recorded, any script"),
    birth_date: str = typer.Option(None, help="Partial date: 1957, 1957-03, 1957-03-05"),
    sex: str = typer.Option("unknown"), status: str = typer.Option("unknown", help="civilian, prisoner_of_war, combatant, unknown"),
    other_name: list[str] = typer.Option([], help="Another spelling (repeatable)"),
) -> None:
    """Record a person."""
    def go(app: Svidok):
        data = _parse(records.PersonIn, {"full_name": name, "birth_date": birth_date, "sex": sex, "status": status,
                                 "other_names": [{"name": n} for n in other_name]})
        out = persons.create(app, cli_actor(), data)
        console.print(f"[green]Person {out['id']} recorded[/green]: {out['full_name']}")
    run(go)


@person_app.command("list")
def person_list(limit: int = typer.Option(20, min=1, max=500)) -> None:
    """List persons, newest first."""
    def go(app: Svidok):
        items, _ = persons.listing(app, cli_actor(), None, limit)
        t = Table("id", "name", "born", "sex", "status")
        for p in items:
            t.add_row(str(p["id"]), p["full_name"], p["birth_date"] or "", p["sex"], p["status"])
        console.print(t)
    run(go)


@person_app.command("show")
def person_show(person_id: int) -> None:
    """Print a person with every incident and custody episode (JSON)."""
    run(lambda app: print_json(persons.get(app, cli_actor(), person_id)))
