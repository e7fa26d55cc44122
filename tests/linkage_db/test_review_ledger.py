"""The ledger entries a review decision, its undo and a merge write, field by field, for
persons and incidents alike (verification and existing ledgers depend on them)."""

from __future__ import annotations

from sqlalchemy import select

from svidok.core.actors import SYSTEM
from svidok.domain.ledger import content_hash
from svidok.services import incident_duplicates, person_linkage
from svidok.storage.models import IncidentDuplicatePair, IncidentMerge, LedgerEntry, LinkagePair, PersonMerge
from tests import fixtures as fx


def _entries_after(app, seq: int) -> list[tuple[str, str, str, str]]:
    """The entries since ``seq`` (less the row commitments that accompany every write)."""
    with app.db.session() as s:
        return [tuple(r) for r in s.execute(select(LedgerEntry.action, LedgerEntry.entity, LedgerEntry.record_id,
                                                   LedgerEntry.content_hash)
                                            .where(LedgerEntry.seq > seq, LedgerEntry.action != "rows.commit")
                                            .order_by(LedgerEntry.seq))]


def _last_seq(app) -> int:
    with app.db.session() as s:
        return s.scalar(select(LedgerEntry.seq).order_by(LedgerEntry.seq.desc()).limit(1)) or 0


def _merge_id(app, model, pair_id: int) -> int:
    with app.db.session() as s:
        return s.scalar(select(model.id).where(model.pair_id == pair_id))


def test_person_pair_accept_and_undo_write_these_entries(app):
    a = fx.person(app, full_name="Шевченко Олександр Петрович")["id"]
    b = fx.person(app, full_name="Oleksandr Shevchenko")["id"]
    evidence = {"for": ["same birth date"], "against": [], "missing": []}
    with app.db.session() as s:
        pair = LinkagePair(person_id_l=a, person_id_r=b, match_probability=0.97, match_weight=5.0, evidence=evidence)
        s.add(pair)
        s.flush()
        pid = pair.id
    start = _last_seq(app)
    person_linkage.accept(app, SYSTEM, pid, "same man")
    mid = _merge_id(app, PersonMerge, pid)
    assert _entries_after(app, start) == [
        ("person.merge", "person", str(b), content_hash({
            "merge_id": mid, "survivor_id": a, "merged_id": b, "previous_merged_into_id": None, "pair_id": pid,
            "persons": [a, b], "reason": "same man"})),
        ("linkage.accept", "linkage_pair", str(pid), content_hash({
            "persons": [a, b], "match_probability": 0.97, "evidence": evidence, "note": "same man", "merge_id": mid})),
    ]
    start = _last_seq(app)
    person_linkage.undo(app, SYSTEM, pid, "not sure")
    assert _entries_after(app, start) == [
        ("person.unmerge", "person", str(b), content_hash({
            "merge_id": mid, "survivor_id": a, "merged_id": b, "restored_merged_into_id": None, "reason": "not sure"})),
        ("linkage.undo", "linkage_pair", str(pid), content_hash({
            "persons": [a, b], "undid": "accepted", "merges_undone": [mid], "note": "not sure"})),
    ]
    start = _last_seq(app)
    person_linkage.reject(app, SYSTEM, pid, None)
    assert _entries_after(app, start) == [
        ("linkage.reject", "linkage_pair", str(pid), content_hash({
            "persons": [a, b], "match_probability": 0.97, "evidence": evidence, "note": None, "merge_id": None})),
    ]


def test_incident_pair_same_and_undo_write_these_entries(app):
    a = fx.incident(app)["id"]
    b = fx.incident(app, title="(second report) Strike on a residential building")["id"]
    with app.db.session() as s:  # queued when the second report was saved
        pid, probability = s.execute(select(IncidentDuplicatePair.id, IncidentDuplicatePair.probability).where(
            IncidentDuplicatePair.incident_id_l == a, IncidentDuplicatePair.incident_id_r == b)).one()
    start = _last_seq(app)
    incident_duplicates.same(app, SYSTEM, pid, "one strike")
    mid = _merge_id(app, IncidentMerge, pid)
    assert _entries_after(app, start) == [
        ("incident.merge", "incident", str(b), content_hash({
            "merge_id": mid, "survivor_id": a, "merged_id": b, "previous_merged_into_id": None, "pair_id": pid,
            "incidents": [a, b], "reason": "one strike"})),
        ("incident_duplicates.same", "incident_duplicate_pair", str(pid), content_hash({
            "incidents": [a, b], "probability": probability, "note": "one strike", "merge_id": mid})),
    ]
    start = _last_seq(app)
    incident_duplicates.undo(app, SYSTEM, pid, "two strikes")
    assert _entries_after(app, start) == [
        ("incident.unmerge", "incident", str(b), content_hash({
            "merge_id": mid, "survivor_id": a, "merged_id": b, "restored_merged_into_id": None,
            "reason": "two strikes"})),
        ("incident_duplicates.undo", "incident_duplicate_pair", str(pid), content_hash({
            "incidents": [a, b], "undid": "same", "merges_undone": [mid], "note": "two strikes"})),
    ]
    start = _last_seq(app)
    incident_duplicates.different(app, SYSTEM, pid)
    assert _entries_after(app, start) == [
        ("incident_duplicates.different", "incident_duplicate_pair", str(pid), content_hash({
            "incidents": [a, b], "probability": probability, "note": None, "merge_id": None})),
    ]
