"""The one ASGI application: the JSON API and the web pages around one :class:`~svidok.app.Svidok`.

The CLI (``svidok serve``), uvicorn's worker processes and the tests all build it here.
"""

from __future__ import annotations

from fastapi import FastAPI

from svidok.api import app as api_app
from svidok.app import Svidok
from svidok.web import mount


def create_app(svidok_app: Svidok | None = None) -> FastAPI:
    """Build the ASGI app around one :class:`Svidok` (a new one from the environment by default)."""
    core = svidok_app or Svidok()
    app = api_app.create_api(core)
    mount.install(app, core)
    api_app.add_outer_middleware(app, core)
    return app
