"""The dashboard's figures are shared by every web process: two Svidok objects on one database
(as two ``svidok serve`` workers are) read one cache, in the database or in Redis, and a change
of the records made through one is seen by the other at once. Redis down: figures still come."""

from __future__ import annotations

import os
import socket

import pytest

from svidok.app import Svidok
from svidok.core.actors import SYSTEM
from svidok.figures import cached, dashboard
from svidok.services import figure_cache
from tests import fixtures as fx


def _twin(app: Svidok, **settings) -> tuple[Svidok, Svidok]:
    """Two application objects on ``app``'s database with the same settings (two web workers)."""
    app.settings = app.settings.model_copy(update=settings)
    return app, Svidok(app.settings, database_url=app.db.url)


def _redis_url() -> str:
    import redis

    url = os.environ.get("SVIDOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as exc:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip(f"Redis unreachable at {url}: {exc}")
    return url


def _shared_and_invalidated(one: Svidok, two: Svidok) -> None:
    viewer = fx.user(one, "viewer")
    fx.incident(one, confidentiality="public")
    first = dashboard.current(one, viewer)
    assert first["total"] == 1
    # the other process shows the figures the first computed (same computation time), not its own
    assert dashboard.current(two, viewer)["computed_at"] == first["computed_at"]
    fx.incident(two, confidentiality="public", title="Second strike (synthetic)")  # a change made through two
    again = dashboard.current(one, viewer)
    assert again["total"] == 2 and again["computed_at"] > first["computed_at"] and "stale" not in again
    assert dashboard.current(two, viewer)["computed_at"] == again["computed_at"]
    dashboard.forget(two)  # cleared through one process: gone for the other
    assert figure_cache.get(one, cached.clearance_key(dashboard.NAME, viewer)) is None
    assert dashboard.current(one, SYSTEM)["total"] == 2


def test_two_app_objects_share_the_figures_in_the_database(app):
    one, two = _twin(app)
    try:
        _shared_and_invalidated(one, two)
    finally:
        two.close()


def test_two_app_objects_share_the_figures_in_redis(app):
    url = _redis_url()
    one, two = _twin(app, figures_cache="redis", redis_url=url)
    try:
        _shared_and_invalidated(one, two)
        assert figure_cache.backend(one).conn.keys(figure_cache.backend(one).prefix + "*")  # kept in Redis
    finally:
        figure_cache.clear(one)
        two.close()


def test_slow_figures_out_of_date_are_shown_marked_stale_while_recomputed(app):
    viewer = fx.user(app, "viewer")
    fx.incident(app, confidentiality="public")
    key = cached.clearance_key(dashboard.NAME, viewer)
    old = dashboard.summary(app, viewer)
    entry = figure_cache.get(app, key)
    figure_cache.put(app, key, entry.version, old, seconds=30.0)  # as if it took half a minute
    fx.incident(app, confidentiality="public")
    shown = dashboard.current(app, viewer)
    assert shown["total"] == 1 and shown["stale"] is True  # the page does not wait
    cached._running[(id(app), key)].result(timeout=60)
    assert dashboard.current(app, viewer)["total"] == 2


def test_quick_figures_out_of_date_are_recomputed_in_the_request(app):
    viewer = fx.user(app, "viewer")
    fx.incident(app, confidentiality="public")
    assert dashboard.current(app, viewer)["total"] == 1
    assert figure_cache.get(app, cached.clearance_key(dashboard.NAME, viewer)).seconds < cached.SYNC_SECONDS
    fx.incident(app, confidentiality="public")
    shown = dashboard.current(app, viewer, wait=0)  # no wait for a background count: counted at once
    assert shown["total"] == 2 and "stale" not in shown


def test_redis_down_figures_are_computed_without_the_cache(app, caplog):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here
    app.settings = app.settings.model_copy(update={"figures_cache": "redis", "redis_url": f"redis://127.0.0.1:{port}/0"})
    fx.incident(app, confidentiality="public")
    assert dashboard.current(app, SYSTEM)["total"] == 1
    assert "figure cache (redis)" in caplog.text
