"""Replacing exchange keys: a partner's new public keys, and this installation's own new key pair.

A key is replaced, never forgotten: the old public key is kept in ``share_retired_keys`` with
who replaced it, when and why, and the replacement is in the ledger. A package signed with a
partner's retired signing key, or encrypted to this installation's retired encryption key, is
then refused naming the key, the date and the reason, rather than as "a key no partner has".
This installation's old private key files are kept in ``<data_dir>/keys/retired/`` (a backup
holds them), never deleted.
"""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.core.errors import Conflict, FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.interop.share_format import PackageError, b64, ed25519_public, key_id, raw_public, unb64, x25519_public
from svidok.storage.models import ShareIdentity, SharePartner, ShareRetiredKey

from . import ledger
from .sharing import _load, _partner_dict, _write_new, key_files, own_keys, require_admin, require_partner

if TYPE_CHECKING:
    from svidok.app import Svidok

KINDS = ("encryption", "signing")


def _kid(text: str) -> str:
    return key_id(unb64(text, "public key"))


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            FieldError(
                "reason",
                M_("say why the key is replaced (e.g. the partner's server was reinstalled; new key ids checked by phone on 2026-12-05)"),
            )
        )
    return reason


def _in_use(s: Session, key: str) -> str | None:
    """Who holds or held ``key`` already (a key is never taken up again once on record)."""
    if s.scalar(select(ShareRetiredKey.id).where(ShareRetiredKey.key == key)):
        return "a retired key (a replaced key is never taken up again)"
    holder = s.scalar(select(SharePartner.name).where(or_(SharePartner.encryption_key == key, SharePartner.signing_key == key)))
    if holder:
        return f"the key of partner {holder!r}"
    if s.scalar(select(ShareIdentity.id).where(or_(ShareIdentity.encryption_key == key, ShareIdentity.signing_key == key))):
        return "this installation's own key"
    return None


def rotate_partner_keys(
    app: Svidok, actor: Actor, name: str, *, encryption_key: str | None = None, signing_key: str | None = None, reason: str
) -> dict:
    """Replace a partner's public key(s) with the new ones it sent; the old ones are kept as retired.

    Packages signed with the old signing key are refused from now on; packages exported from
    now on are encrypted to the new encryption key.
    """
    require_admin(actor)
    errors = []
    if not encryption_key and not signing_key:
        errors.append(FieldError("encryption_key", M_("give the partner's new encryption key, signing key, or both")))
    for field, value, check in (("encryption_key", encryption_key, x25519_public), ("signing_key", signing_key, ed25519_public)):
        if value:
            try:
                check(value)
            except PackageError as exc:
                errors.append(FieldError(field, str(exc)))
    try:
        reason = _reason(reason)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    with app.db.session() as s:
        partner, rule = require_partner(s, name)
        changes = {}
        for kind, new in (("encryption", encryption_key), ("signing", signing_key)):
            if not new:
                continue
            field = f"{kind}_key"
            old = getattr(partner, field)
            if new == old:
                raise ValidationFailed(FieldError(field, M_("this is already %(name)s's %(kind)s key (key id %(value)s)", name=name, kind=kind, value=_kid(new))))
            used = _in_use(s, new)
            if used:
                raise ValidationFailed(FieldError(field, M_("key id %(value)s is %(used)s", value=_kid(new), used=used)))
            s.add(
                ShareRetiredKey(
                    partner_id=partner.id, kind=kind, key=old, key_id=_kid(old), replaced_by=new, retired_by=actor.username, reason=reason
                )
            )
            setattr(partner, field, new)
            changes[kind] = {"old": old, "old_key_id": _kid(old), "new": new, "new_key_id": _kid(new)}
        s.flush()
        ledger.append(s, actor.username, "share.partner_key", "share_partner", name, {"keys": changes, "reason": reason})
        return {
            **_partner_dict(partner, rule, s),
            "replaced": {k: {"old_key_id": v["old_key_id"], "new_key_id": v["new_key_id"]} for k, v in changes.items()},
        }


