"""Hash chaining of ledger entries (pure; the storage layer appends, ``verify`` re-checks).

An entry's hash covers its own fields and the previous entry's hash, so removing,
reordering or editing any entry breaks every later hash. Merkle sealing
(``svidok.evidence.merkle``) uses ``entry_hash`` bytes as its leaves.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64
CHAINED_FIELDS = ("seq", "at", "actor", "action", "entity", "record_id", "content_hash", "prev_hash")


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode(
        "utf-8"
    )


def content_hash(content: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of a record's content."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 (hex) over the chained fields of one ledger entry."""
    return hashlib.sha256(canonical_json({k: fields[k] for k in CHAINED_FIELDS})).hexdigest()
