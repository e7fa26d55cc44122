"""``python -m svidok`` runs the CLI."""

from svidok.cli.main import app

app()
