"""``svidok stats …``: civilian harm breakdowns (killed and injured by sex, age, place, time…)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from pydantic import ValidationError
from rich.table import Table

from . import lazy
from .common import cli_actor, console, print_json, run

if TYPE_CHECKING:
    from svidok.app import Svidok

filters = lazy.module("svidok.schemas.filters")
validation = lazy.module("svidok.core.validation")

stats_app = typer.Typer(help="Statistics on the records: breakdowns of victims.", no_args_is_help=True)


@stats_app.command("breakdown")
def breakdown_cmd(
    by: str = typer.Option(..., help="sex, age_band, age_group, status, oblast, occupation, month, means, violation_type"),
    harm: list[str] = typer.Option(["killed", "injured"], help="Harm to count (repeatable); default killed and injured"),
    date_from: str = typer.Option(None), date_to: str = typer.Option(None),
    place: str = typer.Option(None, help="Place and everything inside it"),
    violation_type: str = typer.Option(None), family: str = typer.Option(None), means: str = typer.Option(None),
    provision: str = typer.Option(None),
    characteristic: str = typer.Option(None, help="Victim characteristic, e.g. child, older_person"),
    victim_status: str = typer.Option(None, help="civilian, prisoner_of_war, combatant, unknown"),
    verification_status: str = typer.Option(None), case_id: int = typer.Option(None),
    q: str = typer.Option(None, help="Full-text search across scripts"),
    lang: str = typer.Option("en", help="Labels in en or uk"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object"),
) -> None:
    """People killed and injured broken down by one field, with how many lack it."""
    from svidok.figures.breakdowns import breakdown

    def go(app: Svidok):
        fields = dict(date_from=date_from, date_to=date_to, place=place, violation_type=violation_type, family=family,
                      means=means, provision=provision, characteristic=characteristic, victim_status=victim_status,
                      verification_status=verification_status, case_id=case_id, q=q)
        try:
            f = filters.IncidentFilter.model_validate({k: v for k, v in fields.items() if v is not None})
        except ValidationError as exc:
            raise validation.from_pydantic(exc) from None
        # one command, one figure: a single SQL query beats reading every victim into memory first
        b = breakdown(app, cli_actor(), by, harm, f, use_memory=False)
        if as_json:
            print_json(b.to_dict())
            return
        t = Table(by, "killed", "injured", "total", title=f"{', '.join(b.harm)} by {by}")
        label = "label_uk" if lang == "uk" else "label_en"
        for r in b.rows:
            t.add_row(getattr(r, label), f"{r.killed:,}", f"{r.injured:,}", f"{r.total:,}")
        t.add_row("[dim]not recorded[/dim]", f"{b.missing_by_harm.get('killed', 0):,}",
                  f"{b.missing_by_harm.get('injured', 0):,}", f"{b.missing:,}")
        t.add_row("[bold]all[/bold]", "", "", f"{b.total:,}")
        console.print(t)
        for g in b.groups:
            console.print(f"{getattr(g, label)}: {g.total:,} (killed {g.killed:,}, injured {g.injured:,})")
        for n in b.notes:
            console.print(f"[dim]note: {n}[/dim]")
    run(go)
