"""The review queue of candidate pairs, for any kind of record that can be merged.

Persons (:mod:`.person_linkage`) and incidents (:mod:`.incident_duplicates`) each keep
scored pairs of records that may be one; a reviewer sees only pairs whose two records
they may both see (need-to-know), decides each pending pair (the "same" verdict merges
the two reversibly, :mod:`.reversible_merges`) and may undo a decision, which undoes
its merges and returns the pair to the queue. Every decision and undo is in the ledger.
A :class:`PairKind` says which tables, columns, verdicts and ledger words a kind uses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from svidok.core.messages import M_

from . import ledger
from .reversible_merges import MergeKind, describe

if TYPE_CHECKING:
    from svidok.app import Svidok


@dataclass(frozen=True)
class PairKind:
    """One kind of review pair.

    ``pair`` is the pair model (``id``, ``status``, ``decided_by``, ``decided_at``,
    ``note`` and the two record ids in ``left``/``right``, lower id left); ``item``
    turns a pair and its two records into the queue's dict; ``actions`` maps each
    verdict and ``"undo"`` to its ledger action; ``logged`` names the pair's columns a
    decision's ledger entry carries besides the records, the note and the merge.
    """

    pair: Any
    merges: MergeKind
    left: str
    right: str
    probability: str
    decisions: tuple[str, ...]
    #: The verdict that merges the two records.
    same: str
    actions: dict[str, str]
    entity: str
    logged: tuple[str, ...]
    item: Callable[[Any, Any, Any], dict]
    #: How a decided pair's status reads in the Conflict when it is decided again.
    already: str = "{status}"

    def _col(self, name: str) -> Any:
        return getattr(self.pair, name)

    def query(self, actor: Actor):
        """Pairs with both their records, limited to pairs whose two records the actor may see."""
        rl, rr = aliased(self.merges.record), aliased(self.merges.record)
        return (
            select(self.pair, rl, rr)
            .join(rl, rl.id == self._col(self.left))
            .join(rr, rr.id == self._col(self.right))
            .where(access.visibility_clause(rl, actor), access.visibility_clause(rr, actor))
        )

    def queue(self, app: Svidok, actor: Actor, *, status: str, limit: int, after: int | None, where: Sequence[Any] = ()) -> dict:
        """Pairs of one status, most likely first (``after``: the previous page's ``next_cursor``);
        ``total`` counts every pair of that status the actor may see, whatever ``where`` says."""
        if status not in self.decisions:
            raise ValidationFailed(FieldError("status", M_("%(status)r is not one of %(items)s", status=status, items=", ".join(self.decisions))))
        prob, pid = self._col(self.probability), self.pair.id
        of_status = self.query(actor).where(self.pair.status == status)
        q = of_status.where(*where)
        with app.db.session() as s:
            if after:
                cur = s.get(self.pair, after)
                if cur is None:
                    raise ValidationFailed(FieldError("after", M_("%(after)s is not a pair of a previous page", after=after)))
                here = getattr(cur, self.probability)
                q = q.where(or_(prob < here, and_(prob == here, pid > cur.id)))
            rows = s.execute(q.order_by(prob.desc(), pid).limit(limit + 1)).all()
            total = s.scalar(select(func.count()).select_from(of_status.subquery()))
            return {
                "items": [self.item(*r) for r in rows[:limit]],
                "total": total,
                "next_cursor": rows[limit - 1][0].id if len(rows) > limit else None,
            }

    def require(self, s: Session, actor: Actor, pair_id: int) -> tuple[Any, Any, Any]:
        """The pair and its two records; NotFound when it does not exist or the actor may not see both."""
        row = s.execute(self.query(actor).where(self.pair.id == pair_id)).first()
        if row is None:
            raise NotFound(M_("pair %(pair_id)s not found", pair_id=pair_id))
        return row[0], row[1], row[2]

    def merges_of(self, s: Session, pair: Any) -> list[dict]:
        """The merges the pair made, oldest first (undone ones too)."""
        return [describe(m) for m in self.merges.of_pair(s, pair.id)]

    def decide(self, app: Svidok, actor: Actor, pair_id: int, verdict: str, note: str | None) -> dict:
        """Record a verdict on a pending pair; the ``same`` verdict merges the two records."""
        access.require_writer(actor)
        with app.db.session() as s:
            pair, rl, rr = self.require(s, actor, pair_id)
            if pair.status != "pending":
                raise Conflict(
                    M_("pair %(pair_id)s was already %(value)s by %(decided_by)s; undo that decision first", pair_id=pair_id, value=self.already.format(status=pair.status), decided_by=pair.decided_by)
                )
            pair.status, pair.decided_by, pair.decided_at, pair.note = verdict, actor.username, datetime.now(UTC), note
            merge = self.merges.merge_in(s, actor, rl.id, rr.id, pair_id=pair.id, reason=note) if verdict == self.same else None
            ledger.append(
                s,
                actor.username,
                self.actions[verdict],
                self.entity,
                pair.id,
                {
                    self.merges.members: [rl.id, rr.id],
                    **{k: getattr(pair, k) for k in self.logged},
                    "note": note,
                    "merge_id": merge.id if merge else None,
                },
            )
            self._reload(s, rl, rr)
            return self.item(pair, rl, rr) | {"merge": describe(merge) if merge else None}

    def undo(self, app: Svidok, actor: Actor, pair_id: int, note: str | None) -> dict:
        """Take a decision back: undo its merges (both records as they were) and queue the pair again."""
        access.require_writer(actor)
        with app.db.session() as s:
            pair, rl, rr = self.require(s, actor, pair_id)
            if pair.status == "pending":
                raise Conflict(M_("pair %(pair_id)s has no decision to undo", pair_id=pair_id))
            undone = []
            for m in self.merges.of_pair(s, pair.id, active_only=True):
                self.merges.undo_in(s, actor, m, note)
                undone.append(m.id)
            previous = pair.status
            pair.status, pair.decided_by, pair.decided_at, pair.note = "pending", None, None, None
            ledger.append(
                s,
                actor.username,
                self.actions["undo"],
                self.entity,
                pair.id,
                {self.merges.members: [rl.id, rr.id], "undid": previous, "merges_undone": undone, "note": note},
            )
            self._reload(s, rl, rr)
            return self.item(pair, rl, rr) | {"merges_undone": undone}

    @staticmethod
    def _reload(s: Session, *records: Any) -> None:
        """Read the records again, so the answer shows their ``merged_into_id`` as it now is."""
        s.flush()
        for r in records:
            s.refresh(r)
