"""RFC 3161 timestamps of sealed tree heads and captures, checked by `svidok verify` and by openssl alone."""

from __future__ import annotations

import base64
import subprocess
import time

import pytest
from sqlalchemy import select, update

from svidok.core.actors import Actor
from svidok.services import captures, integrity, ledger_sealing, timestamps
from svidok.storage.models import Timestamp, TreeHead

from .tsa import TestTSA

ADMIN = Actor("tester", "administrator")


@pytest.fixture(scope="module")
def tsa():
    with TestTSA() as t:
        yield t


def _stamped(app, tsa) -> None:
    app.settings.tsa_urls = [tsa.url]
    app.settings.tsa_ca_files = [tsa.ca_file]


def test_seal_is_timestamped_and_verify_checks_the_token(app, tsa, tmp_path) -> None:
    _stamped(app, tsa)
    captures.create_batch(app, ADMIN, ["https://example.org/a"])  # something in the ledger
    t0 = time.perf_counter()
    head = ledger_sealing.seal(app)
    took = time.perf_counter() - t0
    [tok] = head["timestamps"]
    assert tok["tsa_url"] == tsa.url and "error" not in tok
    assert took < 5  # the bench measures it properly; here only: not a hang
    report = integrity.verify(app)
    assert report.ok and report.counts["timestamps"] == 1, report.problems
    # A prosecutor checks it with openssl alone: the statement, the token, the TSA's root.
    [row] = timestamps.of(app, timestamps.TREE_HEAD, head["id"])
    (tmp_path / "head.json").write_text(row["statement"])
    (tmp_path / "head.tsr").write_bytes(base64.b64decode(row["response"]))
    r = subprocess.run(["openssl", "ts", "-verify", "-data", str(tmp_path / "head.json"), "-in",
                        str(tmp_path / "head.tsr"), "-CAfile", str(tsa.ca_file)], capture_output=True, text=True)
    assert r.returncode == 0 and "Verification: OK" in r.stdout, r.stdout + r.stderr
    # A tree head edited after stamping is named.
    with app.db.session() as s:
        s.execute(update(TreeHead).where(TreeHead.id == head["id"]).values(root_hash="00" * 32))
    problems = integrity.verify(app).problems
    assert any(f"timestamp {tok['id']} (tree_head {head['id']}" in p and "no longer matches" in p for p in problems)


def test_token_from_an_untrusted_tsa_fails_and_no_roots_warns(app, tsa) -> None:
    _stamped(app, tsa)
    captures.create_batch(app, ADMIN, ["https://example.org/a"])
    ledger_sealing.seal(app)
    with TestTSA() as other:  # another root: the token does not chain to it
        app.settings.tsa_ca_files = [other.ca_file]
        problems = integrity.verify(app).problems
    assert any("signature does not verify" in p for p in problems), problems
    app.settings.tsa_ca_files = []
    report = integrity.verify(app)
    assert report.ok and any("no TSA root certificate configured" in w for w in report.warnings)


def test_unreachable_tsa_is_reported_and_the_seal_stands(app) -> None:
    app.settings.tsa_urls = ["http://127.0.0.1:9/tsa"]
    captures.create_batch(app, ADMIN, ["https://example.org/a"])
    head = ledger_sealing.seal(app)
    assert head["new"] and "ConnectError" in head["timestamps"][0]["error"]
    with app.db.session() as s:
        assert s.scalars(select(Timestamp)).all() == []


def test_a_capture_is_timestamped(capp, sites, tsa) -> None:
    _stamped(capp, tsa)
    b = captures.create_batch(capp, ADMIN, [f"{sites.base}/page/7"])
    captures.run_batch(capp, ADMIN, b["id"])
    cap = captures.get(capp, ADMIN, captures.batch(capp, ADMIN, b["id"])["captures"][0]["id"])
    [tok] = cap["timestamps"]
    assert f'"url":"{sites.base}/page/7"' in tok["statement"]
    assert all(a["sha256"] in tok["statement"] for a in cap["artefacts"])
    assert integrity.verify(capp).ok


def test_cli_seal_tokens_and_openssl(tsa, tmp_path, monkeypatch) -> None:
    """`svidok seal` stamps, `svidok captures tokens` writes what `openssl ts -verify` needs, `svidok verify` passes."""
    import json

    from typer.testing import CliRunner

    from svidok.cli.main import app as cli
    from svidok.config import get_settings

    monkeypatch.setenv("SVIDOK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SVIDOK_TSA_URLS", json.dumps([tsa.url]))
    monkeypatch.setenv("SVIDOK_TSA_CA_FILES", json.dumps([str(tsa.ca_file)]))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        assert runner.invoke(cli, ["init"]).exit_code == 0
        r = runner.invoke(cli, ["seal"])
        assert r.exit_code == 0 and f"timestamped by {tsa.url}" in r.output, r.output
        r = runner.invoke(cli, ["captures", "tokens", "--tree-head", "1", "-o", str(tmp_path / "tok")])
        assert r.exit_code == 0, r.output
        [tsr] = (tmp_path / "tok").glob("*.tsr")
        v = subprocess.run(["openssl", "ts", "-verify", "-data", str(tsr.with_suffix(".json")), "-in", str(tsr),
                            "-CAfile", str(tsa.ca_file)], capture_output=True, text=True)
        assert "Verification: OK" in v.stdout, v.stdout + v.stderr
        r = runner.invoke(cli, ["verify"])
        assert r.exit_code == 0 and "1 timestamps" in r.output, r.output
    finally:
        get_settings.cache_clear()


def test_bundle_carries_captures_and_tokens(capp, sites, tsa, tmp_path) -> None:
    """An incident's bundle holds the capture's files and the tokens; the verifier and openssl check them."""
    import tarfile

    from svidok.schemas.records import IncidentIn
    from svidok.services import evidence_bundles, incidents

    _stamped(capp, tsa)
    inc = incidents.create(capp, ADMIN, IncidentIn(title="Synthetic strike", date_start="2022-03-09"))["id"]
    b = captures.create_batch(capp, ADMIN, [f"{sites.base}/article"], incident_id=inc)
    captures.run_batch(capp, ADMIN, b["id"])
    out = evidence_bundles.create(capp, ADMIN, tmp_path / "case.tar", incident_ids=[inc], purpose="test prosecutor")
    assert out["items"] == 6  # archive, text, metadata, screenshot, photo, video
    report = evidence_bundles.verify(tmp_path / "case.tar", None)
    assert report.ok, report.problems
    stamped = [p for p in report.passed if p.startswith("timestamp ")]
    assert any("(tree_head" in p for p in stamped) and any("(capture" in p for p in stamped), report.passed
    with tarfile.open(tmp_path / "case.tar") as tf:
        tf.extractall(tmp_path / "x", filter="data")
    folder = tmp_path / "x" / "svidok-bundle" / "timestamps"
    for tsr in folder.glob("*.tsr"):
        v = subprocess.run(["openssl", "ts", "-verify", "-data", str(tsr.with_suffix(".json")), "-in", str(tsr),
                            "-CAfile", str(tsa.ca_file)], capture_output=True, text=True)
        assert "Verification: OK" in v.stdout, v.stdout + v.stderr
    assert len(list(folder.glob("*.tsr"))) == 2
