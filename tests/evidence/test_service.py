"""The evidence service on a real database: ingest, custody, sealing, proofs, verify, bundles."""

import io
import json
import os
import tarfile

import pytest
from sqlalchemy import delete, select, update

from svidok.core.actors import Actor
from svidok.core.errors import ValidationFailed
from svidok.evidence.bundle_verify import verify_bundle
from svidok.evidence.merkle import verify_inclusion
from svidok.schemas.records import ActIn, IncidentIn
from svidok.services import evidence, evidence_bundles, evidence_reading, incidents, integrity, ledger_sealing
from svidok.storage.models import CustodyEvent, EvidenceItem, Incident, LedgerEntry, RecordVersion, TreeHead

from .conftest import jpeg_bytes, minimal_pdf, synthetic_photo

ADMIN = Actor("documenter1", "administrator")


def new_incident(app):
    data = IncidentIn(title="Synthetic shelling of a market", date_start="2022-08-14",
                      acts=[ActIn(violation_type="killing_of_civilians", means="artillery",
                                  qualifications=["rs_8_2_b_i"])])
    return incidents.create(app, ADMIN, data)["id"]


def add_photo(app, incident_id, photo=None, name="strike.jpg", **kw):
    data = jpeg_bytes(photo or synthetic_photo(seed=3))
    return evidence.ingest(app, ADMIN, io.BytesIO(data), original_name=name, incident_id=incident_id,
                           acquired_by="documenter1", acquisition_method="camera", **kw)


def test_ingest_records_item_metadata_custody_and_ledger(app):
    inc = new_incident(app)
    out = add_photo(app, inc, purpose="field documentation")
    assert out["media_type"] == "image/jpeg" and out["stored_new_file"] and len(out["phash"]) == 16
    assert out["extracted"]["image"]["width"] == 800
    [ev] = out["custody_events"]
    assert (ev["action"], ev["actor"], ev["sha256"], ev["purpose"]) == ("acquisition", "documenter1", out["sha256"],
                                                                       "field documentation")
    with app.db.session() as s:
        actions = s.scalars(select(LedgerEntry.action).order_by(LedgerEntry.seq)).all()
    assert actions[-3:] == ["evidence_item.create", "custody.acquisition", "rows.commit"]  # the rows written, committed

    again = add_photo(app, inc, name="same.jpg")
    assert again["same_file_as"] == [out["id"]] and not again["stored_new_file"]
    repost = synthetic_photo(seed=3).resize((400, 300))
    similar = add_photo(app, inc, photo=repost, name="repost.jpg")
    assert {h["evidence_id"] for h in similar["similar"]} == {out["id"], again["id"]}


def test_bad_upload_leaves_no_file_and_no_record(app):
    inc = new_incident(app)
    with pytest.raises(ValidationFailed, match="hash mismatch: declared sha256 " + "ab" * 32):
        add_photo(app, inc, expected_sha256="ab" * 32)
    with pytest.raises(ValidationFailed, match="empty file"):
        evidence.ingest(app, ADMIN, io.BytesIO(b""), original_name="empty.jpg")
    with pytest.raises(ValidationFailed, match="incident_id: incident 999 not found"):
        add_photo(app, 999)
    with app.db.session() as s:
        assert s.scalar(select(EvidenceItem.id)) is None
    store = evidence.evidence_store(app)
    assert list(store.iter_blobs()) == []
    assert not store.tmp.exists() or not any(store.tmp.iterdir())


def test_custody_events_access_download_transfer_assessment(app):
    item = add_photo(app, new_incident(app))
    shown = evidence.record_access(app, ADMIN, item["id"], purpose="review")
    assert evidence.get(app, ADMIN, item["id"])["custody_events"] == shown["custody_events"]  # a plain read adds none
    dl = evidence_reading.download(app, ADMIN, item["id"], purpose="court copy")
    assert b"".join(dl) == jpeg_bytes(synthetic_photo(seed=3))
    evidence.transfer(app, ADMIN, item["id"], "handed to verification team")
    evidence.assess(app, ADMIN, item["id"], kind="geolocation", method="matched skyline with satellite imagery",
                    result="consistent with the reported market", confidence="high")
    with pytest.raises(ValidationFailed, match="confidence: must be one of low, medium, high"):
        evidence.assess(app, ADMIN, item["id"], kind="geolocation", method="m", result="r", confidence="sure")
    with app.db.session() as s:
        actions = s.scalars(select(CustodyEvent.action).where(CustodyEvent.evidence_id == item["id"])
                            .order_by(CustodyEvent.id)).all()
    assert actions == ["acquisition", "access", "download", "transfer", "verification"]
    assert shown["custody_events"][-1]["purpose"] == "review"


def test_inclusion_proof_of_an_item(app):
    item = add_photo(app, new_incident(app))
    p = ledger_sealing.inclusion_proof(app, ADMIN, item["id"])
    assert p["verified"] and p["content"]["sha256"] == item["sha256"]
    assert verify_inclusion(bytes.fromhex(p["entry"]["entry_hash"]), p["leaf_index"], p["tree_head"]["tree_size"],
                            [bytes.fromhex(h) for h in p["inclusion_proof"]], bytes.fromhex(p["tree_head"]["root_hash"]))


