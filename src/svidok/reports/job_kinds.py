"""The brief job kind: render a template to HTML or PDF in the job's folder."""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING

from svidok.core.errors import FieldError, ValidationFailed
from svidok.services.jobs import register
from svidok.services.jobs.context import JobCancelled

from .editions import DEFAULT_THRESHOLD, Edition

if TYPE_CHECKING:
    from svidok.app import Svidok


def _edition(params: dict) -> Edition:
    return Edition(params.get("edition", "internal"), int(params.get("threshold", DEFAULT_THRESHOLD)),
                   "band" if params.get("band") else "suppress")


def _check(app: Svidok, actor, params: dict) -> None:
    if not params.get("template"):
        raise ValidationFailed(FieldError("template", "required"))
    if params.get("format", "pdf") not in ("pdf", "html"):
        raise ValidationFailed(FieldError("format", "must be pdf or html"))
    from . import engine

    engine.load_template(params["template"])
    _edition(params)


#: The job's page shows a change at least this often, even while one query or the PDF takes long.
TICK_SECONDS = 1.0


class _Ticker:
    """Reports the stage, its count and the seconds spent on it every TICK_SECONDS from a thread."""

    def __init__(self, ctx) -> None:
        self.ctx, self.stage, self.count = ctx, "", ""
        self.since = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="svidok-brief-progress", daemon=True)

    def set(self, stage: str | None = None, count: str | None = None) -> None:
        if stage is not None:
            self.stage, self.count, self.since = stage, "", time.monotonic()
        if count is not None:
            self.count = count
        self._report()

    def _report(self) -> None:
        seconds = int(time.monotonic() - self.since)
        self.ctx.progress(message=self.stage + (f": {self.count}" if self.count else "") + f" ({seconds} s)")

    def _run(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            try:
                self._report()
            except JobCancelled:
                return  # the job's own thread stops at its next check
            except Exception:
                continue

    def __enter__(self) -> _Ticker:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def brief(app: Svidok, actor, params: dict, ctx) -> dict:
    """Render, then write next to the final name and rename: a killed job leaves no half file."""
    with _Ticker(ctx) as tick:
        tick.set("running the figures' queries")
        from . import engine  # its imports take seconds on a busy machine: the page shows them ticking

        rendered = engine.render(app, actor, params["template"], _edition(params), params.get("params") or {},
                                 progress=lambda done, total: tick.set(count=f"{done} of {total}"))
        ctx.check()
        tick.set("writing the " + params.get("format", "pdf").upper())
        final = ctx.output_dir / f"brief.{params.get('format', 'pdf')}"
        part = engine.write(rendered, final.with_name(".part-" + final.name))
    ctx.check()
    os.replace(part, final)
    return {"file": str(final), "title": rendered.template.title, "figures": len(rendered.figures)}


register("brief", brief, resumable=True, check=_check)
