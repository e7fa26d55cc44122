"""Web captures as evidence: batches of URLs, each captured page stored as evidence items.

``create_batch`` checks every URL and what the items will be linked to, then writes the
batch and one pending capture per URL. ``run_batch`` captures the pending (and
interrupted) ones in order, one Chromium for the batch. A capture's artefacts (WACZ,
screenshot, text, metadata, media) are stored in the vault first (content-addressed:
storing twice is harmless), then its evidence items, custody events, ledger entries and
its "done" state are written in one transaction — so a batch killed at any point has
whole captures only, and a rerun takes up where it stopped without duplicates. A failed
URL keeps its reason; ``retry`` puts failed URLs back in line.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import FieldError, NotFound, ValidationFailed
from svidok.core.messages import M_
from svidok.evidence.capture import diff, replay
from svidok.evidence.capture.browser import CaptureFailed, Capturer, Options, PageCapture
from svidok.evidence.capture.urls import CaptureRefused, target
from svidok.evidence.store import EvidenceStoreError
from svidok.storage.models import Capture, CaptureBatch, EvidenceItem

from . import evidence, ledger, timestamps

if TYPE_CHECKING:
    from svidok.app import Svidok

METHOD = "web capture"
ENTITY = "capture"
Progress = Callable[[int, int, str], None]


def options(app: Svidok) -> Options:
    st = app.settings
    return Options(allow_private=st.capture_allow_private, telegram_base=st.telegram_base,
                   page_timeout=st.capture_page_timeout, page_max_bytes=st.capture_max_page_bytes,
                   media_max_bytes=st.capture_max_media_bytes, chromium=st.resolved_chromium or "chromium",
                   video_hosts=tuple(st.capture_video_hosts))


def url_key(url: str) -> str:
    return hashlib.sha256(url.strip().encode()).hexdigest()


def create_batch(app: Svidok, actor: Actor, urls: list[str], *, incident_id: int | None = None,
                 source_id: int | None = None, case_id: int | None = None, confidentiality: str = "restricted",
                 purpose: str | None = None) -> dict:
    """Check the URLs (each bad one named by its position) and the links; write the batch."""
    access.require_writer(actor)
    problems = []
    if not urls:
        problems.append(FieldError("urls", M_("give at least one URL")))
    clean = []
    for n, u in enumerate(urls, start=1):
        try:
            clean.append(target(u, app.settings.telegram_base).requested)
        except CaptureRefused as exc:
            problems.append(FieldError(f"urls[{n}]", str(exc)))
    links = {"incident_id": incident_id, "source_id": source_id, "case_id": case_id, "confidentiality": confidentiality}
    try:
        evidence.check_fields(app, actor, {k: v for k, v in links.items() if v is not None})
    except ValidationFailed as exc:
        problems.extend(exc.errors)
    if problems:
        raise ValidationFailed(problems)
    with app.db.session() as s:
        batch = CaptureBatch(created_by=actor.username, total=len(clean), purpose=purpose, **links)
        s.add(batch)
        s.flush()
        s.add_all(Capture(batch_id=batch.id, position=n, url=u, url_sha256=url_key(u), status="pending", attempts=0)
                  for n, u in enumerate(clean, start=1))
        ledger.append(s, actor.username, "capture.batch", "capture_batch", batch.id,
                      {"urls": clean, **links, "purpose": purpose})
        return {"id": batch.id, "total": batch.total, **links}


def preserve(app: Svidok, actor: Actor, urls: list[str], **links) -> dict:
    """Check and write a batch (as ``create_batch``), then queue the background job that captures it."""
    from . import jobs

    b = create_batch(app, actor, urls, **links)
    job = jobs.submit(app, actor, "capture", {"batch_id": b["id"]})
    with app.db.session() as s:
        s.get(CaptureBatch, b["id"]).job_id = job["id"]
    return {**b, "job_id": job["id"]}


def _batch(s, actor: Actor, batch_id: int) -> CaptureBatch:
    b = s.get(CaptureBatch, batch_id)
    if b is None or not access.can_see(b, actor):
        raise NotFound(M_("capture batch %(batch_id)s not found", batch_id=batch_id))
    return b


def counts(app: Svidok, batch_id: int) -> dict[str, int]:
    with app.db.session() as s:
        rows = s.execute(select(Capture.status, func.count()).where(Capture.batch_id == batch_id)
                         .group_by(Capture.status)).all()
    return {"pending": 0, "running": 0, "done": 0, "failed": 0, **{k: v for k, v in rows}}


def run_batch(app: Svidok, actor: Actor, batch_id: int, progress: Progress | None = None,
              cancelled: Callable[[], bool] = lambda: False) -> dict:
    """Capture every pending URL of the batch (resumable; ``cancelled()`` is asked between URLs).

    ``progress(finished, total, message)`` is called after each URL. Returns the counts.
    """
    access.require_writer(actor)
    with app.db.session() as s:
        batch = _batch(s, actor, batch_id)
        total = batch.total
        # "running" is a capture a killed run had started: nothing of it was kept, so it runs again.
        todo = s.execute(select(Capture.id, Capture.url).where(Capture.batch_id == batch_id,
                                                               Capture.status.in_(("pending", "running")))
                         .order_by(Capture.position)).all()
    progress = progress or (lambda *_: None)
    if todo:
        asyncio.run(_run(app, actor, batch_id, todo, progress, cancelled, total))
    return {"batch_id": batch_id, "total": total, **counts(app, batch_id)}


async def _run(app: Svidok, actor, batch_id, todo, progress, cancelled, total) -> None:
    tmp_root = Path(app.settings.data_dir) / "capture-work"
    tmp_root.mkdir(parents=True, exist_ok=True)
    # Pages in flight at once: while one waits for its server or Chromium, another is stored.
    slots = asyncio.Semaphore(max(1, app.settings.capture_concurrency))

    async def one(capturer: Capturer, capture_id: int, url: str) -> None:
        async with slots:
            if cancelled():
                return
            await asyncio.to_thread(_start, app, capture_id)
            work = Path(tempfile.mkdtemp(prefix=f"capture-{capture_id}-", dir=tmp_root))
            try:
                try:
                    page = await capturer.capture(url, work)
                except (CaptureFailed, CaptureRefused) as exc:
                    await asyncio.to_thread(_fail, app, capture_id, str(exc))
                else:
                    await asyncio.to_thread(_finish, app, actor, capture_id, page)
                    await asyncio.to_thread(timestamps.stamp, app, actor.username, timestamps.CAPTURE, capture_id)
            except Exception as exc:
                await asyncio.to_thread(_fail, app, capture_id, f"{type(exc).__name__}: {exc}")
            finally:
                shutil.rmtree(work, ignore_errors=True)
            c = await asyncio.to_thread(counts, app, batch_id)
            progress(c["done"] + c["failed"], total, url)

    async with Capturer(options(app)) as capturer:
        await asyncio.gather(*(one(capturer, cid, url) for cid, url in todo))


def _start(app: Svidok, capture_id: int) -> None:
    with app.db.session() as s:
        c = s.get(Capture, capture_id)
        c.status, c.attempts, c.started_at, c.error = "running", c.attempts + 1, datetime.now(UTC), None


def _fail(app: Svidok, capture_id: int, reason: str) -> None:
    with app.db.session() as s:
        c = s.get(Capture, capture_id)
        c.status, c.error, c.finished_at = "failed", reason[:4000], datetime.now(UTC)


def _finish(app: Svidok, actor: Actor, capture_id: int, page: PageCapture) -> None:
    """Store the artefacts, then record items, custody, ledger and the capture's state at once."""
    store = evidence.evidence_store(app)
    blobs, inspect = [], evidence.inspector(app)
    try:
        for a in page.artefacts:
            blobs.append((a, store.put_file(a.path, media_type=a.media_type, original_name=a.name, inspect=inspect)))
        with app.db.session() as s:
            c = s.get(Capture, capture_id)
            batch = s.get(CaptureBatch, c.batch_id)
            at = datetime.fromtimestamp(page.started_at, UTC)
            fields = {"incident_id": batch.incident_id, "source_id": batch.source_id, "case_id": batch.case_id,
                      "confidentiality": batch.confidentiality, "acquired_by": actor.username, "acquired_at": at,
                      "acquisition_method": METHOD, "acquisition_device": "Svidok web capture (Chromium)"}
            purpose = batch.purpose or f"web capture of {c.url}"
            arts = []
            for a, blob in blobs:
                item = evidence.record_blob(s, actor, blob, a.name, purpose,
                                            {**fields, "acquisition_url": c.url})
                arts.append({"role": a.role, "evidence_id": item.id, "sha256": blob.sha256,
                             "media_type": blob.media_type, "size": blob.size, "name": a.name,
                             "source_url": a.source_url})
            c.kind, c.final_url, c.http_status = page.kind, page.final_url, page.status
            c.title, c.author, c.published = page.title, page.author, (page.published or None) and page.published[:100]
            c.text_sha256 = hashlib.sha256(page.text.encode()).hexdigest()
            c.artefacts, c.details = arts, page.metadata()
            _compare_with_previous(app, s, c, page.text)
            c.status, c.finished_at, c.error = "done", datetime.now(UTC), None
            s.flush()
            ledger.append(s, actor.username, "capture.done", ENTITY, c.id,
                          {"url": c.url, "final_url": c.final_url, "at": evidence.utc_text(at),
                           "artefacts": [{"role": x["role"], "sha256": x["sha256"]} for x in arts]})
    except BaseException:
        for _, blob in blobs:
            if blob.created:
                evidence.discard(app, store, blob)
        raise


