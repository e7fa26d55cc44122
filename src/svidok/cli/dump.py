"""``svidok export`` and ``svidok import`` of a whole database (JSON Lines)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import lazy
from .common import cli_actor, console, run

if TYPE_CHECKING:
    from svidok.app import Svidok

dump = lazy.module("svidok.services.dump")


def export(file: Path = typer.Argument(..., help="Where to write the JSON Lines dump ('-' for standard output)")) -> None:
    """Export the whole database, losslessly, as JSON Lines."""
    def go(app: Svidok):
        app.init()
        if str(file) == "-":
            import sys

            dump.export(app, sys.stdout)
            return
        tmp = file.with_suffix(file.suffix + ".part")
        with tmp.open("w", encoding="utf-8") as out:
            n = dump.export(app, out, progress=lambda t, k: console.print(f"  {t}: {k} rows") if k else None)
        tmp.replace(file)
        console.print(f"Exported {n} rows to {file}")
    run(go)


def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A dump written by `svidok export`, or with --mapping a CSV or XLSX file"),
    mapping: Path = typer.Option(None, help="A mapping file: import a spreadsheet (CSV/XLSX) instead of a dump"),
    dry_run: bool = typer.Option(False, "--dry-run", help="With --mapping: validate and report, write nothing"),
    problems: Path = typer.Option(None, help="With --mapping: write the rows with problems to this CSV for correction"),
    strict: bool = typer.Option(False, help="With --mapping: exit with code 1 when any row had a problem (for scripts)"),
    update: bool = typer.Option(False, "--update", help="With --mapping: update in place the records an earlier import "
                                "of this mapping created (a new version per changed row; new rows added)"),
    withdraw_missing: str = typer.Option(None, "--withdraw-missing", metavar="REASON",
                                         help="With --update: withdraw, with this reason, the rows missing from the file"),
) -> None:
    """Import a whole-database dump into an empty database (all or nothing), or, with
    --mapping, a spreadsheet."""
    if mapping is not None:
        from svidok.cli import spreadsheet  # issue 7: spreadsheet import

        if update or withdraw_missing:
            spreadsheet.update_spreadsheet(file, mapping, dry_run, withdraw_missing, problems_file=problems, strict=strict)
        else:
            spreadsheet.import_spreadsheet(file, mapping, dry_run, problems_file=problems, strict=strict)
        return

    def go(app: Svidok):
        sha, lines = _hash_and_lines(file)
        with file.open(encoding="utf-8-sig") as fh, Progress(
                TextColumn(f"Importing {file.name}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=console, transient=True) as bar:
            task = bar.add_task("lines", total=lines)
            counts = dump.import_lines(app, cli_actor(), fh, progress=lambda n: bar.update(task, completed=n))
        app.init()
        dump.record_import(app, cli_actor(), sha, counts)
        console.print(f"Imported {sum(counts.values())} rows from {file}")
    run(go)


def _hash_and_lines(file: Path) -> tuple[str, int]:
    """SHA-256 and line count of a file, read once in 1 MiB chunks (dumps can be gigabytes)."""
    h, lines = hashlib.sha256(), 0
    with file.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            lines += chunk.count(b"\n")
    return h.hexdigest(), lines
