"""``svidok brief …``: list, render and reproduce briefs whose every figure is a live query."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from svidok.core.errors import FieldError, ValidationFailed
from svidok.reports.editions import DEFAULT_THRESHOLD, Edition

from . import lazy
from .common import cli_actor, console, print_json, run

if TYPE_CHECKING:
    from svidok.app import Svidok

engine = lazy.module("svidok.reports.engine")


brief_app = typer.Typer(help="Briefs: Markdown + Jinja2 templates whose figures are live, referenced queries.",
                        no_args_is_help=True)

#: Argument types the queries expect; everything else stays text (dates like 2022 are text, not numbers).
INTS = {"intervention_id", "limit", "no_proof_of_life_days", "case_id", "intervention", "silence_days"}
FLOATS = {"grid"}
FLAGS = {"acknowledged", "monitor_access", "incommunicado", "forced_labour", "only_public"}


def parse_pairs(pairs: list[str], option: str) -> dict:
    """``k=v`` pairs (repeat a key for a list) -> dict, with the types the queries take."""
    out: dict = {}
    errors = []
    for i, pair in enumerate(pairs, start=1):
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            errors.append(FieldError(option, f"{pair!r} is not NAME=VALUE", i))
            continue
        try:
            if key in INTS:
                typed = int(value)
            elif key in FLOATS:
                typed = float(value)
            elif key in FLAGS:
                if value.lower() not in ("true", "false", "yes", "no", "1", "0"):
                    raise ValueError
                typed = value.lower() in ("true", "yes", "1")
            else:
                typed = value
        except ValueError:
            errors.append(FieldError(option, f"{key}: {value!r} is not a valid value", i))
            continue
        if key in out:
            out[key] = (out[key] if isinstance(out[key], list) else [out[key]]) + [typed]
        else:
            out[key] = typed
    if errors:
        raise ValidationFailed(errors)
    return out


@brief_app.command("list")
def list_() -> None:
    """The shipped templates and their parameters."""
    table = Table("template", "title", "parameters (default)")
    for t in engine.list_templates():
        params = ", ".join(f"{k}={(v or {}).get('default')}" for k, v in (t.meta.get("params") or {}).items())
        table.add_row(t.name, t.title, params)
    console.print(table)


@brief_app.command("render")
def render(
    template: str = typer.Argument(..., help="A shipped template name (see `svidok brief list`) or a .md.j2 file"),
    out: Path = typer.Option(..., "--out", "-o", help="Output file: .pdf or .html"),
    edition: str = typer.Option("internal", help="internal or public"),
    threshold: int = typer.Option(DEFAULT_THRESHOLD, help="public edition: counts below this are not shown"),
    band: bool = typer.Option(False, help="public edition: show small counts as a band (1–4) instead of <5"),
    param: list[str] = typer.Option([], "--param", "-p", help="Template parameter NAME=VALUE (repeatable)"),
) -> None:
    """Render a brief to PDF or HTML; every figure is referenced in its annex."""
    def go(app: Svidok):
        actor = cli_actor()
        ed = Edition(edition, threshold, "band" if band else "suppress")
        brief = engine.render(app, actor, template, ed, parse_pairs(param, "--param"))
        path = engine.write(brief, out)
        console.print(f"[green]{path}[/green]: {brief.template.title} ({ed.name} edition, {len(brief.figures)} figures)")
    run(go)


@brief_app.command("query")
def query(
    name: str = typer.Argument(..., help="A query name, as in a brief's annex"),
    arg: list[str] = typer.Option([], "--arg", "-a", help="Argument NAME=VALUE (repeat a name for a list)"),
) -> None:
    """Reproduce a figure of a brief: run its query and print the result as JSON."""
    from svidok.reports.engine import reproduce

    def go(app: Svidok):
        print_json(reproduce(app, cli_actor(), name, parse_pairs(arg, "--arg")))
    run(go)


@brief_app.command("queries")
def list_queries() -> None:
    """The queries a template may use, with their arguments."""
    from svidok.figures import queries

    table = Table("query", "what it counts", "arguments")
    for q in sorted(queries.REGISTRY.values(), key=lambda q: q.name):
        table.add_row(q.name, q.description, ", ".join(sorted(q.args)))
    console.print(table)
