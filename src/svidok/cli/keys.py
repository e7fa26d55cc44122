"""``svidok key rotate-field-key``, ``field-key-status``, ``retire-field-keys``."""

from __future__ import annotations

import typer

from . import lazy
from .common import cli_actor, console, print_json, run
from .evidence import key_app

key_rotation = lazy.module("svidok.services.key_rotation")


def register(key_app: typer.Typer) -> None:
    @key_app.command("rotate-field-key")
    def rotate(resume: bool = typer.Option(False, "--resume", help="Re-encrypt what is left under old keys; no new key")) -> None:
        """Make a new field-encryption key and re-encrypt identities, contacts and addresses under it,
        a few hundred rows per transaction, while the server keeps running."""
        out = run(lambda app: key_rotation.rotate(app, cli_actor(), new_key=not resume))
        console.print(f"Active key {out['active']}; {out['re_encrypted']} field(s) re-encrypted.")

    @key_app.command("field-key-status")
    def status() -> None:
        """Which key protects how many encrypted fields."""
        run(lambda app: print_json(key_rotation.status(app)))

    @key_app.command("retire-field-keys")
    def retire() -> None:
        """Remove old field keys that no ciphertext uses any more."""
        run(lambda app: print_json(key_rotation.retire(app, cli_actor())))


register(key_app)
