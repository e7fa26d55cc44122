"""Job tests: workers import the test kinds; a short lease so a dead worker is noticed in seconds."""

from __future__ import annotations

import os

import pytest

TEST_MODULES = ["tests.jobs.step_kinds"]


@pytest.fixture
def japp(app):  # noqa: ANN001, ANN201
    """The ``app`` fixture (both engines) with the test kinds and a 2-second lease."""
    app.settings = app.settings.model_copy(update={"job_modules": TEST_MODULES, "jobs_lease_seconds": 2.0,
                                                   "jobs_poll_seconds": 0.2})
    return app


def worker_env(app, **extra) -> dict:  # noqa: ANN001, ANN003
    """The environment a ``svidok worker`` subprocess needs to work on ``app``'s database."""
    env = {**os.environ, "SVIDOK_DATA_DIR": str(app.settings.data_dir), "SVIDOK_DATABASE_URL": app.db.url,
           "SVIDOK_FIELD_KEY": app.settings.field_key or "", "SVIDOK_JOB_MODULES": '["tests.jobs.step_kinds"]',
           "SVIDOK_JOBS_LEASE_SECONDS": "2", "SVIDOK_JOBS_POLL_SECONDS": "0.2"}
    env.update({k: str(v) for k, v in extra.items()})
    return env