def test_verify_is_clean_then_names_each_kind_of_damage(app):
    inc = new_incident(app)
    a = add_photo(app, inc)
    b = evidence.ingest(app, ADMIN, io.BytesIO(minimal_pdf(["Synthetic medical report"])), original_name="r.pdf",
                        incident_id=inc)
    ledger_sealing.seal(app)
    report = integrity.verify(app)
    assert report.ok, report.problems
    assert report.counts["evidence_items"] == 2 and report.counts["tree_heads"] == 1

    # 1. a stored file is changed on disk
    path = evidence.evidence_store(app).path_for(b["sha256"])
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[-20] ^= 1
    path.write_bytes(data)
    # 2. a record is changed behind Svidok's back
    # 3. a custody event is changed
    with app.db.session() as s:
        s.execute(update(Incident).where(Incident.id == inc).values(title="Rewritten title"))
        ev_id = s.scalar(select(CustodyEvent.id).where(CustodyEvent.evidence_id == a["id"]))
        s.execute(update(CustodyEvent).where(CustodyEvent.id == ev_id).values(actor="someone_else"))
    problems = integrity.verify(app).problems
    assert any(p.startswith(f"evidence item {b['id']}, file {b['sha256']}: content changed") for p in problems)
    assert f"incident {inc}: title changed outside Svidok (differs from version 1)" in problems
    assert f"custody event {ev_id} (evidence {a['id']}, acquisition): differs from what the ledger recorded" in problems


def test_verify_names_an_edited_history(app):
    inc = new_incident(app)
    with app.db.session() as s:
        v = s.scalar(select(RecordVersion).where(RecordVersion.entity == "incident", RecordVersion.record_id == inc))
        s.execute(update(RecordVersion).where(RecordVersion.id == v.id).values(after={**v.after, "title": "Other"}))
    item = add_photo(app, inc)["id"]
    with app.db.session() as s:
        forged = CustodyEvent(evidence_id=item, actor="intruder", action="download", sha256_seen="00" * 32)
        s.add(forged)
        s.flush()
        forged_id = forged.id
    problems = integrity.verify(app).problems
    assert f"custody event {forged_id} (evidence {item}, download): not in the ledger" in problems
    assert any(p.startswith(f"incident {inc} version 1 (create,") and p.endswith("differs from what the ledger "
               "recorded (history edited)") for p in problems), problems


def test_verify_names_a_removed_ledger_entry_and_a_forged_head(app):
    inc = new_incident(app)
    add_photo(app, inc)
    ledger_sealing.seal(app)
    with app.db.session() as s:
        s.execute(delete(LedgerEntry).where(LedgerEntry.seq == 2))
        s.execute(update(TreeHead).values(tree_size=TreeHead.tree_size - 1))
    problems = integrity.verify(app).problems
    assert "ledger seq 3: entries seq 2 are missing here (removed or moved)" in problems
    assert any(p.startswith("tree head 1") and "signature does not verify" in p for p in problems)


def test_bundle_of_an_incident_verifies_offline(app, tmp_path):
    inc = new_incident(app)
    a = add_photo(app, inc)
    evidence.assess(app, ADMIN, a["id"], kind="geolocation", method="skyline", result="matches", confidence="medium")
    other = new_incident(app)
    add_photo(app, other, photo=synthetic_photo(seed=9), name="elsewhere.jpg")
    out = evidence_bundles.create(app, ADMIN, tmp_path / "case.tar", incident_ids=[inc], purpose="prosecutor X")
    assert out["items"] == 1
    pem = evidence.public_key(app)["public_key_pem"].encode()
    report = verify_bundle(out["path"], pem)
    assert report.ok, report.text()
    manifest = json.loads(tarfile.open(out["path"]).extractfile("svidok-bundle/manifest.json").read())
    [item] = manifest["items"]
    # the bundle carries the history up to its export; the export is recorded once the archive is complete
    assert [e["action"] for e in item["custody_events"]] == ["acquisition", "verification"]
    export = evidence.get(app, ADMIN, a["id"])["custody_events"][-1]
    assert export["action"] == "export"
    assert export["purpose"] == f"bundle case.tar (manifest sha256 {out['manifest_sha256']}): prosecutor X"
    assert item["assessments"][0]["kind"] == "geolocation"
    assert item["qualifications"] == [{"act_violation_type": "killing_of_civilians", "provision": "rs_8_2_b_i",
                                       "note": None}]
    assert manifest["context"]["incidents"][0]["id"] == inc
    assert integrity.verify(app).ok


def test_bundle_selection_errors_are_named(app, tmp_path):
    with pytest.raises(ValidationFailed, match="name at least one incident"):
        evidence_bundles.create(app, ADMIN, tmp_path / "x.tar", purpose="p")
    with pytest.raises(ValidationFailed, match="no evidence items you may see"):
        evidence_bundles.create(app, ADMIN, tmp_path / "x.tar", incident_ids=[12345], purpose="p")
    assert not (tmp_path / "x.tar").exists()


def test_seal_continues_from_the_last_head_and_survives_a_bad_cache(app):
    inc = new_incident(app)
    first = ledger_sealing.seal(app)
    assert first["new"] and ledger_sealing.seal(app)["new"] is False
    add_photo(app, inc)
    second = ledger_sealing.seal(app)  # incremental: reads only the entries after the first head
    with app.db.session() as s:
        tree = ledger_sealing.ledger_tree(s)
    assert second["tree_size"] == tree.size and second["root_hash"] == tree.root().hex()
    frontier = app.settings.data_dir / "ledger-frontier.json"
    frontier.write_text('{"tree_size": 1, "frontier": ["00"]}')  # damaged cache: ignored
    add_photo(app, inc, name="again.jpg")
    third = ledger_sealing.seal(app)
    with app.db.session() as s:
        tree = ledger_sealing.ledger_tree(s)
    assert third["root_hash"] == tree.root().hex()
    assert integrity.verify(app).ok
