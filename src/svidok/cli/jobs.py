"""``svidok jobs …`` (list, show, cancel, retry, health) and ``svidok worker``."""

from __future__ import annotations

import logging
import signal
import threading
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from . import lazy
from .common import cli_actor, console, print_json, run

if TYPE_CHECKING:
    from svidok.app import Svidok

jobs = lazy.module("svidok.services.jobs")

jobs_app = typer.Typer(help="Background jobs: imports, linkage runs, briefs, bundles, verify.",
                       no_args_is_help=True)


@jobs_app.command("list")
def list_cmd(status: str = typer.Option(None, help="queued, running, done, failed or cancelled"),
             kind: str = typer.Option(None, help="Only jobs of this kind"),
             limit: int = typer.Option(50, min=1, max=1000),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """List jobs, newest first."""
    def go(app: Svidok):
        out = jobs.list_jobs(app, cli_actor(), status=status, kind=kind, limit=limit)
        if as_json:
            print_json(out)
            return
        t = Table("id", "kind", "owner", "status", "progress", "message")
        for j in out["items"]:
            p = j["progress"]
            t.add_row(str(j["id"]), j["kind"], j["owner"], j["status"],
                      f"{p['done']}/{p['total']}" if p["total"] else str(p["done"]), j["error"] or p["message"] or "")
        console.print(t)
    run(go)


def _params(pairs: list[str]) -> dict:
    """``name=value`` pairs; a value that reads as JSON (numbers, true, lists) is taken as such."""
    import json

    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"{pair!r}: write name=value", param_hint="--param")
        try:
            out[name] = json.loads(value)
        except ValueError:
            out[name] = value
    return out


@jobs_app.command("submit")
def submit(kind: str = typer.Argument(..., help="import, linkage, brief, bundle, verify (backup: `svidok backup create`)"),
           param: list[str] = typer.Option([], "--param", "-p", help="name=value (JSON values allowed), repeatable"),
           wait: bool = typer.Option(False, "--wait", help="Wait until a worker has run it, then print it")) -> None:
    """Queue a job for the workers (e.g. `svidok jobs submit linkage -p review_threshold=0.4`)."""
    import time

    def go(app: Svidok):
        job = jobs.submit(app, cli_actor(), kind, _params(param))
        while wait and job["status"] not in ("done", "failed", "cancelled"):
            time.sleep(1.0)
            job = jobs.get(app, cli_actor(), job["id"])
        print_json(job)
        return job["status"] != "failed"
    if not run(go):
        raise typer.Exit(1)


@jobs_app.command("show")
def show(job_id: int) -> None:
    """One job: parameters, status, progress, result or error."""
    run(lambda app: print_json(jobs.get(app, cli_actor(), job_id)))


@jobs_app.command("cancel")
def cancel(job_id: int) -> None:
    """Cancel a job: at once if queued, at its next clean point if running."""
    run(lambda app: print_json(jobs.cancel(app, cli_actor(), job_id)))


@jobs_app.command("retry")
def retry(job_id: int) -> None:
    """Queue a failed or cancelled job again (imports and linkage runs resume)."""
    run(lambda app: print_json(jobs.retry(app, cli_actor(), job_id)))


@jobs_app.command("health")
def health() -> None:
    """Workers alive (heartbeat rows), jobs by status, Redis; exit code 1 when no worker is alive."""
    def go(app: Svidok):
        out = jobs.health(app)
        print_json(out)
        return out["ok"]
    if not run(go):
        raise typer.Exit(1)


def worker(burst: bool = typer.Option(False, "--burst", help="Stop when no job is left queued"),
           mode: str = typer.Option(None, help="inline (jobs from the database) or redis; default SVIDOK_JOBS")) -> None:
    """Run background jobs until stopped (SIGTERM or Ctrl-C finish the current job first)."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    def go(app: Svidok):
        chosen = mode or app.settings.jobs
        stopping = threading.Event()
        if chosen == "redis":
            from svidok.services.jobs import redis_queue

            console.print(f"Job worker on Redis {app.settings.redis_url}, queue {app.settings.jobs_queue!r}")
            done = redis_queue.work(app, burst=burst, stopping=stopping)
        else:
            w = jobs.DatabaseWorker(app, mode="worker")
            w.stopping = stopping
            signal.signal(signal.SIGTERM, lambda *_: stopping.set())
            console.print(f"Job worker {w.name} taking jobs from the database")
            try:
                done = w.run(burst=burst)
            except KeyboardInterrupt:
                done = w.done
        console.print(f"Jobs run: {done}")
    run(go)
