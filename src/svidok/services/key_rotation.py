"""Rotating the field-encryption key without downtime.

A rotation adds a new active key to the keyring file (old keys stay, so every ciphertext
still decrypts), then re-encrypts protected fields in small transactions. A running server
reloads the keyring when it meets a key id it does not know; rows it encrypts with the old
key meanwhile are picked up by running the rotation again (it only touches rows not yet
under the active key). ``retire`` drops old keys once no ciphertext uses them.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import Conflict
from svidok.core.messages import M_
from svidok.storage.models import Person, Source
from svidok.storage.models.base import key_id_of

from . import ledger
from .field_crypto import Keyring

if TYPE_CHECKING:
    from svidok.app import Svidok

#: (model, column, context prefix) of every encrypted field.
ENCRYPTED = (
    (Person, "address_enc", "persons.address"),
    (Person, "contact_enc", "persons.contact"),
    (Source, "identity_enc", "sources.identity"),
    (Source, "contact_enc", "sources.contact"),
)


def status(app: Svidok) -> dict:
    """How many ciphertexts each key id protects, and which key is active."""
    counts: Counter[str] = Counter()
    with app.db.session() as s:
        for model, column, _ in ENCRYPTED:  # counted in the key-id indexes, not read row by row
            col = getattr(model, column)
            kid = key_id_of(col)
            for value, n in s.execute(select(kid, func.count()).where(col.is_not(None)).group_by(kid)):
                counts[bytes(value).decode() if isinstance(value, (bytes, memoryview)) else str(value)] += n
    return {"active": app.keyring.active, "keys": sorted(app.keyring.keys), "ciphertexts_by_key": dict(counts)}


def rotate(app: Svidok, actor: Actor, batch: int = 500, new_key: bool = True) -> dict:
    """Add a new active key (unless ``new_key`` is False) and re-encrypt every field under it."""
    if not actor.is_admin:
        access.require_writer(actor)
    keyring = Keyring.load(app.key_file, app.settings.field_key)
    if app.settings.field_key:
        raise Conflict(M_("the key comes from SVIDOK_FIELD_KEY: rotate it where that variable is set, then re-run"))
    if new_key:
        keyring.rotate()
        keyring.save(app.key_file)
    app.reload_keyring()
    done = 0
    for model, column, context in ENCRYPTED:
        col = getattr(model, column)
        last_id = 0
        while True:
            with app.db.session() as s:
                rows = s.execute(
                    select(model.id, col).where(model.id > last_id, col.is_not(None)).order_by(model.id).limit(batch)
                ).all()
                if not rows:
                    break
                for ident, blob in rows:
                    if Keyring.key_id_of(blob) != keyring.active:
                        plain = keyring.decrypt(blob, f"{context}:{ident}")
                        s.execute(model.__table__.update().where(model.id == ident)
                                  .values({column: keyring.encrypt(plain, f"{context}:{ident}")}))
                        done += 1
                last_id = rows[-1][0]
    with app.db.session() as s:
        ledger.append(s, actor.username, "key.rotate", "field_key", keyring.active, {"re_encrypted": done})
    return {"active": keyring.active, "re_encrypted": done}


def retire(app: Svidok, actor: Actor) -> dict:
    """Remove keys that no ciphertext uses any more."""
    used = set(status(app)["ciphertexts_by_key"])
    keyring = Keyring.load(app.key_file, app.settings.field_key)
    old = [k for k in keyring.keys if k != keyring.active and k not in used]
    for k in old:
        del keyring.keys[k]
    keyring.save(app.key_file)
    app.reload_keyring()
    with app.db.session() as s:
        ledger.append(s, actor.username, "key.retire", "field_key", keyring.active, {"removed": old})
    return {"removed": old, "kept": sorted(keyring.keys)}