def _facts(c: Capture) -> dict:
    return {"final_url": c.final_url, "http_status": c.http_status, "title": c.title, "author": c.author,
            "published": c.published, "artefacts": c.artefacts or []}


def _text_of(app: Svidok, c: Capture) -> str | None:
    sha = next((a["sha256"] for a in c.artefacts or [] if a["role"] == "text"), None)
    if sha is None:
        return None
    try:
        with evidence.evidence_store(app).open(sha) as fh:
            return fh.read().decode("utf-8")
    except (OSError, EvidenceStoreError):
        return None


def _compare_with_previous(app: Svidok, s, c: Capture, text: str) -> None:
    prev = s.scalar(select(Capture).where(Capture.url_sha256 == c.url_sha256, Capture.status == "done",
                                          Capture.id != c.id).order_by(Capture.finished_at.desc(), Capture.id.desc())
                    .limit(1))
    if prev is None:
        return
    c.previous_id = prev.id
    c.changes = {"previous_capture_id": prev.id, **diff.summary(_facts(prev), _facts(c), _text_of(app, prev), text)}


def retry(app: Svidok, actor: Actor, batch_id: int) -> int:
    """Put the batch's failed URLs back in line; returns how many. Run the batch again to capture them."""
    access.require_writer(actor)
    with app.db.session() as s:
        _batch(s, actor, batch_id)
        failed = s.scalars(select(Capture).where(Capture.batch_id == batch_id, Capture.status == "failed")).all()
        for c in failed:
            c.status = "pending"
        return len(failed)


