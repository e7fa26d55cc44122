"""``svidok interop …``: other systems' formats in and out, field forms, open data.

Spreadsheets with your own mapping use ``svidok import FILE --mapping M.yaml``; this
group adds the shipped mappings (ACLED, Uwazi), exports of a filtered selection,
the public open-data export, and ODK/KoboToolbox forms.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from . import lazy
from .common import actor_named, cli_actor, console, run

if TYPE_CHECKING:
    from svidok.app import Svidok

filters = lazy.module("svidok.schemas.filters")

interop_app = typer.Typer(help="Formats of other systems (ACLED, Uwazi, ODK/Kobo), exports and open data.",
                          no_args_is_help=True)


def _filter(date_from: str | None, date_to: str | None, place: str | None, violation_type: str | None,
            family: str | None, characteristic: str | None, verification_status: str | None, q: str | None) -> filters.IncidentFilter:
    from svidok.cli.common import friendly_errors
    from svidok.core.validation import from_pydantic

    data = {k: v for k, v in dict(date_from=date_from, date_to=date_to, place=place, violation_type=violation_type,
                                  family=family, characteristic=characteristic,
                                  verification_status=verification_status, q=q).items() if v is not None}
    with friendly_errors():
        try:
            return filters.IncidentFilter.model_validate(data)
        except Exception as exc:  # pydantic.ValidationError
            raise from_pydantic(exc) from None


@contextmanager
def _output(out: Path):
    """Standard output for '-'; otherwise a temporary file renamed into place only when complete."""
    if str(out) == "-":
        yield sys.stdout
        return
    tmp = out.with_name(out.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            yield fh
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


_DATE_FROM = typer.Option(None, "--date-from", help="incidents on or after this (partial) date")
_DATE_TO = typer.Option(None, "--date-to", help="incidents on or before this (partial) date")
_PLACE = typer.Option(None, help="a place (code or exact name) and everything inside it")
_VT = typer.Option(None, "--violation-type")
_FAMILY = typer.Option(None, help="violation family, e.g. attacks_on_civilians")
_CHAR = typer.Option(None, help="victim characteristic, e.g. child, older_person")
_VS = typer.Option(None, "--verification-status")
_Q = typer.Option(None, "--q", help="full-text search")
_AS = typer.Option(..., "--as", help="the user whose need-to-know applies (role and case grants)")


@interop_app.command("export")
def export_cmd(
    out: Path = typer.Argument(..., help="Output file ('-' for standard output)"),
    fmt: str = typer.Option("jsonl", "--format", help="hxl (CSV with HXL hashtags), geojson, jsonl, acled"),
    date_from: str = _DATE_FROM, date_to: str = _DATE_TO, place: str = _PLACE, violation_type: str = _VT,
    family: str = _FAMILY, characteristic: str = _CHAR, verification_status: str = _VS, q: str = _Q,
    as_user: str = _AS,
) -> None:
    """Export the incidents USER may see that match the filter (no names, no protected fields, nothing
    strictly confidential; hxl, geojson and acled round coordinates to 0.01°)."""
    f = _filter(date_from, date_to, place, violation_type, family, characteristic, verification_status, q)

    def go(app: Svidok):
        from svidok.services import export_data

        actor = actor_named(app, as_user)
        with _output(out) as fh:
            n = export_data.export(app, actor, f, fmt, fh)
        if str(out) != "-":
            console.print(f"Exported {n} incidents as {fmt} to {out}")
    run(go)


@interop_app.command("public")
def public_cmd(
    out: Path = typer.Argument(..., help="Output CSV file"),
    k: int = typer.Option(5, min=2, help="refuse if fewer than k people share age group, sex, place and period"),
    date_precision: str = typer.Option("month", help="month, quarter or year"),
    place_level: str = typer.Option("oblast", help="hromada, raion, oblast or country"),
    age: str = typer.Option("group", help="group (child/adult/older), band, decade or none"),
    sex: bool = typer.Option(True, "--sex/--no-sex", help="publish sex"),
    levels: str = typer.Option("public", help="confidentiality levels that may be published, comma-separated"),
    date_from: str = _DATE_FROM, date_to: str = _DATE_TO, place: str = _PLACE, violation_type: str = _VT,
    family: str = _FAMILY, characteristic: str = _CHAR, verification_status: str = _VS, q: str = _Q,
    as_user: str = _AS,
) -> None:
    """Redacted open data for publication, checked for people who could be singled out."""
    from svidok.services import export_public

    f = _filter(date_from, date_to, place, violation_type, family, characteristic, verification_status, q)
    cfg = export_public.PublicConfig(k=k, date_precision=date_precision, place_level=place_level, age=age, sex=sex,
                                     levels=tuple(x.strip() for x in levels.split(",") if x.strip()))

    def go(app: Svidok):
        actor = actor_named(app, as_user)
        with _output(out) as fh:
            res = export_public.export(app, actor, f, cfg, fh)
        console.print(f"Wrote {res.rows} rows ({res.people} people) to {out}; every group has at least {k} people.")
    run(go)


def _shipped(name: str, file: Path, dry_run: bool, problems: Path | None, mapping: Path | None = None) -> None:
    from svidok.interop import builtin

    from .spreadsheet import import_spreadsheet

    import_spreadsheet(file, mapping or builtin.FOLDER / f"{name}.yaml", dry_run, problems)


_DRY = typer.Option(False, "--dry-run", help="check and report, write nothing")
_PROBLEMS = typer.Option(None, "--problems", help="write every problem row to this CSV file")


@interop_app.command("acled-import")
def acled_import(file: Path = typer.Argument(..., exists=True, dir_okay=False), dry_run: bool = _DRY,
                 problems: Path = _PROBLEMS) -> None:
    """Import conflict events in ACLED's CSV layout (battles and protests are left out)."""
    _shipped("acled", file, dry_run, problems)


