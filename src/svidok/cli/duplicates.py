"""``svidok duplicates …``: find incidents reported more than once and review them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from . import lazy
from .common import cli_actor, console, print_json, run

if TYPE_CHECKING:
    from svidok.app import Svidok

incident_duplicates = lazy.module("svidok.services.incident_duplicates")

duplicates_app = typer.Typer(help="Find incidents reported more than once; same, different or undo.",
                             no_args_is_help=True)


@duplicates_app.command("run")
def run_cmd(min_probability: float = typer.Option(0.5, min=0, max=1, help="Lowest probability queued for review.")) -> None:
    """Compare every incident and refresh the review queue (earlier decisions are kept)."""
    run(lambda app: print_json(incident_duplicates.run(app, cli_actor(), min_probability=min_probability)))


@duplicates_app.command("list")
def list_cmd(status: str = typer.Option("pending", help="pending, same or different"),
             limit: int = typer.Option(20, min=1, max=500), cursor: int = typer.Option(None),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """Likely duplicate pairs, most likely first."""
    def go(app: Svidok):
        out = incident_duplicates.queue(app, cli_actor(), status=status, limit=limit, after=cursor)
        if as_json:
            print_json(out)
            return
        t = Table(title=f"{out['total']} {status} pair(s)")
        for col in ("pair", "p", "incident", "incident", "found"):
            t.add_column(col)
        for i in out["items"]:
            t.add_row(str(i["id"]), f"{i['probability']:.3f}",
                      escape(f"{i['left']['id']} {i['left']['title']} ({i['left']['date_start']})"),
                      escape(f"{i['right']['id']} {i['right']['title']} ({i['right']['date_start']})"), i["found_by"])
        console.print(t)
        if out["next_cursor"]:
            console.print(f"more: --cursor {out['next_cursor']}")
    run(go)


@duplicates_app.command("show")
def show_cmd(pair_id: int = typer.Argument(..., min=1), as_json: bool = typer.Option(False, "--json")) -> None:
    """Both incidents side by side, and what agreed and differed with the weight each carried."""
    def go(app: Svidok):
        out = incident_duplicates.show(app, cli_actor(), pair_id)
        if as_json:
            print_json(out)
            return
        t = Table(title=f"pair {out['id']}: p={out['probability']:.3f}, {out['status']}")
        t.add_column("")
        t.add_column(f"incident {out['left']['id']}")
        t.add_column(f"incident {out['right']['id']}")
        for f in ("title", "date_start", "date_end", "place", "lat", "lon", "victims", "sources", "root_id"):
            t.add_row(f, escape(str(out["left"].get(f))), escape(str(out["right"].get(f))))
        t.add_row("acts", *["\n".join(f"{a['violation_type']} ({a['means'] or '?'})" for a in side["acts"])
                            for side in (out["left"], out["right"])])
        console.print(t)
        console.print("[bold]Why[/bold] (bits: +1 doubles the odds of one incident, -1 halves them)")
        colour = {"for": "green", "against": "red", "neutral": "dim"}
        for r in (out["evidence"] or {}).get("reasons", []):
            c = colour[r["verdict"]]
            console.print(f"  [{c}]{r['weight']:+.1f}[/{c}] {r['field']}: {escape(r['finding'])}")
    run(go)


def _decision(service: str, verb: str):
    def command(pair_id: int = typer.Argument(..., min=1),
                note: str = typer.Option(None, help="Why (kept in the ledger).")) -> None:
        def go(app: Svidok):
            out = getattr(incident_duplicates, service)(app, cli_actor(), pair_id, note)
            extra = f" (incident {out['merge']['merged_id']} merged into {out['merge']['survivor_id']})" \
                if out.get("merge") else ""
            console.print(f"pair {pair_id}: {verb}{extra}; now {out['status']}")
        run(go)
    return command


duplicates_app.command("same", help="One incident reported twice: merge the newer into the older (reversible).")(
    _decision("same", "same incident"))
duplicates_app.command("different", help="Two incidents: never queued again.")(_decision("different", "different"))
duplicates_app.command("undo", help="Take the decision back; a merge is undone and both incidents restored.")(
    _decision("undo", "decision undone"))
