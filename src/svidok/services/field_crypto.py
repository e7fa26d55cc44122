"""Field-by-field encryption of protected data (AES-256-GCM with a keyring).

Ciphertext layout: ``b"v1" | key id (8 hex chars, ASCII) | 12-byte nonce | ciphertext+tag``.
The key id lets a rotation re-encrypt rows one batch at a time while old rows still
decrypt with their old key: no downtime. The associated data binds a ciphertext to its
table, column and row, so a value copied onto another record does not decrypt.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"v1"


class KeyError_(Exception):
    """The key is missing or wrong; the message says how to provide it."""


@dataclass
class Keyring:
    active: str
    keys: dict[str, bytes]
    #: Where it was read from: a key id it does not know makes it read the file again
    #: (another process rotated the key while this one was running).
    path: Path | None = None

    @classmethod
    def generate(cls) -> Keyring:
        kid = secrets.token_hex(4)
        return cls(kid, {kid: AESGCM.generate_key(bit_length=256)})

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        data = json.loads(text)
        return cls(data["active"], {k: base64.b64decode(v) for k, v in data["keys"].items()})

    def to_json(self) -> str:
        return json.dumps(
            {"active": self.active, "keys": {k: base64.b64encode(v).decode() for k, v in self.keys.items()}}, indent=1
        )

    @classmethod
    def load(cls, key_file: Path | None, env_value: str | None = None) -> Keyring:
        """From ``SVIDOK_FIELD_KEY`` (keyring JSON or one base64 key) or the key file."""
        if env_value:
            text = env_value.strip()
            if text.startswith("{"):
                return cls.from_json(text)
            key = base64.b64decode(text)
            if len(key) != 32:
                raise KeyError_("SVIDOK_FIELD_KEY must be 32 bytes in base64 or a keyring JSON")
            return cls("env00000", {"env00000": key})
        if key_file is None or not key_file.exists():
            raise KeyError_(f"no field-encryption key: create one with `svidok init` or set SVIDOK_FIELD_KEY ({key_file})")
        ring = cls.from_json(key_file.read_text())
        ring.path = key_file
        return ring

    def save(self, key_file: Path) -> None:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = key_file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, key_file)

    def rotate(self) -> str:
        """Add a new active key; old keys stay to decrypt until re-encryption is done."""
        kid = secrets.token_hex(4)
        self.keys[kid] = AESGCM.generate_key(bit_length=256)
        self.active = kid
        return kid

    def encrypt(self, plaintext: str | None, context: str) -> bytes | None:
        if plaintext is None or plaintext == "":
            return None
        nonce = os.urandom(12)
        ct = AESGCM(self.keys[self.active]).encrypt(nonce, plaintext.encode("utf-8"), context.encode())
        return MAGIC + self.active.encode() + nonce + ct

    def decrypt(self, blob: bytes | None, context: str) -> str | None:
        if blob is None:
            return None
        blob = bytes(blob)
        if blob[:2] != MAGIC:
            raise KeyError_("not a Svidok ciphertext")
        kid = blob[2:10].decode()
        if kid not in self.keys and self.path is not None and self.path.exists():
            fresh = Keyring.from_json(self.path.read_text())
            self.keys.update(fresh.keys)
            self.active = fresh.active
        if kid not in self.keys:
            raise KeyError_(f"ciphertext uses key {kid}, which is not in the keyring")
        return AESGCM(self.keys[kid]).decrypt(blob[10:22], blob[22:], context.encode()).decode("utf-8")

    @staticmethod
    def key_id_of(blob: bytes | None) -> str | None:
        return bytes(blob[2:10]).decode() if blob else None
