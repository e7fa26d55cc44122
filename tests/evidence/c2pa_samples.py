"""Files signed with C2PA content credentials here, by a test CA made with `cryptography` (c2pa-python signs)."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

PEM = serialization.Encoding.PEM
CREATED = {"label": "c2pa.actions", "data": {"actions": [
    {"action": "c2pa.created", "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}


def cert(subject: str, issuer: x509.Name | None, key, signer, ca: bool) -> x509.Certificate:
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


def signed_jpeg(signer_name: str, ca_name: str, colour: tuple[int, int, int], size: tuple[int, int],
                manifest: dict) -> tuple[bytes, x509.Certificate]:
    """A synthetic JPEG signed by ``signer_name`` under a new CA ``ca_name``; (the file, the CA's certificate)."""
    import c2pa

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = cert(ca_name, None, ca_key, ca_key, ca=True)
    leaf = cert(signer_name, ca.subject, key, ca_key, ca=False)
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(
        alg=b"es256", sign_cert=leaf.public_bytes(PEM) + ca.public_bytes(PEM), ta_url=None,
        private_key=key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())))
    src, out = io.BytesIO(), io.BytesIO()
    Image.new("RGB", size, colour).save(src, "JPEG")
    src.seek(0)
    with c2pa.Builder(manifest) as b:
        b.sign(signer, "image/jpeg", src, out)
    return out.getvalue(), ca


def signed_jpeg_and_roots(folder, signer_name: str, ca_name: str, colour: tuple[int, int, int],
                          size: tuple[int, int], app_version: str) -> tuple[bytes, Path, Path]:
    """A JPEG signed by ``signer_name`` as a camera app would, with its CA's PEM file and another
    CA's PEM file written in ``folder``: (the file, our root's PEM path, the other root's PEM path)."""
    data, ca = signed_jpeg(signer_name, ca_name, colour, size, {
        "claim_generator_info": [{"name": "Synthetic Camera App", "version": app_version}], "assertions": [CREATED]})
    (folder / "ours.pem").write_bytes(ca.public_bytes(PEM))
    (folder / "other.pem").write_bytes(other_root().public_bytes(PEM))
    return data, folder / "ours.pem", folder / "other.pem"


def other_root() -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    return cert("Some other CA", None, key, key, ca=True)


def tampered(data: bytes) -> bytes:
    changed = bytearray(data)
    changed[-200] ^= 0xFF  # a byte of the picture, after the manifest: the hash no longer matches
    return bytes(changed)
