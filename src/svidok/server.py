"""The one ASGI application: the JSON API and the web pages around one :class:`~svidok.app.Svidok`.

The CLI (``svidok serve``), uvicorn's worker processes and the tests all build it here.
"""

from __future__ import annotations

import gc

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


def serving_app(svidok_app: Svidok | None = None) -> FastAPI:
    """:func:`create_app` for a long-running server (``svidok serve`` and its worker processes).

    Everything built at start-up (vocabularies, gazetteer, templates, routes: some 350,000
    objects) lives as long as the process, yet the cyclic garbage collector walked all of it
    on every full collection: a 200 ms pause every dozen or so requests that build large
    answers (the map's 2,000 points). Freezing the start-up heap leaves the collector only
    what requests create (pauses of 10–15 ms). Not for tests, which build many apps.
    """
    app = create_app(svidok_app)
    gc.collect()
    gc.freeze()
    return app
