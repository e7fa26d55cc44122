"""RFC 3161 trusted timestamps: ask a time-stamping authority (TSA), check its answer.

What is stamped is always a small, exact byte string kept beside the token (a signed tree
head, or a capture's statement naming every artefact's SHA-256), so anyone can check a
token with ``openssl ts -verify -data FILE -in TOKEN.tsr -CAfile TSA-CA.pem``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import httpx
from cryptography import x509
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

QUERY_TYPE = "application/timestamp-query"


class TimestampError(Exception):
    """A TSA did not give a valid timestamp; the message says which and why."""


def canonical(data: dict) -> bytes:
    """The one spelling of a JSON statement that is stamped (sorted keys, no spaces)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Token:
    tsa_url: str
    response: bytes  # the TimeStampResp (DER), as ``openssl ts -verify -in`` reads it
    gen_time: datetime
    serial: int
    certificates: list[bytes]  # DER certificates the TSA put in the token


def request(tsa_url: str, data: bytes, timeout: float = 5.0) -> Token:
    """Get a SHA-256 timestamp of ``data`` from one TSA (nonce and certificate requested)."""
    req = TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256).nonce(nonce=True) \
        .cert_request(cert_request=True).build()
    try:
        r = httpx.post(tsa_url, content=req.as_bytes(), headers={"Content-Type": QUERY_TYPE}, timeout=timeout,
                       trust_env=False)
    except httpx.HTTPError as exc:
        raise TimestampError(f"{tsa_url}: {type(exc).__name__}: {exc}") from None
    if r.status_code != 200:
        raise TimestampError(f"{tsa_url}: HTTP {r.status_code}")
    try:
        resp = decode_timestamp_response(r.content)
    except ValueError as exc:
        raise TimestampError(f"{tsa_url}: not a timestamp response ({exc})") from None
    if PKIStatus(resp.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TimestampError(f"{tsa_url}: refused ({resp.status}: {' '.join(resp.status_string)})")
    info = resp.tst_info
    if info.message_imprint.message != hashlib.sha256(data).digest():
        raise TimestampError(f"{tsa_url}: the token stamps another digest than the one asked for")
    if req.nonce is not None and info.nonce != req.nonce:
        raise TimestampError(f"{tsa_url}: nonce mismatch (a replayed answer?)")
    return Token(tsa_url, r.content, info.gen_time, info.serial_number, sorted(resp.signed_data.certificates))


def check(response: bytes, data: bytes, roots: list[x509.Certificate]) -> tuple[datetime, str | None]:
    """(time stamped, problem or None): the token stamps ``data`` and its signature chains to ``roots``.

    Without roots the digest is still checked, and the problem says the signer was not.
    """
    try:
        resp = decode_timestamp_response(response)
    except ValueError as exc:
        raise TimestampError(f"unreadable token ({exc})") from None
    when = resp.tst_info.gen_time
    if resp.tst_info.message_imprint.message != hashlib.sha256(data).digest():
        return when, "the token stamps another digest than the stamped statement's"
    if not roots:
        return when, "signature not checked: no TSA root certificate configured (SVIDOK_TSA_CA_FILES)"
    builder = VerifierBuilder()
    for cert in roots:
        builder = builder.add_root_certificate(cert)
    for der in resp.signed_data.certificates:
        cert = x509.load_der_x509_certificate(der)
        if cert not in roots and not _is_leaf(cert):
            builder = builder.add_intermediate_certificate(cert)
    try:
        builder.build().verify(resp, hashlib.sha256(data).digest())
    except VerificationError as exc:
        return when, f"signature does not verify against the configured TSA roots ({exc})"
    return when, None


def _is_leaf(cert: x509.Certificate) -> bool:
    try:
        return not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return True


def token_certificates(response: bytes) -> list[x509.Certificate]:
    """The certificates a token carries (the TSA's own, perhaps intermediates)."""
    try:
        resp = decode_timestamp_response(response)
    except ValueError:
        return []
    return [x509.load_der_x509_certificate(der) for der in resp.signed_data.certificates]


def to_pem(certs: list[x509.Certificate]) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return b"".join(c.public_bytes(Encoding.PEM) for c in certs)


def load_roots(paths) -> list[x509.Certificate]:
    out: list[x509.Certificate] = []
    for p in paths:
        out += x509.load_pem_x509_certificates(open(p, "rb").read())
    return out

