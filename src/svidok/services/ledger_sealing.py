"""Sealing the ledger under signed tree heads (with a cached right edge), and an evidence item's inclusion proof."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.evidence.merkle import CompactRange, MerkleTree, verify_inclusion
from svidok.evidence.signing import SignedTreeHead, key_id, sign_tree_head
from svidok.storage.models import CustodyEvent, LedgerEntry, TreeHead

from .evidence import CUSTODY_ENTITY, _require, custody_content, installation_key

if TYPE_CHECKING:
    from svidok.app import Svidok


def ledger_tree(s: Session, tree_size: int | None = None) -> MerkleTree:
    q = select(LedgerEntry.entry_hash).order_by(LedgerEntry.seq)
    if tree_size is not None:
        q = q.limit(tree_size)
    # Core rows, not ORM: sealing a million entries is dominated by reading them.
    return MerkleTree(bytes.fromhex(h) for h in s.connection().execute(q.execution_options(yield_per=50_000)).scalars())


def head_of(row: TreeHead) -> SignedTreeHead:
    return SignedTreeHead(row.tree_size, row.root_hash, row.at, row.key_id, row.signature)


def _frontier_path(app: Svidok) -> Path:
    return Path(app.settings.data_dir) / "ledger-frontier.json"


def _cached_range(app: Svidok, last: TreeHead | None) -> CompactRange | None:
    """The right edge of the last sealed tree, if the cache agrees with the last signed head."""
    if last is None:
        return None
    try:
        data = json.loads(_frontier_path(app).read_text())
        rng = CompactRange(int(data["tree_size"]), [bytes.fromhex(h) for h in data["frontier"]])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return rng if rng.size == last.tree_size and rng.root().hex() == last.root_hash else None


def _save_range(app: Svidok, rng: CompactRange) -> None:
    path = _frontier_path(app)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        tmp.write_text(json.dumps({"tree_size": rng.size, "frontier": [h.hex() for h in rng.frontier]}))
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)  # only a cache: the next seal reads the whole ledger


def seal(app: Svidok) -> dict:
    """Sign a tree head over the whole ledger (no new head when nothing was added).

    After a first seal only the entries added since are read: the right edge of the last
    tree is cached in ``<data_dir>/ledger-frontier.json`` and used only when it reproduces
    the last signed root. `svidok verify` still recomputes every head from all entries.
    """
    key = installation_key(app)
    with app.db.session() as s:
        last = s.scalar(select(TreeHead).order_by(TreeHead.id.desc()).limit(1))
        rng = _cached_range(app, last)
        if rng is not None:
            new = s.connection().execute(select(LedgerEntry.seq, LedgerEntry.entry_hash)
                                         .where(LedgerEntry.seq > rng.size).order_by(LedgerEntry.seq))
            for seq, h in new:
                if seq != rng.size + 1:  # a gap: let the full rebuild (and verify) see the ledger as it is
                    rng = None
                    break
                rng.append(bytes.fromhex(h))
        if rng is None:
            rng = CompactRange.of(ledger_tree(s))
        if last is not None and last.tree_size == rng.size and last.key_id == key_id(key) \
                and last.root_hash == rng.root().hex():
            _save_range(app, rng)
            return {**head_of(last).to_dict(), "id": last.id, "new": False}
        sth = sign_tree_head(key, rng.size, rng.root())
        row = TreeHead(tree_size=sth.tree_size, root_hash=sth.root_hash, at=sth.timestamp, key_id=sth.key_id,
                       signature=sth.signature)
        s.add(row)
        s.flush()
        out = {**sth.to_dict(), "id": row.id, "new": True}
    _save_range(app, rng)
    from . import timestamps  # trusted time for the new head (none configured: nothing asked)

    out["timestamps"] = timestamps.stamp(app, "system:seal", timestamps.TREE_HEAD, out["id"])
    return out


def inclusion_proof(app: Svidok, actor: Actor, evidence_id: int) -> dict:
    """Proof that the item's acquisition entry is in the latest signed tree head (sealing if needed)."""
    with app.db.session() as s:
        item = _require(s, actor, evidence_id)
        ev = s.scalar(select(CustodyEvent).where(CustodyEvent.evidence_id == item.id,
                                                 CustodyEvent.action == "acquisition").order_by(CustodyEvent.id))
        entry = s.scalar(select(LedgerEntry).where(LedgerEntry.entity == CUSTODY_ENTITY,
                                                   LedgerEntry.record_id == str(ev.id)))
        head = s.scalar(select(TreeHead).order_by(TreeHead.id.desc()).limit(1))
    if head is None or head.tree_size < entry.seq:
        seal(app)
        with app.db.session() as s:
            head = s.scalar(select(TreeHead).order_by(TreeHead.id.desc()).limit(1))
    with app.db.session() as s:
        tree = ledger_tree(s, head.tree_size)
    proof = tree.inclusion_proof(entry.seq - 1, head.tree_size)
    ok = verify_inclusion(bytes.fromhex(entry.entry_hash), entry.seq - 1, head.tree_size, proof,
                          bytes.fromhex(head.root_hash))
    fields = {k: getattr(entry, k) for k in ("seq", "at", "actor", "action", "entity", "record_id",
                                            "content_hash", "prev_hash", "entry_hash")}
    return {"evidence_id": evidence_id, "sha256": item.sha256, "leaf_index": entry.seq - 1, "entry": fields,
            "content": custody_content(ev), "inclusion_proof": [p.hex() for p in proof],
            "tree_head": head_of(head).to_dict(), "verified": ok}
