"""``svidok backup create | verify | restore``: database, evidence and keys together (docs/backup.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from svidok.config import Settings

from . import lazy
from .common import console, friendly_errors, print_json, run

backup = lazy.module("svidok.services.backup")

backup_app = typer.Typer(help="Back up and restore database, evidence files and keys together.", no_args_is_help=True)

_PASS_ENV = "SVIDOK_BACKUP_PASSPHRASE"
_PASS_FILE = typer.Option(None, "--passphrase-file", exists=True, dir_okay=False,
                          help=f"File whose first line is the passphrase (else ${_PASS_ENV}, else asked)")


def _passphrase(path: Path | None, confirm: bool) -> str:
    if path is not None:
        return path.read_text(encoding="utf-8").splitlines()[0]
    configured = Settings().backup_passphrase
    if configured is not None:
        return configured.get_secret_value()
    return typer.prompt("Passphrase for the keys", hide_input=True, confirmation_prompt=confirm)


@backup_app.command("create")
def create(dest: Path = typer.Argument(..., file_okay=False, help="A new, empty folder"),
           passphrase_file: Path = _PASS_FILE) -> None:
    """Seal the ledger, then copy database, evidence files and keys (encrypted) with a manifest of hashes."""
    secret = _passphrase(passphrase_file, confirm=True)
    out = run(lambda app: backup.create(app, dest, secret))
    console.print(f"{out['path']}: {out['files']} files, {out['bytes']:,} bytes (database by {out['database']}, "
                  f"{out['evidence_files']} evidence files, tree head of {out['tree_size']} entries)")


@backup_app.command("verify")
def verify(dest: Path = typer.Argument(..., file_okay=False, exists=True),
           passphrase_file: Path = _PASS_FILE,
           keys: bool = typer.Option(True, help="Also open the keys with the passphrase")) -> None:
    """Re-hash every file of a backup against its manifest (and open the keys)."""
    secret = _passphrase(passphrase_file, confirm=False) if keys else None
    with friendly_errors():
        out = backup.verify(dest, secret)
    for p in out["problems"]:
        console.print(f"[red]FAIL[/red]  {p}")
    if not out["ok"]:
        raise typer.Exit(1)
    console.print(f"[green]{dest}: all {out['files']} files match the manifest[/green] (made {out['created_at']})")


@backup_app.command("restore")
def restore(dest: Path = typer.Argument(..., file_okay=False, exists=True),
            passphrase_file: Path = _PASS_FILE) -> None:
    """Restore a backup into a fresh data directory and empty database, then verify the installation."""
    secret = _passphrase(passphrase_file, confirm=False)
    out = run(lambda app: backup.restore(app, dest, secret))
    print_json(out)
    if not out["verify_ok"]:
        raise typer.Exit(1)
