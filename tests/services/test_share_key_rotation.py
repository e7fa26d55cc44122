"""Replacing exchange keys between two installations (two data directories, each engine): a partner's
new keys replace the old with a record; a package signed with a replaced key is refused with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from svidok.core.actors import SYSTEM
from svidok.core.errors import Forbidden, ValidationFailed
from svidok.services import share_import, share_keys, sharing
from svidok.storage.models import LedgerEntry, SharePartner
from tests import fixtures
from tests.services.test_share_exchange import _refused, export, pair, received, shared_incident  # noqa: F401


def test_a_partners_new_keys_replace_the_old_and_old_signatures_are_refused(pair, tmp_path: Path):  # noqa: F811
    a, b, _c = pair
    shared_incident(a, title="Before the new keys")
    first = tmp_path / "1.svp"
    export(a, "orgb", first)
    share_import.run(b, SYSTEM, first)
    late = tmp_path / "2-old-key.svp"  # made with A's old key, sent after A replaced its keys
    shared_incident(a, title="Signed with the old key")
    export(a, "orgb", late)
    old_keys = sharing.public_keys(a)

    new_keys = share_keys.rotate_own_keys(a, SYSTEM, "server reinstalled (synthetic)")
    assert new_keys["signing_key"] != old_keys["signing_key"]
    assert new_keys["encryption_key"] != old_keys["encryption_key"]
    retired_files = sorted(p.name for p in (Path(a.settings.data_dir) / "keys" / "retired").iterdir())
    assert retired_files == sorted(
        [f"exchange_ed25519-{old_keys['signing_key_id']}.pem", f"exchange_x25519-{old_keys['encryption_key_id']}.pem"]
    )
    sharing.own_keys(a)  # the new files are in place and match the record

    # B records A's new keys; the replacement needs a reason and is in the ledger
    with pytest.raises(ValidationFailed, match="reason"):
        share_keys.rotate_partner_keys(b, SYSTEM, "orga", signing_key=new_keys["signing_key"], reason=" ")
    with pytest.raises(Forbidden):
        share_keys.rotate_partner_keys(b, fixtures.user(b, "investigator"), "orga", signing_key=new_keys["signing_key"], reason="x")
    with pytest.raises(ValidationFailed, match="already orga's signing key"):
        share_keys.rotate_partner_keys(b, SYSTEM, "orga", signing_key=old_keys["signing_key"], reason="x")
    out = share_keys.rotate_partner_keys(
        b,
        SYSTEM,
        "orga",
        encryption_key=new_keys["encryption_key"],
        signing_key=new_keys["signing_key"],
        reason="new key ids checked by phone",
    )
    assert out["signing_key_id"] == new_keys["signing_key_id"]
    assert out["replaced"]["signing"] == {"old_key_id": old_keys["signing_key_id"], "new_key_id": new_keys["signing_key_id"]}
    retired = share_keys.retired_keys(b, SYSTEM, "orga")
    assert [(r["kind"], r["key_id"], r["reason"]) for r in retired] == [
        ("encryption", old_keys["encryption_key_id"], "new key ids checked by phone"),
        ("signing", old_keys["signing_key_id"], "new key ids checked by phone"),
    ]
    with b.db.session() as s:
        assert s.scalar(select(LedgerEntry.action).where(LedgerEntry.action == "share.partner_key")) is not None
        assert s.scalar(select(SharePartner.signing_key).where(SharePartner.name == "orga")) == new_keys["signing_key"]
    # a replaced key is never taken up again
    with pytest.raises(ValidationFailed, match="retired key"):
        share_keys.rotate_partner_keys(b, SYSTEM, "orga", signing_key=old_keys["signing_key"], reason="back")

    # the late package signed with A's old key: refused, naming the key, the date and the reason
    _refused(b, late, f"signed by orga's signing key {old_keys['signing_key_id']}, replaced on .*new key ids checked")

    # A's next package, signed with its new key, imports (and brings the record the refused one carried)
    shared_incident(a, title="After the new keys")
    nxt = tmp_path / "3.svp"
    export(a, "orgb", nxt)
    share_import.run(b, SYSTEM, nxt)
    assert received(b, "After the new keys") is not None and received(b, "Signed with the old key") is not None

    # B, having recorded A's new encryption key, sends to A: A opens it with its new key
    fixtures.incident(b, title="B's own record", confidentiality="public")
    to_a = tmp_path / "b-to-a.svp"
    export(b, "orga", to_a)
    assert share_import.run(a, SYSTEM, to_a)["dry_run"] is False


def test_a_package_encrypted_to_a_replaced_own_key_is_refused_with_the_reason(pair, tmp_path: Path):  # noqa: F811
    a, b, _c = pair
    fixtures.incident(b, title="B's record", confidentiality="public")
    to_a = tmp_path / "b-to-a-old.svp"
    export(b, "orga", to_a)  # encrypted to A's current key ...
    old_id = sharing.public_keys(a)["encryption_key_id"]
    share_keys.rotate_own_keys(a, SYSTEM, "key file exposed (synthetic)")  # ... which A then replaces
    _refused(a, to_a, f"encrypted to this installation's encryption key {old_id}, replaced on .*key file exposed")
    with pytest.raises(ValidationFailed, match="reason"):
        share_keys.rotate_own_keys(a, SYSTEM, "")
