"""``svidok intervention …``: appeals and letters, their recommendations and where they stand."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
import yaml
from pydantic import ValidationError
from rich.table import Table

from svidok.core.errors import FieldError, ValidationFailed

from . import lazy
from .common import cli_actor, console, print_json, run

if TYPE_CHECKING:
    from svidok.app import Svidok

advocacy = lazy.module("svidok.services.advocacy")
records = lazy.module("svidok.services.records")
others = lazy.module("svidok.schemas.others")
validation = lazy.module("svidok.core.validation")


intervention_app = typer.Typer(help="Advocacy interventions: letters and appeals with recommendations and status.",
                               no_args_is_help=True)


@intervention_app.command("add")
def add(file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                    help="YAML or JSON: title, date, target, target_kind, status, recommendations[theme, text, support]")) -> None:
    """Record an intervention from a YAML or JSON file (the API's shape)."""
    def go(app: Svidok):
        try:
            raw = yaml.safe_load(file.read_text(encoding="utf-8-sig"))
        except yaml.YAMLError as exc:
            raise ValidationFailed(FieldError(str(file), f"not valid YAML or JSON: {exc}")) from None
        if not isinstance(raw, dict):
            raise ValidationFailed(FieldError(str(file), "must hold one mapping (title, date, target, …)"))
        if hasattr(raw.get("date"), "isoformat"):
            raw["date"] = raw["date"].isoformat()  # YAML reads 2026-09-01 as a date
        try:
            data = others.InterventionIn.model_validate(raw)
        except ValidationError as exc:
            raise validation.from_pydantic(exc) from None
        out = records.create(app, cli_actor(), "intervention", data)
        console.print(f"[green]Intervention {out['id']} recorded[/green]: {out['title']} → {out['target']} ({out['status']})")
    run(go)


@intervention_app.command("list")
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """Interventions, newest first."""
    def go(app: Svidok):
        items, _ = records.listing(app, cli_actor(), "intervention", None, 500)
        if as_json:
            print_json(items)
            return
        table = Table("id", "date", "target", "status", "title", "recommendations")
        for i in items:
            table.add_row(str(i["id"]), i["date"], i["target"], i["status"], i["title"], str(len(i["recommendations"])))
        console.print(table)
    run(go)


@intervention_app.command("show")
def show(ident: int) -> None:
    """One intervention with its recommendations and status history (JSON)."""
    run(lambda app: print_json(records.get(app, cli_actor(), "intervention", ident)))


@intervention_app.command("status")
def status(ident: int, new_status: str = typer.Argument(..., metavar="STATUS",
                                                       help="sent, acknowledged, acted_on, ignored or reversed"),
           note: str = typer.Option(None, help="What happened (e.g. the reply's reference)"),
           at: datetime = typer.Option(None, help="When it happened (default: now)")) -> None:
    """Record a change of status (only allowed transitions, e.g. sent → acknowledged → acted_on)."""
    def go(app: Svidok):
        out = advocacy.set_status(app, cli_actor(), ident, new_status, note, at)
        console.print(f"[green]Intervention {ident}[/green] is now {out['status']}")
    run(go)


@intervention_app.command("by-target")
def by_target(as_json: bool = typer.Option(False, "--json")) -> None:
    """Interventions grouped by target, with counts per status."""
    def go(app: Svidok):
        rows = advocacy.by_target(app, cli_actor())
        if as_json:
            print_json(rows)
            return
        table = Table("target", "letters", "by status", "last letter")
        for r in rows:
            last = r["last"]
            table.add_row(r["target"], str(len(r["interventions"])), ", ".join(f"{k} {v}" for k, v in r["by_status"].items()),
                          f"{last['date']} #{last['id']} ({last['status']})")
        console.print(table)
    run(go)


@intervention_app.command("by-theme")
def by_theme(as_json: bool = typer.Option(False, "--json")) -> None:
    """Recommendations grouped by theme, with their targets and status."""
    def go(app: Svidok):
        rows = advocacy.by_theme(app, cli_actor())
        if as_json:
            print_json(rows)
            return
        table = Table("theme", "recommendations", "targets", "by status")
        for r in rows:
            table.add_row(r["label"], str(len(r["recommendations"])), ", ".join(r["targets"]),
                          ", ".join(f"{k} {v}" for k, v in r["by_status"].items()))
        console.print(table)
    run(go)


@intervention_app.command("since")
def since(target: str = typer.Argument(..., help="The target, exactly as recorded")) -> None:
    """What changed since the last letter to a target (JSON)."""
    run(lambda app: print_json(advocacy.since_last_letter(app, cli_actor(), target)))

