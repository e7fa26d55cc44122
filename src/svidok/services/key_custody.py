"""Keys are never replaced silently: a missing key is refused while data made with it remains.

- The installation signing key (``<data_dir>/keys/installation_ed25519.pem``) is made on
  first use only while the ledger has no signed tree head; afterwards a missing key, or a
  key other than the one that signed the last head, stops `svidok seal` with instructions
  (a new key would leave every earlier head unverifiable).
- The field-encryption keyring is made by `svidok init` only while no ciphertext exists;
  when ciphertexts exist, every key id they name must be in the keyring, else `init` (and
  so `svidok serve`) refuses to start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select

from svidok.core.errors import Conflict
from svidok.evidence.signing import key_id, key_path, load_or_create_key
from svidok.storage.models import TreeHead
from svidok.storage.models.base import key_id_of

from .field_crypto import Keyring

if TYPE_CHECKING:
    from svidok.app import Svidok

_RESTORE = ("copy the key file back into {dir} from your backup (a `svidok backup` folder keeps it encrypted: "
            "`svidok backup restore` it into a scratch data directory and take the file from that directory's keys/)")


class KeyMissing(Conflict):
    title = "Key missing"


def installation_key(app: Svidok):
    """The signing key; created only for a ledger that has never been sealed."""
    path = key_path(app.settings.data_dir)
    with app.db.session() as s:
        last = s.scalar(select(TreeHead).order_by(TreeHead.id.desc()).limit(1))
        heads = s.scalar(select(func.count()).select_from(TreeHead)) if last is not None else 0
    if last is not None and not path.exists():
        raise KeyMissing(
            f"the installation signing key {path} is missing, but the ledger has {heads} signed tree head(s), "
            f"the last signed by key {last.key_id}. A new key would make every earlier head unverifiable, so none "
            f"is made: {_RESTORE.format(dir=path.parent)}, then run the command again.")
    key = load_or_create_key(app.settings.data_dir)
    if last is not None and last.key_id != key_id(key):
        raise KeyMissing(
            f"the installation signing key {path} (key id {key_id(key)}) is not the key that signed the ledger's "
            f"last tree head (key id {last.key_id}): {_RESTORE.format(dir=path.parent)}.")
    return key


def _key_id_text(value) -> str:
    return bytes(value).decode("ascii", "replace") if isinstance(value, (bytes, memoryview)) else str(value)


def ciphertext_key_ids(app: Svidok) -> set[str]:
    """The key ids that the database's ciphertexts name, exactly.

    Each encrypted column's key ids are walked in their index (``models.base.key_id_index``)
    from one id to the next: a look-up per id in use, not a scan of millions of rows."""
    from .key_rotation import ENCRYPTED

    ids: set[str] = set()
    with app.db.session() as s:
        for model, column, _ in ENCRYPTED:
            col = getattr(model, column)
            kid = key_id_of(col)
            last = None
            while True:
                q = select(kid).where(col.is_not(None))
                if last is not None:
                    q = q.where(kid > last)
                last = s.scalar(q.order_by(kid).limit(1))
                if last is None:
                    break
                ids.add(_key_id_text(last))
    return ids


def ensure_field_keys(app: Svidok) -> bool:
    """Make the field keyring if none exists and no ciphertext needs one; refuse a keyring that lacks a key in use.

    Returns whether a keyring was created.
    """
    in_use = ciphertext_key_ids(app)
    if not app.settings.field_key and not app.key_file.exists():
        if in_use:
            raise KeyMissing(
                f"the field-encryption keyring {app.key_file} is missing, but {len(in_use)} key(s) "
                f"({', '.join(sorted(in_use))}) protect identities, contacts and addresses in the database. "
                f"A new key could not decrypt them, so none is made: {_RESTORE.format(dir=app.key_file.parent)}, "
                "or set SVIDOK_FIELD_KEY to the keyring.")
        Keyring.generate().save(app.key_file)
        return True
    ring = Keyring.load(app.key_file, app.settings.field_key)
    lacking = in_use - set(ring.keys)
    if lacking:
        raise KeyMissing(
            f"the field-encryption keyring ({app.settings.field_key and 'SVIDOK_FIELD_KEY' or app.key_file}) lacks "
            f"key(s) {', '.join(sorted(lacking))} that encrypted fields in the database use: "
            f"{_RESTORE.format(dir=app.key_file.parent)}.")
    return False
