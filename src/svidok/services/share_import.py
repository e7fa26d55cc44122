"""``svidok share import FILE``: check a partner's package, show what it would change, apply it.

Refused with the reason, nothing written: a file that is not a package or was altered, a
package for another installation, one signed by a key of no partner, one whose sequence
number is not above the last imported from that partner (a replay or an older package),
one from a newer format. The records go into the partner's namespace (``import_source`` =
``share:<partner>``, ``source_key`` = ``<origin organisation>/<original id>``) with their
provenance; a later package updates them (a new local version) and withdrawals mark them
deleted with the partner's reason. A record edited here since it was received and changed
by the partner as well is a conflict: kept as it is here, the partner's version stored
beside it and listed (``svidok share conflicts``). Persons are never merged here: the
person linkage review queue (``svidok link run``, ``svidok review``) proposes matches with
the receiver's own persons. Everything happens in one transaction, after the signature
at the end of the package has verified.

This module opens and checks the package and runs the import; reading its lines into the
session is :class:`.share_import_apply.PackageImport`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.core.errors import Conflict
from svidok.interop.share_format import PackageError, PackageReader, ed25519_public, key_id, read_header, unb64
from svidok.storage.models import SharePackage, SharePartner

from . import bulk
from .share_import_apply import PackageImport
from .share_keys import retired_signing_key
from .sharing import own_keys, require_admin

if TYPE_CHECKING:
    from svidok.app import Svidok

#: Up to this many incidents received, each is checked against its neighbours as it arrives.
DUPLICATE_CHECK_LIMIT = 2000


class PackageRefused(Conflict):
    title = "Package refused"


class _RollBack(Exception):
    """Leave the session's transaction without writing (a dry run)."""


def _retired_recipient(app: Svidok, fh) -> str | None:
    """Why a package encrypted to this installation's replaced key cannot be opened (None: it was not)."""
    from .share_keys import retired_own_encryption_key

    try:
        header, _ = read_header(fh)
    except PackageError:
        return None
    finally:
        fh.seek(0)
    with app.db.session() as s:
        row = retired_own_encryption_key(s, str(header.get("recipient_key") or ""))
        if row is None:
            return None
        return (f"the package is encrypted to this installation's encryption key {row.key_id}, replaced on "
                f"{row.retired_at:%Y-%m-%d} ({row.reason}): ask the sender to record your new keys and send it again")


def _open(app: Svidok, fh) -> tuple[PackageReader, SharePartner]:
    _, enc, _ = own_keys(app)
    why = _retired_recipient(app, fh)
    if why:
        raise PackageRefused(why)
    try:
        reader = PackageReader(fh, enc)
        sender = reader.manifest.get("sender") or {}
        signing = sender.get("signing_key") or ""
    except PackageError as exc:
        raise PackageRefused(str(exc)) from None
    with app.db.session() as s:
        partner = s.scalar(select(SharePartner).where(SharePartner.signing_key == signing))
        retired = retired_signing_key(s, signing) if partner is None and signing else None
        if retired is not None:
            row, name = retired
            raise PackageRefused(f"the package is signed by {name}'s signing key {row.key_id}, replaced on "
                                 f"{row.retired_at:%Y-%m-%d} ({row.reason}); packages signed with a replaced key "
                                 f"are refused: ask {name} for a package signed with its current key")
        if partner is None:
            kid = key_id(unb64(signing, "signing key")) if signing else "none"
            raise PackageRefused(f"the package is signed by a key no partner has (key id {kid}, organisation "
                                 f"{sender.get('organisation')!r}): check the key id with that organisation, then "
                                 "add it with `svidok share partner add`")
        last = s.scalar(select(SharePackage).where(SharePackage.partner_id == partner.id, SharePackage.direction == "received")
                        .order_by(SharePackage.sequence.desc()).limit(1))
        seq = reader.manifest.get("sequence")
        if not isinstance(seq, int):
            raise PackageRefused("damaged package: no sequence number")
        if last is not None and seq <= last.sequence:
            raise PackageRefused(f"package {seq} from {partner.name} is a replay or older than package {last.sequence}, "
                                 f"imported on {last.processed_at:%Y-%m-%d %H:%M}; ask {partner.organisation} for a new one")
        s.expunge(partner)
    reader.signer = ed25519_public(partner.signing_key)
    return reader, partner


def run(app: Svidok, actor: Actor, path: Path, dry_run: bool = False,
        progress: Callable[[int], None] | None = None) -> dict:
    """Check and (unless ``dry_run``) import a package; returns what it changed or would change."""
    require_admin(actor)
    import hashlib

    file_sha = hashlib.sha256()
    with open(path, "rb") as raw:
        for block in iter(lambda: raw.read(1 << 20), b""):
            file_sha.update(block)
    with open(path, "rb") as fh:
        reader, partner = _open(app, fh)
        job = None
        try:
            with bulk.no_gc_pauses(), app.db.session() as s:
                job = PackageImport(app, s, actor, partner, reader, dry_run, progress)
                try:
                    job.read()
                except PackageError as exc:
                    raise PackageRefused(str(exc)) from None
                result = job.result(file_sha.hexdigest())
                if dry_run:
                    raise _RollBack()
                job.finish(file_sha.hexdigest(), result)
                result["duplicates"] = _queue_duplicates(s, actor, job.touched_incidents)
        except _RollBack:
            pass
        except BaseException:
            if job is not None and job.new_blobs:  # no record points to the files this import stored
                from . import evidence

                for blob in job.new_blobs:
                    evidence.discard(app, evidence.evidence_store(app), blob)
            raise
    return result


def _queue_duplicates(s: Session, actor: Actor, incident_ids: list[int]) -> dict:
    """Put the likely duplicates of the incidents received (new or changed) in the duplicate-incident
    review queue, against this installation's own incidents and other partners' copies: a person
    decides, and "same" merges them (reversibly), so that figures count the incident once.

    A large package is left to the batch search (``svidok duplicates run``), which compares
    everything at once far faster than incident by incident.
    """
    from . import incident_duplicates

    if not incident_ids:
        return {"checked": 0, "queued": 0}
    if len(incident_ids) > DUPLICATE_CHECK_LIMIT:
        return {"checked": 0, "queued": 0, "note": f"{len(incident_ids)} incidents received: run "
                                                   "`svidok duplicates run` to queue their likely duplicates"}
    s.flush()
    queued = set()
    for incident_id in dict.fromkeys(incident_ids):
        for hit in incident_duplicates.on_entry(s, actor, incident_id):
            queued.add(frozenset((incident_id, hit["incident_id"])))
    return {"checked": len(set(incident_ids)), "queued": len(queued)}
