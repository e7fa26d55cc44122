"""OpenTimestamps proofs (optional): a sealed tree head's statement committed to Bitcoin through
public calendars, as a standard ``.ots`` file that the ``ots`` client reads.

A new proof is *pending*: each calendar promises to put the commitment into a Bitcoin
transaction (hours later). Upgrading asks the calendars for the finished path and merges it
in; the proof is then *complete* (a Bitcoin block header attestation), checkable by anyone
with ``ots verify -f STATEMENT.json PROOF.ots`` and a Bitcoin node or block explorer. No
network is touched unless calendars are configured; upgrades go only to configured calendars.
"""

from __future__ import annotations

import hashlib
import io
import os
import urllib.error

from opentimestamps.calendar import CommitmentNotFoundError, RemoteCalendar
from opentimestamps.core.notary import BitcoinBlockHeaderAttestation, PendingAttestation
from opentimestamps.core.op import OpAppend, OpSHA256
from opentimestamps.core.serialize import (
    BytesDeserializationContext,
    DeserializationError,
    StreamSerializationContext,
)
from opentimestamps.core.timestamp import DetachedTimestampFile, Timestamp

PENDING, COMPLETE = "pending", "complete"
USER_AGENT = "svidok"


class OtsError(Exception):
    """No proof could be made or read; the message says why."""


def _serialize(proof: DetachedTimestampFile) -> bytes:
    buf = io.BytesIO()
    proof.serialize(StreamSerializationContext(buf))
    return buf.getvalue()


def load(data: bytes) -> DetachedTimestampFile:
    try:
        return DetachedTimestampFile.deserialize(BytesDeserializationContext(data))
    except (DeserializationError, ValueError, TypeError) as exc:
        raise OtsError(f"not an OpenTimestamps proof ({exc})") from None


def stamp(data: bytes, calendars: list[str], timeout: float = 10.0) -> tuple[bytes, list[str]]:
    """(the ``.ots`` proof of ``data``'s SHA-256, one problem per calendar that failed).

    Like ``ots stamp``: a random nonce is appended before the digest leaves (the calendars do
    not learn the statement's hash), then each calendar's answer is merged in."""
    proof = DetachedTimestampFile(OpSHA256(), Timestamp(hashlib.sha256(data).digest()))
    tip = proof.timestamp.ops.add(OpAppend(os.urandom(16))).ops.add(OpSHA256())
    problems, answered = [], 0
    for url in calendars:
        try:
            tip.merge(RemoteCalendar(url, USER_AGENT).submit(tip.msg, timeout=timeout))
            answered += 1
        except Exception as exc:  # urllib, a bad answer: one calendar fewer, never fatal
            problems.append(f"{url}: {type(exc).__name__}: {exc}")
    if not answered:
        raise OtsError("no OpenTimestamps calendar answered: " + "; ".join(problems))
    return _serialize(proof), problems


def _walk(ts: Timestamp):
    yield ts
    for sub in ts.ops.values():
        yield from _walk(sub)


def info(data: bytes) -> dict:
    """What a proof holds: the digest it commits to, its status, pending calendars, Bitcoin blocks."""
    proof = load(data)
    pending = sorted({a.uri for _msg, a in proof.timestamp.all_attestations() if isinstance(a, PendingAttestation)})
    blocks = sorted({a.height for _msg, a in proof.timestamp.all_attestations() if isinstance(a, BitcoinBlockHeaderAttestation)})
    return {"digest": proof.file_digest.hex(), "status": COMPLETE if blocks else PENDING, "pending": pending, "bitcoin_blocks": blocks}


def upgrade(data: bytes, calendars: list[str], timeout: float = 10.0) -> tuple[bytes, list[str]]:
    """(the proof with whatever the calendars have finished merged in, problems). Only calendars in
    ``calendars`` are asked (a proof names its calendars itself; an unknown one is skipped and said)."""
    proof, problems = load(data), []
    allowed = {c.rstrip("/") for c in calendars}
    for ts in list(_walk(proof.timestamp)):
        for att in [a for a in ts.attestations if isinstance(a, PendingAttestation)]:
            if att.uri.rstrip("/") not in allowed:
                problems.append(f"{att.uri}: not a configured calendar (SVIDOK_OTS_CALENDARS): not asked")
                continue
            try:
                ts.merge(RemoteCalendar(att.uri, USER_AGENT).get_timestamp(ts.msg, timeout=timeout))
            except CommitmentNotFoundError as exc:
                problems.append(f"{att.uri}: {exc.reason or 'not yet in a Bitcoin block'}")
            except (urllib.error.URLError, OSError, ValueError, DeserializationError) as exc:
                problems.append(f"{att.uri}: {type(exc).__name__}: {exc}")
    return _serialize(proof), problems


def header_digest(data: bytes) -> bytes | None:
    """The SHA-256 a ``.ots`` file commits to, read from its fixed header (no library needed)."""
    magic = DetachedTimestampFile.HEADER_MAGIC
    if not data.startswith(magic) or len(data) < len(magic) + 34 or data[len(magic) + 1] != OpSHA256.TAG[0]:
        return None
    return data[len(magic) + 2 : len(magic) + 34]
