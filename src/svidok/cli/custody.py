"""``svidok custody …``: who is held, who has had no proof of life, one person's status,
and displacement figures."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from . import lazy
from .common import cli_actor, console, print_json, run

if TYPE_CHECKING:
    from svidok.app import Svidok

displacement_stats = lazy.module("svidok.figures.displacement")
custody = lazy.module("svidok.services.custody")

custody_app = typer.Typer(help="Detainees, prisoners of war and the disappeared; displacement.", no_args_is_help=True)


def _day(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint=field) from None


@custody_app.command("monitor")
def monitor_cmd(
    days: int = typer.Option(None, "--days", min=0, help="No proof of life for more than N days."),
    incommunicado: bool = typer.Option(False, help="Only people held incommunicado."),
    no_monitor_access: bool = typer.Option(False, help="Only people without known access by independent monitors."),
    in_russia: bool = typer.Option(False, help="Only people held in the Russian Federation."),
    in_occupied: bool = typer.Option(False, help="Only people held in territory occupied on the detention date."),
    disappeared: bool = typer.Option(False, help="Only possible enforced disappearances."),
    mark: str = typer.Option(None, help="child or older_person"),
    today: str = typer.Option(None, help="Count days up to this date (default: today)."),
    limit: int = typer.Option(50, min=1, max=1000), cursor: str = typer.Option(None, help="next_cursor of the previous page"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """People deprived of liberty now, longest without a sign of life first."""
    def go(app: Svidok):
        out = custody.monitor(app, cli_actor(), days=days, incommunicado=incommunicado,
                              no_monitor_access=no_monitor_access, in_russia=in_russia, in_occupied=in_occupied,
                              disappeared=disappeared, mark=mark, today=_day(today, "--today"), limit=limit,
                              after=cursor)
        if as_json:
            print_json(out)
            return
        t = Table(title=f"{out['total']} deprived of liberty (as of {out['today']})")
        for col in ("person", "name", "held since", "facility", "last proof of life", "days", "flags"):
            t.add_column(col)
        for i in out["items"]:
            flags = [*i["marks"]] + (["ED?"] if i["possible_enforced_disappearance"] else []) + \
                (["incommunicado"] if i["incommunicado"] else []) + (["RU"] if i["held_in_russia"] else [])
            t.add_row(str(i["person_id"]), i["full_name"] or "(withheld)", str(i["held_since"]), i["facility"] or "unknown",
                      str(i["last_proof_of_life"] or "never"), str(i["days_without_proof_of_life"]), " ".join(flags))
        console.print(t)
        if out["next_cursor"]:
            console.print(f"more: --cursor {out['next_cursor']}")
    run(go)


@custody_app.command("status")
def status_cmd(person_id: int = typer.Argument(..., min=1), today: str = typer.Option(None),
               as_json: bool = typer.Option(False, "--json")) -> None:
    """A person's custody status, derived from the episodes, with the facts behind it."""
    def go(app: Svidok):
        out = custody.person_status(app, cli_actor(), person_id, _day(today, "--today"))
        if as_json:
            print_json(out)
            return
        console.print(f"[bold]{out['full_name']}[/bold] (person {out['person_id']}): [bold]{out['status']}[/bold]"
                      + (f" since {out['held_since']}" if out["held_since"] else ""))
        if out["marks"]:
            console.print("marks: " + ", ".join(out["marks"]))
        if out["enforced_disappearance"]["flag"]:
            console.print("[red]possible enforced disappearance[/red]:")
            for f in out["enforced_disappearance"]["facts"]:
                console.print(f"  - {f}")
        for e in out["episodes"]:
            where = (e["facility"] or {}).get("name_en", "place unknown")
            console.print(f"  episode {e['id']}: {e['date_from']} – {e['date_to'] or '…'} {where}, {e['outcome']}")
    run(go)


@custody_app.command("counts")
def counts_cmd() -> None:
    """Open custody episodes, possible enforced disappearances, people held in Russia."""
    run(lambda app: print_json(custody.status_counts(app, cli_actor())))


@custody_app.command("displacement")
def displacement_cmd(date_from: str = typer.Option(None), date_to: str = typer.Option(None)) -> None:
    """Refugees by host country and protection status; deportations and forcible transfers."""
    run(lambda app: print_json(displacement_stats.summary(app, cli_actor(), date_from, date_to)))
