"""What every command shares: the application object, the actor, printing errors."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from svidok.core.actors import Actor
from svidok.core.errors import ServiceError, ValidationFailed

from . import lazy

if TYPE_CHECKING:
    from svidok.app import Svidok

application = lazy.module("svidok.app")

console = Console()
err_console = Console(stderr=True)


def make_app() -> Svidok:
    return application.Svidok()


def cli_actor() -> Actor:
    """Whoever runs the CLI on the server holds the database and the keys: an administrator."""
    try:
        name = getpass.getuser()
    except Exception:
        name = "unknown"
    return Actor(f"cli:{name}", "administrator")


def actor_named(app: Svidok, username: str) -> Actor:
    """``--as USER``: the command runs with that user's role and case grants (their need-to-know)."""
    from svidok.services import accounts

    return accounts.actor_by_name(app, username)


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Service errors become one clear message and exit code 1 — never a traceback."""
    try:
        yield
    except ValidationFailed as exc:
        err_console.print(f"[red]Invalid input[/red] ({len(exc.errors)} problem(s)):")
        for e in exc.errors:
            err_console.print(f"  - {e}")
        raise typer.Exit(1) from None
    except ServiceError as exc:
        err_console.print(f"[red]{exc.title}:[/red] {exc}")
        raise typer.Exit(1) from None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def run(fn: Callable[[Svidok], Any]) -> Any:
    app = make_app()
    try:
        with friendly_errors():
            return fn(app)
    finally:
        app.close()
