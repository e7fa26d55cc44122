"""Which field-encryption keys the database's ciphertexts use: exact, however the rows change."""

from __future__ import annotations

import os

from sqlalchemy import update

from svidok.services import key_rotation, key_status
from svidok.storage.models import Person, Source
from tests import fixtures as fx


def _under(key: str) -> bytes:
    """A ciphertext's bytes as if made under key id ``key`` (only its key id is read here)."""
    return b"v1" + key.encode() + os.urandom(12) + os.urandom(24)


def test_a_ciphertext_under_a_new_key_shows_up_on_the_keys_status_and_goes_when_replaced(app):
    admin = fx.user(app, "administrator", "root")
    assert key_status.status(app, admin)["keyring"]["in_use"] == []
    p = fx.person(app, address="вул. Синтетична, 7")
    src = fx.source(app)
    active = app.keyring.active
    ring = key_status.status(app, admin)["keyring"]
    assert ring["in_use"] == [active] and ring["lacking"] == []
    # A ciphertext under a key this keyring lacks (a record restored from elsewhere).
    with app.db.session() as s:
        s.execute(update(Person).where(Person.id == p["id"]).values(contact_enc=_under("0badc0de")))
        s.execute(update(Source).where(Source.id == src["id"]).values(contact_enc=_under("00000001")))
    ring = key_status.status(app, admin)["keyring"]
    assert ring["in_use"] == sorted([active, "0badc0de", "00000001"])
    assert ring["lacking"] == ["00000001", "0badc0de"]
    counts = key_rotation.status(app)["ciphertexts_by_key"]
    assert counts == {active: 2, "0badc0de": 1, "00000001": 1}  # the address and the source's identity
    with app.db.session() as s:
        s.execute(update(Person).where(Person.id == p["id"]).values(contact_enc=None))
        s.execute(update(Source).where(Source.id == src["id"]).values(contact_enc=_under(active)))
    ring = key_status.status(app, admin)["keyring"]
    assert ring["in_use"] == [active] and ring["lacking"] == []
    assert key_rotation.status(app)["ciphertexts_by_key"] == {active: 3}
