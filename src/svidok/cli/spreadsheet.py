"""``svidok import FILE --mapping MAPPING.yaml [--dry-run]``: spreadsheets (CSV, XLSX)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import lazy
from .common import cli_actor, console, err_console, run

if TYPE_CHECKING:
    from svidok.app import Svidok

imports = lazy.module("svidok.services.imports")
import_update = lazy.module("svidok.services.import_update")


def estimate_rows(path: Path) -> int | None:
    """Lines of a CSV file minus its header (close enough for a progress bar)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return None
    n = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            n += chunk.count(b"\n")
    return max(n - 1, 0)


def print_report(report: imports.ImportReport, problems_file: Path | None = None, shown: int = 30) -> None:
    c = report.counts
    verb = "Would add" if report.dry_run else "Added"
    console.print(f"[bold]{report.file}[/bold] (sha256 {report.sha256[:16]}…), mapping {report.mapping!r}")
    for note in report.notes:
        console.print(f"  note: {note}")
    console.print(f"Rows read: {report.rows_read}; good: {report.rows_ok}; with problems: {report.rows_bad}; "
                  f"left out by the mapping: {report.rows_skipped}; already imported: {c.rows_existing}")
    console.print(f"{verb}: {c.incidents} incidents, {c.acts} acts, {c.persons} persons, {c.sources} sources "
                  f"(from {c.rows_new} rows)")
    if report.run_id is not None:
        extra = f", resumed after batch {report.resumed_after_batches}" if report.resumed_after_batches else ""
        console.print(f"Import run {report.run_id} recorded in the ledger{extra}.")
    total = len(report.problems) + report.problems_not_listed
    if total:
        err_console.print(f"[yellow]{total} problem(s)[/yellow] — these rows were not imported; correct them and "
                          f"import the file again (rows already imported are skipped):")
        for p in report.problems[:shown]:
            err_console.print(f"  - {p}" + (f" [value: {p.value!r}]" if p.value else ""))
        if total > shown and problems_file is None:
            err_console.print(f"  … and {total - shown} more (use --problems FILE to get them all as CSV)")
    if problems_file is not None:
        write_problems(problems_file, report.problems)
        console.print(f"Problems written to {problems_file}")


def import_spreadsheet(file: Path, mapping: Path, dry_run: bool = False, problems_file: Path | None = None,
                       strict: bool = False) -> imports.ImportReport:
    """Validate (``dry_run``) or import a spreadsheet with a mapping file, with a progress bar.

    Exit code 1 when the mapping or file cannot be used at all, or (``strict``) when any
    row had a problem; otherwise 0, the good rows imported and the bad ones listed.
    """
    def go(app: Svidok):
        app.init()  # places and vocabularies are needed to check rows; a dry run still records nothing
        label = "Checking" if dry_run else "Importing"
        with Progress(TextColumn(f"{label} {file.name}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("rows", total=estimate_rows(file))
            report = imports.run_file(app, cli_actor(), file, mapping, dry_run,
                                      progress=lambda n: bar.advance(task, n))
        print_report(report, problems_file)
        return report

    report = run(go)
    if strict and report.rows_bad:
        raise typer.Exit(1)
    return report


def print_update(report: import_update.UpdateReport, problems_file: Path | None = None, shown: int = 30) -> None:
    """The update's counts and, per changed row, the fields that changed (stored → new)."""
    b = report.base
    dry = b.dry_run
    console.print(f"[bold]{b.file}[/bold] (sha256 {b.sha256[:16]}…), mapping {b.mapping!r}: "
                  f"{'dry run, nothing written' if dry else 'update in place'}")
    console.print(f"Rows read: {b.rows_read}; unchanged: {report.rows_unchanged}; changed: {report.rows_changed}; "
                  f"new: {report.rows_new}; with problems: {b.rows_bad}; "
                  f"{'to withdraw' if dry else 'withdrawn'}: {report.rows_withdrawn}"
                  + (f" (and {report.incidents_withdrawn} incidents left without acts)" if report.incidents_withdrawn else ""))
    if not dry:
        console.print(f"{report.versions} new record versions; import run {b.run_id} recorded in the ledger.")
    for c in report.changed[:shown]:
        fields = "; ".join(f"{k}: {old!r} → {new!r}" for k, (old, new) in c.changes.items())
        console.print(f"  row {c.row} (key {c.key}): {fields}")
    if len(report.changed) > shown:
        console.print(f"  … and {report.rows_changed - shown} more changed rows")
    for k in report.withdrawn_keys[:shown]:
        console.print(f"  {'would withdraw' if dry else 'withdrew'} key {k}")
    if b.problems:
        print_report_problems(b, problems_file, shown)


def write_problems(path: Path, problems) -> None:
    """Every problem as a CSV row: row, field, column, value, reason."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["row", "field", "column", "value", "reason"])
        for p in problems:
            w.writerow([p.row, p.field, p.column or "", p.value or "", p.reason])


def print_report_problems(report: imports.ImportReport, problems_file: Path | None, shown: int) -> None:
    total = len(report.problems) + report.problems_not_listed
    err_console.print(f"[yellow]{total} problem(s)[/yellow] — these rows were left as they are:")
    for p in report.problems[:shown]:
        err_console.print(f"  - {p}" + (f" [value: {p.value!r}]" if p.value else ""))
    if problems_file is not None:
        write_problems(problems_file, report.problems)


def update_spreadsheet(file: Path, mapping: Path, dry_run: bool = False, withdraw_reason: str | None = None,
                       problems_file: Path | None = None, strict: bool = False) -> import_update.UpdateReport:
    """``svidok import FILE --mapping M --update [--withdraw-missing REASON] [--dry-run]``."""
    def go(app: Svidok):
        app.init()
        with Progress(TextColumn(f"Comparing {file.name}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("rows", total=estimate_rows(file))
            report = import_update.run_file(app, cli_actor(), file, mapping, dry_run, withdraw_reason,
                                            progress=lambda n: bar.advance(task, n))
        print_update(report, problems_file)
        return report

    report = run(go)
    if strict and report.base.rows_bad:
        raise typer.Exit(1)
    return report