@interop_app.command("uwazi-import")
def uwazi_import(file: Path = typer.Argument(..., exists=True, dir_okay=False), dry_run: bool = _DRY,
                 problems: Path = _PROBLEMS,
                 mapping: Path = typer.Option(None, help="your template's mapping (default: the shipped one)")) -> None:
    """Import an Uwazi CSV export (see docs/formats/uwazi.md for the template it expects)."""
    _shipped("uwazi", file, dry_run, problems, mapping)


@interop_app.command("xlsform")
def xlsform_cmd(out: Path = typer.Argument(..., help="XLSForm file to write (.xlsx)"),
                form_id: str = typer.Option("svidok_incident", help="form_id of the form"),
                version: str = typer.Option(None, help="form version (default: today's date)")) -> None:
    """An XLSForm for ODK Collect / KoboToolbox, built from Svidok's vocabularies (English and Ukrainian)."""
    def go(app: Svidok):
        from svidok.interop import xlsform

        xlsform.write(app.vocab, out, form_id=form_id, version=version)
        console.print(f"Wrote {out} (checked with pyxform)")
    run(go)


@interop_app.command("form-import")
def form_import_cmd(file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                                help="submissions exported by ODK Central or KoboToolbox (.json or .csv)"),
                    attachments: Path = typer.Option(None, help="folder with the submissions' attachments"),
                    dry_run: bool = _DRY,
                    update: bool = typer.Option(False, "--update", help="update in place the records of submissions "
                                                "imported before (edited submissions: a new version each)"),
                    withdraw_missing: str = typer.Option(None, "--withdraw-missing", metavar="REASON",
                                                         help="with --update: withdraw submissions missing from the file")) -> None:
    """Import form submissions into incidents, persons, sources and evidence (attachments into the vault)."""
    def go(app: Svidok):
        from svidok.services import import_forms

        app.init()
        report = import_forms.run(app, cli_actor(), file, attachments, dry_run=dry_run, update=update,
                                  withdraw_reason=withdraw_missing)
        console.print(report.summary())
        for c in (report.update.changed[:30] if report.update else []):
            console.print(f"  row {c.row} (key {c.key}): " + "; ".join(f"{k}: {o!r} → {n!r}" for k, (o, n) in c.changes.items()))
        for p in report.problems:
            console.print(f"  - {p}")
    run(go)


@interop_app.command("mappings")
def mappings_cmd() -> None:
    """List the shipped mappings."""
    from svidok.interop import builtin

    for name in builtin.names():
        console.print(f"{name}: {builtin.FOLDER / (name + '.yaml')}")
