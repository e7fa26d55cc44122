"""``svidok review …``: link the persons in the database and review candidate pairs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import lazy
from .common import cli_actor, console, print_json, run

if TYPE_CHECKING:
    from svidok.app import Svidok

person_linkage = lazy.module("svidok.services.person_linkage")

review_app = typer.Typer(help="Find records of the same person; accept, reject or undo.", no_args_is_help=True)
_err = Console(stderr=True)


@review_app.command("run")
def run_cmd(threshold: float = typer.Option(0.9, min=0, max=1,
                                            help="Probability at which two records are one person."),
            review_threshold: float = typer.Option(0.5, min=0, max=1,
                                                   help="Lowest probability queued for review."),
            backend: str = typer.Option(None, help="duckdb (default) or spark")) -> None:
    """Compare every person record and refresh the review queue (earlier decisions are fed back)."""
    def go(app: Svidok):
        out = person_linkage.run(app, cli_actor(), threshold=threshold, review_threshold=review_threshold,
                                 backend=backend, progress=lambda m: _err.print(f"[dim]{m}[/dim]"))
        out.pop("issues_detail", None)
        print_json(out)
    run(go)


@review_app.command("list")
def list_cmd(status: str = typer.Option("pending", help="pending, accepted or rejected"),
             min_probability: float = typer.Option(0.0, min=0, max=1), max_probability: float = typer.Option(1.0, min=0, max=1),
             limit: int = typer.Option(20, min=1, max=500), cursor: int = typer.Option(None),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """Candidate pairs, most likely first."""
    def go(app: Svidok):
        out = person_linkage.queue(app, cli_actor(), status=status, min_probability=min_probability,
                                   max_probability=max_probability, limit=limit, after=cursor)
        if as_json:
            print_json(out)
            return
        t = Table(title=f"{out['total']} {status} pair(s)")
        for col in ("pair", "p", "left", "right", "for", "against"):
            t.add_column(col)
        for i in out["items"]:
            ev = i["evidence"] or {}
            t.add_row(str(i["id"]), f"{i['match_probability']:.3f}",
                      f"{i['left']['id']} {i['left']['full_name']} ({i['left']['birth_date'] or '?'})",
                      f"{i['right']['id']} {i['right']['full_name']} ({i['right']['birth_date'] or '?'})",
                      str(len(ev.get("for", []))), str(len(ev.get("against", []))))
        console.print(t)
        if out["next_cursor"]:
            console.print(f"more: --cursor {out['next_cursor']}")
    run(go)


@review_app.command("show")
def show_cmd(pair_id: int = typer.Argument(..., min=1), as_json: bool = typer.Option(False, "--json")) -> None:
    """Both records side by side with the evidence for and against, and the weight each field carried."""
    def go(app: Svidok):
        out = person_linkage.show(app, cli_actor(), pair_id)
        if as_json:
            print_json(out)
            return
        t = Table(title=f"pair {out['id']}: p={out['match_probability']:.3f}, {out['status']}")
        t.add_column("")
        t.add_column(f"person {out['left']['id']}")
        t.add_column(f"person {out['right']['id']}")
        for f in ("full_name", "birth_date", "sex", "status", "residence", "cluster_root_id"):
            t.add_row(f, str(out["left"].get(f)), str(out["right"].get(f)))
        t.add_row("names", "\n".join(out["left"]["names"]), "\n".join(out["right"]["names"]))
        t.add_row("custody", *["\n".join(f"{e['date_from']} {e['facility'] or ''}" for e in side["custody_episodes"])
                                for side in (out["left"], out["right"])])
        console.print(t)
        for k, colour in (("for", "green"), ("against", "red"), ("missing", "dim")):
            for line in (out["evidence"] or {}).get(k, []):
                console.print(f"[{colour}]{k}:[/{colour}] {line}")
        if out["why"]:
            console.print("\n[bold]How the model weighed it[/bold] (bits: +1 doubles the odds of one person, -1 halves them)")
            for line in out["why"]:
                console.print(f"  {escape(line)}")
    run(go)


def _decision(service: str, verb: str):
    """A command that calls ``person_linkage.<service>`` (looked up when it runs)."""
    def command(pair_id: int = typer.Argument(..., min=1),
                note: str = typer.Option(None, help="Why (kept in the ledger).")) -> None:
        def go(app: Svidok):
            out = getattr(person_linkage, service)(app, cli_actor(), pair_id, note)
            extra = f" (merge {out['merge']['id']})" if out.get("merge") else ""
            console.print(f"pair {pair_id}: {verb}{extra}; now {out['status']}")
        run(go)
    return command


review_app.command("accept", help="Same person: link the two records (reversible).")(
    _decision("accept", "accepted"))
review_app.command("reject", help="Different people: never linked by later runs.")(
    _decision("reject", "rejected"))
review_app.command("undo", help="Take the decision back; a merge is undone and both records restored.")(
    _decision("undo", "decision undone"))
