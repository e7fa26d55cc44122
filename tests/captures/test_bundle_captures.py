"""A prosecutor's bundle of web captures: archives, tokens with the authorities' certificates, capture
records and provenance reports; openssl alone checks the tokens; tampering is reported."""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile

import pytest

from svidok.core.actors import Actor
from svidok.evidence import bundle_verify
from svidok.schemas.records import IncidentIn
from svidok.services import captures, evidence_bundles, incidents

from .tsa import TestTSA

ADMIN = Actor("tester", "administrator")


@pytest.fixture(scope="module")
def tsa():
    with TestTSA() as t:
        yield t


@pytest.fixture
def bundle(capp, sites, tsa, tmp_path):
    capp.settings.tsa_urls = [tsa.url]
    capp.settings.tsa_ca_files = [tsa.ca_file]
    inc = incidents.create(capp, ADMIN, IncidentIn(title="Synthetic strike", date_start="2022-03-09"))["id"]
    b = captures.create_batch(capp, ADMIN, [f"{sites.base}/article"], incident_id=inc)
    captures.run_batch(capp, ADMIN, b["id"])
    path = tmp_path / "case.tar"
    evidence_bundles.create(capp, ADMIN, path, incident_ids=[inc], purpose="test prosecutor")
    return capp, inc, path


def _extract(path, into):
    with tarfile.open(path) as tf:
        tf.extractall(into, filter="data")
    return into / "svidok-bundle"


def _flip(path, member: str, at: float = 0.5) -> None:
    """Change one byte of ``member``'s data in the tar, in place (same size)."""
    with tarfile.open(path) as tf:
        info = tf.getmember(f"svidok-bundle/{member}")
    with open(path, "r+b") as fh:
        pos = info.offset_data + int(info.size * at)
        fh.seek(pos)
        b = fh.read(1)
        fh.seek(pos)
        fh.write(bytes([b[0] ^ 0xFF]))



def _openssl_ts_verify(root, token: str) -> subprocess.CompletedProcess:
    """The prosecutor's command of docs/bundle-format.md, run inside the extracted bundle."""
    return subprocess.run(
        ["openssl", "ts", "-verify", "-data", token.removesuffix(".tsr") + ".json", "-in", token,
         "-CAfile", "timestamps/tsa-roots.pem", "-untrusted", "timestamps/tsa-certificates.pem"],
        cwd=root, capture_output=True, text=True)

