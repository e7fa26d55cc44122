"""Case bundles for a prosecutor: select items, seal, write the archive, record the export.

The ledger is sealed and the archive written (re-hashing every file on the way); only
when the archive is complete is the export recorded — one ``export`` custody event per
item naming the bundle's manifest hash — so a bundle that stopped (a changed file, a full
disk, a refusal) leaves no event claiming an export that never happened. The bundle's
tree head therefore covers each item's history up to the export, not the export itself;
the signed manifest is the export's own record.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, StorageUnavailable, ValidationFailed
from svidok.core.messages import M_
from svidok.evidence.blobs import StoreUnavailableError
from svidok.evidence.bundle_format import BundleItem, LedgerRecord, write_bundle
from svidok.evidence.bundle_verify import Report, verify_bundle
from svidok.evidence.ledger_check import ROW_FIELDS
from svidok.storage.models import (
    Act,
    CustodyEvent,
    EvidenceItem,
    Incident,
    LedgerEntry,
    TreeHead,
    VerificationAssessment,
)

from . import consent, history
from .evidence import (
    ACQUISITION_FIELDS,
    CUSTODY_ENTITY,
    add_custody,
    custody_content,
    evidence_store,
    installation_key,
)
from .ledger_sealing import head_of, ledger_tree, seal

if TYPE_CHECKING:
    from svidok.app import Svidok


def select_items(s: Session, actor: Actor, incident_ids=(), case_id=None, evidence_ids=()) -> list[EvidenceItem]:
    if not (incident_ids or case_id or evidence_ids):
        raise ValidationFailed(FieldError("selection", M_("name at least one incident, case or evidence item")))
    q = select(EvidenceItem).where(access.visibility_clause(EvidenceItem, actor))
    conds = []
    if incident_ids:
        conds.append(EvidenceItem.incident_id.in_(incident_ids))
    if evidence_ids:
        conds.append(EvidenceItem.id.in_(evidence_ids))
    if case_id is not None:
        in_case = select(Incident.id).where(Incident.case_id == case_id).scalar_subquery()
        conds.append((EvidenceItem.case_id == case_id) | EvidenceItem.incident_id.in_(in_case))
    items = s.scalars(q.where(or_(*conds)).order_by(EvidenceItem.id)).all()
    if not items:
        raise ValidationFailed(FieldError("selection", M_("no evidence items you may see match the selection")))
    return list(items)


def _incident_context(s: Session, actor: Actor, incident_ids: set[int]) -> tuple[list[dict], dict[int, list[dict]]]:
    incidents, quals = [], {}
    for inc in s.scalars(select(Incident).where(Incident.id.in_(incident_ids)).order_by(Incident.id)
                         .options(selectinload(Incident.acts).selectinload(Act.qualifications))):
        if not access.can_see(inc, actor):
            continue
        acts = [{"violation_type": a.violation_type, "means": a.means, "date_start": a.date_start,
                 "qualifications": [q.provision for q in a.qualifications]} for a in inc.acts]
        incidents.append({"id": inc.id, "title": inc.title, "date_start": inc.date_start, "date_end": inc.date_end,
                          "place_id": inc.place_id, "lat": inc.lat, "lon": inc.lon,
                          "verification_status": inc.verification_status, "acts": acts})
        quals[inc.id] = [{"act_violation_type": a.violation_type, "provision": q.provision, "note": q.note}
                         for a in inc.acts for q in a.qualifications]
    return incidents, quals


def create(app: Svidok, actor: Actor, out_path: Path | str, *, incident_ids=(), case_id: int | None = None,
           evidence_ids=(), purpose: str) -> dict:
    """Write a bundle of the selection to ``out_path``; returns what was written."""
    access.require_writer(actor)
    if not purpose or not purpose.strip():
        raise ValidationFailed(FieldError("purpose", M_("say for whom and why the bundle is made")))
    store = evidence_store(app)
    with app.db.session() as s:
        items = select_items(s, actor, tuple(incident_ids), case_id, tuple(evidence_ids))
        consent.require_sharing_with_prosecutors(s, items)
        for it in items:  # cheap checks before anything is recorded
            try:
                stored_size = store.size(it.sha256)
            except StoreUnavailableError as exc:
                raise StorageUnavailable(M_("%(exc)s; no bundle written, nothing recorded", exc=exc)) from None
            if stored_size != it.size:
                raise ValidationFailed(FieldError(f"evidence {it.id}", M_("stored file %(sha256)s is missing or has the wrong size; run `svidok verify`", sha256=it.sha256)))
        item_ids = [it.id for it in items]
    head = seal(app)
    key = installation_key(app)
    with app.db.session() as s:
        head_row = s.get(TreeHead, head["id"])
        tree = ledger_tree(s, head_row.tree_size)
        items = s.scalars(select(EvidenceItem).where(EvidenceItem.id.in_(item_ids))
                          .order_by(EvidenceItem.id)).all()
        incidents, quals = _incident_context(s, actor, {i.incident_id for i in items if i.incident_id})
        bundle_items = [_bundle_item(s, store, it, quals.get(it.incident_id, []), head_row.tree_size)
                        for it in items]
    stamps, bundle_captures = _timestamps(app, actor, head_row.id, [i.id for i in items])
    roots_pem, certs_pem = _authorities(app, stamps)
    summary = write_bundle(
        out_path, bundle_items, tree, head_of(head_row), key, created_by=actor.username,
        selection={"incident_ids": sorted(incident_ids), "case_id": case_id, "evidence_ids": sorted(evidence_ids),
                   "purpose": purpose},
        context={"incidents": incidents},
        timestamps=stamps, tsa_roots_pem=roots_pem, tsa_certificates_pem=certs_pem, captures=bundle_captures,
    )
    try:
        with app.db.session() as s:
            for it in s.scalars(select(EvidenceItem).where(EvidenceItem.id.in_(item_ids)).order_by(EvidenceItem.id)):
                add_custody(s, actor, it, "export", f"bundle {Path(out_path).name} (manifest sha256 "
                                                    f"{summary.manifest_sha256}): {purpose}")
    except BaseException:  # an export the ledger does not record is not handed out
        Path(summary.path).unlink(missing_ok=True)
        raise
    return {"path": str(summary.path), "items": summary.items, "files": summary.files, "bytes": summary.bytes,
            "manifest_sha256": summary.manifest_sha256, "tree_size": summary.tree_size,
            "root_hash": summary.root_hash, "key_id": head_row.key_id}


def _timestamps(app: Svidok, actor: Actor, head_id: int, item_ids: list[int]) -> tuple[list[dict], list[dict]]:
    """RFC 3161 tokens of the bundle's tree head and of the captures its items came from; those captures."""
    import base64

    from . import captures, timestamps

    out = [{**t, "subject": timestamps.TREE_HEAD, "subject_id": head_id}
           for kind in (timestamps.RFC3161, timestamps.OTS) for t in timestamps.of(app, timestamps.TREE_HEAD, head_id, kind)]
    found: dict[int, dict] = {}
    for item_id in item_ids:
        c = captures.of_evidence(app, actor, item_id)
        if c is not None and c["id"] not in found:
            found[c["id"]] = _capture_record(c)
            out += [{**t, "subject": timestamps.CAPTURE, "subject_id": c["id"]}
                    for t in timestamps.of(app, timestamps.CAPTURE, c["id"])]
    return [{**t, "response": base64.b64decode(t["response"])} for t in out], list(found.values())


