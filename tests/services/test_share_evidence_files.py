"""Evidence in packages per the rule: only hashes and metadata, or the files themselves, with custody
events on both sides (two installations, each engine)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from svidok.core.actors import SYSTEM
from svidok.services import evidence, evidence_reading, share_import, sharing
from svidok.storage.models import CustodyEvent, EvidenceItem
from tests.services.test_share_exchange import export, pair, received, shared_incident, state  # noqa: F401

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 5


def _items(app, sha: str) -> list[EvidenceItem]:
    with app.db.session() as s:
        rows = s.scalars(select(EvidenceItem).where(EvidenceItem.sha256 == sha)).all()
        for r in rows:
            s.expunge(r)
        return rows


def _custody(app, evidence_id: int) -> list[tuple[str, str]]:
    with app.db.session() as s:
        return [
            (e.action, e.purpose or "")
            for e in s.scalars(select(CustodyEvent).where(CustodyEvent.evidence_id == evidence_id).order_by(CustodyEvent.id))
        ]


def test_hashes_only_then_the_files_themselves_with_custody_on_both_sides(pair, tmp_path: Path):  # noqa: F811
    a, b, _c = pair
    inc = shared_incident(a, confidentiality="restricted")
    item = evidence.ingest(a, SYSTEM, io.BytesIO(PHOTO), original_name="market.png", incident_id=inc["id"], confidentiality="restricted")
    sha = item["sha256"]

    # the default rule: hashes, sizes and media types only; no file travels, B holds nothing
    export(a, "orgb", tmp_path / "1.svp")
    out = share_import.run(b, SYSTEM, tmp_path / "1.svp")
    assert out["evidence_files"] == {"received": 0, "already_held": 0} and _items(b, sha) == []
    assert [x for x, _ in _custody(a, item["id"])] == ["acquisition"]  # nothing left A

    # the rule now sends the files: A records the export in the file's custody, with partner and package
    sharing.set_rule(a, SYSTEM, "orgb", evidence="files")
    sent = export(a, "orgb", tmp_path / "2.svp")
    assert sent["counts"]["evidence_files"] == 1
    assert _custody(a, item["id"])[-1] == ("export", "sent to Org B in exchange package 2 (orgb)")

    dry = share_import.run(b, SYSTEM, tmp_path / "2.svp", dry_run=True)
    assert dry["evidence_files"] == {"received": 1, "already_held": 0} and _items(b, sha) == []
    share_import.run(b, SYSTEM, tmp_path / "2.svp")
    [got] = _items(b, sha)
    copy = received(b, "Shelling of a market")
    assert got.incident_id == copy.id and got.confidentiality == "restricted" and got.size == len(PHOTO)
    assert _custody(b, got.id) == [("acquisition", "received from Org A in exchange package 2")]
    body = b"".join(evidence_reading.download(b, SYSTEM, got.id, purpose="check"))
    assert body == PHOTO  # the same bytes, read back through B's store and hash check

    # the next package sends the file again: B does not record it twice
    export(a, "orgb", tmp_path / "3.svp")
    again = share_import.run(b, SYSTEM, tmp_path / "3.svp")
    assert again["evidence_files"] == {"received": 0, "already_held": 1} and len(_items(b, sha)) == 1


def test_a_file_altered_at_the_sender_stops_the_export(pair, tmp_path: Path):  # noqa: F811
    a, b, _c = pair
    inc = shared_incident(a)
    item = evidence.ingest(a, SYSTEM, io.BytesIO(PHOTO), original_name="x.png", incident_id=inc["id"], confidentiality="restricted")
    sharing.set_rule(a, SYSTEM, "orgb", evidence="files")
    stored = evidence.evidence_store(a).path_for(item["sha256"])
    stored.chmod(0o644)
    raw = bytearray(stored.read_bytes())
    raw[-1] ^= 1
    stored.write_bytes(bytes(raw))
    before = sharing.partner(a, SYSTEM, "orgb")["last_sent"]
    with pytest.raises(evidence_reading.StoredFileChanged, match="no longer matches its SHA-256 .*nothing was exported"):
        export(a, "orgb", tmp_path / "bad.svp")
    assert sharing.partner(a, SYSTEM, "orgb")["last_sent"] == before
