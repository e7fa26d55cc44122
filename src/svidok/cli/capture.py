"""Commands for web captures: ``svidok capture URL…`` and ``svidok captures show|batch|retry|resume|tokens``."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from svidok.core.errors import FieldError, ValidationFailed
from svidok.evidence.capture.urls import CaptureRefused, read_url_file

from . import lazy
from .common import cli_actor, console, err_console, print_json, run

if TYPE_CHECKING:
    from svidok.app import Svidok

captures = lazy.module("svidok.services.captures")
timestamps = lazy.module("svidok.services.timestamps")

captures_app = typer.Typer(help="Web captures: show one, a batch's state, retry failed URLs, resume a batch, "
                           "export timestamps.",
                           no_args_is_help=True)


def _run_with_bar(app: Svidok, batch_id: int) -> dict:
    with Progress(TextColumn("[bold]capturing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=err_console) as bar:
        task = bar.add_task("", total=None)

        def progress(finished: int, total: int, url: str) -> None:
            bar.update(task, completed=finished, total=total, description=url[:60])

        return captures.run_batch(app, cli_actor(), batch_id, progress=progress)


def _report(app: Svidok, batch_id: int) -> None:
    out = captures.batch(app, cli_actor(), batch_id)
    for c in out["captures"]:
        if c["status"] == "done":
            note = " [yellow](changed since the previous capture)[/yellow]" if c["changed"] else ""
            console.print(f"[green]captured[/green] {c['url']} → capture {c['id']}{note}")
        elif c["status"] == "failed":
            console.print(f"[red]failed[/red]   {c['url']}: {c['error']}", highlight=False)
    n = out["counts"]
    console.print(f"batch {batch_id}: {n['done']} captured, {n['failed']} failed, {n['pending'] + n['running']} to do"
                  + (f" (retry with `svidok captures retry {batch_id}`)" if n["failed"] else ""))
    if n["failed"]:
        raise typer.Exit(1)


def capture(
    urls: list[str] = typer.Argument(None, help="Pages to preserve (http or https; t.me posts too)"),
    from_file: Path = typer.Option(None, "--from-file", exists=True, dir_okay=False,
                                   help="CSV with a 'url' column (or one URL a line)"),
    incident: int = typer.Option(None, help="Incident the captures document"),
    source: int = typer.Option(None, help="Source the pages come from"),
    case: int = typer.Option(None, help="Case the captures belong to (need-to-know)"),
    confidentiality: str = typer.Option("restricted"),
    purpose: str = typer.Option(None, help="Why they are preserved (recorded in custody)"),
) -> None:
    """Preserve web pages: WACZ archive, screenshot, text, metadata and media, each stored as evidence."""
    def go(app: Svidok):
        todo = list(urls or [])
        if from_file:
            try:
                todo += read_url_file(from_file.read_bytes())
            except CaptureRefused as exc:
                raise ValidationFailed(FieldError(str(from_file), str(exc))) from None
        b = captures.create_batch(app, cli_actor(), todo, incident_id=incident, source_id=source, case_id=case,
                                  confidentiality=confidentiality, purpose=purpose)
        _run_with_bar(app, b["id"])
        _report(app, b["id"])
    run(go)


@captures_app.command("show")
def show(capture_id: int) -> None:
    """One capture as JSON: artefacts (evidence ids, SHA-256), metadata, changes since the last capture."""
    run(lambda app: print_json(captures.get(app, cli_actor(), capture_id)))


@captures_app.command("batch")
def batch(batch_id: int) -> None:
    """A batch's URLs and their state (failed ones with the reason), as JSON."""
    run(lambda app: print_json(captures.batch(app, cli_actor(), batch_id)))


@captures_app.command("resume")
def resume(batch_id: int) -> None:
    """Capture what an interrupted batch had not finished."""
    def go(app: Svidok):
        _run_with_bar(app, batch_id)
        _report(app, batch_id)
    run(go)


@captures_app.command("retry")
def retry(batch_id: int) -> None:
    """Capture a batch's failed URLs again."""
    def go(app: Svidok):
        n = captures.retry(app, cli_actor(), batch_id)
        err_console.print(f"{n} failed URL(s) back in line")
        _run_with_bar(app, batch_id)
        _report(app, batch_id)
    run(go)


@captures_app.command("tokens")
def tokens(capture_id: int = typer.Option(None, "--capture", help="A capture's tokens"),
           tree_head: int = typer.Option(None, "--tree-head", help="A sealed tree head's tokens"),
           output: Path = typer.Option(..., "-o", "--output", file_okay=False, help="Folder to write them to")) -> None:
    """Write RFC 3161 tokens (.tsr) with the statements they stamp (.json), for `openssl ts -verify`."""
    if (capture_id is None) == (tree_head is None):
        err_console.print("[red]give exactly one of --capture and --tree-head[/red]")
        raise typer.Exit(2)

    def go(app: Svidok):
        subject, ident = ("capture", capture_id) if capture_id else ("tree_head", tree_head)
        if subject == "capture":
            captures.get(app, cli_actor(), ident)  # need-to-know
        rows = timestamps.of(app, subject, ident)
        output.mkdir(parents=True, exist_ok=True)
        for t in rows:
            stem = output / f"{subject}-{ident}-token-{t['id']}"
            stem.with_suffix(".json").write_text(t["statement"], encoding="utf-8")
            stem.with_suffix(".tsr").write_bytes(base64.b64decode(t["response"]))
            console.print(f"{stem}.tsr: {t['tsa_url']} at {t['time']}")
        if not rows:
            console.print(f"no timestamps for {subject} {ident}")
    run(go)