def test_bundle_carries_certificates_captures_and_the_documented_openssl_commands_pass(bundle, tsa, tmp_path) -> None:
    _app, _inc, path = bundle
    report = evidence_bundles.verify(path, None)
    assert report.ok, report.problems
    text = report.text()
    assert "web archive: every file matches its datapackage.json" in text
    assert "signed by a TSA under timestamps/tsa-roots.pem" in text  # the verifier checked the signatures
    assert any(p.startswith("capture ") and "6 of its 6 file(s) are in this bundle" in p for p in report.passed), text
    root = _extract(path, tmp_path / "x")
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["timestamp_authorities"] == {
        "roots_file": "timestamps/tsa-roots.pem",
        "certificates_file": "timestamps/tsa-certificates.pem",
    }
    # the bundled root is the authority's root, byte for byte; the TSA's own certificate is beside it
    assert (root / "timestamps/tsa-roots.pem").read_bytes() == tsa.ca_file.read_bytes()
    assert (root / "timestamps/tsa-certificates.pem").read_bytes() == tsa.tsa_file.read_bytes()
    (cap,) = manifest["captures"]
    record = json.loads((root / cap["file"]).read_text())
    roles = {a["role"]: a for a in record["artefacts"]}
    assert {"archive", "screenshot", "metadata", "text"} <= set(roles)
    assert (root / roles["archive"]["file"]).exists() and roles["archive"]["file"].endswith(".wacz")
    assert record["http_status"] == 200 and record["url"].endswith("/article")

    # the commands of docs/bundle-format.md and README.txt, run inside svidok-bundle/ as written
    readme = (root / "README.txt").read_text()
    assert "-CAfile timestamps/tsa-roots.pem -untrusted timestamps/tsa-certificates.pem" in readme
    tokens = sorted(p.relative_to(root) for p in (root / "timestamps").glob("*.tsr"))
    assert len(tokens) == 2
    for tsr in tokens:
        v = _openssl_ts_verify(root, str(tsr))
        assert "Verification: OK" in v.stdout, v.stdout + v.stderr
        shown = subprocess.run(["openssl", "ts", "-reply", "-in", str(tsr), "-text"], cwd=root, capture_output=True, text=True)
        assert "Time stamp:" in shown.stdout and "Test TSA" in shown.stdout
    fp = subprocess.run(
        ["openssl", "x509", "-in", "timestamps/tsa-roots.pem", "-noout", "-subject", "-fingerprint", "-sha256"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert "Test TSA root" in fp.stdout and "Fingerprint=" in fp.stdout
    # the shipped script without rfc3161-client (only cryptography): verified, token signatures left to openssl
    import sys

    blocked = ("import runpy, sys; sys.modules['rfc3161_client'] = None; sys.argv = ['verify_bundle.py', sys.argv[1]]; "
               "runpy.run_path('verify_bundle.py', run_name='__main__')")
    shipped = subprocess.run([sys.executable, "-c", blocked, str(path)], cwd=root, capture_output=True, text=True)
    assert shipped.returncode == 0 and "BUNDLE VERIFIED" in shipped.stdout, shipped.stdout + shipped.stderr
    assert "signature unchecked: rfc3161-client is not installed here" in shipped.stdout
    # sha256sum -c covers the new files too
    sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=root, capture_output=True, text=True)
    assert sums.returncode == 0 and f"{cap['file']}: OK" in sums.stdout


def test_a_tampered_archive_or_token_in_a_bundle_is_reported(bundle, tmp_path) -> None:
    _app, _inc, path = bundle
    with tarfile.open(path) as tf:
        names = [m.name.removeprefix("svidok-bundle/") for m in tf.getmembers()]
    wacz = next(n for n in names if n.endswith(".wacz"))
    token = next(n for n in names if n.startswith("timestamps/capture-") and n.endswith(".tsr"))

    bad_archive = tmp_path / "archive.tar"
    shutil.copy(path, bad_archive)
    _flip(bad_archive, wacz)
    r = evidence_bundles.verify(bad_archive, None)
    assert not r.ok
    assert any(p.startswith(f"{wacz}: content changed") for p in r.problems), r.problems
    assert any("web archive" in p and wacz in p for p in r.problems), r.problems

    bad_token = tmp_path / "token.tar"
    shutil.copy(path, bad_token)
    _flip(bad_token, token, at=0.97)  # inside the signature at the end of the token
    r = evidence_bundles.verify(bad_token, None)
    assert not r.ok
    assert any(p.startswith(f"{token}: content changed") for p in r.problems), r.problems
    assert any(p.startswith(f"timestamp {token}") for p in r.problems), r.problems
    # and openssl, given the extracted files, refuses the token too
    root = _extract(bad_token, tmp_path / "y")
    v = _openssl_ts_verify(root, token)
    assert "Verification: OK" not in v.stdout


def test_tokens_of_an_authority_outside_the_bundled_roots_fail(capp, sites, tsa, tmp_path) -> None:
    other = TestTSA()  # a root the tokens do not chain to
    capp.settings.tsa_urls = [tsa.url]
    capp.settings.tsa_ca_files = [other.ca_file]
    inc = incidents.create(capp, ADMIN, IncidentIn(title="Synthetic strike", date_start="2022-03-09"))["id"]
    b = captures.create_batch(capp, ADMIN, [f"{sites.base}/article"], incident_id=inc)
    captures.run_batch(capp, ADMIN, b["id"])
    path = tmp_path / "case.tar"
    evidence_bundles.create(capp, ADMIN, path, incident_ids=[inc], purpose="test prosecutor")
    r = bundle_verify.verify_bundle(path, None)
    assert not r.ok
    assert sum("signature does not verify against timestamps/tsa-roots.pem" in p for p in r.problems) == 2, r.problems
