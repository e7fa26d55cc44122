"""Record linkage over the persons in the database, and the review queue.

``run`` compares every person record (names in every recorded spelling, birth date,
sex, residence, custody facility and dates) with :mod:`svidok.linkage` (Splink),
stores candidate pairs with their probability and the evidence for and against,
and feeds reviewers' earlier decisions back as labelled pairs. A reviewer then
accepts (a reversible merge, :mod:`.merges`) or rejects each pair; ``undo`` takes a
decision back and restores both records exactly. Every run and decision is in the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, Forbidden, ValidationFailed
from svidok.core.messages import M_
from svidok.linkage import LabelledPair, LinkageConfig, link_records
from svidok.linkage.explain import sentences
from svidok.storage.models import CustodyEpisode, LinkagePair, LinkageRun, Person, Place

from . import ledger, merges
from .linkage_evidence import PersonFacts, compare, facts_of
from .review_queue import PairKind

if TYPE_CHECKING:
    from svidok.app import Svidok

DECISIONS = ("pending", "accepted", "rejected")


def person_records(session: Session) -> tuple[list[dict], dict[int, PersonFacts]]:
    """One linkage record per person that is not withdrawn, and the facts used as evidence."""
    facts = facts_of(session)
    records = []
    for pid, f in facts.items():
        records.append({
            "record_id": str(pid), "source": f.source, "name": f.full_name,
            "family_name": f.family_name or "", "given_name": f.given_name or "", "patronymic": f.patronymic or "",
            "birth_date": f.birth_text or "", "sex": {"male": "m", "female": "f"}.get(f.sex, ""),
            "place": f.residence or "", "facility": f.facility_codes[0] if f.facility_codes else "",
            "custody_from": f.custody_from[0].isoformat() if f.custody_from else "",
        })
    return records, facts


def labels(session: Session) -> list[LabelledPair]:
    """Reviewers' decisions, as labelled pairs for the next run."""
    rows = session.execute(select(LinkagePair.person_id_l, LinkagePair.person_id_r, LinkagePair.status)
                           .where(LinkagePair.status.in_(("accepted", "rejected"))))
    return [LabelledPair(str(a), str(b), s == "accepted") for a, b, s in rows]


def run(app: Svidok, actor: Actor, *, threshold: float = 0.9, review_threshold: float = 0.5,
        backend: str | None = None, progress: Callable[[str], None] | None = None) -> dict:
    """Score candidate pairs among all persons and refresh the review queue; returns counts."""
    if not actor.is_admin:
        raise Forbidden(M_("linkage compares every person record: administrators only"))
    # 0 and 1 themselves are infinite match weights, which the linkage engine cannot compare.
    errors = [FieldError(n, M_("must be strictly between 0 and 1")) for n, v in
              (("threshold", threshold), ("review_threshold", review_threshold)) if not 0 < v < 1]
    if not errors and review_threshold > threshold:
        errors.append(FieldError("review_threshold", M_("must not be above threshold")))
    if errors:
        raise ValidationFailed(errors)
    with app.db.session() as s:
        records, facts = person_records(s)
        known = labels(s)
    result = link_records(records, labels=known, progress=progress, config=LinkageConfig(
        threshold=threshold, review_threshold=review_threshold, backend=backend, explain=True))
    counts = {"persons": len(records), "pairs_scored": int(len(result.pairs)), "new": 0, "updated": 0,
              "already_decided": 0, "same_person_already": 0, "labels_fed_back": len(known),
              "issues": len(result.issues)}
    with app.db.session() as s:
        lr = LinkageRun(actor=actor.username, params={"threshold": threshold, "review_threshold": review_threshold,
                                                       "backend": backend}, model=result.model)
        s.add(lr)
        s.flush()
        existing = {(p.person_id_l, p.person_id_r): p for p in s.scalars(select(LinkagePair))}
        roots: dict[int, int] = {}
        for row in result.pairs.itertuples(index=False):
            a, b = sorted((int(row.record_id_l), int(row.record_id_r)))
            old = existing.get((a, b))
            if row.decided or (old is not None and old.status != "pending"):
                counts["already_decided"] += 1
                continue
            ra = roots.setdefault(a, merges.root_of(s, a))
            rb = roots.setdefault(b, merges.root_of(s, b))
            if ra == rb:
                counts["same_person_already"] += 1
                continue
            weight = float(row.match_weight) if row.match_weight == row.match_weight else None
            evidence = compare(facts[a], facts[b])
            # The model's own account: each field's finding and the weight it carried.
            evidence["model"] = result.explanations.get(tuple(sorted((str(a), str(b)))), {})
            if old is None:
                s.add(LinkagePair(person_id_l=a, person_id_r=b, run_id=lr.id, evidence=evidence,
                                  match_probability=float(row.match_probability), match_weight=weight))
                counts["new"] += 1
            else:
                old.run_id, old.match_probability, old.match_weight = lr.id, float(row.match_probability), weight
                old.evidence = evidence
                counts["updated"] += 1
        lr.counts, lr.finished_at = counts, datetime.now(UTC)
        ledger.append(s, actor.username, "linkage.run", "linkage_run", lr.id, {"params": lr.params, "counts": counts})
        return {"run_id": lr.id, **counts, "issues_detail": [i.__dict__ for i in result.issues[:50]]}


