"""Exchange packages between Svidok installations: signed, encrypted, streamed.

A package file is::

    b"SVIDOK-SHARE\\n" | u32 header length | header (canonical JSON, plain) | frames…
    frame = u32 length | ChaCha20-Poly1305 ciphertext of up to CHUNK plaintext bytes

The header names the format version, the recipient's X25519 public key and the sender's
ephemeral X25519 public key. The frame key is HKDF-SHA256 over the X25519 shared secret
(salt from the header, info bound to the header's hash); each frame's nonce is its counter
and a final-frame flag, and its associated data the header's hash, so frames cannot be
reordered, dropped, cut off at the end or moved into another package.

Each frame's plaintext is compressed with zlib before it is encrypted. The plaintext is JSON Lines: a ``manifest`` first (sender, recipient, sequence number,
created time), then records, then an ``end`` line with the counts, the SHA-256 of every
line before it and the sender's Ed25519 signature over that digest, the header's hash, the
sequence and the counts. Nothing here touches a database: :mod:`svidok.services.share_export`
and :mod:`svidok.services.share_import` decide what goes in and what a package means.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import zlib
from collections.abc import Iterator
from typing import IO, Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"SVIDOK-SHARE\n"
#: The package format this code writes and the newest it reads. 2: evidence file lines
#: (``--evidence files``), which a reader of version 1 would refuse as damaged rather than newer.
FORMAT_VERSION = 2
CHUNK = 1 << 20
_MAX_HEADER = 64 * 1024
_MAX_FRAME = CHUNK + 1024 + 16  # zlib may grow incompressible data slightly; + the tag


class PackageError(ValueError):
    """A package that must not be imported, with the reason."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise PackageError(f"{what}: not base64") from None


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def raw_public(key: X25519PublicKey | Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_raw: bytes) -> str:
    """A short fingerprint of a public key to compare by eye (first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def x25519_public(text: str) -> X25519PublicKey:
    raw = unb64(text, "X25519 public key")
    if len(raw) != 32:
        raise PackageError("X25519 public key: expected 32 bytes")
    return X25519PublicKey.from_public_bytes(raw)


def ed25519_public(text: str) -> Ed25519PublicKey:
    raw = unb64(text, "Ed25519 public key")
    if len(raw) != 32:
        raise PackageError("Ed25519 public key: expected 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def _frame_key(secret: bytes, salt: bytes, header_hash: bytes) -> ChaCha20Poly1305:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
               info=b"svidok-share/1 frames " + header_hash).derive(secret)
    return ChaCha20Poly1305(key)


def _nonce(counter: int, final: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


def _signed_content(header_hash: bytes, digest: str, sequence: int, counts: dict) -> bytes:
    return canonical({"header_sha256": header_hash.hex(), "lines_sha256": digest, "sequence": sequence, "counts": counts})


class PackageWriter:
    """Write records to ``out``; :meth:`finish` signs and closes the stream."""

    def __init__(self, out: IO[bytes], recipient: X25519PublicKey, signer: Ed25519PrivateKey, manifest: dict):
        self.out, self.signer = out, signer
        eph = X25519PrivateKey.generate()
        salt = os.urandom(16)
        header = canonical({"format": FORMAT_VERSION, "recipient_key": b64(raw_public(recipient)),
                            "ephemeral_key": b64(raw_public(eph.public_key())), "salt": b64(salt), "chunk": CHUNK,
                            "compression": "zlib"})
        self.header_hash = hashlib.sha256(header).digest()
        self.aead = _frame_key(eph.exchange(recipient), salt, self.header_hash)
        out.write(MAGIC + struct.pack(">I", len(header)) + header)
        self.digest = hashlib.sha256()
        self.buffer = bytearray()
        self.counter = 0
        self.sequence = manifest["sequence"]
        self.bytes_written = len(MAGIC) + 4 + len(header)
        self.write({"type": "manifest", "format": FORMAT_VERSION, **manifest})

    def write(self, obj: dict) -> None:
        self._line(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")

    def write_record(self, head: dict, data: bytes) -> None:
        """A record line: ``head`` plus ``"data"``, given already serialised (as :func:`canonical` makes it)."""
        self._line(json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode()[:-1] + b',"data":' + data + b"}\n")

    def _line(self, line: bytes) -> None:
        self.digest.update(line)
        self.buffer += line
        while len(self.buffer) >= CHUNK:
            self._frame(bytes(self.buffer[:CHUNK]), final=False)
            del self.buffer[:CHUNK]

    def _frame(self, plain: bytes, final: bool) -> None:
        # Compressed before encryption (JSON shrinks ~5x; ciphertext would not compress at all).
        ct = self.aead.encrypt(_nonce(self.counter, final), zlib.compress(plain, 1), self.header_hash)
        self.out.write(struct.pack(">I", len(ct)) + ct)
        self.bytes_written += 4 + len(ct)
        self.counter += 1

    def finish(self, counts: dict) -> str:
        """Sign and write the end line and the final frame; returns the signed digest."""
        digest = self.digest.hexdigest()
        signature = self.signer.sign(_signed_content(self.header_hash, digest, self.sequence, counts))
        end = json.dumps({"type": "end", "counts": counts, "lines_sha256": digest, "signature": b64(signature)},
                         separators=(",", ":")).encode() + b"\n"
        self.buffer += end
        while len(self.buffer) > CHUNK:
            self._frame(bytes(self.buffer[:CHUNK]), final=False)
            del self.buffer[:CHUNK]
        self._frame(bytes(self.buffer), final=True)
        self.out.flush()
        return digest


_DATA_KEY = b',"data":'


def data_digest(line: bytes) -> str:
    """SHA-256 of a record line's ``data`` as serialised (:meth:`PackageWriter.write_record` puts it last).

    Inside a JSON string a quote is escaped, so the first ``,"data":`` in the line is the key.
    """
    start = line.find(_DATA_KEY)
    return hashlib.sha256(line[start + len(_DATA_KEY):-2] if start >= 0 else b"").hexdigest()


def read_header(fh: IO[bytes]) -> tuple[dict, bytes]:
    """The plain header and its bytes; refuses files that are not packages and newer formats."""
    magic = fh.read(len(MAGIC))
    if magic != MAGIC:
        raise PackageError("not a Svidok exchange package (the file does not start with SVIDOK-SHARE)")
    raw_len = fh.read(4)
    if len(raw_len) != 4 or not 0 < struct.unpack(">I", raw_len)[0] <= _MAX_HEADER:
        raise PackageError("damaged package: bad header length")
    raw = fh.read(struct.unpack(">I", raw_len)[0])
    try:
        header = json.loads(raw)
    except ValueError:
        raise PackageError("damaged package: the header is not JSON") from None
    version = header.get("format")
    if not isinstance(version, int):
        raise PackageError("damaged package: no format version")
    if version > FORMAT_VERSION:
        raise PackageError(f"the package has format version {version}, made by a newer Svidok; this installation "
                           f"reads up to version {FORMAT_VERSION}: upgrade Svidok, then import it again")
    if header.get("compression") not in (None, "zlib"):
        raise PackageError(f"the package is compressed with {header.get('compression')!r}, which this Svidok does not read")
    return header, raw


class PackageReader:
    """Decrypt and check a package: :attr:`manifest` on opening, records by iterating.

    The records are only trustworthy once iteration ended without :class:`PackageError`
    (the signature is checked at the end): callers write nothing they cannot roll back
    before that.
    """

    def __init__(self, fh: IO[bytes], own: X25519PrivateKey):
        self.fh = fh
        self.header, raw = read_header(fh)
        self.header_hash = hashlib.sha256(raw).digest()
        mine = b64(raw_public(own.public_key()))
        recipient = self.header.get("recipient_key")
        if recipient != mine:
            rid = key_id(unb64(recipient, "recipient key")) if isinstance(recipient, str) else "none"
            raise PackageError(f"the package is meant for another installation (encrypted to key {rid}; "
                               f"this installation's key is {key_id(raw_public(own.public_key()))})")
        eph = x25519_public(self.header.get("ephemeral_key", ""))
        self.aead = _frame_key(own.exchange(eph), unb64(self.header.get("salt", ""), "salt"), self.header_hash)
        self.counter = 0
        self.ended = False
        self.lines = self._lines()
        self.digest = hashlib.sha256()
        first = next(self.lines, None)
        manifest = self._parse(first) if first is not None else None
        if not manifest or manifest.get("type") != "manifest":
            raise PackageError("damaged package: no manifest")
        if manifest.get("format", 0) > FORMAT_VERSION:
            raise PackageError(f"the package has format version {manifest['format']}, made by a newer Svidok")
        self.digest.update(first)
        self.manifest = manifest
        self.signer: Ed25519PublicKey | None = None
        self.end: dict | None = None

    def _frames(self) -> Iterator[bytes]:
        while True:
            raw_len = self.fh.read(4)
            if not raw_len:
                raise PackageError("the package is cut short (its last frame is missing)")
            n = struct.unpack(">I", raw_len)[0] if len(raw_len) == 4 else 0
            if not 16 <= n <= _MAX_FRAME:
                raise PackageError(f"damaged package: frame {self.counter} has a bad length")
            ct = self.fh.read(n)
            final = None
            for flag in (False, True):
                try:
                    plain = self.aead.decrypt(_nonce(self.counter, flag), ct, self.header_hash)
                except InvalidTag:
                    continue
                final = flag
                break
            if final is None:
                raise PackageError(f"the package was altered or damaged: frame {self.counter} fails authentication")
            self.counter += 1
            yield self._inflate(plain)
            if final:
                if self.fh.read(1):
                    raise PackageError("the package has data after its final frame")
                return

    def _inflate(self, data: bytes) -> bytes:
        if self.header.get("compression") != "zlib":
            return data
        d = zlib.decompressobj()
        try:
            out = d.decompress(data, CHUNK + 1)  # bounded: a frame never holds more than CHUNK bytes
        except zlib.error:
            raise PackageError(f"damaged package: frame {self.counter - 1} does not decompress") from None
        if len(out) > CHUNK or d.unconsumed_tail:
            raise PackageError(f"damaged package: frame {self.counter - 1} is larger than a frame may be")
        return out

    def _lines(self) -> Iterator[bytes]:
        rest = b""
        for plain in self._frames():
            rest += plain
            *lines, rest = rest.split(b"\n")
            for line in lines:
                yield line + b"\n"
        if rest:
            raise PackageError("damaged package: it does not end with a whole line")

    def _parse(self, line: bytes) -> dict:
        try:
            obj = json.loads(line)
        except ValueError:
            raise PackageError("damaged package: a line is not JSON") from None
        if not isinstance(obj, dict):
            raise PackageError("damaged package: a line is not an object")
        return obj

    def __iter__(self) -> Iterator[dict]:
        if self.signer is None:
            raise PackageError("the sender's signing key must be set before reading records")
        for line in self.lines:
            obj = self._parse(line)
            if obj.get("type") == "end":
                self._check_end(obj)
                continue
            if self.end is not None:
                raise PackageError("damaged package: records after the end line")
            self.digest.update(line)
            if "data" in obj:
                obj["data_sha256"] = data_digest(line)
            yield obj
        if self.end is None:
            raise PackageError("the package has no signed end line")

    def _check_end(self, end: dict) -> None:
        digest = self.digest.hexdigest()
        if end.get("lines_sha256") != digest:
            raise PackageError("the package's contents do not match its signed digest")
        try:
            self.signer.verify(unb64(end.get("signature", ""), "signature"),
                               _signed_content(self.header_hash, digest, self.manifest.get("sequence"), end.get("counts")))
        except InvalidSignature:
            raise PackageError("the package's signature does not verify with the partner's signing key") from None
        self.end = end
