"""The chain of custody tells the truth, and evidence is never more visible than its incident.

A download is hashed while it is served and recorded only once complete, with the hash
read; a changed file is detected and recorded as a failed verification; a stopped bundle
records no export; a plain read writes nothing.
"""

import hashlib
import io

import pytest
from sqlalchemy import select

from svidok.core.actors import SYSTEM
from svidok.core.errors import NotFound
from svidok.evidence.bundle_format import BundleError
from svidok.schemas.others import CaseIn
from svidok.services import evidence, evidence_bundles, evidence_reading, incidents, ledger_sealing, records
from svidok.storage.models import CustodyEvent
from tests import fixtures as fx

DATA = b"%PDF-1.4 synthetic statement " + bytes(range(256)) * 64


def _item(app, **kw):
    inc = kw.pop("incident", None) or fx.incident(app)["id"]
    return evidence.ingest(app, SYSTEM, io.BytesIO(DATA), original_name="statement.pdf", incident_id=inc, **kw)


def _events(app, item_id: int) -> list[tuple[str, str, str | None]]:
    with app.db.session() as s:
        return [(e.action, e.sha256_seen, e.purpose) for e in s.scalars(
            select(CustodyEvent).where(CustodyEvent.evidence_id == item_id).order_by(CustodyEvent.id))]


def _tamper(app, sha: str, *, keep_size: bool = True) -> bytes:
    path = evidence.evidence_store(app).path_for(sha)
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    if keep_size:
        data[100] ^= 0xFF
    else:
        data += b"appended"
    path.write_bytes(bytes(data))
    return bytes(data)


def test_a_download_records_the_hash_it_read_once_complete(app):
    item = _item(app)
    dl = evidence_reading.download(app, SYSTEM, item["id"], "court copy", chunk=1000)
    assert _events(app, item["id"])[-1][0] == "acquisition"  # nothing yet: nothing was served
    assert b"".join(dl) == DATA
    assert _events(app, item["id"])[-1] == ("download", hashlib.sha256(DATA).hexdigest(), "court copy")


def test_a_download_that_stops_writes_nothing(app):
    item = _item(app)
    dl = iter(evidence_reading.download(app, SYSTEM, item["id"], "court copy", chunk=1000))
    next(dl)
    dl.close()  # the client went away after the first chunk
    assert [e[0] for e in _events(app, item["id"])] == ["acquisition"]


def test_a_tampered_file_is_cut_short_and_the_mismatch_recorded(app):
    item = _item(app)
    changed = _tamper(app, item["sha256"])
    served = []
    with pytest.raises(evidence_reading.StoredFileChanged, match="no longer matches"):
        for block in evidence_reading.download(app, SYSTEM, item["id"], "court copy", chunk=1000):
            served.append(block)
    assert len(b"".join(served)) < len(DATA)  # the last chunk is held back: never a complete altered copy
    action, seen, purpose = _events(app, item["id"])[-1]
    assert action == "verification" and seen == hashlib.sha256(changed).hexdigest() != item["sha256"]
    assert "mismatch" in purpose
    assert "download" not in [e[0] for e in _events(app, item["id"])]


def test_a_file_of_another_length_is_refused_before_a_byte(app):
    item = _item(app)
    changed = _tamper(app, item["sha256"], keep_size=False)
    with pytest.raises(evidence_reading.StoredFileChanged):
        evidence_reading.download(app, SYSTEM, item["id"], "court copy")
    assert _events(app, item["id"])[-1][:2] == ("verification", hashlib.sha256(changed).hexdigest())


def test_a_stopped_bundle_records_no_export(app, tmp_path):
    item = _item(app)
    _tamper(app, item["sha256"])
    with pytest.raises(BundleError):
        evidence_bundles.create(app, SYSTEM, tmp_path / "b.tar", evidence_ids=[item["id"]], purpose="prosecutor")
    assert "export" not in [e[0] for e in _events(app, item["id"])]
    assert not (tmp_path / "b.tar").exists()


def test_evidence_is_never_more_visible_than_its_incident(app):
    secret = fx.incident(app, confidentiality="strictly_confidential")["id"]
    item = _item(app, incident=secret, confidentiality="public")
    viewer = fx.user(app, "viewer")
    for call in (lambda i: evidence.get(app, viewer, i), lambda i: evidence_reading.download(app, viewer, i),
                 lambda i: evidence.record_access(app, viewer, i), lambda i: ledger_sealing.inclusion_proof(app, viewer, i)):
        with pytest.raises(NotFound) as hidden:
            call(item["id"])
        with pytest.raises(NotFound) as missing:
            call(999_999)
        assert str(hidden.value).replace(str(item["id"]), "ID") == str(missing.value).replace("999999", "ID")
    assert [e[0] for e in _events(app, item["id"])] == ["acquisition"]
    # once the incident is public, its public evidence is too
    inc = incidents.get(app, SYSTEM, secret)
    from svidok.schemas.records import IncidentUpdate
    incidents.update(app, SYSTEM, secret, IncidentUpdate(version=inc["version"], confidentiality="public"))
    assert evidence.get(app, viewer, item["id"])["incident_id"] == secret


def test_case_titles_follow_case_grants(app):
    from svidok.services import accounts

    case = records.create(app, SYSTEM, "case", CaseIn(code="UA-77", title="Detention of a named journalist"))
    for role in ("viewer", "analyst", "investigator"):
        actor = fx.user(app, role)
        assert records.listing(app, actor, "case")[0] == []
        with pytest.raises(NotFound):
            records.get(app, actor, "case", case["id"])
    accounts.grant_case(app, SYSTEM, "analyst", case["id"], "restricted")
    analyst = accounts.authenticate(app, "analyst", "correct horse battery")
    assert [c["title"] for c in records.listing(app, analyst, "case")[0]] == ["Detention of a named journalist"]
    # whoever opens a case may work in it; a colleague without a grant does not see it
    mine = records.create(app, fx.user(app, "investigator", "opener"), "case", CaseIn(code="UA-78", title="Mine"))
    opener = accounts.authenticate(app, "opener", "correct horse battery")
    assert records.get(app, opener, "case", mine["id"])["title"] == "Mine"
    with pytest.raises(NotFound):
        records.get(app, accounts.authenticate(app, "investigator", "correct horse battery"), "case", mine["id"])
