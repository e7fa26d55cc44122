"""Moving an installation's evidence files from the local store to S3, verified and resumable.

Each file is uploaded (or found already there), then read back from S3 and re-hashed;
only then is it written to a journal (``<data_dir>/evidence-migration-s3.log``, one line
per step, fsync'ed). A rerun after a crash skips what the journal holds and redoes the
rest: keys are content hashes and writes never overwrite, so nothing is stored twice. Local files are
removed only with ``remove_local``, and only after their copy was verified.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from svidok.core.actors import Actor
from svidok.core.errors import (
    FieldError,
    Forbidden,
    StorageUnavailable,
    ValidationFailed,
)
from svidok.core.messages import M_
from svidok.evidence.blobs import EvidenceStoreError, StoreUnavailableError
from svidok.evidence.store import plain_path
from svidok.evidence.stores import local_store, s3_store
from svidok.storage.models import EvidenceItem

if TYPE_CHECKING:
    from svidok.app import Svidok

TARGETS = ("s3",)


class Journal:
    """Append-only lines ``<sha256> <step>``; a torn last line (crash mid-write) is ignored."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, set[str]]:
        steps: dict[str, set[str]] = {"verified": set(), "removed": set()}
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                parts = line.split()
                if len(parts) == 2 and len(parts[0]) == 64 and parts[1] in steps:
                    steps[parts[1]].add(parts[0])
        return steps

    def add(self, sha256: str, step: str) -> None:
        with open(self.path, "a") as fh:
            fh.write(f"{sha256} {step}\n")
            fh.flush()
            os.fsync(fh.fileno())


def journal_path(app: Svidok, to: str) -> Path:
    return Path(app.settings.data_dir) / f"evidence-migration-{to}.log"


def migrate(app: Svidok, actor: Actor, to: str = "s3", remove_local: bool = False,
            progress: Callable[[str], None] | None = None) -> dict:
    """Copy every local evidence file to ``to``, verify each copy, optionally remove the local file."""
    if not actor.is_admin:
        raise Forbidden(M_("only an administrator moves the evidence store"))
    if to not in TARGETS:
        raise ValidationFailed(FieldError("to", M_("unknown target %(to)r (known: %(items)s)", to=to, items=", ".join(TARGETS))))
    keys = lambda: app.keyring  # noqa: E731 - (read only when a blob is encrypted)
    source = local_store(app.settings, keys)
    try:
        target = s3_store(app.settings, keys)
    except StoreUnavailableError as exc:
        raise ValidationFailed(FieldError("to", str(exc))) from None
    journal = Journal(journal_path(app, to))
    done = journal.read()
    out = {"files": 0, "copied": 0, "already_there": 0, "verified_before": 0, "removed": 0, "failed": [],
           "missing": [], "target": target.location, "journal": str(journal.path)}
    hashes = list(source.iter_hashes())
    try:
        for i, sha in enumerate(hashes, start=1):
            out["files"] += 1
            if sha in done["verified"]:
                out["verified_before"] += 1
            else:
                problem = _copy_and_verify(source, target, sha, out)
                if problem:
                    out["failed"].append(f"{sha}: {problem}")
                    continue
                journal.add(sha, "verified")
            if remove_local and sha not in done["removed"]:
                source.discard(sha)
                journal.add(sha, "removed")
                out["removed"] += 1
            if progress and (i % 100 == 0 or i == len(hashes)):
                progress(f"{i}/{len(hashes)} files")
        local = set(hashes)
        with app.db.session() as s:
            for (sha,) in s.execute(select(EvidenceItem.sha256).distinct()):
                if sha not in local and sha not in done["verified"] and not target.exists(sha):
                    out["missing"].append(sha)
    except StoreUnavailableError as exc:
        raise StorageUnavailable(M_("%(exc)s; progress so far is kept in %(path)s: run the command again", exc=exc, path=journal.path)) from None
    return out


def _copy_and_verify(source, target, sha: str, out: dict) -> str | None:
    size = source.size(sha)
    try:
        path = plain_path(source, sha)
        if path is not None:
            blob = target.put_file(path, expected_sha256=sha, expected_size=size)
        else:
            with source.open(sha) as fh:
                blob = target.put_stream(fh, expected_sha256=sha, expected_size=size)
    except StoreUnavailableError:
        raise
    except EvidenceStoreError as exc:
        return f"not copied: the local file is damaged ({exc}); run `svidok verify`"
    out["copied" if blob.created else "already_there"] += 1
    check = target.verify(sha, size)
    if not check.ok:
        return f"the copy in {target.location} does not match ({check.problem}); the local file is kept"
    return None
