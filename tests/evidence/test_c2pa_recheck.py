"""After the trust list changes, `recheck` gives items judged with the old list the new verdict, as a new
version: the old verdict stays in the history, the ledger only grows, the evidence file is not touched."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from svidok.core.actors import SYSTEM, Actor
from svidok.core.errors import Forbidden
from svidok.services import evidence, evidence_c2pa, history
from svidok.storage.models import LedgerEntry
from tests import fixtures as fx
from tests.evidence import c2pa_samples as samples
from tests.web.conftest import client_for, web  # noqa: F401  (the web pages' fixtures)

pytest.importorskip("c2pa")
ADMIN = Actor("admin1", "administrator")


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """(a JPEG signed under our root, our root's PEM file, another root's PEM file)."""
    return samples.signed_jpeg_and_roots(tmp_path_factory.mktemp("c2pa-recheck"), "Field camera", "Test recheck CA",
                                         (120, 60, 20), (72, 48), "3.0")


def _ledger(app) -> list[tuple[int, str]]:
    with app.db.session() as s:
        return [tuple(r) for r in s.execute(select(LedgerEntry.seq, LedgerEntry.entry_hash).order_by(LedgerEntry.seq))]


def _stored_file(app, sha256: str) -> tuple[bytes, float]:
    path = evidence.evidence_store(app).path_for(sha256)
    return path.read_bytes(), path.stat().st_mtime_ns


def test_a_new_trust_list_is_applied_as_a_new_version(app, signed) -> None:
    data, ours, other = signed
    inc = fx.incident(app)

    def ingest(blob: bytes, name: str) -> dict:
        return evidence.ingest(app, SYSTEM, io.BytesIO(blob), original_name=name, media_type="image/jpeg",
                               incident_id=inc["id"])

    item = ingest(data, "strike.jpg")
    cut = ingest(data[: len(data) // 2], "cut.jpg")  # not examined: no trust list changes that
    bad = ingest(samples.tampered(data), "edited.jpg")  # failed: no trust list saves it
    assert item["extracted"]["c2pa"]["trust_list_sha256"] is None and item["extracted"]["c2pa"]["state"] == "Valid"
    file_before, ledger_before = _stored_file(app, item["sha256"]), _ledger(app)

    app.settings.c2pa_trust_anchors = [ours]
    out = evidence_c2pa.recheck(app, ADMIN)
    assert (out["examined"], out["changed"], out["unchanged"], out["failed"]) == (1, 1, 0, [])
    now = evidence.get(app, ADMIN, item["id"])
    c = now["extracted"]["c2pa"]
    assert (c["state"], c["trust"], c["signer"]) == ("Trusted", "trusted", "Field camera") and c["rechecked_at"]
    assert c["trust_list_sha256"] == evidence_c2pa.current_trust_list(app) and now["version"] == item["version"] + 1
    with app.db.session() as s:
        last = history.versions(s, evidence.ENTITY, item["id"])[-1]
        assert last.before["extracted"]["c2pa"]["state"] == "Valid" and "Valid -> Trusted" in last.reason
    assert _stored_file(app, item["sha256"]) == file_before  # the evidence file was only read
    ledger_after = _ledger(app)
    assert ledger_after[: len(ledger_before)] == ledger_before and len(ledger_after) > len(ledger_before)
    for other_item in (cut, bad):
        assert evidence.get(app, ADMIN, other_item["id"])["version"] == other_item["version"]

    again = evidence_c2pa.recheck(app, ADMIN)  # nothing judged with another list now
    assert (again["examined"], again["skipped"]) == (0, 3) and _ledger(app) == ledger_after

    app.settings.c2pa_trust_anchors = [other]  # our root taken off the list: the signer is unknown again
    out = evidence_c2pa.recheck(app, ADMIN)
    assert (out["examined"], out["changed"]) == (1, 1)
    assert evidence.get(app, ADMIN, item["id"])["extracted"]["c2pa"]["trust"] == "unknown"

    every = evidence_c2pa.recheck(app, ADMIN, everything=True)  # the same verdicts again
    assert (every["examined"], every["changed"], every["unchanged"]) == (3, 0, 3), every
    assert evidence.get(app, ADMIN, cut["id"])["version"] == cut["version"]  # nothing to record for it
    app.settings.c2pa_trust_anchors = []


def test_only_an_administrator_rechecks(app) -> None:
    with pytest.raises(Forbidden):
        evidence_c2pa.recheck(app, Actor("inv", "investigator"))


def test_the_command_applies_a_changed_trust_list(tmp_path, monkeypatch, signed) -> None:
    from svidok.cli.main import app as cli
    from svidok.config import get_settings

    data, ours, _other = signed
    photo = tmp_path / "strike.jpg"
    photo.write_bytes(data)
    monkeypatch.setenv("SVIDOK_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        assert runner.invoke(cli, ["init"]).exit_code == 0
        assert runner.invoke(cli, ["evidence", "add", str(photo)]).exit_code == 0
        monkeypatch.setenv("SVIDOK_C2PA_TRUST_ANCHORS", json.dumps([str(ours)]))
        get_settings.cache_clear()
        r = runner.invoke(cli, ["evidence", "c2pa-recheck"])
        assert r.exit_code == 0, r.output
        assert "1 item(s) re-examined: 1 verdict(s) changed" in " ".join(r.output.split())
        r = runner.invoke(cli, ["evidence", "c2pa-recheck"])
        assert "0 item(s) re-examined" in r.output and "1 left as they are" in r.output
    finally:
        get_settings.cache_clear()


def test_the_evidence_page_says_a_verdict_was_reached_with_an_earlier_list(web, client_for, signed) -> None:  # noqa: F811
    core, _asgi = web
    data, ours, _other = signed
    inc = fx.incident(core, confidentiality="public")
    item = evidence.ingest(core, SYSTEM, io.BytesIO(data), original_name="a.jpg", media_type="image/jpeg",
                           incident_id=inc["id"], confidentiality="public")
    viewer = client_for("viewer")
    assert "earlier trust list" not in viewer.get(f"/evidence/{item['id']}").text
    core.settings.c2pa_trust_anchors = [ours]
    try:
        assert "earlier trust list" in viewer.get(f"/evidence/{item['id']}").text
        evidence_c2pa.recheck(core, ADMIN)
        page = viewer.get(f"/evidence/{item['id']}").text
        assert "earlier trust list" not in page and "The signer is on the trust list of this installation." in page
    finally:
        core.settings.c2pa_trust_anchors = []
