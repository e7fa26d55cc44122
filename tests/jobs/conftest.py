"""Job tests: workers import the test kinds; a short lease so a dead worker is noticed in seconds."""

from __future__ import annotations

import os

import pytest

TEST_MODULES = ["tests.jobs.step_kinds"]


@pytest.fixture
def japp(app):
    """The ``app`` fixture (both engines) with the test kinds and a 2-second lease."""
    app.settings = app.settings.model_copy(update={"job_modules": TEST_MODULES, "jobs_lease_seconds": 2.0,
                                                   "jobs_poll_seconds": 0.2})
    return app


def worker_env(app, **extra) -> dict:
    """The environment a ``svidok worker`` subprocess needs to work on ``app``'s database."""
    env = {**os.environ, "SVIDOK_DATA_DIR": str(app.settings.data_dir), "SVIDOK_DATABASE_URL": app.db.url,
           "SVIDOK_FIELD_KEY": app.settings.field_key or "", "SVIDOK_JOB_MODULES": '["tests.jobs.step_kinds"]',
           "SVIDOK_JOBS_LEASE_SECONDS": "2", "SVIDOK_JOBS_POLL_SECONDS": "0.2"}
    env.update({k: str(v) for k, v in extra.items()})
    return env


REDIS_ENV = "SVIDOK_TEST_REDIS_URL"
#: Database 3 of the machine's Redis: the tests' own (a queue name per test keeps them apart).
DEFAULT_REDIS = "redis://127.0.0.1:6379/3"


@pytest.fixture
def redis_url() -> str:
    """The shared Redis for tests; skipped when absent outside CI, required in CI."""
    import redis

    url = os.environ.get(REDIS_ENV, DEFAULT_REDIS)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as exc:
        if os.environ.get("CI", "").lower() == "true":
            raise RuntimeError(f"CI needs Redis at {url}: {exc}") from exc
        pytest.skip(f"Redis unreachable at {url} (set {REDIS_ENV}): {exc}")
    return url


@pytest.fixture
def queue_name(redis_url):
    """A queue of this test's own; its keys (named after it) are deleted afterwards, nothing else."""
    import uuid

    import redis

    name = f"svidok_test_{uuid.uuid4().hex[:10]}"
    yield name
    conn = redis.Redis.from_url(redis_url)
    keys = list(conn.scan_iter(match=f"*{name}*", count=1000))
    if keys:
        conn.delete(*keys)
    for key in ("rq:workers", "rq:queues"):  # RQ's own sets: remove only our members
        for member in [m for m in conn.smembers(key) if name.encode() in m]:
            conn.srem(key, member)