def view(c: Capture) -> dict[str, Any]:
    return {k: getattr(c, k) for k in ("id", "batch_id", "position", "url", "kind", "status", "attempts", "error",
                                       "started_at", "finished_at", "final_url", "http_status", "title", "author",
                                       "published", "text_sha256", "previous_id", "changes", "artefacts", "details")}


def _visible(s, actor: Actor, c: Capture | None, what: str) -> Capture:
    if c is None:
        raise NotFound(M_("%(what)s not found", what=what))
    ids = [a["evidence_id"] for a in c.artefacts or []]
    if ids:  # a capture is seen by those who may see its evidence items
        access.require_visible(s.get(EvidenceItem, ids[0]), actor, what)
    return c


def get(app: Svidok, actor: Actor, capture_id: int) -> dict:
    """A capture with its artefacts, metadata and what changed since the previous capture of its URL."""
    with app.db.session() as s:
        c = _visible(s, actor, s.get(Capture, capture_id), M_("capture %(id)s", id=capture_id))
        out = view(c)
        ids = [a["evidence_id"] for a in c.artefacts or []]
        out["graphic"] = bool(ids) and s.scalar(select(EvidenceItem.id).where(
            EvidenceItem.id.in_(ids), EvidenceItem.graphic.is_(True)).limit(1)) is not None
        out["timestamps"] = [{k: v for k, v in t.items() if k != "response"}
                             for t in timestamps.of(app, timestamps.CAPTURE, c.id)]
        if c.previous_id:
            prev = s.get(Capture, c.previous_id)
            before, after = _text_of(app, prev), _text_of(app, c)
            if before is not None and after is not None:
                out["text_diff"] = diff.text_diff(before, after, f"capture {prev.id}", f"capture {c.id}")
        return out


_archives: dict[str, replay.Archive] = {}  # by the WACZ's SHA-256: immutable, so never stale


