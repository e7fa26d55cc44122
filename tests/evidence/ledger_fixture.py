"""A synthetic hash-chained ledger built with svidok.domain.ledger (no database)."""

from svidok.domain.ledger import GENESIS_HASH, content_hash, entry_hash
from svidok.evidence.ledger_check import ROW_FIELDS


def build_ledger(contents, actor="documenter1"):
    """Entries (dicts with every chained field and entry_hash), one per (action, entity, record_id, content)."""
    entries, prev = [], GENESIS_HASH
    for seq, (action, entity, record_id, content) in enumerate(contents, start=1):
        fields = {
            "seq": seq, "at": f"2026-01-01T00:00:{seq % 60:02d}.000000+00:00", "actor": actor,
            "action": action, "entity": entity, "record_id": str(record_id),
            "content_hash": content_hash(content), "prev_hash": prev,
        }
        fields["entry_hash"] = entry_hash(fields)
        prev = fields["entry_hash"]
        entries.append(fields)
    return entries


def rows(entries):
    return [tuple(e[f] for f in ROW_FIELDS) for e in entries]
