"""The installation's Ed25519 key and signed tree heads (STH).

The private key lives in ``<data_dir>/keys/installation_ed25519.pem`` (PKCS#8, mode
0600), created on first use. A signed tree head is a small canonical JSON object; the
signature covers exactly those bytes, so a recipient can check it with
``openssl pkeyutl -verify -rawin`` as well as with Python.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE_NAME = "installation_ed25519.pem"
TREE_HEAD_FORMAT = "svidok-tree-head/1"


class SignatureError(ValueError):
    """A signature does not verify, or a key file is unusable."""


def key_path(data_dir: Path) -> Path:
    return Path(data_dir) / "keys" / KEY_FILE_NAME


def load_or_create_key(data_dir: Path) -> Ed25519PrivateKey:
    """The installation key; generated (atomically, owner-only) when missing."""
    path = key_path(data_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            # O_EXCL: two processes starting at once must not overwrite each other's key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
                fh.flush()
                os.fsync(fh.fileno())
            return key
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise SignatureError(f"{path}: not a usable private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SignatureError(f"{path}: expected an Ed25519 private key, found {type(key).__name__}")
    return key


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public_key(pem: bytes | str) -> Ed25519PublicKey:
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise SignatureError(f"not a PEM public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SignatureError(f"expected an Ed25519 public key, found {type(key).__name__}")
    return key


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """SHA-256 (hex) of the raw 32-byte public key: the fingerprint to compare out of band."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return hashlib.sha256(pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).hexdigest()


def utc_timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class SignedTreeHead:
    tree_size: int
    root_hash: str  # hex
    timestamp: str  # ISO 8601, UTC
    key_id: str
    signature: str  # base64 of the 64-byte Ed25519 signature

    def signed_bytes(self) -> bytes:
        return tree_head_bytes(self.tree_size, self.root_hash, self.timestamp, self.key_id)

    def to_dict(self) -> dict:
        return {"format": TREE_HEAD_FORMAT, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict) -> SignedTreeHead:
        return cls(**{k: data[k] for k in ("tree_size", "root_hash", "timestamp", "key_id", "signature")})


def tree_head_bytes(tree_size: int, root_hash: str, timestamp: str, key_id_: str) -> bytes:
    """The exact bytes that are signed: canonical JSON (sorted keys, no spaces, UTF-8)."""
    body = {
        "format": TREE_HEAD_FORMAT,
        "key_id": key_id_,
        "root_hash": root_hash,
        "timestamp": timestamp,
        "tree_size": tree_size,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign_tree_head(key: Ed25519PrivateKey, tree_size: int, root: bytes, timestamp: str | None = None) -> SignedTreeHead:
    ts = timestamp or utc_timestamp()
    kid = key_id(key)
    signature = key.sign(tree_head_bytes(tree_size, root.hex(), ts, kid))
    return SignedTreeHead(tree_size, root.hex(), ts, kid, base64.b64encode(signature).decode("ascii"))


def verify_tree_head(sth: SignedTreeHead, public_key: Ed25519PublicKey) -> None:
    """Raise ``SignatureError`` naming what is wrong; return quietly when the head is genuine."""
    if sth.key_id != key_id(public_key):
        raise SignatureError(f"tree head was signed by key {sth.key_id}, not by the given key {key_id(public_key)}")
    try:
        signature = base64.b64decode(sth.signature, validate=True)
    except ValueError as exc:
        raise SignatureError(f"tree head signature is not base64 ({exc})") from exc
    try:
        public_key.verify(signature, sth.signed_bytes())
    except InvalidSignature as exc:
        raise SignatureError(
            f"tree head signature does not verify (tree_size={sth.tree_size}, root_hash={sth.root_hash})"
        ) from exc
