"""Builders that make test data through the services (never raw SQL)."""

from __future__ import annotations

from svidok.core.actors import SYSTEM, Actor
from svidok.schemas.records import IncidentIn, PersonIn, SourceIn
from svidok.services import accounts, incidents, persons, sources

KHARKIV_OBLAST = "UA63000000000041885"
CRIMEA = "UA01000000000013043"


def user(app, role: str, name: str | None = None) -> Actor:
    name = name or role
    accounts.create_user(app, SYSTEM, name, "correct horse battery", role)
    return accounts.authenticate(app, name, "correct horse battery")


def incident(app, actor: Actor = SYSTEM, **overrides) -> dict:
    data = {
        "title": "Strike on a residential building",
        "date_start": "2022-03-05",
        "place": KHARKIV_OBLAST,
        "narrative": "Synthetic. A missile hit a nine-storey building.",
        "acts": [{"violation_type": "killing_of_civilians", "means": "missile",
                  "victims": [{"harm": "killed", "count": 3, "status": "civilian"}]}],
    }
    data.update(overrides)
    return incidents.create(app, actor, IncidentIn.model_validate(data))


def person(app, actor: Actor = SYSTEM, **overrides) -> dict:
    data = {"full_name": "Шевченко Олександр Петрович", "birth_date": "1957", "sex": "male", "status": "civilian"}
    data.update(overrides)
    return persons.create(app, actor, PersonIn.model_validate(data))


def source(app, actor: Actor = SYSTEM, **overrides) -> dict:
    data = {"kind": "witness", "identity": "Коваленко Ірина (synthetic)", "contact": "+380 00 000 00 00",
            "description": "neighbour"}
    data.update(overrides)
    return sources.create(app, actor, SourceIn.model_validate(data))


def finished_job(app, client, response, timeout: float = 120.0) -> dict:
    """The job a 202 answer started, once it has ended (run here if no worker took it)."""
    import time

    from svidok.services import jobs

    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    assert response.headers["location"] == f"/api/v1/jobs/{job_id}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs.DatabaseWorker(app).run(burst=True)  # atomic claims: harmless beside the app's own worker
        out = client.get(f"/api/v1/jobs/{job_id}").json()
        if out["status"] in ("done", "failed", "cancelled"):
            return out
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} has not ended: {out}")
