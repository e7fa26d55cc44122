"""Evidence items: ingest into the vault, chain of custody, views, graphic marks, assessments.

Reading the stored file is in :mod:`.evidence_reading`; sealing the ledger and inclusion
proofs in :mod:`.ledger_sealing`.

Every custody event (acquisition, transfer, access, download, export, verification) is a
row *and* a ledger entry whose content is ``custody_content(event)``; that content names
the file's SHA-256, which is what ties a file to a signed tree head in a case bundle.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, StorageUnavailable, ValidationFailed
from svidok.core.messages import M_
from svidok.core.validation import Checker
from svidok.evidence import consistency
from svidok.evidence.blobs import BlobStore, EvidenceStoreError, StoredBlob, StoreUnavailableError
from svidok.evidence.media_metadata import extract_metadata
from svidok.evidence.perceptual import NotAnImageError, find_similar, phash
from svidok.evidence.proofmode import read_bundle
from svidok.evidence.provenance import read_c2pa
from svidok.evidence.signing import key_id, public_key_pem
from svidok.services.evidence_similar import visual_hashes
from svidok.storage.models import (
    Case,
    CustodyEvent,
    EvidenceItem,
    Incident,
    Source,
    VerificationAssessment,
)

from . import history, ledger

if TYPE_CHECKING:
    from svidok.app import Svidok

ENTITY = "evidence_item"
CUSTODY_ENTITY = "custody_event"
CUSTODY_ACTIONS = ("acquisition", "transfer", "access", "download", "export", "verification")
ACQUISITION_FIELDS = ("acquired_by", "acquired_at", "acquisition_method", "acquisition_device",
                      "acquisition_url", "acquisition_person")
CONFIDENCE = ("low", "medium", "high")


def evidence_store(app: Svidok) -> BlobStore:
    """The installation's evidence store (local files or S3, per ``SVIDOK_EVIDENCE_BACKEND``)."""
    try:
        return app.evidence_store
    except StoreUnavailableError as exc:  # e.g. SVIDOK_EVIDENCE_BACKEND=s3 without a bucket
        raise StorageUnavailable(str(exc)) from None


def installation_key(app: Svidok):
    from .key_custody import installation_key as guarded  # refuses to replace a key the ledger depends on

    return guarded(app)


def public_key(app: Svidok) -> dict:
    key = installation_key(app)
    return {"key_id": key_id(key), "public_key_pem": public_key_pem(key).decode("ascii")}


def utc_text(value: datetime) -> str:
    """One spelling of a time for hashing, whatever the database gives back (SQLite drops the zone)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def custody_content(ev: CustodyEvent) -> dict[str, Any]:
    """What a custody event's ledger entry hashes (rebuilt the same way by verify and bundles)."""
    return {"custody_event_id": ev.id, "evidence_id": ev.evidence_id, "action": ev.action, "actor": ev.actor,
            "at": utc_text(ev.at), "purpose": ev.purpose, "sha256": ev.sha256_seen}


def add_custody(s: Session, actor: Actor, item: EvidenceItem, action: str, purpose: str | None,
                sha256_seen: str | None = None) -> CustodyEvent:
    if action not in CUSTODY_ACTIONS:
        raise ValidationFailed(FieldError("action", M_("unknown custody action %(action)r (known: %(items)s)", action=action, items=", ".join(CUSTODY_ACTIONS))))
    ev = CustodyEvent(evidence_id=item.id, at=datetime.now(UTC), actor=actor.username, action=action,
                      purpose=purpose, sha256_seen=sha256_seen or item.sha256)
    s.add(ev)
    s.flush()
    ledger.append(s, actor.username, f"custody.{action}", CUSTODY_ENTITY, ev.id, custody_content(ev))
    return ev


