"""The person's claims page: record a family member with the family's consent, withdraw one, and
prepare the claim dossier as a background job, downloaded from its page; on both engines."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from svidok.core.actors import SYSTEM
from svidok.figures import dashboard
from svidok.server import create_app
from svidok.services import claims, evidence, jobs, ledger
from svidok.storage.models import CustodyEvent, LedgerEntry
from tests import fixtures as fx
from tests.web.conftest import ROLES, csrf, sign_in

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3


@pytest.fixture
def site(app):
    """(core, client_for) over the real ASGI app, on SQLite and PostgreSQL."""
    for role in ROLES:
        fx.user(app, role)
    dashboard.forget()
    asgi = create_app(app)
    clients = []

    def client_for(role: str) -> TestClient:
        c = TestClient(asgi, raise_server_exceptions=False)
        clients.append(c)
        assert sign_in(c, role).status_code == 303
        return c

    yield app, client_for
    for c in clients:
        c.close()


def _victim(core):
    p = fx.person(core, full_name="Бондаренко Олена", confidentiality="restricted")["id"]
    inc = fx.incident(
        core,
        confidentiality="restricted",
        acts=[{"violation_type": "killing_of_civilians", "victims": [{"harm": "killed", "person_id": p}]}],
    )
    return p, inc["id"]


def test_family_member_recorded_only_with_consent_and_withdrawn_with_a_reason(site):
    core, client_for = site
    p, _inc = _victim(core)
    c = client_for("investigator")
    page = c.get(f"/persons/{p}/claims").text
    assert "Record a family member" in page and "No family member is recorded." in page
    form = {
        "csrf_token": csrf(c),
        "relationship": "spouse",
        "name": "Бондаренко Іван",
        "contact": "+380 00 000 0000",
        "consent_date": "2024-05-02",
        "consent_scope": "a claim to the Register",
    }
    refused = c.post(f"/persons/{p}/claims/relatives", data=form)  # consent not ticked
    assert refused.status_code == 422
    assert "only with the family&#39;s consent" in refused.text and 'value="Бондаренко Іван"' in refused.text
    assert claims.relatives(core, SYSTEM, p) == []
    bad_date = c.post(f"/persons/{p}/claims/relatives", data={**form, "consent": "yes", "consent_date": "soon"})
    assert bad_date.status_code == 422 and claims.relatives(core, SYSTEM, p) == []

    ok = c.post(f"/persons/{p}/claims/relatives", data={**form, "consent": "yes"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == f"/persons/{p}/claims#family"
    page = c.get(f"/persons/{p}/claims").text
    assert "The family member was recorded." in page
    assert "Spouse" in page and "2024-05-02" in page and "a claim to the Register" in page
    assert "Бондаренко Іван" not in page and "+380" not in page  # stored encrypted, not shown
    [rel] = claims.relatives(core, SYSTEM, p)
    assert claims.relatives(core, SYSTEM, p, protected=True, purpose="test")[0]["name"] == "Бондаренко Іван"
    # the assessment now names a claimant for A2.1
    assert "1 family member(s) recorded with consent" in page

    # a viewer sees neither the forms nor may post them
    viewer = client_for("analyst")
    vpage = viewer.get(f"/persons/{p}/claims").text
    assert "Record a family member" not in vpage and "Prepare the dossier" not in vpage
    assert viewer.post(f"/persons/{p}/claims/relatives", data={**form, "consent": "yes", "csrf_token": csrf(viewer)}).status_code == 403
    assert viewer.post(f"/claims/relatives/{rel['id']}/withdraw", data={"csrf_token": csrf(viewer), "reason": "x"}).status_code == 403

    no_reason = c.post(f"/claims/relatives/{rel['id']}/withdraw", data={"csrf_token": csrf(c), "reason": " "})
    assert no_reason.status_code == 422 and len(claims.relatives(core, SYSTEM, p)) == 1
    gone = c.post(
        f"/claims/relatives/{rel['id']}/withdraw",
        data={"csrf_token": csrf(c), "reason": "the family withdrew its consent"},
        follow_redirects=False,
    )
    assert gone.status_code == 303 and gone.headers["location"] == f"/persons/{p}/claims#family"
    assert claims.relatives(core, SYSTEM, p) == []
    assert "No family member is recorded." in c.get(f"/persons/{p}/claims").text

    c.post("/language", data={"csrf_token": csrf(c), "lang": "uk"})
    uk = c.get(f"/persons/{p}/claims").text
    assert "Записати члена родини" in uk and "Підготувати досьє" in uk and "Record a family member" not in uk


def test_dossier_prepared_as_a_job_downloaded_and_in_the_ledger(site):
    core, client_for = site
    p, inc = _victim(core)
    item = evidence.ingest(core, SYSTEM, io.BytesIO(PHOTO), original_name="street.png", incident_id=inc, confidentiality="restricted")
    other = evidence.ingest(
        core, SYSTEM, io.BytesIO(PHOTO + b"2"), original_name="other.png", incident_id=inc, confidentiality="restricted"
    )
    c = client_for("investigator")
    page = c.get(f"/persons/{p}/claims").text
    assert "Prepare the dossier" in page and "street.png" in page and item["sha256"][:12] in page

    wrong = c.post(
        f"/persons/{p}/claims/dossier",
        data={"csrf_token": csrf(c), "categories": "A3.1", "evidence_listed": "1", "evidence": str(item["id"])},
    )
    assert wrong.status_code == 422 and "not supported by the documented facts" in wrong.text
    assert jobs.list_jobs(core, SYSTEM, kind="claim_dossier")["items"] == []

    r = c.post(
        f"/persons/{p}/claims/dossier",
        data={"csrf_token": csrf(c), "categories": "A2.1", "evidence_listed": "1", "evidence": str(item["id"])},
        follow_redirects=False,
    )
    assert r.status_code == 303
    job_url = r.headers["location"]
    job_id = int(job_url.rsplit("/", 1)[1])
    assert job_url == f"/persons/{p}/claims/dossiers/{job_id}"
    jobs.DatabaseWorker(core).run(burst=True)
    job = jobs.get(core, SYSTEM, job_id)
    assert job["status"] == "done", job["error"]
    assert "Download the dossier" in c.get(job_url).text and job["result"]["sha256"] in c.get(job_url).text
    assert f"/persons/{p}/claims/dossiers/{job_id}" in c.get(f"/persons/{p}/claims").text

    dl = c.get(f"/jobs/{job_id}/result")
    assert dl.status_code == 200
    assert hashlib.sha256(dl.content).hexdigest() == job["result"]["sha256"]
    z = zipfile.ZipFile(io.BytesIO(dl.content))
    names = set(z.namelist())
    assert {"dossier-uk.pdf", "dossier-en.pdf", "manifest.json", "SHA256SUMS"} <= names
    ev_files = [n for n in names if n.startswith("evidence/")]
    assert len(ev_files) == 1 and "street" in ev_files[0] and z.read(ev_files[0]) == PHOTO  # only the chosen file
    sums = {}
    for line in z.read("SHA256SUMS").decode().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(z.read(name)).hexdigest() == digest, name
        sums[name] = digest
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["categories"] == ["A2.1"] and manifest["submitted"] is False
    assert [e["id"] for e in manifest["evidence"]] == [item["id"]]

    with core.db.session() as s:
        entry = s.scalars(select(LedgerEntry).where(LedgerEntry.action == "claims.dossier")).one()
        assert entry.record_id == str(p) and entry.actor == "investigator" and entry.seq == job["result"]["ledger_seq"]
        # the entry commits to the archive's hash and each file's hash, as downloaded
        assert entry.content_hash == ledger.content_hash(
            {"sha256": hashlib.sha256(dl.content).hexdigest(), "categories": ["A2.1"], "files": sums, "submitted": False}
        )
        reads = s.scalars(
            select(CustodyEvent).where(CustodyEvent.evidence_id.in_([item["id"], other["id"]]), CustodyEvent.action == "download")
        ).all()
        assert [(e.evidence_id, e.actor) for e in reads] == [(item["id"], "investigator")]

    # another writer neither sees the job's page nor downloads its file
    admin_less = client_for("administrator")
    assert admin_less.get(job_url).status_code == 200  # administrators see every job
    other_writer = fx.user(core, "investigator", "second")
    assert other_writer  # a second investigator
    c2 = TestClient(c.app, raise_server_exceptions=False)
    assert sign_in(c2, "second").status_code == 303
    assert c2.get(job_url).status_code == 404 and c2.get(f"/jobs/{job_id}/result").status_code == 404
    c2.close()
