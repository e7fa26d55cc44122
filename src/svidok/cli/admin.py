"""``svidok init``, ``demo``, ``serve``, ``search``, ``vocab``, ``user``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import lazy
from .common import cli_actor, console, print_json, run

if TYPE_CHECKING:
    from svidok.app import Svidok

accounts = lazy.module("svidok.services.accounts")
demo = lazy.module("svidok.services.demo")
search_service = lazy.module("svidok.services.search")
sessions = lazy.module("svidok.services.sessions")
two_factor = lazy.module("svidok.services.two_factor")

user_app = typer.Typer(help="Accounts and API tokens.", no_args_is_help=True)
vocab_app = typer.Typer(help="Vocabularies (violation types, legal provisions, …).", no_args_is_help=True)


def init() -> None:
    """Create or upgrade the database in the data directory, load the gazetteer, create keys."""
    def go(app: Svidok):
        out = app.init()
        console.print(f"Database ready: {app.db.url}")
        console.print(f"Places added: {out['places_added']}; new field key: {out['field_key_created']}")
    run(go)


def _load_demo(app: Svidok, size: int, seed: int) -> None:
    with Progress(TextColumn("Loading synthetic demo data"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console) as bar:
        task = bar.add_task("demo", total=size)
        out = demo.load(app, size=size, seed=seed, progress=lambda n: bar.advance(task, n))
    console.print(out.get("note") or f"Loaded {out['loaded']} synthetic incidents.")


def demo_cmd(
    size: int = typer.Option(2000, "--size", min=1, help="How many synthetic incidents to generate"),
    seed: int = typer.Option(2022, help="Random seed (the same seed gives the same data)"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the web app and API afterwards"),
    host: str = typer.Option(None), port: int = typer.Option(None),
) -> None:
    """Create an SQLite database in the data directory (SVIDOK_DATA_DIR, default ./svidok-data),
    load synthetic demo data if it is empty, and serve the web app and API on http://127.0.0.1:8000."""
    def go(app: Svidok):
        _load_demo(app, size, seed)
        console.print(f"Demo sign-in: [bold]admin[/bold] / [bold]{demo.DEMO_PASSWORD}[/bold] "
                      f"(also investigator, analyst, viewer with the same password)")
        return app

    run(go)
    if serve:
        _serve(host, port)


def _serve(host: str | None, port: int | None, workers: int = 1) -> None:
    import uvicorn

    from svidok.cli.common import make_app
    from svidok.server import create_app, serving_app

    app = make_app()
    app.init()
    h, p = host or app.settings.host, port or app.settings.port
    console.print(f"Svidok is running on [bold]http://{h}:{p}/[/bold]  (API: http://{h}:{p}/api/v1/docs)"
                  + (f" with {workers} web worker processes" if workers > 1 else ""))
    trusted = app.settings.trusted_proxies  # the same proxies the app believes, and no others
    proxy = {"proxy_headers": bool(trusted), "forwarded_allow_ips": ",".join(trusted) or None}
    if workers > 1:
        # Each worker process builds its own application from the same settings (environment):
        # they share the database, Redis and the evidence store, nothing else. Building the app
        # once here first creates the files every worker reads (the session secret), so workers
        # starting together do not race to create them.
        create_app(app)
        app.close()
        uvicorn.run("svidok.server:serving_app", factory=True, host=h, port=p, workers=workers,
                    log_level="warning", **proxy)
        return
    uvicorn.run(serving_app(app), host=h, port=p, log_level="warning", **proxy)


def serve(host: str = typer.Option(None), port: int = typer.Option(None),
          workers: int = typer.Option(1, "--workers", min=1, max=64,
                                      help="Web worker processes sharing one address (PostgreSQL for more than one)")) -> None:
    """Serve the web app and the API."""
    _serve(host, port, workers)