def _check(app: Svidok, s: Session, actor: Actor, fields: dict[str, Any]) -> Checker:
    c = Checker(app.vocab, s, actor)
    c.term("confidentiality", fields.get("confidentiality"), "confidentiality")
    c.exists(Incident, fields.get("incident_id"), "incident_id", "incident")
    c.exists(Source, fields.get("source_id"), "source_id", "source")
    c.exists(Case, fields.get("case_id"), "case_id", "case")
    if "graphic" in fields and not isinstance(fields["graphic"], bool):
        c.add("graphic", "true or false")
    unknown = set(fields) - set(ACQUISITION_FIELDS) - {"confidentiality", "incident_id", "source_id", "case_id",
                                                       "graphic"}
    for name in sorted(unknown):
        c.add(name, "not a field of an evidence item")
    return c


def ingest(app: Svidok, actor: Actor, fileobj: BinaryIO, *, original_name: str | None = None,
           media_type: str | None = None, expected_sha256: str | None = None, expected_size: int | None = None,
           max_size: int | None = None, purpose: str | None = None, **fields: Any) -> dict:
    """Store a file, extract its metadata, create the item and its acquisition custody event.

    ``fields``: incident_id, source_id, case_id, confidentiality and the acquisition fields
    (acquired_by, acquired_at, acquisition_method, _device, _url, _person). Input is checked
    before a byte is stored; a failed upload leaves neither a file nor a record.
    """
    access.require_writer(actor)
    fields.setdefault("confidentiality", "restricted")
    with app.db.session() as s:
        _check(app, s, actor, fields).raise_if_any()
    store = evidence_store(app)
    try:
        blob = store.put_stream(fileobj, expected_sha256=expected_sha256, expected_size=expected_size,
                                media_type=media_type, original_name=original_name, max_size=max_size,
                                inspect=inspector(app))
    except StoreUnavailableError as exc:
        raise StorageUnavailable(M_("%(exc)s; nothing was recorded", exc=exc)) from None
    except EvidenceStoreError as exc:
        raise ValidationFailed(FieldError("file", str(exc))) from None
    try:
        return _record(app, actor, blob, original_name, purpose, fields)
    except BaseException:
        if blob.created:  # no record points to the new file: take it out again
            discard(app, store, blob)
        raise


def discard(app: Svidok, store: BlobStore, blob: StoredBlob) -> None:
    with app.db.session() as s:
        if s.scalar(select(EvidenceItem.id).where(EvidenceItem.sha256 == blob.sha256).limit(1)) is None:
            try:
                store.discard(blob.sha256)
            except EvidenceStoreError:
                pass  # the store failed meanwhile: `svidok verify` lists the file as belonging to no item


def inspector(app: Svidok):
    """:func:`inspect_file` with the installation's settings (the C2PA trust list)."""
    return partial(inspect_file, trust_anchors_pem=c2pa_trust_anchors(app.settings))


def c2pa_trust_anchors(settings) -> str | None:
    pem = "".join(Path(p).read_text() for p in settings.c2pa_trust_anchors)
    return pem or None


def inspect_file(path: Path, media_type: str, trust_anchors_pem: str | None = None) -> tuple[dict, str | None]:
    """Metadata and perceptual hash, read from the staged plaintext before it is stored."""
    meta = extract_metadata(path, media_type)
    try:
        ph = phash(path) if media_type.startswith("image/") else None
    except NotAnImageError as exc:
        ph = None
        meta.setdefault("problems", []).append(str(exc))
    provenance = read_c2pa(path, media_type, trust_anchors_pem)
    if provenance is not None:
        meta["c2pa"] = provenance
    if media_type in ("application/zip", "application/x-zip-compressed"):
        bundle = read_bundle(path)
        if bundle is not None:
            meta["proofmode"] = bundle
    visual = visual_hashes(path, media_type, readable_image=ph is not None)
    meta.setdefault("problems", []).extend(visual.pop("problems", []))
    if not meta["problems"]:
        del meta["problems"]
    meta.update(visual)
    return meta, ph


_INT4_MAX = 2**31 - 1


