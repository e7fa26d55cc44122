"""The brief job kind: render a template to HTML or PDF in the job's folder."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from svidok.core.errors import FieldError, ValidationFailed
from svidok.services.jobs import register

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


def brief(app: Svidok, actor, params: dict, ctx) -> dict:
    """Render, then write next to the final name and rename: a killed job leaves no half file."""
    from . import engine

    ctx.progress(message="running the figures' queries")
    rendered = engine.render(app, actor, params["template"], _edition(params), params.get("params") or {})
    ctx.progress(message="writing the " + params.get("format", "pdf").upper())
    final = ctx.output_dir / f"brief.{params.get('format', 'pdf')}"
    part = engine.write(rendered, final.with_name(".part-" + final.name))
    os.replace(part, final)
    return {"file": str(final), "title": rendered.template.title, "figures": len(rendered.figures)}


register("brief", brief, resumable=True, check=_check)