def replayed(app: Svidok, actor: Actor, capture_id: int, url: str | None, prefix: str) -> tuple[bytes, str, int]:
    """One response of the capture's archive (its main page when ``url`` is None), rewritten to stay in
    the archive: (body, media type, HTTP status). A read, not a custody event (like the screenshot)."""
    with app.db.session() as s:
        c = _visible(s, actor, s.get(Capture, capture_id), M_("capture %(id)s", id=capture_id))
        sha = next((a["sha256"] for a in c.artefacts or [] if a["role"] == "archive"), None)
    if sha is None:
        raise NotFound(M_("capture %(capture_id)s has no web archive", capture_id=capture_id))
    archive = _archives.get(sha)
    if archive is None:
        with tempfile.NamedTemporaryFile(suffix=".wacz") as tmp:
            with evidence.evidence_store(app).open(sha) as fh:
                shutil.copyfileobj(fh, tmp)
            tmp.flush()
            archive = replay.Archive(Path(tmp.name))
        if len(_archives) >= 8:
            _archives.pop(next(iter(_archives)))
        _archives[sha] = archive
    r = archive.get(url or archive.main_url or "")
    if r is None:
        raise NotFound(M_("capture %(capture_id)s did not keep %(url)s", capture_id=capture_id, url=url))
    return archive.rewritten(r, prefix), r.media_type, r.status


REPLAY_CONTEXT, REPLAY_SECONDS = "capture-replay-token", 3600


def replay_token(app: Svidok, actor: Actor, capture_id: int) -> str:
    """A token for the replay's resources: the sandboxed frame has no origin, so it sends no session cookie."""
    with app.db.session() as s:
        _visible(s, actor, s.get(Capture, capture_id), M_("capture %(id)s", id=capture_id))
    blob = app.keyring.encrypt(json.dumps([capture_id, actor.username, int(time.time()) + REPLAY_SECONDS]),
                               context=REPLAY_CONTEXT)
    return base64.urlsafe_b64encode(blob).decode().rstrip("=")


def replayed_by_token(app: Svidok, capture_id: int, token: str, url: str | None, prefix: str):
    """:func:`replayed` as the user the token was given to (still active, still allowed to see the capture)."""
    from . import accounts

    try:
        ident, username, expires = json.loads(app.keyring.decrypt(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)),
                                                                  REPLAY_CONTEXT))
    except Exception:
        ident, username, expires = None, None, 0
    if ident != capture_id or expires < time.time():
        raise NotFound(M_("no such replay (the page's replay link is valid for an hour)"))
    return replayed(app, accounts.actor_by_name(app, username), capture_id, url, prefix)


def batch(app: Svidok, actor: Actor, batch_id: int) -> dict:
    """The batch, its counts and each URL's state (failed ones with their reason)."""
    with app.db.session() as s:
        b = _batch(s, actor, batch_id)
        rows = s.scalars(select(Capture).where(Capture.batch_id == batch_id).order_by(Capture.position)).all()
        stamps = timestamps.times_of(s, timestamps.CAPTURE, [c.id for c in rows if c.status == "done"])
        return {"id": b.id, "total": b.total, "incident_id": b.incident_id, "source_id": b.source_id,
                "created_by": b.created_by, "created_at": b.created_at, "counts": counts(app, batch_id),
                "job_id": b.job_id,
                "captures": [{"id": c.id, "url": c.url, "status": c.status, "attempts": c.attempts, "error": c.error,
                              "title": c.title, "changed": (c.changes or {}).get("changed"),
                              "finished_at": c.finished_at, "artefacts": c.artefacts or [],
                              "timestamps": stamps.get(c.id, [])} for c in rows]}


def of_evidence(app: Svidok, actor: Actor, evidence_id: int) -> dict | None:
    """The capture an evidence item came from (None for other items), for the evidence page."""
    with app.db.session() as s:
        item = access.require_visible(s.get(EvidenceItem, evidence_id), actor, M_("evidence item %(id)s", id=evidence_id))
        if item.acquisition_method != METHOD:
            return None
        for c in s.scalars(select(Capture).where(Capture.status == "done",
                                                 Capture.url_sha256 == url_key(item.acquisition_url or ""))
                           .order_by(Capture.id.desc())):
            if any(a["evidence_id"] == evidence_id for a in c.artefacts or []):
                return view(c)
    return None


__all__ = ["create_batch", "preserve", "run_batch", "retry", "get", "batch", "of_evidence", "METHOD"]
