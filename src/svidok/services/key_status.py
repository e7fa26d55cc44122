"""What an administrator checks about keys and the ledger's seal, read-only and without secrets.

The installation signing key (its fingerprint), the field-encryption keyring (key ids, the active
one, which ids the database's ciphertexts use), the last signed tree head and how many ledger
entries came after it, the last `verify` job, and which roles must use two-factor sign-in.
Nothing here creates a key: a missing one is reported as missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select

from svidok.core.actors import Actor
from svidok.core.errors import Forbidden
from svidok.core.messages import M_
from svidok.evidence.signing import SignatureError, key_id, key_path, load_or_create_key
from svidok.storage.models import Job, LedgerEntry, TreeHead

from . import two_factor
from .field_crypto import KeyError_, Keyring
from .key_custody import ciphertext_key_ids

if TYPE_CHECKING:
    from svidok.app import Svidok


def _signing(app: Svidok) -> dict:
    path = key_path(app.settings.data_dir)
    if not path.exists():  # load_or_create_key would make one: only report
        return {"present": False, "path": str(path), "key_id": None, "problem": None}
    try:
        return {"present": True, "path": str(path), "key_id": key_id(load_or_create_key(app.settings.data_dir)),
                "problem": None}
    except (SignatureError, ValueError, OSError) as exc:
        return {"present": True, "path": str(path), "key_id": None, "problem": str(exc)}


def _keyring(app: Svidok) -> dict:
    source = "SVIDOK_FIELD_KEY" if app.settings.field_key else str(app.key_file)
    in_use = sorted(ciphertext_key_ids(app))
    try:
        ring = Keyring.load(app.key_file, app.settings.field_key)
    except (KeyError_, ValueError, OSError) as exc:
        return {"present": False, "source": source, "active": None, "key_ids": [], "in_use": in_use,
                "lacking": in_use, "problem": str(exc)}
    return {"present": True, "source": source, "active": ring.active, "key_ids": sorted(ring.keys),
            "in_use": in_use, "lacking": [k for k in in_use if k not in ring.keys], "problem": None}


def status(app: Svidok, actor: Actor) -> dict:
    """Keys, seal and sign-in policy at a glance (administrators only)."""
    if not actor.is_admin:
        raise Forbidden(M_("administrators only"))
    with app.db.session() as s:
        last = s.scalar(select(TreeHead).order_by(TreeHead.id.desc()).limit(1))
        heads = s.scalar(select(func.count()).select_from(TreeHead)) or 0
        entries = s.scalar(select(func.max(LedgerEntry.seq))) or 0  # seq counts from 1, no gaps
        verify = s.scalar(select(Job).where(Job.kind == "verify").order_by(Job.id.desc()).limit(1))
        last_verify = None if verify is None else {
            "id": verify.id, "status": verify.status, "owner": verify.owner,
            "finished_at": verify.finished_at.isoformat() if verify.finished_at else None,
            "problems": (verify.result or {}).get("problems_total"), "error": verify.error}
    signing = _signing(app)
    head = None if last is None else {
        "tree_size": last.tree_size, "root_hash": last.root_hash, "at": last.at, "key_id": last.key_id,
        "signed_by_this_key": signing["key_id"] == last.key_id}
    return {
        "signing_key": signing, "keyring": _keyring(app), "tree_heads": heads, "last_head": head,
        "ledger_entries": entries, "unsealed": entries - (last.tree_size if last else 0),
        "last_verify": last_verify, "two_factor": two_factor.role_policies(app),
    }
