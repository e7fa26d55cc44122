"""What a data manager reviews after an import: conflicts, and incidents that may be the same as one's own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from svidok.core.actors import Actor
from svidok.storage.models import Incident, Place, ShareLink, ShareRecord

from .sharing import require_admin, require_partner

if TYPE_CHECKING:
    from svidok.app import Svidok


def conflicts(app: Svidok, actor: Actor, partner_name: str, limit: int = 100) -> list[dict]:
    """Records edited here that the partner changed too: yours stays, theirs waits beside it."""
    require_admin(actor)
    with app.db.session() as s:
        partner, _ = require_partner(s, partner_name)
        rows = s.scalars(select(ShareRecord).where(ShareRecord.partner_id == partner.id, ShareRecord.direction == "received",
                                                   ShareRecord.status == "conflict").order_by(ShareRecord.id).limit(limit))
        out = []
        for r in rows:
            theirs = (r.pending or {}).get("data") or {}
            mine = s.get(Incident, r.local_id) if r.entity == "incident" else None
            differs = sorted(k for k, v in theirs.items() if mine is not None and hasattr(mine, k)
                             and getattr(mine, k) != v and k not in ("place", "acts", "sources", "evidence"))
            out.append({"entity": r.entity, "local_id": r.local_id, "origin": {"org": r.origin_org, "id": r.origin_id},
                        "their_version": (r.pending or {}).get("origin", {}).get("version"), "fields": differs,
                        "theirs": {k: theirs.get(k) for k in differs}})
        return out


def duplicate_candidates(app: Svidok, actor: Actor, partner_name: str, limit: int = 100) -> list[dict]:
    """The partner's incidents on the same day as one of yours, in the same place or inside it.

    Only a suggestion: a person decides, and ``svidok share link`` (or the duplicate-incident
    queue, which the import fills) records the decision as a merge.
    """
    require_admin(actor)
    copy, own = aliased(Incident), aliased(Incident)
    cp, op = aliased(Place), aliased(Place)
    namespace = f"share:{partner_name}"
    with app.db.session() as s:
        require_partner(s, partner_name)
        linked = select(ShareLink.record_id).where(ShareLink.entity == "incident")
        q = (select(copy.id, copy.title, copy.date_start, own.id, own.title, cp.name_en)
             .join(own, (own.date_lo == copy.date_lo) & (own.date_hi == copy.date_hi) & (own.id != copy.id))
             .join(cp, cp.id == copy.place_id).join(op, op.id == own.place_id)
             .where(copy.import_source == namespace, copy.deleted_at.is_(None), own.deleted_at.is_(None),
                    copy.merged_into_id.is_(None), own.merged_into_id.is_(None),
                    ~copy.id.in_(select(Incident.merged_into_id).where(Incident.merged_into_id.is_not(None))),
                    or_(own.import_source.is_(None), ~own.import_source.like("share:%")),
                    or_(op.id == cp.id, op.path.like(cp.path + "%")), copy.id.not_in(linked))
             .order_by(copy.id, own.id).limit(limit))
        return [{"theirs": {"id": a, "title": t, "date": d}, "yours": {"id": b, "title": u}, "place": p}
                for a, t, d, b, u, p in s.execute(q)]
