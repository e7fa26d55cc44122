"""The job kinds of the reports layer: a brief (a template rendered to HTML or PDF) and a claim dossier,
each written into the job's folder."""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING

from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
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
        raise ValidationFailed(FieldError("template", M_("required")))
    if params.get("format", "pdf") not in ("pdf", "html"):
        raise ValidationFailed(FieldError("format", M_("must be pdf or html")))
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


# -- a claim dossier for the Register of Damage -------------------------------------------------

def _dossier_args(params: dict) -> tuple[int, list[str] | None, list[int] | None, str | None]:
    try:
        person_id = int(params.get("person_id"))
    except (TypeError, ValueError):
        raise ValidationFailed(FieldError("person_id", M_("required: the person the claim is for"))) from None
    cats = params.get("categories") or None
    ev = params.get("evidence_ids")
    if cats is not None and not (isinstance(cats, list) and all(isinstance(c, str) for c in cats)):
        raise ValidationFailed(FieldError("categories", M_("a list of category codes")))
    if ev is not None and not (isinstance(ev, list) and all(isinstance(i, int) for i in ev)):
        raise ValidationFailed(FieldError("evidence", M_("a list of evidence numbers")))
    return person_id, cats, ev, (params.get("purpose") or None)


def _check_dossier(app: Svidok, actor, params: dict) -> None:
    """At submission: the person is visible, the categories and evidence are theirs (nothing read protected yet)."""
    from svidok.services import claims

    person_id, cats, ev, _purpose = _dossier_args(params)
    claims.dossier_choice(app, actor, person_id, cats, ev)


def claim_dossier(app: Svidok, actor, params: dict, ctx) -> dict:
    """``claim_dossier.create`` into the job's folder; the zip is written next to its name and renamed."""
    from . import claim_dossier as dossier

    person_id, cats, ev, purpose = _dossier_args(params)
    ctx.progress(message="reading the evidence and writing the PDFs in Ukrainian and English")
    made = dossier.create(app, actor, person_id, ctx.output_dir / f"claim-dossier-person-{person_id}.zip",
                          cats, ev, purpose)
    return {"file": made["path"], "sha256": made["sha256"], "person_id": person_id,
            "categories": made["categories"], "evidence": len(made["evidence"]), "ledger_seq": made["ledger_seq"]}


# Not resumable: a lost worker may have read evidence (custody events recorded) without finishing the zip.
register("claim_dossier", claim_dossier, check=_check_dossier,
         on_loss="the dossier was not finished (its evidence reads are in the custody records); prepare it again")