def _check_size_fits(app: Svidok, size: int) -> None:
    """PostgreSQL INTEGER stops at 2 GiB; say so instead of failing inside the database."""
    from sqlalchemy import BigInteger

    column = EvidenceItem.__table__.c.size
    if size > _INT4_MAX and app.db.dialect == "postgresql" and not isinstance(column.type, BigInteger):
        raise ValidationFailed(FieldError("file", M_("%(size)s bytes: files over 2 GiB need evidence_items.size to be a BIGINT column on PostgreSQL (schema upgrade pending)", size=size)))


def record_blob(s: Session, actor: Actor, blob: StoredBlob, original_name: str | None, purpose: str | None,
                fields: dict[str, Any]) -> EvidenceItem:
    """The item of a stored blob, its version and its acquisition custody event, in the caller's transaction.

    The blob must have been stored with ``inspect=inspect_file`` (its metadata and perceptual hash are read
    from the plaintext before it is stored). ``ingest`` checks ``fields`` first; callers that store several
    files at once (web captures) check them once (:func:`check_fields`) and record every item in one transaction.
    """
    meta, ph = blob.inspected or ({}, None)
    incident = s.get(Incident, fields["incident_id"]) if fields.get("incident_id") else None
    if incident is not None:
        odd = consistency.findings(meta, incident.date_start, incident.date_end, (incident.lat, incident.lon))
        if odd:
            meta["consistency"] = odd
    item = EvidenceItem(sha256=blob.sha256, size=blob.size, media_type=blob.media_type,
                        original_name=original_name, extracted=meta, phash=ph, created_by=actor.username,
                        **fields)
    s.add(item)
    s.flush()
    history.record(s, actor, ENTITY, item, "create", None)
    add_custody(s, actor, item, "acquisition", purpose)
    return item


def check_fields(app: Svidok, actor: Actor, fields: dict[str, Any]) -> None:
    """Raise ``ValidationFailed`` naming every bad field of an item to be (incident, source, …)."""
    with app.db.session() as s:
        _check(app, s, actor, fields).raise_if_any()


def _record(app: Svidok, actor: Actor, blob: StoredBlob, original_name, purpose, fields) -> dict:
    _check_size_fits(app, blob.size)
    with app.db.session() as s:
        item = record_blob(s, actor, blob, original_name, purpose, fields)
        same = s.scalars(select(EvidenceItem.id).where(EvidenceItem.sha256 == blob.sha256,
                                                       EvidenceItem.id != item.id)).all()
        out = view(s, item)
        out["stored_new_file"] = blob.created
        out["same_file_as"] = list(same)
        out["similar"] = _similar(s, actor, item) if item.phash else []
        return out


def _similar(s: Session, actor: Actor, item: EvidenceItem, max_distance: int = 8) -> list[dict]:
    rows = s.execute(select(EvidenceItem.id, EvidenceItem.phash).where(
        EvidenceItem.phash.is_not(None), EvidenceItem.id != item.id, access.visibility_clause(EvidenceItem, actor)))
    return [{"evidence_id": k, "distance": d} for k, d in find_similar(item.phash, rows, max_distance)]


def metadata_warnings(s: Session, item: EvidenceItem) -> list[dict]:
    """What in the file's metadata does not fit its incident *now* (dates and place may have been corrected
    since ingest): ``{kind, source, …, text: {"en", "uk"}}``. Hints for a verifier, not verdicts."""
    incident = s.get(Incident, item.incident_id) if item.incident_id else None
    if incident is None or not item.extracted:
        return []
    found = consistency.findings(item.extracted, incident.date_start, incident.date_end, (incident.lat, incident.lon))
    return [{**f, "text": {lang: consistency.describe(f, lang) for lang in ("en", "uk")}} for f in found]


