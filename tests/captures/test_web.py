"""The "Preserve a link" forms (incident page, evidence list): a capture job with progress, then the
capture's files as evidence with their hashes and its trusted timestamp; the capture page and screenshot."""

from __future__ import annotations

import re

import pytest

from svidok.core.actors import Actor
from svidok.services import captures, jobs
from tests import fixtures as fx
from tests.web.conftest import csrf_of

from .tsa import TestTSA


@pytest.fixture(scope="module")
def tsa():
    with TestTSA() as t:
        yield t


def _ready(core, tsa) -> None:
    core.settings.capture_allow_private = True
    core.settings.capture_page_timeout = 4.0
    core.settings.tsa_urls = [tsa.url]
    core.settings.tsa_ca_files = [tsa.ca_file]


def _batch_id(response) -> int:
    assert response.status_code == 303 and response.headers["location"].startswith("/captures/batches/"), response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_preserve_a_link_from_the_incident_page(web, client_for, sites, tsa) -> None:
    core, _asgi = web
    _ready(core, tsa)
    inc = fx.incident(core, confidentiality="public")
    investigator = client_for("investigator")
    page = investigator.get(f"/incidents/{inc['id']}")
    assert 'action="/captures/incidents/' in page.text
    token = csrf_of(page.text)
    bad = investigator.post(f"/captures/incidents/{inc['id']}", data={"csrf_token": token, "urls": "ftp://x/y"})
    assert bad.status_code == 422 and "only http and https" in bad.text
    batch_id = _batch_id(investigator.post(f"/captures/incidents/{inc['id']}",
                                           data={"csrf_token": token, "urls": f"{sites.base}/article\n"},
                                           follow_redirects=False))
    # Queued as a job: the batch page shows it waiting, with a link to the job and its progress bar.
    waiting = investigator.get(f"/captures/batches/{batch_id}")
    job_id = captures.batch(core, Actor("t", "administrator"), batch_id)["job_id"]
    assert job_id and f'href="/jobs/{job_id}"' in waiting.text
    assert re.search(r'<progress id="batch-bar" max="1" value="0"', waiting.text) and "waiting" in waiting.text
    assert jobs.DatabaseWorker(core).run(burst=True) == 1
    job = jobs.get(core, Actor("investigator", "investigator"), job_id)
    assert job["status"] == "done" and job["progress"]["done"] == 1 and job["progress"]["total"] == 1, job
    b = captures.batch(core, Actor("t", "administrator"), batch_id)
    assert b["counts"]["done"] == 1, b
    [c] = b["captures"]
    listing = investigator.get(f"/captures/batches/{batch_id}")
    assert f'href="/captures/{c["id"]}"' in listing.text and '<progress id="batch-bar" max="1" value="1"' in listing.text
    assert 'http-equiv="refresh"' not in listing.text  # finished: the page stops refreshing
    # Every file kept is evidence, linked with its hash; the capture has its trusted timestamp.
    roles = {a["role"] for a in c["artefacts"]}
    assert {"archive", "screenshot", "text"} <= roles, roles
    for a in c["artefacts"]:
        assert f'href="/evidence/{a["evidence_id"]}"' in listing.text and a["sha256"][:16] in listing.text
    [stamp] = c["timestamps"]
    assert f"Trusted timestamp: <time>{str(stamp['time'])[:19]}</time> ({tsa.url})" in listing.text
    shot = next(a for a in c["artefacts"] if a["role"] == "screenshot")
    item = investigator.get(f"/evidence/{shot['evidence_id']}")
    assert shot["sha256"] in item.text and "web capture" in item.text and f'href="/captures/{c["id"]}"' in item.text
    shown = client_for("viewer").get(f"/captures/{c['id']}")
    assert shown.status_code == 200 and "Shelling of a school in Testville" in shown.text
    assert "Olena Testenko" in shown.text and f'src="/captures/{c["id"]}/screenshot"' in shown.text
    assert tsa.url in shown.text
    assert "Preserve this link again" not in shown.text  # a viewer may not capture
    png = client_for("viewer").get(f"/captures/{c['id']}/screenshot")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client_for("viewer").post(f"/captures/incidents/{inc['id']}",
                                     data={"csrf_token": token, "urls": "https://example.org/"}).status_code == 403


def test_preserve_a_link_from_the_evidence_list(web, client_for, sites, tsa) -> None:
    core, _asgi = web
    _ready(core, tsa)
    inc = fx.incident(core, confidentiality="public")
    investigator = client_for("investigator")
    page = investigator.get("/evidence")
    assert 'action="/captures"' in page.text
    assert 'action="/captures"' not in client_for("viewer").get("/evidence").text
    token = csrf_of(page.text)
    before = jobs.list_jobs(core, Actor("t", "administrator"))["items"]
    bad = investigator.post("/captures", data={"csrf_token": token, "urls": f"{sites.base}/article",
                                               "incident_id": "999999"})
    assert bad.status_code == 422 and "incident_id: no such incident" in bad.text
    assert f"{sites.base}/article" in bad.text  # what was typed is kept
    assert jobs.list_jobs(core, Actor("t", "administrator"))["items"] == before  # nothing queued
    batch_id = _batch_id(investigator.post("/captures", data={
        "csrf_token": token, "urls": f"{sites.base}/article\n{sites.base}/missing", "incident_id": str(inc["id"])},
        follow_redirects=False))
    jobs.DatabaseWorker(core).run(burst=True)
    b = captures.batch(core, Actor("t", "administrator"), batch_id)
    assert b["incident_id"] == inc["id"] and b["counts"] == {"pending": 0, "running": 0, "done": 1, "failed": 1}, b
    listing = investigator.get(f"/captures/batches/{batch_id}").text
    failed = next(c for c in b["captures"] if c["status"] == "failed")
    assert "404" in failed["error"] and failed["error"] in listing
    # The capture's files are the incident's evidence now.
    evidence_ids = {a["evidence_id"] for c in b["captures"] for a in c["artefacts"]}
    listed = investigator.get(f"/evidence?incident_id={inc['id']}").text
    assert evidence_ids and all(f'href="/evidence/{i}"' in listed for i in evidence_ids)
