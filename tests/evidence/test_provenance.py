"""C2PA content credentials read on ingest: a file signed here (a test CA made with `cryptography`) shows
its signer and actions as verified; the same file changed after signing shows as failed."""

from __future__ import annotations

import datetime
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

from svidok.core.actors import SYSTEM
from svidok.services import evidence
from tests import fixtures as fx
from tests.web.conftest import client_for, web  # noqa: F401  (the web pages' fixtures)

c2pa = pytest.importorskip("c2pa")


def _cert(subject: str, issuer: x509.Name | None, key, signer, ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Svidok test")])
    usage = dict(digital_signature=True, key_cert_sign=ca, crl_sign=ca, content_commitment=False,
                 key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
                 decipher_only=False)
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer or name).public_key(key.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(**usage), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if not ca:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False)
    return b.sign(signer, hashes.SHA256())


@pytest.fixture(scope="module")
def signed_jpeg() -> bytes:
    """A synthetic JPEG with a C2PA manifest: created by a camera app, signed by "Test camera"."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _cert("Test C2PA CA", None, ca_key, ca_key, ca=True)
    leaf = _cert("Test camera", ca.subject, key, ca_key, ca=False)
    pem = serialization.Encoding.PEM
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(
        alg=b"es256", sign_cert=leaf.public_bytes(pem) + ca.public_bytes(pem), ta_url=None,
        private_key=key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())))
    manifest = {"claim_generator_info": [{"name": "Synthetic Camera App", "version": "1.0"}], "title": "strike.jpg",
                "assertions": [{"label": "c2pa.actions", "data": {"actions": [
                    {"action": "c2pa.created",
                     "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}]}
    src = io.BytesIO()
    Image.new("RGB", (96, 64), (10, 120, 200)).save(src, "JPEG")
    src.seek(0)
    out = io.BytesIO()
    with c2pa.Builder(manifest) as b:
        b.sign(signer, "image/jpeg", src, out)
    return out.getvalue()


def _tampered(data: bytes) -> bytes:
    changed = bytearray(data)
    changed[-200] ^= 0xFF  # a byte of the picture, after the manifest: the hash no longer matches
    return bytes(changed)


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
