"""Exchange between installations: this installation's exchange keys, partners and sharing rules.

The exchange keys (X25519 to receive, Ed25519 to sign) are files in ``<data_dir>/keys``,
made once by ``svidok share keys --organisation NAME``; their public halves are recorded in
the database. A missing or different key file is refused, never replaced, once the key is
on record: partners hold the public halves, and packages sent to this installation can
only be opened with the private one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from svidok.core.actors import LEVELS, Actor
from svidok.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from svidok.core.messages import M_
from svidok.interop.share_format import PackageError, b64, ed25519_public, key_id, raw_public, x25519_public
from svidok.schemas.filters import IncidentFilter
from svidok.storage.models import ShareIdentity, SharePackage, SharePartner, ShareRule

from . import ledger
from .key_custody import KeyMissing

if TYPE_CHECKING:
    from svidok.app import Svidok

ENCRYPTION_FILE = "exchange_x25519.pem"
SIGNING_FILE = "exchange_ed25519.pem"
CONSENTS = ("share_prosecutors", "publish")
COORDINATES = ("hromada", "exact")
EVIDENCE = ("hashes", "files", "none")


def require_admin(actor: Actor) -> None:
    # Partners, rules and packages decide what leaves the organisation: administrators only.
    if not actor.is_admin:
        raise Forbidden(M_("only an administrator may manage partners and exchange packages"))


def key_files(app: Svidok) -> tuple[Path, Path]:
    d = Path(app.settings.data_dir) / "keys"
    return d / ENCRYPTION_FILE, d / SIGNING_FILE


def _write_new(path: Path, key) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never over an existing key
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())


def _load(path: Path, kind: type):
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, kind):
        raise KeyMissing(f"{path}: expected a {kind.__name__}, found {type(key).__name__}")
    return key


def identity(app: Svidok) -> ShareIdentity | None:
    with app.db.session() as s:
        row = s.scalar(select(ShareIdentity).order_by(ShareIdentity.id).limit(1))
        if row is not None:
            s.expunge(row)
        return row


def create_keys(app: Svidok, actor: Actor, organisation: str) -> dict:
    """Make the exchange keys once; afterwards return the public halves on record."""
    require_admin(actor)
    if identity(app) is not None:
        return public_keys(app)
    organisation = (organisation or "").strip()
    if not organisation:
        raise ValidationFailed(FieldError("organisation", M_("name this installation's organisation (partners see it)")))
    enc_path, sig_path = key_files(app)
    for path in (enc_path, sig_path):
        if path.exists():
            raise KeyMissing(f"{path} exists but no exchange key is on record in the database; it is not replaced. "
                             "Move it away if it belongs to another installation, or restore this database from backup.")
    enc, sig = X25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    _write_new(enc_path, enc)
    _write_new(sig_path, sig)
    with app.db.session() as s:
        s.add(ShareIdentity(organisation=organisation, encryption_key=b64(raw_public(enc.public_key())),
                            signing_key=b64(raw_public(sig.public_key()))))
        ledger.append(s, actor.username, "share.keys", "share_identity", organisation,
                      {"encryption_key": b64(raw_public(enc.public_key())), "signing_key": b64(raw_public(sig.public_key()))})
    return public_keys(app)


def own_keys(app: Svidok) -> tuple[ShareIdentity, X25519PrivateKey, Ed25519PrivateKey]:
    """The identity and private keys; refused when missing or not the keys on record."""
    ident = identity(app)
    if ident is None:
        raise Conflict(M_("this installation has no exchange keys yet: run `svidok share keys --organisation NAME`"))
    enc_path, sig_path = key_files(app)
    for path in (enc_path, sig_path):
        if not path.exists():
            raise KeyMissing(f"the exchange key {path} is missing; partners encrypt to and verify against it, so no "
                             "new one is made: restore it from your backup (`svidok backup` keeps the keys folder)")
    enc, sig = _load(enc_path, X25519PrivateKey), _load(sig_path, Ed25519PrivateKey)
    if b64(raw_public(enc.public_key())) != ident.encryption_key or b64(raw_public(sig.public_key())) != ident.signing_key:
        from .share_keys import finish_rotation

        if finish_rotation(app):  # a key rotation stopped between the database and the files
            return own_keys(app)
    if b64(raw_public(enc.public_key())) != ident.encryption_key or b64(raw_public(sig.public_key())) != ident.signing_key:
        raise KeyMissing(f"the exchange keys in {enc_path.parent} are not the ones on record for this installation "
                         "(partners hold the recorded public keys): restore the original key files from your backup")
    return ident, enc, sig


def public_keys(app: Svidok) -> dict:
    ident = identity(app)
    if ident is None:
        raise Conflict(M_("this installation has no exchange keys yet: run `svidok share keys --organisation NAME`"))
    return {"organisation": ident.organisation,
            "encryption_key": ident.encryption_key, "encryption_key_id": key_id(x25519_raw(ident.encryption_key)),
            "signing_key": ident.signing_key, "signing_key_id": key_id(x25519_raw(ident.signing_key))}


def x25519_raw(text: str) -> bytes:
    import base64

    return base64.b64decode(text)


def _partner_dict(p: SharePartner, rule: ShareRule | None, s: Session) -> dict:
    sent = s.scalar(select(func.max(SharePackage.sequence)).where(SharePackage.partner_id == p.id,
                                                                  SharePackage.direction == "sent")) or 0
    received = s.scalar(select(func.max(SharePackage.sequence)).where(SharePackage.partner_id == p.id,
                                                                      SharePackage.direction == "received")) or 0
    return {"name": p.name, "organisation": p.organisation,
            "encryption_key_id": key_id(x25519_raw(p.encryption_key)), "signing_key_id": key_id(x25519_raw(p.signing_key)),
            "last_sent": sent, "last_received": received,
            "rule": None if rule is None else {
                "filter": rule.filter, "ceiling": rule.ceiling, "consent": rule.consent,
                "coordinates": rule.coordinates, "evidence": rule.evidence, "victim_names": rule.victim_names}}


def add_partner(app: Svidok, actor: Actor, name: str, organisation: str, encryption_key: str, signing_key: str,
                notes: str | None = None) -> dict:
    """Record a partner and its public keys (as its ``svidok share keys`` prints them)."""
    require_admin(actor)
    errors = []
    if not name or not name.replace("-", "").replace("_", "").isalnum() or len(name) > 100:
        errors.append(FieldError("name", M_("letters, digits, - and _ only (it names the partner's namespace)")))
    if not (organisation or "").strip():
        errors.append(FieldError("organisation", M_("the partner's organisation, as its installation names itself")))
    for field, check in (("encryption_key", x25519_public), ("signing_key", ed25519_public)):
        try:
            check(locals()[field])
        except PackageError as exc:
            errors.append(FieldError(field, str(exc)))
    if errors:
        raise ValidationFailed(errors)
    with app.db.session() as s:
        if s.scalar(select(SharePartner.id).where(SharePartner.name == name)):
            raise Conflict(M_("a partner named %(name)r exists already", name=name))
        p = SharePartner(name=name, organisation=organisation.strip(), encryption_key=encryption_key,
                         signing_key=signing_key, created_by=actor.username, notes=notes)
        s.add(p)
        s.flush()
        s.add(ShareRule(partner_id=p.id, filter={}, updated_by=actor.username))
        ledger.append(s, actor.username, "share.partner", "share_partner", name,
                      {"organisation": p.organisation, "encryption_key": encryption_key, "signing_key": signing_key})
        s.flush()
        return _partner_dict(p, s.scalar(select(ShareRule).where(ShareRule.partner_id == p.id)), s)


def require_partner(s: Session, name: str) -> tuple[SharePartner, ShareRule]:
    p = s.scalar(select(SharePartner).where(SharePartner.name == name))
    if p is None:
        raise NotFound(M_("no partner named %(name)r (see `svidok share partners`)", name=name))
    return p, s.scalar(select(ShareRule).where(ShareRule.partner_id == p.id))


def set_rule(app: Svidok, actor: Actor, name: str, *, filter: dict | None = None, ceiling: str | None = None,
             consent: str | None = None, coordinates: str | None = None, evidence: str | None = None,
             victim_names: bool | None = None) -> dict:
    """Change what a partner receives; the rule as it now stands goes to the ledger."""
    require_admin(actor)
    errors = []
    if filter is not None:
        try:
            IncidentFilter.model_validate(filter)
        except Exception as exc:  # pydantic's message names the field
            errors.append(FieldError("filter", str(exc).splitlines()[0]))
    for field, value, allowed in (("ceiling", ceiling, LEVELS), ("consent", consent, CONSENTS),
                                  ("coordinates", coordinates, COORDINATES), ("evidence", evidence, EVIDENCE)):
        if value is not None and value not in allowed:
            errors.append(FieldError(field, M_("%(value)r is not one of %(items)s", value=value, items=", ".join(allowed))))
    if errors:
        raise ValidationFailed(errors)
    with app.db.session() as s:
        p, rule = require_partner(s, name)
        for field, value in (("filter", filter), ("ceiling", ceiling), ("consent", consent), ("coordinates", coordinates),
                             ("evidence", evidence), ("victim_names", victim_names)):
            if value is not None:
                setattr(rule, field, value)
        rule.updated_by = actor.username
        s.flush()
        out = _partner_dict(p, rule, s)
        ledger.append(s, actor.username, "share.rule", "share_partner", name, out["rule"])
        return out


def partners(app: Svidok, actor: Actor) -> list[dict]:
    require_admin(actor)
    with app.db.session() as s:
        rows = s.scalars(select(SharePartner).order_by(SharePartner.name)).all()
        return [_partner_dict(p, s.scalar(select(ShareRule).where(ShareRule.partner_id == p.id)), s) for p in rows]


def partner(app: Svidok, actor: Actor, name: str, packages: int = 20) -> dict:
    """One partner: its keys, rule, the latest packages sent and received, and its replaced keys."""
    from .share_keys import retired_keys

    require_admin(actor)
    with app.db.session() as s:
        p, rule = require_partner(s, name)
        out = _partner_dict(p, rule, s)
        out.update(notes=p.notes, created_at=p.created_at.isoformat(), created_by=p.created_by,
                   encryption_key=p.encryption_key, signing_key=p.signing_key)
        out["packages"] = [{"direction": k.direction, "sequence": k.sequence, "sha256": k.sha256,
                            "created_at": k.created_at.isoformat(), "processed_at": k.processed_at.isoformat(),
                            "actor": k.actor, "counts": k.counts}
                           for k in s.scalars(select(SharePackage).where(SharePackage.partner_id == p.id)
                                              .order_by(SharePackage.id.desc()).limit(packages))]
    out["retired_keys"] = retired_keys(app, actor, name)
    return out


def link(app: Svidok, actor: Actor, entity: str, record_id: int, same_as_id: int, reason: str) -> dict:
    """Record that two incidents are the same (a partner's copy and one's own) as a reversible
    incident merge — the mechanism of the duplicate-incident queue — so that every figure
    (incidents and victims) counts them once. Nothing in either record is changed but the merge
    link; :func:`unlink` undoes it.
    """
    from svidok.core import access
    from svidok.storage.models import Incident

    from . import incident_merges

    require_admin(actor)
    if entity != "incident":
        raise ValidationFailed(FieldError("entity", M_("only incidents are linked here; persons go through `svidok review`")))
    if not (reason or "").strip():
        raise ValidationFailed(FieldError("reason", M_("say why the two records are the same incident")))
    if record_id == same_as_id:
        raise ValidationFailed(FieldError("same_as", M_("an incident is not linked to itself")))
    with app.db.session() as s:
        for ident in (record_id, same_as_id):
            access.require_visible(s.get(Incident, ident), actor, M_("incident %(id)s", id=ident))
        m = incident_merges.merge_in(s, actor, same_as_id, record_id, reason=f"share link: {reason.strip()}")
        if m is None:
            raise Conflict(M_("incidents %(record_id)s and %(same_as_id)s are already one (merged)", record_id=record_id, same_as_id=same_as_id))
        ledger.append(s, actor.username, "share.link", entity, record_id,
                      {"same_as": same_as_id, "reason": reason, "merge_id": m.id})
        return {"entity": entity, "record_id": record_id, "same_as_id": same_as_id, "merge_id": m.id,
                "survivor_id": m.survivor_id, "merged_id": m.merged_id}


def unlink(app: Svidok, actor: Actor, entity: str, record_id: int, reason: str) -> None:
    """Undo a link: the merge made by :func:`link` (or, for links made before links were merges,
    the ``share_links`` row)."""
    from sqlalchemy import delete, or_

    from svidok.storage.models import IncidentMerge, ShareLink

    from . import incident_merges

    require_admin(actor)
    with app.db.session() as s:
        row = s.scalar(select(ShareLink).where(ShareLink.entity == entity, ShareLink.record_id == record_id))
        if row is not None:
            ledger.append(s, actor.username, "share.unlink", entity, record_id, {"same_as": row.same_as_id, "reason": reason})
            s.execute(delete(ShareLink).where(ShareLink.id == row.id))
            return
        m = s.scalar(select(IncidentMerge).where(or_(IncidentMerge.merged_id == record_id,
                                                     IncidentMerge.survivor_id == record_id),
                                                 IncidentMerge.undone_at.is_(None), IncidentMerge.pair_id.is_(None),
                                                 IncidentMerge.reason.like("share link:%"))
                     .order_by(IncidentMerge.id.desc()).limit(1))
        if m is None:
            raise NotFound(M_("%(entity)s %(record_id)s is not linked", entity=entity, record_id=record_id))
        incident_merges.undo_in(s, actor, m, reason)
        ledger.append(s, actor.username, "share.unlink", entity, record_id, {"merge_id": m.id, "reason": reason})
