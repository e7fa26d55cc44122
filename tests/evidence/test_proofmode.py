"""ProofMode bundles read on ingest: hashes and OpenPGP signatures checked with a key made in the test."""

from __future__ import annotations

import hashlib
import io
import json
import warnings
import zipfile

import pytest
from PIL import Image

from svidok.core.actors import SYSTEM
from svidok.services import evidence
from tests import fixtures as fx
from tests.web.conftest import client_for, web  # noqa: F401  (the web pages' fixtures)

pgpy = pytest.importorskip("pgpy")


@pytest.fixture(scope="module")
def key():
    from pgpy.constants import HashAlgorithm, KeyFlags, PubKeyAlgorithm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k = pgpy.PGPKey.new(PubKeyAlgorithm.RSAEncryptOrSign, 2048)
        k.add_uid(pgpy.PGPUID.new("Synthetic ProofMode phone", email="phone@example.org"), usage={KeyFlags.Sign},
                  hashes=[HashAlgorithm.SHA256])
    return k


def _sign(key, data: bytes) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return str(key.sign(data)).encode()


def bundle(key, *, change_media: bool = False) -> bytes:
    img = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(img, "JPEG")
    media = img.getvalue()
    sha = hashlib.sha256(media).hexdigest()
    proof = json.dumps({"File Hash SHA256": sha, "Proof Generated": "2022-03-09T14:21:07Z",
                        "Location.Latitude": "49.99", "Location.Longitude": "36.23", "Manufacturer": "Synthetic",
                        "Hardware": "test-phone"}).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("IMG_0001.jpg", media + (b"\x00" if change_media else b""))
        z.writestr("IMG_0001.jpg.asc", _sign(key, media))
        z.writestr(f"{sha}.proof.json", proof)
        z.writestr(f"{sha}.proof.json.asc", _sign(key, proof))
        z.writestr("pubkey.asc", str(key.pubkey))
    return out.getvalue()


def test_bundle_verified_and_a_changed_photo_fails(app, key) -> None:
    inc = fx.incident(app)
    good = evidence.ingest(app, SYSTEM, io.BytesIO(bundle(key)), original_name="proofmode.zip",
                           media_type="application/zip", incident_id=inc["id"])
    pm = good["extracted"]["proofmode"]
    [e] = pm["proofs"]
    assert pm["ok"] and pm["fingerprint"] == str(key.fingerprint)
    assert e["media"] == "IMG_0001.jpg" and e["media_signature"] == "good" and e["proof_signature"] == "good"
    assert e["sensors"]["Location.Latitude"] == "49.99"
    bad = evidence.ingest(app, SYSTEM, io.BytesIO(bundle(key, change_media=True)), original_name="changed.zip",
                          media_type="application/zip", incident_id=inc["id"])
    pm = bad["extracted"]["proofmode"]
    assert not pm["ok"] and pm["proofs"][0]["media_hash_matches"] is False


def test_evidence_page_shows_the_bundle_verdict(web, client_for, key) -> None:  # noqa: F811
    core, _asgi = web
    inc = fx.incident(core, confidentiality="public")
    item = evidence.ingest(core, SYSTEM, io.BytesIO(bundle(key)), original_name="proofmode.zip",
                           media_type="application/zip", incident_id=inc["id"], confidentiality="public")
    page = client_for("viewer").get(f"/evidence/{item['id']}").text
    assert "Every proof verified" in page and str(key.fingerprint) in page and "Verification FAILED" not in page