# -- the review queue ------------------------------------------------------------------

def _summary(p: Person) -> dict:
    return {"id": p.id, "full_name": p.full_name, "birth_date": p.birth_date, "sex": p.sex,
            "status": p.status, "merged_into_id": p.merged_into_id}


def _item(pair: LinkagePair, pl: Person, pr: Person) -> dict:
    return {"id": pair.id, "match_probability": pair.match_probability, "match_weight": pair.match_weight,
            "status": pair.status, "decided_by": pair.decided_by, "decided_at": pair.decided_at, "note": pair.note,
            "run_id": pair.run_id, "left": _summary(pl), "right": _summary(pr), "evidence": pair.evidence}


PAIRS = PairKind(pair=LinkagePair, merges=merges.PERSONS, left="person_id_l", right="person_id_r",
                 probability="match_probability", decisions=DECISIONS, same="accepted",
                 actions={"accepted": "linkage.accept", "rejected": "linkage.reject", "undo": "linkage.undo"},
                 entity="linkage_pair", logged=("match_probability", "evidence"), item=_item)


def queue(app: Svidok, actor: Actor, *, status: str = "pending", min_probability: float = 0.0,
          max_probability: float = 1.0, limit: int = 50, after: int | None = None) -> dict:
    """Pairs to review, most likely first (``after``: the previous page's ``next_cursor``)."""
    return PAIRS.queue(app, actor, status=status, limit=limit, after=after,
                       where=[LinkagePair.match_probability.between(min_probability, max_probability)])


def _side(s: Session, actor: Actor, p: Person) -> dict:
    out = _summary(p)
    out.update({"family_name": p.family_name, "given_name": p.given_name, "patronymic": p.patronymic,
                "life_status": p.life_status, "names": [n.name for n in p.names],
                "residence": s.scalar(select(Place.name_en).where(Place.id == p.residence_place_id))
                if p.residence_place_id else None,
                "cluster_root_id": merges.root_of(s, p.id)})
    eps = s.execute(select(CustodyEpisode.id, CustodyEpisode.date_from, CustodyEpisode.date_to, CustodyEpisode.outcome,
                           Place.name_en).outerjoin(Place, Place.id == CustodyEpisode.facility_place_id)
                    .where(CustodyEpisode.person_id == p.id, access.visibility_clause(CustodyEpisode, actor))
                    .order_by(CustodyEpisode.date_from_lo)).all()
    out["custody_episodes"] = [{"id": e[0], "date_from": e[1], "date_to": e[2], "outcome": e[3], "facility": e[4]}
                               for e in eps]
    return out


def show(app: Svidok, actor: Actor, pair_id: int) -> dict:
    """A pair side by side: both persons, the evidence for and against, the weight
    each field carried in the model (``why``, in words), and its merges."""
    with app.db.session() as s:
        pair, pl, pr = PAIRS.require(s, actor, pair_id)
        out = _item(pair, pl, pr)
        out["why"] = sentences((pair.evidence or {}).get("model") or {})
        out["left"], out["right"] = _side(s, actor, pl), _side(s, actor, pr)
        out["merges"] = PAIRS.merges_of(s, pair)
        return out


def accept(app: Svidok, actor: Actor, pair_id: int, note: str | None = None) -> dict:
    """The two records are the same person: link their clusters (reversibly)."""
    return PAIRS.decide(app, actor, pair_id, "accepted", note)


def reject(app: Svidok, actor: Actor, pair_id: int, note: str | None = None) -> dict:
    """Two different people: the pair is never linked again by later runs."""
    return PAIRS.decide(app, actor, pair_id, "rejected", note)


def undo(app: Svidok, actor: Actor, pair_id: int, note: str | None = None) -> dict:
    """Take a decision back: undo its merge (records as they were) and return the pair to the queue."""
    return PAIRS.undo(app, actor, pair_id, note)