def retired_keys(app: Svidok, actor: Actor, name: str | None = None) -> list[dict]:
    """Retired keys of one partner (``name``), or this installation's own (``name`` None), oldest first."""
    require_admin(actor)
    with app.db.session() as s:
        q = select(ShareRetiredKey).order_by(ShareRetiredKey.id)
        if name is None:
            q = q.where(ShareRetiredKey.partner_id.is_(None))
        else:
            q = q.where(ShareRetiredKey.partner_id == require_partner(s, name)[0].id)
        return [
            {
                "kind": r.kind,
                "key_id": r.key_id,
                "replaced_by_key_id": _kid(r.replaced_by),
                "retired_at": r.retired_at.isoformat(),
                "retired_by": r.retired_by,
                "reason": r.reason,
            }
            for r in s.scalars(q)
        ]


def retired_signing_key(s: Session, key: str) -> tuple[ShareRetiredKey, str] | None:
    """The retirement of a partner's signing key ``key`` and the partner's name, if it was one."""
    row = s.execute(
        select(ShareRetiredKey, SharePartner.name)
        .join(SharePartner, SharePartner.id == ShareRetiredKey.partner_id)
        .where(ShareRetiredKey.key == key, ShareRetiredKey.kind == "signing")
        .order_by(ShareRetiredKey.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def retired_own_encryption_key(s: Session, key: str) -> ShareRetiredKey | None:
    return s.scalar(
        select(ShareRetiredKey)
        .where(ShareRetiredKey.partner_id.is_(None), ShareRetiredKey.key == key, ShareRetiredKey.kind == "encryption")
        .limit(1)
    )


def rotate_own_keys(app: Svidok, actor: Actor, reason: str) -> dict:
    """Make a new exchange key pair for this installation; the old private keys move to ``keys/retired/``.

    Send the new public keys (returned, as ``share keys`` prints them) to every partner: until
    they record them (``share partner keys``), they cannot open what you send or will refuse it.
    The new files are written beside the old ones first and put in place only after the
    database holds the new public keys; :func:`finish_rotation` completes a rotation a crash
    interrupted.
    """
    require_admin(actor)
    reason = _reason(reason)
    ident, _enc, _sig = own_keys(app)
    enc_path, sig_path = key_files(app)
    retired = enc_path.parent / "retired"
    retired.mkdir(exist_ok=True)
    enc, sig = X25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    new = {"encryption": b64(raw_public(enc.public_key())), "signing": b64(raw_public(sig.public_key()))}
    old = {"encryption": ident.encryption_key, "signing": ident.signing_key}
    for path, key in ((enc_path, enc), (sig_path, sig)):
        pending = path.with_name(path.name + ".new")
        if pending.exists():
            raise Conflict(
                M_("%(pending)s exists: an earlier rotation did not finish; run it again after `svidok share keys` (which finishes it)", pending=pending)
            )
        _write_new(pending, key)
    try:
        for path, kind in ((enc_path, "encryption"), (sig_path, "signing")):
            shutil.copy2(path, retired / f"{path.stem}-{_kid(old[kind])}.pem")  # kept, never deleted
        with app.db.session() as s:
            row = s.get(ShareIdentity, ident.id)
            for kind in KINDS:
                s.add(
                    ShareRetiredKey(
                        partner_id=None,
                        kind=kind,
                        key=old[kind],
                        key_id=_kid(old[kind]),
                        replaced_by=new[kind],
                        retired_by=actor.username,
                        reason=reason,
                    )
                )
            row.encryption_key, row.signing_key = new["encryption"], new["signing"]
            ledger.append(
                s, actor.username, "share.keys_rotated", "share_identity", ident.organisation, {"old": old, "new": new, "reason": reason}
            )
    except BaseException:
        for path in (enc_path, sig_path):  # never on record: the old keys stay in force
            path.with_name(path.name + ".new").unlink(missing_ok=True)
        raise
    finish_rotation(app)
    from .sharing import public_keys

    return public_keys(app)


def finish_rotation(app: Svidok) -> bool:
    """Put new key files (``*.new``) in place when the database already holds their public halves."""
    from .sharing import identity

    ident = identity(app)
    if ident is None:
        return False
    done = False
    for path, kind, want in (
        (key_files(app)[0], X25519PrivateKey, ident.encryption_key),
        (key_files(app)[1], Ed25519PrivateKey, ident.signing_key),
    ):
        pending = path.with_name(path.name + ".new")
        if pending.exists() and b64(raw_public(_load(pending, kind).public_key())) == want:
            os.replace(pending, path)
            done = True
    return done
