"""The partners pages between two installations (two data directories, each engine): a partner with its
keys and rule, a package written as a job and downloaded, and that package checked (dry run) then
imported as a job at the other installation; refusals shown with the reason."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from svidok.core.actors import SYSTEM
from svidok.interop.share_format import b64, raw_public
from svidok.server import create_app
from svidok.services import jobs, sharing
from svidok.storage.models import Incident
from tests import fixtures
from tests.services.test_share_exchange import pair, shared_incident  # noqa: F401
from tests.web.conftest import csrf, sign_in


def _client(app, role: str) -> TestClient:
    fixtures.user(app, role, f"{role}-{id(app) % 10_000}")
    c = TestClient(create_app(app), raise_server_exceptions=False)
    assert sign_in(c, f"{role}-{id(app) % 10_000}").status_code == 303
    return c


def _run(app) -> None:
    jobs.DatabaseWorker(app).run(burst=True)


def _received(app) -> int:
    with app.db.session() as s:
        return s.scalar(select(func.count()).select_from(Incident).where(Incident.import_source == "share:orga"))


def test_partner_rule_export_and_checked_import_through_the_pages(pair, tmp_path: Path):  # noqa: F811
    a, b, _c = pair
    shared_incident(a, title="Shelling of a market")
    ca, cb = _client(a, "administrator"), _client(b, "administrator")

    page = ca.get("/partners").text
    assert "Org B" in page and sharing.partners(a, SYSTEM)[0]["signing_key_id"] in page
    assert sharing.public_keys(a)["signing_key_id"] in page  # this installation's own keys, to send to partners

    # a new partner: a bad key is named and nothing is added; good keys add it
    enc, sig = b64(raw_public(X25519PrivateKey.generate().public_key())), b64(raw_public(Ed25519PrivateKey.generate().public_key()))
    bad = ca.post(
        "/partners",
        data={"csrf_token": csrf(ca), "name": "orgd", "organisation": "Org D", "encryption_key": "not-a-key", "signing_key": sig},
    )
    assert bad.status_code == 422 and "X25519 public key" in bad.text and len(sharing.partners(a, SYSTEM)) == 2
    ok = ca.post(
        "/partners",
        data={"csrf_token": csrf(ca), "name": "orgd", "organisation": "Org D", "encryption_key": enc, "signing_key": sig},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/partners/orgd"
    assert "Org D" in ca.get("/partners/orgd").text

    # the rule: a wrong date is named, nothing changes; a good one is saved
    before = sharing.partner(a, SYSTEM, "orgb")["rule"]
    wrong = ca.post(
        "/partners/orgb/rule",
        data={
            "csrf_token": csrf(ca),
            "date_from": "someday",
            "ceiling": "restricted",
            "consent": "share_prosecutors",
            "coordinates": "hromada",
            "evidence": "hashes",
            "victim_names": "yes",
        },
    )
    assert wrong.status_code == 422 and sharing.partner(a, SYSTEM, "orgb")["rule"] == before
    saved = ca.post(
        "/partners/orgb/rule",
        data={
            "csrf_token": csrf(ca),
            "date_from": "2022-02-24",
            "ceiling": "restricted",
            "consent": "share_prosecutors",
            "coordinates": "exact",
            "evidence": "hashes",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    rule = sharing.partner(a, SYSTEM, "orgb")["rule"]
    assert rule["filter"] == {"date_from": "2022-02-24"} and rule["coordinates"] == "exact" and rule["victim_names"] is False

    # export as a job, downloaded from its page
    r = ca.post("/partners/orgb/export", data={"csrf_token": csrf(ca)}, follow_redirects=False)
    job_url = r.headers["location"]
    _run(a)
    assert "Download the package" in ca.get(job_url).text
    job_id = int(job_url.rsplit("/", 1)[1])
    dl = ca.get(f"/jobs/{job_id}/result")
    assert dl.status_code == 200 and 'filename="orgb-00001.svidok-share"' in dl.headers["content-disposition"]
    assert sharing.partner(a, SYSTEM, "orgb")["last_sent"] == 1

    # B checks it: the dry run lists what is new and writes nothing
    up = cb.post(
        "/partners/import",
        data={"csrf_token": csrf(cb)},
        files={"file": ("orgb-00001.svidok-share", dl.content, "application/octet-stream")},
        follow_redirects=False,
    )
    check_url = up.headers["location"]
    _run(b)
    check = cb.get(check_url).text
    assert "What the import would change" in check and "Import this package" in check and "Org A" in check
    assert _received(b) == 0
    # ... then imports it as a job
    imp = cb.post(check_url + "/import", data={"csrf_token": csrf(cb)}, follow_redirects=False)
    assert imp.status_code == 303 and imp.headers["location"] != check_url
    _run(b)
    done = cb.get(imp.headers["location"]).text
    assert "What the import changed" in done and "Import this package" not in done
    assert "Incidents checked for duplicates of yours: 1; likely duplicates queued for review: 0." in done
    assert _received(b) == 1
    assert not any((Path(b.settings.data_dir) / "jobs" / "uploads").iterdir())  # the upload is gone once imported

    # the same package again: a replay, refused with the reason, nothing imported
    again = cb.post(
        "/partners/import",
        data={"csrf_token": csrf(cb)},
        files={"file": ("orgb-00001.svidok-share", dl.content, "application/octet-stream")},
        follow_redirects=False,
    )
    _run(b)
    refused = cb.get(again.headers["location"]).text
    assert "replay or older" in refused and "was refused and nothing was imported" in refused
    # a damaged one
    damaged = bytearray(dl.content)
    damaged[len(damaged) // 2] ^= 1
    bad_up = cb.post(
        "/partners/import",
        data={"csrf_token": csrf(cb)},
        files={"file": ("x.svidok-share", bytes(damaged), "application/octet-stream")},
        follow_redirects=False,
    )
    _run(b)
    assert "altered or damaged" in cb.get(bad_up.headers["location"]).text and _received(b) == 1
    empty = cb.post("/partners/import", data={"csrf_token": csrf(cb)})
    assert empty.status_code == 422 and "choose the package file" in empty.text

    # B replaces A's keys from the page: a reason is needed; the old key is listed as replaced
    new_sig = b64(raw_public(Ed25519PrivateKey.generate().public_key()))
    no_reason = cb.post("/partners/orga/keys", data={"csrf_token": csrf(cb), "signing_key": new_sig})
    assert no_reason.status_code == 422 and "say why" in no_reason.text
    cb.post("/partners/orga/keys", data={"csrf_token": csrf(cb), "signing_key": new_sig, "reason": "checked by phone"})
    detail = cb.get("/partners/orga").text
    assert "Replaced keys" in detail and "checked by phone" in detail and sharing.public_keys(a)["signing_key_id"] in detail

    # only administrators; Ukrainian
    inv = _client(a, "investigator")
    assert inv.get("/partners").status_code == 403 and "/partners" not in inv.get("/").text
    assert inv.post("/partners/orgb/export", data={"csrf_token": csrf(inv)}).status_code == 403
    ca.post("/language", data={"csrf_token": csrf(ca), "lang": "uk"})
    uk = ca.get("/partners/orgb").text
    assert "Що отримує партнер" in uk and "Записати пакет" in uk and "What the partner receives" not in uk
    for c in (ca, cb, inv):
        c.close()
