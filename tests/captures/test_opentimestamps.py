"""OpenTimestamps proofs of sealed tree heads: written at seal when calendars are configured, pending
until upgraded, upgraded from the calendar later; checked by `svidok verify` and the bundle verifier.
Only a calendar on 127.0.0.1 is used: no test touches the network."""

from __future__ import annotations

import base64
import hashlib
import tarfile

import pytest
from opentimestamps.core.notary import BitcoinBlockHeaderAttestation, PendingAttestation
from opentimestamps.core.op import OpSHA256
from sqlalchemy import select

from svidok.core.actors import Actor
from svidok.evidence import opentimestamps as ots
from svidok.schemas.records import IncidentIn
from svidok.services import captures, evidence, evidence_bundles, incidents, integrity, ledger_sealing, timestamps
from svidok.storage.models import LedgerEntry, Timestamp

from .ots_calendar import TestCalendar

ADMIN = Actor("tester", "administrator")


@pytest.fixture
def calendar():
    with TestCalendar() as c:
        yield c


def _proofs(app) -> list[Timestamp]:
    with app.db.session() as s:
        rows = s.scalars(select(Timestamp).where(Timestamp.kind == timestamps.OTS).order_by(Timestamp.id)).all()
        s.expunge_all()
        return rows


def test_no_calendar_no_proof_and_no_network(app) -> None:
    assert app.settings.ots_calendars == []  # the default: nothing is sent anywhere
    captures.create_batch(app, ADMIN, ["https://example.org/a"])
    head = ledger_sealing.seal(app)
    assert head["timestamps"] == [] and _proofs(app) == []


def test_seal_writes_a_pending_proof_in_the_standard_format(app, calendar) -> None:
    app.settings.ots_calendars = [calendar.url]
    captures.create_batch(app, ADMIN, ["https://example.org/a"])
    head = ledger_sealing.seal(app)
    (stamp,) = head["timestamps"]
    assert stamp["kind"] == "opentimestamps" and stamp["status"] == "pending" and stamp["problems"] == []
    (row,) = _proofs(app)
    proof = base64.b64decode(row.response)
    # the .ots file format: header, SHA-256 of the exact statement, then the operations
    loaded = ots.load(proof)
    assert isinstance(loaded.file_hash_op, OpSHA256)
    assert loaded.file_digest == hashlib.sha256(row.statement.encode()).digest()
    assert ots.header_digest(proof) == loaded.file_digest
    assert proof.startswith(b"\x00OpenTimestamps\x00\x00Proof\x00")
    atts = [a for _m, a in loaded.timestamp.all_attestations()]
    assert [type(a) for a in atts] == [PendingAttestation] and atts[0].uri == calendar.url
    # the calendar saw a nonce-blinded digest, never the statement's own hash
    assert calendar.requests == ["POST /digest"]
    assert ots.info(proof) == {"digest": loaded.file_digest.hex(), "status": "pending", "pending": [calendar.url], "bitcoin_blocks": []}
    with app.db.session() as s:
        entry = s.scalar(select(LedgerEntry).where(LedgerEntry.entity == "timestamp", LedgerEntry.record_id == str(row.id)))
        assert entry is not None
    report = integrity.verify(app)
    assert report.ok, report.problems
    assert any("OpenTimestamps proof still pending" in w for w in report.warnings), report.warnings


def test_upgrade_completes_the_proof_when_the_calendar_has_it(app, calendar) -> None:
    app.settings.ots_calendars = [calendar.url]
    captures.create_batch(app, ADMIN, ["https://example.org/a"])
    ledger_sealing.seal(app)
    (before,) = _proofs(app)
    # not yet in a block: stays pending, the calendar's answer is said, nothing is rewritten
    (r,) = timestamps.upgrade_ots(app, "tester")
    assert r["status"] == "pending" and "Pending confirmation in Bitcoin blockchain" in r["problems"][0]
    assert _proofs(app)[0].response == before.response
    calendar.confirm(871234)
    (r,) = timestamps.upgrade_ots(app, "tester")
    assert r == {"id": before.id, "status": "complete", "bitcoin_blocks": [871234], "problems": []}
    (after,) = _proofs(app)
    assert after.serial == "complete"
    proof = ots.load(base64.b64decode(after.response))
    kinds = {type(a) for _m, a in proof.timestamp.all_attestations()}
    assert kinds == {PendingAttestation, BitcoinBlockHeaderAttestation}  # the pending path is kept
    assert proof.file_digest == hashlib.sha256(after.statement.encode()).digest()
    with app.db.session() as s:
        assert s.scalar(select(LedgerEntry).where(LedgerEntry.action == "timestamp.upgrade")) is not None
    assert timestamps.upgrade_ots(app, "tester") == []  # nothing pending any more
    report = integrity.verify(app)
    assert report.ok and not any("OpenTimestamps" in w for w in report.warnings), report.warnings
    # a proof that names a calendar not configured is not followed
    app.settings.ots_calendars = ["http://127.0.0.1:9/other"]
    data, problems = ots.upgrade(base64.b64decode(before.response), app.settings.ots_calendars)
    assert "not a configured calendar" in problems[0] and data == base64.b64decode(before.response)


def test_unreachable_calendar_is_reported_and_the_seal_stands(app) -> None:
    app.settings.ots_calendars = ["http://127.0.0.1:9/"]  # discard port: nothing answers
    app.settings.tsa_timeout = 2
    captures.create_batch(app, ADMIN, ["https://example.org/a"])
    head = ledger_sealing.seal(app)
    assert head["new"] and "no OpenTimestamps calendar answered" in head["timestamps"][0]["error"]
    assert _proofs(app) == []


def test_bundle_carries_the_proof_and_the_verifier_checks_its_digest(app, calendar, tmp_path) -> None:
    import io

    from tests.evidence.conftest import jpeg_bytes, synthetic_photo

    app.settings.ots_calendars = [calendar.url]
    inc = incidents.create(app, ADMIN, IncidentIn(title="Synthetic strike", date_start="2022-03-09"))["id"]
    evidence.ingest(app, ADMIN, io.BytesIO(jpeg_bytes(synthetic_photo(3))), original_name="a.jpg", incident_id=inc)
    path = tmp_path / "case.tar"
    evidence_bundles.create(app, ADMIN, path, incident_ids=[inc], purpose="test prosecutor")
    report = evidence_bundles.verify(path, None)
    assert report.ok, report.problems
    line = next(p for p in report.passed if p.startswith("OpenTimestamps proof timestamps/tree_head-"))
    assert "pending when exported" in line and "ots verify -f" in line
    with tarfile.open(path) as tf:
        name = next(m.name for m in tf.getmembers() if m.name.endswith(".ots"))
        proof = tf.extractfile(name).read()
        statement = tf.extractfile(name.removesuffix(".ots") + ".json").read()
    assert ots.load(proof).file_digest == hashlib.sha256(statement).digest()
