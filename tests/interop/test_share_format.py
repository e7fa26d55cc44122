"""The exchange package format: what a recipient with the right keys reads, and what it refuses."""

from __future__ import annotations

import io
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from svidok.interop import share_format as sf


def _package(records: int, recipient: X25519PrivateKey, signer: Ed25519PrivateKey) -> bytes:
    out = io.BytesIO()
    w = sf.PackageWriter(out, recipient.public_key(), signer, {"sequence": 7})
    for i in range(records):
        # Random-looking text so the frames stay large after compression.
        w.write({"type": "incident", "n": i, "text": f"{i * 2654435761 % 2**32:x}" * 40})
    w.finish({"incidents": records})
    return out.getvalue()


def _read(data: bytes, own, signer_public) -> list[dict]:
    r = sf.PackageReader(io.BytesIO(data), own)
    r.signer = signer_public
    return list(r)


def _frames(data: bytes) -> tuple[bytes, list[bytes]]:
    (hlen,) = struct.unpack(">I", data[len(sf.MAGIC):len(sf.MAGIC) + 4])
    pos = len(sf.MAGIC) + 4 + hlen
    head, frames = data[:pos], []
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        frames.append(data[pos:pos + 4 + n])
        pos += 4 + n
    return head, frames


def test_round_trip_over_several_frames_and_refusals():
    own, signer = X25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    data = _package(5000, own, signer)
    head, frames = _frames(data)
    assert len(frames) >= 2
    got = _read(data, own, signer.public_key())
    assert [r["n"] for r in got] == list(range(5000))

    with pytest.raises(sf.PackageError, match="cut short"):
        _read(head + b"".join(frames[:-1]), own, signer.public_key())
    with pytest.raises(sf.PackageError, match="fails authentication"):
        _read(head + frames[1] + frames[0] + b"".join(frames[2:]), own, signer.public_key())
    with pytest.raises(sf.PackageError, match="signature does not verify"):
        _read(data, own, Ed25519PrivateKey.generate().public_key())
    with pytest.raises(sf.PackageError, match="meant for another installation"):
        _read(data, X25519PrivateKey.generate(), signer.public_key())
    with pytest.raises(sf.PackageError, match="not a Svidok exchange package"):
        _read(b"PK\x03\x04" + data, own, signer.public_key())

