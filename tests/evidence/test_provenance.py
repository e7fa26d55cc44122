"""C2PA content credentials read on ingest: a file signed here (a test CA made with `cryptography`) shows
its signer and actions as verified; the same file changed after signing shows as failed."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from svidok.core.actors import SYSTEM
from svidok.services import evidence
from tests import fixtures as fx
from tests.evidence import c2pa_samples as samples
from tests.web.conftest import client_for, web  # noqa: F401  (the web pages' fixtures)

c2pa = pytest.importorskip("c2pa")


@pytest.fixture(scope="module")
def signed_jpeg() -> bytes:
    """A synthetic JPEG with a C2PA manifest: created by a camera app, signed by "Test camera"."""
    return samples.signed_jpeg("Test camera", "Test C2PA CA", (10, 120, 200), (96, 64), {
        "claim_generator_info": [{"name": "Synthetic Camera App", "version": "1.0"}], "title": "strike.jpg",
        "assertions": [samples.CREATED]})[0]


_tampered = samples.tampered


def test_signed_file_verified_and_changed_file_failed(app, signed_jpeg) -> None:
    inc = fx.incident(app)
    good = evidence.ingest(app, SYSTEM, io.BytesIO(signed_jpeg), original_name="strike.jpg", media_type="image/jpeg",
                           incident_id=inc["id"])
    c = good["extracted"]["c2pa"]
    assert c["state"] == "Valid" and c["signer"] == "Test camera" and c["issuer"] == "Svidok test"
    assert "Synthetic Camera App" in c["claim_generator"] and [a["action"] for a in c["actions"]] == ["c2pa.created"]
    assert c["problems"] == ["signingCredential.untrusted"]  # our test CA is on no trust list: said, not hidden
    bad = evidence.ingest(app, SYSTEM, io.BytesIO(_tampered(signed_jpeg)), original_name="strike-edited.jpg",
                          media_type="image/jpeg", incident_id=inc["id"])
    b = bad["extracted"]["c2pa"]
    assert b["state"] == "Invalid" and "assertion.dataHash.mismatch" in b["problems"]
    plain = io.BytesIO()
    Image.new("RGB", (32, 32), (1, 2, 3)).save(plain, "JPEG")
    none = evidence.ingest(app, SYSTEM, io.BytesIO(plain.getvalue()), original_name="plain.jpg",
                           media_type="image/jpeg", incident_id=inc["id"])
    assert "c2pa" not in none["extracted"]


def test_evidence_page_says_verified_or_failed(web, client_for, signed_jpeg) -> None:  # noqa: F811
    core, _asgi = web
    inc = fx.incident(core, confidentiality="public")
    good = evidence.ingest(core, SYSTEM, io.BytesIO(signed_jpeg), original_name="strike.jpg",
                           media_type="image/jpeg", incident_id=inc["id"], confidentiality="public")
    bad = evidence.ingest(core, SYSTEM, io.BytesIO(_tampered(signed_jpeg)), original_name="edited.jpg",
                          media_type="image/jpeg", incident_id=inc["id"], confidentiality="public")
    viewer = client_for("viewer")
    shown = viewer.get(f"/evidence/{good['id']}").text
    assert "Signature and hashes verified" in shown and "Test camera" in shown and "c2pa.created" in shown
    assert "not that the scene is true" in shown and "Verification FAILED" not in shown
    failed = viewer.get(f"/evidence/{bad['id']}").text
    assert "Verification FAILED" in failed and "Signature and hashes verified" not in failed


@pytest.fixture(scope="module")
def signed_with_root(tmp_path_factory):
    """(a JPEG signed by "Trusted camera", its root's PEM file, another root's PEM file)."""
    return samples.signed_jpeg_and_roots(tmp_path_factory.mktemp("c2pa-trust"), "Trusted camera",
                                         "Test C2PA trusted CA", (200, 40, 40), (80, 60), "2.0")


def test_trust_list_tells_trusted_from_unknown_signers_and_a_changed_file_still_fails(app, signed_with_root) -> None:
    data, ours, other = signed_with_root
    inc = fx.incident(app)

    def ingest(blob: bytes, name: str) -> dict:
        return evidence.ingest(app, SYSTEM, io.BytesIO(blob), original_name=name, media_type="image/jpeg",
                               incident_id=inc["id"])["extracted"]["c2pa"]

    app.settings.c2pa_trust_anchors = [other]  # a list that does not hold our signer's root
    unknown = ingest(data, "a.jpg")
    assert (unknown["state"], unknown["trust"], unknown["trust_list"]) == ("Valid", "unknown", True)
    assert "signingCredential.untrusted" in unknown["problems"]
    app.settings.c2pa_trust_anchors = [other, ours]
    trusted = ingest(data, "b.jpg")
    assert (trusted["state"], trusted["trust"]) == ("Trusted", "trusted") and trusted["signer"] == "Trusted camera"
    assert trusted["problems"] == []
    changed = ingest(_tampered(data), "c.jpg")  # a trusted signer does not save a changed file
    assert (changed["state"], changed["trust"]) == ("Invalid", "failed")
    assert "assertion.dataHash.mismatch" in changed["problems"]
    app.settings.c2pa_trust_anchors = []
    assert ingest(data, "d.jpg")["trust"] == "unknown"


def test_evidence_page_shows_trusted_unknown_and_failed(web, client_for, signed_with_root) -> None:  # noqa: F811
    core, _asgi = web
    data, ours, _other = signed_with_root
    inc = fx.incident(core, confidentiality="public")

    def ingest(blob: bytes, name: str) -> int:
        return evidence.ingest(core, SYSTEM, io.BytesIO(blob), original_name=name, media_type="image/jpeg",
                               incident_id=inc["id"], confidentiality="public")["id"]

    unknown = ingest(data, "unknown.jpg")
    core.settings.c2pa_trust_anchors = [ours]
    trusted, failed = ingest(data, "trusted.jpg"), ingest(_tampered(data), "failed.jpg")
    core.settings.c2pa_trust_anchors = []
    viewer = client_for("viewer")
    page = viewer.get(f"/evidence/{trusted}").text
    assert "The signer is on the trust list of this installation." in page and "Signer unknown" not in page
    page = viewer.get(f"/evidence/{unknown}").text
    assert "Signer unknown" in page and "The signer is on the trust list" not in page
    page = viewer.get(f"/evidence/{failed}").text
    assert "Verification FAILED" in page and "Signature and hashes verified" not in page and "trust list" not in page


def test_bundle_carries_provenance_reports_and_the_verifier_names_a_failed_manifest(app, signed_jpeg, tmp_path) -> None:
    import json
    import tarfile

    from svidok.core.actors import Actor
    from svidok.services import evidence_bundles

    inc = fx.incident(app)
    good = evidence.ingest(app, SYSTEM, io.BytesIO(signed_jpeg), original_name="strike.jpg", media_type="image/jpeg",
                           incident_id=inc["id"])
    bad = evidence.ingest(app, SYSTEM, io.BytesIO(_tampered(signed_jpeg)), original_name="edited.jpg",
                          media_type="image/jpeg", incident_id=inc["id"])
    path = tmp_path / "case.tar"
    evidence_bundles.create(app, Actor("tester", "administrator"), path, incident_ids=[inc["id"]], purpose="test")
    report = evidence_bundles.verify(path, None)
    assert report.ok, report.problems  # the bundle is intact; what was found on ingest is reported beside it
    assert any("C2PA content credentials valid on ingest, signed by Test camera (signer not on a trust list" in p
               for p in report.passed), report.passed
    assert any("C2PA content credentials FAILED validation on ingest" in w and "assertion.dataHash.mismatch" in w
               for w in report.warnings), report.warnings
    with tarfile.open(path) as tf:
        report_file = json.load(tf.extractfile(f"svidok-bundle/provenance/{bad['sha256']}.json"))
        manifest = json.load(tf.extractfile("svidok-bundle/manifest.json"))
    assert report_file["c2pa"]["state"] == "Invalid" and report_file["sha256"] == bad["sha256"]
    files = {i["sha256"]: i.get("provenance_file") for i in manifest["items"]}
    assert files[good["sha256"]] == f"provenance/{good['sha256']}.json"
