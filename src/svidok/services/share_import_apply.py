"""Applying a received package's lines in one session: new records, new versions, conflicts, withdrawals, evidence files, provenance."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.interop.share_format import PackageError, PackageReader
from svidok.storage.models import (
    Act,
    EvidenceItem,
    Incident,
    IncidentSource,
    Perpetrator,
    Person,
    PersonName,
    PersonNameKey,
    Qualification,
    SharePackage,
    SharePartner,
    ShareRecord,
    Source,
    Victim,
)

from . import bulk, history, ledger
from .demo_data import TABLES, Batch
from .share_export import sha
from .share_rows import Ids, incident_children, incident_fields, person_rows, place_ids, record_columns, source_row

if TYPE_CHECKING:
    from svidok.app import Svidok

MODELS = {"source": Source, "person": Person, "incident": Incident}
FLUSH_INCIDENTS = 2000
SHOWN = 50


class PackageImport:
    """One package read into the session (see :func:`.share_import.run`): counts, what is shown, rows to write."""

    def __init__(self, app: Svidok, s: Session, actor: Actor, partner: SharePartner, reader: PackageReader,
                 dry_run: bool, progress):
        self.app, self.s, self.actor, self.partner, self.reader = app, s, actor, partner, reader
        self.dry_run, self.progress = dry_run, progress
        self.namespace = f"share:{partner.name}"
        self.now = datetime.now(UTC)
        self.counts = {e: {"new": 0, "changed": 0, "unchanged": 0, "withdrawn": 0, "conflict": 0} for e in MODELS}
        self.shown: dict[str, list] = {"changed": [], "withdrawn": [], "conflict": []}
        self.touched_incidents: list[int] = []  # new and changed incidents, for the duplicate-incident queue
        self.evidence_of: dict[str, list[tuple]] = {}  # file hash -> (incident ref, confidentiality) listing it
        self.files = {"received": 0, "already_held": 0}
        self.new_blobs: list = []  # stored by this import: taken out again if it fails
        self.refs: dict[str, dict[int, int]] = {e: {} for e in MODELS}  # package ref -> local id
        if not dry_run:
            # Take the write lock now (SQLite: the ids below follow the tables' maxima; PostgreSQL: order of ledger entries).
            ledger.append(s, actor.username, "share.import.start", "share_partner", partner.name,
                          {"sequence": reader.manifest["sequence"]})
        self.ids = Ids(s)
        self.places = place_ids(s)
        self.known: dict[tuple, tuple] = {}
        for r in s.execute(select(ShareRecord.id, ShareRecord.entity, ShareRecord.origin_org, ShareRecord.origin_id,
                                  ShareRecord.local_id, ShareRecord.content_sha256, ShareRecord.local_version,
                                  ShareRecord.status)
                           .where(ShareRecord.partner_id == partner.id, ShareRecord.direction == "received")):
            self.known[(r.entity, r.origin_org, r.origin_id)] = (r.id, r.local_id, r.content_sha256, r.local_version, r.status)
        self.versions = {e: dict(s.execute(select(m.id, m.version).where(m.import_source == self.namespace)).all())
                         for e, m in MODELS.items()}
        self.batch = Batch()
        self.pending_incidents = 0
        self.provenance_new: list[dict] = []
        self.provenance_changed: list[dict] = []

    # -- reading ----------------------------------------------------------------------------------
    def read(self) -> None:
        for obj in self.reader:
            kind = obj.get("type")
            if kind == "withdraw":
                self._withdraw(obj)
            elif kind in MODELS:
                self._record(kind, obj)
            elif kind == "file":
                self._file(obj)
            else:
                raise PackageError(f"damaged package: unknown line type {kind!r}")
        self._flush()

    def _record(self, entity: str, obj: dict) -> None:
        origin, data = obj.get("origin") or {}, obj.get("data")
        if not isinstance(data, dict) or not isinstance(origin.get("id"), int) or not origin.get("org"):
            raise PackageError(f"damaged package: a {entity} without data or origin")
        key = (entity, origin["org"], origin["id"])
        if entity == "incident" and data.get("evidence"):
            for e in data["evidence"]:
                if isinstance(e, dict) and isinstance(e.get("sha256"), str):
                    self.evidence_of.setdefault(e["sha256"], []).append((obj.get("ref"), data.get("confidentiality")))
        # The hash of the data as the sender serialised it (canonically), as the sender recorded it.
        digest = obj.get("data_sha256") or sha(data)
        got = self.known.get(key)
        if got is None:
            self.counts[entity]["new"] += 1
            self._new(entity, obj, data, origin, digest)
            return
        rid, local_id, before, local_version, status = got
        self.refs[entity][obj.get("ref")] = local_id
        if digest == before and status == "active":
            self.counts[entity]["unchanged"] += 1
            return
        edited_here = self.versions[entity].get(local_id) != local_version
        if edited_here and digest != before:
            self.counts[entity]["conflict"] += 1
            self._show("conflict", entity, local_id, origin, "edited here since it was received, and changed by the partner")
            if not self.dry_run:
                self.provenance_changed.append({"rid": rid, "status": "conflict", "pending": {"origin": origin, "data": data,
                                                                                                "sha256": digest}})
            return
        self.counts[entity]["changed"] += 1
        self._show("changed", entity, local_id, origin, "restored" if status == "withdrawn" else "new version")
        if not self.dry_run:
            self._flush()
            new_version = self._update(entity, local_id, data, origin)
            if entity == "incident":
                self.touched_incidents.append(local_id)
            self.provenance_changed.append({"rid": rid, "status": "active", "sha": digest, "ov": origin.get("version", 1),
                                            "lv": new_version, "extra": {"evidence": data["evidence"]} if data.get("evidence") else None})

    def _file(self, obj: dict) -> None:
        """An evidence file sent with the records (the rule's ``files``): checked against its hash, stored,
        and recorded as an item of each received incident that lists it, with an acquisition custody
        event naming the partner and the package."""
        import base64
        import hashlib
        import io

        from . import evidence

        sha256 = obj.get("sha256")
        try:
            body = base64.b64decode(obj.get("data") or "", validate=True)
        except ValueError:
            raise PackageError("damaged package: an evidence file that is not base64") from None
        if not isinstance(sha256, str) or hashlib.sha256(body).hexdigest() != sha256:
            raise PackageError(f"damaged package: an evidence file does not match its SHA-256 {sha256}")
        if sha256 not in self.evidence_of:
            raise PackageError(f"damaged package: evidence file {sha256} belongs to no incident of the package")
        targets = []
        for ref, confidentiality in self.evidence_of[sha256]:
            local_id = self.refs["incident"].get(ref)
            if local_id is None:
                continue
            if local_id > 0 and self.s.scalar(select(EvidenceItem.id).where(
                    EvidenceItem.sha256 == sha256, EvidenceItem.incident_id == local_id).limit(1)):
                self.files["already_held"] += 1
                continue
            targets.append((local_id, confidentiality))
        self.files["received"] += len(targets)
        if self.dry_run or not targets:
            return
        self._flush()
        store = evidence.evidence_store(self.app)
        blob = store.put_stream(io.BytesIO(body), expected_sha256=sha256, media_type=obj.get("media_type"),
                                inspect=evidence.inspect_file)
        if blob.created:
            self.new_blobs.append(blob)
        m = self.reader.manifest
        for local_id, confidentiality in targets:
            evidence.record_blob(self.s, self.actor, blob, None,
                                 f"received from {self.partner.organisation} in exchange package {m['sequence']}",
                                 {"incident_id": local_id, "confidentiality": confidentiality or "restricted"})

    def _withdraw(self, obj: dict) -> None:
        entity, origin = obj.get("entity"), obj.get("origin") or {}
        got = self.known.get((entity, origin.get("org"), origin.get("id")))
        if entity not in MODELS or got is None or got[4] == "withdrawn":
            return
        rid, local_id = got[0], got[1]
        self.counts[entity]["withdrawn"] += 1
        reason = f"withdrawn by {self.partner.organisation}: {obj.get('reason') or 'no reason given'}"
        self._show("withdrawn", entity, local_id, origin, reason)
        if not self.dry_run:
            self._flush()
            model = MODELS[entity]
            rec = self.s.get(model, local_id)
            if rec is not None and rec.deleted_at is None:
                before = history.snapshot(rec)
                rec.deleted_at, rec.deleted_reason, rec.version = self.now, reason, rec.version + 1
                self.s.flush()
                history.record(self.s, self.actor, entity, rec, "delete", before, reason=reason)
                self.provenance_changed.append({"rid": rid, "status": "withdrawn", "lv": rec.version})

    def _show(self, what: str, entity: str, local_id: int, origin: dict, note: str) -> None:
        if len(self.shown[what]) < SHOWN:
            self.shown[what].append({"entity": entity, "local_id": local_id, "origin": origin, "note": note})

    # -- writing ----------------------------------------------------------------------------------
    def _new(self, entity: str, obj: dict, data: dict, origin: dict, digest: str) -> None:
        # A dry run reserves no ids (on PostgreSQL that would use up sequence values): a stand-in suffices.
        local_id = -len(self.provenance_new) - 1 if self.dry_run else self.ids.take(MODELS[entity].__tablename__)[0]
        self.refs[entity][obj.get("ref")] = local_id
        self.provenance_new.append({"partner_id": self.partner.id, "direction": "received", "entity": entity,
                                    "local_id": local_id, "origin_org": origin["org"], "origin_id": origin["id"],
                                    "origin_version": origin.get("version", 1), "content_sha256": digest, "local_version": 1,
                                    "status": "active", "pending": None,
                                    "extra": {"evidence": data["evidence"]} if data.get("evidence") else None})
        if self.dry_run:
            return
        base = record_columns(local_id, self.now, self.actor.username, self.namespace, f"{origin['org']}/{origin['id']}",
                              data.get("synthetic", False))
        for table, rows in self._rows(entity, base, data).items():
            self.batch.rows[table] += rows
        if entity == "incident":
            self.touched_incidents.append(local_id)
            self.pending_incidents += 1
            if self.pending_incidents >= FLUSH_INCIDENTS:
                self._flush()

    def _rows(self, entity: str, base: dict, data: dict) -> dict[str, list[dict]]:
        if entity == "source":
            return {"sources": [source_row(base, data)]}
        if entity == "person":
            return person_rows(base, data, self.places.get(data.get("residence_place")), self.ids)
        inc = {**base, **incident_fields(data, self.places.get(data.get("place")))}
        return {"incidents": [inc], **incident_children(base["id"], data, self.now, self.actor.username, self.namespace,
                                                         self.ids, self.refs["person"], self.refs["source"], self.app.vocab)}

    def _flush(self) -> None:
        if self.dry_run or not any(self.batch.rows.values()):
            if self.progress and self.pending_incidents:
                self.progress(self.pending_incidents)
            self.pending_incidents = 0
            return
        bulk.insert_batch(self.s, self.batch, self.actor.username)
        if self.progress:
            self.progress(self.pending_incidents)
        self.batch = Batch(rows={t: [] for t in TABLES})
        self.pending_incidents = 0

    def _update(self, entity: str, local_id: int, data: dict, origin: dict) -> int:
        """A new local version of a received record, with the partner's content."""
        s, model = self.s, MODELS[entity]
        rec = s.get(model, local_id)
        before = history.snapshot(rec)
        base = record_columns(local_id, rec.created_at, rec.created_by, rec.import_source, rec.source_key, rec.synthetic)
        rows = self._rows(entity, base, data)
        main = {k: v for k, v in rows.pop(model.__tablename__)[0].items()
                if k not in ("id", "version", "created_at", "updated_at", "created_by", "import_source", "source_key")}
        if entity == "incident":
            old = select(Act.id).where(Act.incident_id == local_id).scalar_subquery()
            for child in (Victim, Perpetrator, Qualification):
                s.execute(delete(child).where(child.act_id.in_(old)))
            s.execute(delete(Act).where(Act.incident_id == local_id))
            s.execute(delete(IncidentSource).where(IncidentSource.incident_id == local_id))
        elif entity == "person":
            s.execute(delete(PersonName).where(PersonName.person_id == local_id))
            s.execute(delete(PersonNameKey).where(PersonNameKey.person_id == local_id))
        version = rec.version + 1
        s.execute(update(model).where(model.id == local_id).values(**main, version=version, updated_at=self.now))
        for table in ("acts", "victims", "qualifications", "perpetrators", "incident_sources", "person_names", "person_name_keys"):
            if rows.get(table):
                s.execute(insert(bulk.Base.metadata.tables[table]), rows[table])
        s.flush()
        s.expire(rec)
        history.record(s, self.actor, entity, rec, "update", before,
                       reason=f"new version from {self.partner.organisation} (its version {origin.get('version')})")
        return version

    # -- the outcome ------------------------------------------------------------------------------
    def result(self, file_sha: str) -> dict:
        m = self.reader.manifest
        return {"partner": self.partner.name, "organisation": m["sender"].get("organisation"), "sequence": m["sequence"],
                "created": m.get("created"), "sha256": file_sha, "dry_run": self.dry_run, "counts": self.counts,
                "package_counts": self.reader.end.get("counts") if self.reader.end else None, **self.shown,
                "persons_to_review": self.counts["person"]["new"] + self.counts["person"]["changed"],
                "evidence_files": dict(self.files)}

    def finish(self, file_sha: str, result: dict) -> None:
        s = self.s
        m = self.reader.manifest
        pkg = SharePackage(partner_id=self.partner.id, direction="received", sequence=m["sequence"], sha256=file_sha,
                           created_at=datetime.fromisoformat(m["created"]), actor=self.actor.username, counts=self.counts)
        s.add(pkg)
        s.flush()
        for i in range(0, len(self.provenance_new), 5000):
            s.execute(insert(ShareRecord.__table__), [{**r, "package_id": pkg.id} for r in self.provenance_new[i:i + 5000]])
        for r in self.provenance_changed:
            values = {"status": r["status"], "package_id": pkg.id}
            if "sha" in r:
                values.update(content_sha256=r["sha"], origin_version=r["ov"], pending=None, extra=r["extra"])
            if "lv" in r:
                values["local_version"] = r["lv"]
            if "pending" in r:
                values["pending"] = r["pending"]
            s.execute(update(ShareRecord).where(ShareRecord.id == r["rid"]).values(**values))
        ledger.append(s, self.actor.username, "share.import", "share_partner", self.partner.name,
                      {"sequence": m["sequence"], "sha256": file_sha, "counts": self.counts,
                       "lines_sha256": self.reader.end.get("lines_sha256")})
        s.flush()
        result["package_id"] = pkg.id