def view(s: Session, item: EvidenceItem) -> dict:
    out = history.snapshot(item)
    out["metadata_warnings"] = metadata_warnings(s, item)
    out["custody_events"] = [
        {**custody_content(ev), "id": ev.id}
        for ev in s.scalars(select(CustodyEvent).where(CustodyEvent.evidence_id == item.id).order_by(CustodyEvent.id))
    ]
    out["assessments"] = [
        {k: v for k, v in history.snapshot(a).items() if k != "evidence_id"}
        for a in s.scalars(select(VerificationAssessment).where(VerificationAssessment.evidence_id == item.id)
                           .order_by(VerificationAssessment.id))
    ]
    return out


def mark_graphic(app: Svidok, actor: Actor, evidence_id: int, graphic: bool, reason: str | None = None) -> dict:
    """A reviewer marks an item graphic (or takes the mark away): a new version, in the item's history."""
    access.require_writer(actor)
    if not isinstance(graphic, bool):
        raise ValidationFailed(FieldError("graphic", M_("true or false")))
    with app.db.session() as s:
        item = _require(s, actor, evidence_id)
        if item.graphic != graphic:
            before = history.snapshot(item)
            item.graphic = graphic
            item.version += 1
            item.updated_at = datetime.now(UTC)
            s.flush()
            history.record(s, actor, ENTITY, item, "update", before,
                           reason=reason or ("marked graphic" if graphic else "graphic mark removed"))
        out = view(s, item)
        out["similar"] = _similar(s, actor, item) if item.phash else []
        return out


def _require(s: Session, actor: Actor, evidence_id: int) -> EvidenceItem:
    return access.require_visible(s.get(EvidenceItem, evidence_id), actor, M_("evidence item %(id)s", id=evidence_id))


def get(app: Svidok, actor: Actor, evidence_id: int) -> dict:
    """The item, its custody and assessments: a plain read that writes nothing (a GET)."""
    with app.db.session() as s:
        item = _require(s, actor, evidence_id)
        out = view(s, item)
        out["similar"] = _similar(s, actor, item) if item.phash else []
        return out


def record_access(app: Svidok, actor: Actor, evidence_id: int, purpose: str | None = None) -> dict:
    """:func:`get` with an ``access`` custody event: a deliberate, stated look (a POST or the CLI)."""
    with app.db.session() as s:
        item = _require(s, actor, evidence_id)
        add_custody(s, actor, item, "access", purpose)
        out = view(s, item)
        out["similar"] = _similar(s, actor, item) if item.phash else []
        return out


def transfer(app: Svidok, actor: Actor, evidence_id: int, purpose: str, action: str = "transfer") -> dict:
    """Record a hand-over (or another custody action) of an item."""
    access.require_writer(actor)
    if not purpose or not purpose.strip():
        raise ValidationFailed(FieldError("purpose", M_("say why the item changes hands")))
    with app.db.session() as s:
        item = _require(s, actor, evidence_id)
        ev = add_custody(s, actor, item, action, purpose)
        return {**custody_content(ev), "id": ev.id}


def assess(app: Svidok, actor: Actor, evidence_id: int, *, kind: str, method: str, result: str,
           confidence: str) -> dict:
    """A verification assessment (geolocation, chronolocation, …), recorded and ledgered."""
    access.require_writer(actor)
    with app.db.session() as s:
        item = _require(s, actor, evidence_id)
        c = Checker(app.vocab, s, actor)
        c.term("verification_methods", kind, "kind")
        if confidence not in CONFIDENCE:
            c.add("confidence", f"must be one of {', '.join(CONFIDENCE)}, not {confidence!r}")
        for name, value in (("method", method), ("result", result)):
            if not value or not value.strip():
                c.add(name, "must not be empty")
        c.raise_if_any()
        a = VerificationAssessment(evidence_id=item.id, kind=kind, method=method, result=result,
                                   confidence=confidence, assessed_by=actor.username)
        s.add(a)
        s.flush()
        history.record(s, actor, "verification_assessment", a, "create", None)
        add_custody(s, actor, item, "verification", f"{kind}: {result}"[:500])
        return history.snapshot(a)
