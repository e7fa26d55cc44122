"""The ``svidok`` command: a thin shell over the services."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="svidok",
    help="Svidok: document violations, keep evidence verifiable, turn records into figures.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def main() -> None:  # pragma: no cover - entry point
    app()
