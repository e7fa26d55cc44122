"""Re-examining C2PA content credentials after the installation's trust list changed.

A verdict is read on ingest with the trust list of that day (``SVIDOK_C2PA_TRUST_ANCHORS``); each
records the SHA-256 of that list (``trust_list_sha256``). :func:`recheck` reads again, from the
store, every item whose verdict depends on the list (``Valid`` or ``Trusted``: a manifest that held)
and was reached with another list (with ``everything``: every item with credentials), and records the new verdict as a new version of the item: the old one stays in the
item's history and the ledger, which only grows. The evidence file is read (its SHA-256 checked on
the way), never written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from svidok.core.actors import Actor
from svidok.core.errors import Forbidden, StorageUnavailable
from svidok.core.messages import M_
from svidok.evidence.blobs import EvidenceStoreError, StoreUnavailableError
from svidok.evidence.provenance import read_c2pa, trust_list_id
from svidok.evidence.staging import stage
from svidok.storage.models import EvidenceItem

from . import history
from .evidence import ENTITY, c2pa_trust_anchors, evidence_store

if TYPE_CHECKING:
    from svidok.app import Svidok

_TRUST_DEPENDENT = ("Valid", "Trusted")
_VERDICT = ("state", "trust", "signer", "issuer", "problems", "reason")
_LIST = ("trust_list", "trust_list_sha256")


def stale(extracted: dict | None, current: str | None) -> bool:
    """Whether an item's C2PA verdict depends on the trust list (a manifest that held) and was reached
    with another list than ``current`` (its SHA-256). Failed and unexamined files do not depend on it."""
    c2pa = (extracted or {}).get("c2pa") or {}
    return c2pa.get("state") in _TRUST_DEPENDENT and c2pa.get("trust_list_sha256") != current


def current_trust_list(app: Svidok) -> str | None:
    return trust_list_id(c2pa_trust_anchors(app.settings))


def judged_with_another_list(app: Svidok, extracted: dict | None) -> bool:
    """Whether :func:`recheck` would read this item again (its page says so)."""
    return stale(extracted, current_trust_list(app))


def recheck(app: Svidok, actor: Actor, *, everything: bool = False,
            progress: Callable[[str], None] | None = None) -> dict:
    """Re-read the C2PA credentials of items judged with another trust list (all with ``everything``)."""
    if not actor.is_admin:
        raise Forbidden(M_("only an administrator re-examines the content credentials of the whole vault"))
    pem = c2pa_trust_anchors(app.settings)
    current = trust_list_id(pem)
    try:
        store = evidence_store(app)
    except StoreUnavailableError as exc:
        raise StorageUnavailable(str(exc)) from None
    out = {"trust_list_sha256": current, "examined": 0, "changed": 0, "unchanged": 0, "skipped": 0, "failed": []}
    with app.db.session() as s:
        rows = s.execute(select(EvidenceItem.id, EvidenceItem.extracted).order_by(EvidenceItem.id)).all()
    for item_id, extracted in rows:
        if not (extracted or {}).get("c2pa"):
            continue
        if not everything and not stale(extracted, current):
            out["skipped"] += 1
            continue
        try:
            _recheck_one(app, actor, store, item_id, pem, out)
        except EvidenceStoreError as exc:
            out["failed"].append(f"evidence {item_id}: {exc}")
        if progress:
            progress(f"evidence {item_id}")
    return out


def _recheck_one(app: Svidok, actor: Actor, store, item_id: int, pem: str | None, out: dict) -> None:
    with app.db.session() as s:
        item = s.get(EvidenceItem, item_id)
        staged = stage(store.open(item.sha256), store.tmp, expected_sha256=item.sha256, expected_size=item.size)
        try:
            found = read_c2pa(staged.path, item.media_type or "", pem)
        finally:
            staged.path.unlink(missing_ok=True)
        out["examined"] += 1
        old, new = (item.extracted or {}).get("c2pa") or {}, dict(found or {})
        verdict_changed = any(old.get(k) != new.get(k) for k in _VERDICT)
        if not verdict_changed and all(old.get(k) == new.get(k) for k in _LIST):
            out["unchanged"] += 1
            return
        before = history.snapshot(item)
        extracted = {k: v for k, v in (item.extracted or {}).items() if k != "c2pa"}
        if new:  # None: the SDK now finds no manifest at all
            extracted["c2pa"] = {**new, "rechecked_at": datetime.now(UTC).isoformat(timespec="seconds")}
        item.extracted = extracted
        item.version += 1
        item.updated_at = datetime.now(UTC)
        s.flush()
        was, now = old.get("state") or "no manifest", new.get("state") or "no manifest"
        history.record(s, actor, ENTITY, item, "update", before,
                       reason=f"C2PA re-examined with the current trust list: {was} -> {now}" if verdict_changed
                       else f"C2PA re-examined with the current trust list: still {now}")
        out["changed" if verdict_changed else "unchanged"] += 1