def _capture_record(c: dict) -> dict:
    """What a prosecutor needs of a web capture: the address, when, what the page said, and its files."""
    details = c.get("details") or {}
    return {"id": c["id"], "url": c["url"], "final_url": c["final_url"], "http_status": c["http_status"],
            "title": c["title"], "author": c["author"], "published": c["published"],
            "started_at": details.get("started_at"), "finished_at": c["finished_at"],
            "redirects": details.get("redirects"), "problems": details.get("problems"),
            "previous_capture_id": c["previous_id"], "changes": c["changes"],
            "artefacts": [{k: a.get(k) for k in ("role", "name", "sha256", "media_type", "size", "source_url")}
                          for a in c.get("artefacts") or []]}


def _authorities(app: Svidok, stamps: list[dict]) -> tuple[bytes, bytes]:
    """(the configured TSA roots, the certificates the tokens carry), PEM, for ``openssl ts -verify``."""
    from svidok.evidence import timestamps as tsp

    if not stamps:
        return b"", b""
    roots = tsp.load_roots(app.settings.tsa_ca_files)
    carried: list = []
    for t in stamps:
        if t.get("kind", "rfc3161") == "rfc3161":
            carried += [c for c in tsp.token_certificates(t["response"]) if c not in carried and c not in roots]
    return tsp.to_pem(roots), tsp.to_pem(carried)


def _bundle_item(s: Session, store, it: EvidenceItem, qualifications: list[dict], tree_size: int) -> BundleItem:
    by_id = {str(ev.id): ev for ev in s.scalars(select(CustodyEvent).where(CustodyEvent.evidence_id == it.id))}
    # Only events sealed by the bundle's tree head: later ones (someone opened the item
    # meanwhile) belong to the next seal.
    entries = s.scalars(select(LedgerEntry).where(LedgerEntry.entity == CUSTODY_ENTITY,
                                                  LedgerEntry.record_id.in_(list(by_id)),
                                                  LedgerEntry.seq <= tree_size)
                        .order_by(LedgerEntry.seq)).all()
    events = [by_id[e.record_id] for e in entries]
    records = [LedgerRecord(e.seq - 1, {f: getattr(e, f) for f in ROW_FIELDS}, custody_content(by_id[e.record_id]))
               for e in entries]
    assessments = [{k: v for k, v in history.snapshot(a).items() if k != "evidence_id"}
                   for a in s.scalars(select(VerificationAssessment).where(VerificationAssessment.evidence_id == it.id)
                                      .order_by(VerificationAssessment.id))]
    acquisition = {f: getattr(it, f) for f in ACQUISITION_FIELDS}
    if acquisition["acquired_at"] is not None:
        acquisition["acquired_at"] = acquisition["acquired_at"].isoformat()
    return BundleItem(
        record_id=f"evidence/{it.id}", sha256=it.sha256, size=it.size, media_type=it.media_type,
        source=partial(store.open, it.sha256), original_name=it.original_name, acquisition=acquisition,
        metadata=it.extracted or {}, perceptual_hash=it.phash,
        custody_events=[custody_content(ev) for ev in events], assessments=assessments,
        qualifications=qualifications, ledger=records,
    )


def verify(path: Path | str, public_key_pem: bytes | None) -> Report:
    return verify_bundle(path, public_key_pem)

