"""Adding an evidence file to an incident from the web upload form.

A small stand-in written by the web area while ``svidok.services.evidence`` did not
exist: it stores the file in the content-addressed store (``svidok.evidence.store``),
records the ``EvidenceItem``, its first ``CustodyEvent`` (acquisition) and a version in
the ledger. The type is checked from the file's first bytes before anything is stored.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import BinaryIO

from svidok.evidence.media_types import OCTET_STREAM, sniff_media_type
from svidok.evidence.store import EvidenceStore, EvidenceStoreError
from svidok.storage.models import CustodyEvent, EvidenceItem, Incident

from . import access, history
from .actors import Actor
from .errors import FieldError, ValidationFailed

ENTITY = "evidence"
#: Media a documenter uploads: photos, video, audio, documents, web archives.
ACCEPTED_PREFIXES = ("image/", "video/", "audio/")
ACCEPTED_TYPES = {"application/pdf", "text/plain", "application/warc", "application/zip", "text/csv",
                  "application/json", "message/rfc822"}
DEFAULT_MAX_BYTES = 500 * 1024 * 1024


def accepted(media_type: str) -> bool:
    return media_type.startswith(ACCEPTED_PREFIXES) or media_type in ACCEPTED_TYPES


class _Prefixed:
    """The bytes already read for sniffing, then the rest of the file."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self.head, self.rest = head, rest

    def read(self, n: int = -1) -> bytes:
        if self.head:
            out, self.head = (self.head, b"") if n < 0 or n >= len(self.head) else (self.head[:n], self.head[n:])
            return out
        return self.rest.read(n)


def add_to_incident(app, actor: Actor, incident_id: int, fileobj: BinaryIO, original_name: str | None,  # noqa: ANN001, PLR0913
                    declared_type: str | None, size: int | None, acquisition: dict | None = None,
                    max_bytes: int = DEFAULT_MAX_BYTES) -> dict:
    """Store the file and record it as evidence of the incident. Nothing is recorded on any error."""
    access.require_writer(actor)
    if size is not None and size > max_bytes:
        raise ValidationFailed(FieldError("file", f"the file is {size} bytes; the limit is {max_bytes} bytes"))
    head = fileobj.read(4096)
    if not head:
        raise ValidationFailed(FieldError("file", "the file is empty"))
    media_type = sniff_media_type(head, original_name, declared=None)
    if media_type == OCTET_STREAM or not accepted(media_type):
        raise ValidationFailed(FieldError(
            "file", f"unknown or unsupported file type ({media_type}); accepted: photos, video, audio, PDF, "
                    "plain text, web archives"))
    acquisition = acquisition or {}
    with app.db.session() as s:
        incident = access.require_visible(s.get(Incident, incident_id), actor, f"incident {incident_id}")
        try:
            blob = EvidenceStore(app.settings.resolved_evidence_dir).put_stream(
                _Prefixed(head, fileobj), media_type=media_type, original_name=original_name)
        except EvidenceStoreError as exc:
            raise ValidationFailed(FieldError("file", str(exc))) from None
        if blob.size > max_bytes:
            raise ValidationFailed(FieldError("file", f"the file is {blob.size} bytes; the limit is {max_bytes} bytes"))
        item = EvidenceItem(
            sha256=blob.sha256, size=blob.size, media_type=blob.media_type, original_name=original_name,
            incident_id=incident.id, acquired_by=actor.username, acquired_at=datetime.now(timezone.utc),
            acquisition_method=acquisition.get("method") or "web upload",
            acquisition_device=acquisition.get("device"), acquisition_url=acquisition.get("url"),
            acquisition_person=acquisition.get("person"),
            confidentiality=incident.confidentiality, case_id=incident.case_id, created_by=actor.username,
        )
        s.add(item)
        s.flush()
        s.add(CustodyEvent(evidence_id=item.id, actor=actor.username, action="acquire",
                           purpose="uploaded through the web form", sha256_seen=blob.sha256))
        s.flush()
        s.refresh(item)
        history.record(s, actor, ENTITY, item, "create", None)
        return {"id": item.id, "sha256": item.sha256, "size": item.size, "media_type": item.media_type,
                "original_name": item.original_name, "incident_id": incident.id}