def search(text: str, limit: int = typer.Option(20, min=1, max=100), as_json: bool = typer.Option(False, "--json")) -> None:
    """Search incidents and persons in any script (Oleksandr finds Олександр and Александр)."""
    def go(app: Svidok):
        out = search_service.everything(app, cli_actor(), text, limit)
        if as_json:
            print_json(out)
            return
        t = Table("kind", "id", "text", "date")
        for p in out["persons"]:
            t.add_row("person", str(p["id"]), p["full_name"], p["birth_date"] or "")
        for i in out["incidents"]:
            t.add_row("incident", str(i["id"]), i["title"], i["date_start"])
        console.print(t)
    run(go)


@vocab_app.command("list")
def vocab_list(name: str = typer.Argument(None, help="A vocabulary; without it, all their names"),
               lang: str = typer.Option("en", help="en or uk")) -> None:
    """List vocabularies, or the terms of one."""
    def go(app: Svidok):
        if not name:
            for n in app.vocab.names():
                console.print(f"{n} ({len(app.vocab[n].terms)} terms)")
            return
        t = Table("code", "label", "more")
        for term in app.vocab[name].terms.values():
            t.add_row(term.code, term.label(lang), ", ".join(f"{k}={v}" for k, v in term.extra.items()))
        console.print(t)
    run(go)


@user_app.command("add")
def user_add(username: str, role: str = typer.Option(..., help="administrator, investigator, analyst or viewer"),
             password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True)) -> None:
    """Create a user (administrators only; the CLI runs as one)."""
    run(lambda app: console.print(accounts.create_user(app, cli_actor(), username, password, role)))


@user_app.command("token")
def user_token(username: str, name: str = typer.Option("script", help="What the token is for")) -> None:
    """Create an API token for a user; it is printed once."""
    run(lambda app: console.print(accounts.create_token(app, cli_actor(), username, name)))


@user_app.command("grant")
def user_grant(username: str, case_id: int, level: str = typer.Option("confidential")) -> None:
    """Grant a user access to a case up to a confidentiality level."""
    run(lambda app: accounts.grant_case(app, cli_actor(), username, case_id, level))


@user_app.command("list")
def user_list() -> None:
    run(lambda app: print_json(accounts.list_users(app)))


@user_app.command("deactivate")
def user_deactivate(username: str) -> None:
    """Deactivate a user: every session and API token stops at once."""
    run(lambda app: accounts.set_active(app, cli_actor(), username, False))


@user_app.command("activate")
def user_activate(username: str) -> None:
    """Reactivate a deactivated user."""
    run(lambda app: accounts.set_active(app, cli_actor(), username, True))


@user_app.command("password")
def user_password(username: str,
                  password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True)) -> None:
    """Set a user's password; all the user's sessions end."""
    run(lambda app: accounts.set_password(app, cli_actor(), username, password))


@user_app.command("sessions")
def user_sessions(username: str) -> None:
    """List a user's live web sessions."""
    run(lambda app: print_json(sessions.list_active(app, cli_actor(), username)))


@user_app.command("revoke-sessions")
def user_revoke_sessions(username: str) -> None:
    """End every web session of a user (on every web worker)."""
    run(lambda app: console.print(f"{sessions.revoke_user(app, cli_actor(), username)} sessions ended"))


@user_app.command("reset-2fa")
def user_reset_2fa(username: str, reason: str = typer.Option(..., help="Why (recorded in the ledger)")) -> None:
    """Turn off a user's two-factor sign-in (a lost device); the user sets it up again."""
    run(lambda app: two_factor.disable(app, cli_actor(), username, reason))


@user_app.command("require-2fa")
def user_require_2fa(role: str = typer.Argument(..., help="administrator, investigator, analyst or viewer"),
                     off: bool = typer.Option(False, "--off", help="Stop requiring it")) -> None:
    """Require two-factor sign-in for a role: its users set it up at their next sign-in."""
    run(lambda app: two_factor.set_role_policy(app, cli_actor(), role, not off))
