"""The administrator's keys and seal page: fingerprints and seal state, never secret material."""

from __future__ import annotations

import base64
import json

from svidok.services import evidence, ledger_sealing, two_factor
from svidok.services.field_crypto import Keyring
from tests import fixtures as fx


def test_keys_page_shows_fingerprints_seal_and_policy_but_no_secret(web, client_for):
    core, _ = web
    fx.incident(core)  # writes ledger entries
    before = client_for("administrator").get("/admin/keys").text
    assert "Never" in before  # not sealed yet
    head = ledger_sealing.seal(core)
    two_factor.set_role_policy(core, fx.user(core, "administrator", "root"), "analyst", True)
    page = client_for("administrator").get("/admin/keys")
    assert page.status_code == 200
    text = page.text
    key_id = evidence.public_key(core)["key_id"]
    assert key_id in text and head["root_hash"] in text
    ring = Keyring.load(core.key_file, core.settings.field_key)
    assert ring.active in text
    for secret in ring.keys.values():  # the keyring's key bytes appear nowhere, in any encoding
        assert base64.b64encode(secret).decode() not in text and secret.hex() not in text
    assert "PRIVATE KEY" not in text and json.dumps(ring.to_json())[:20] not in text
    assert "<td>analyst</td><td>yes</td>" in text and "<td>viewer</td><td>no</td>" in text
    for role in ("investigator", "viewer"):
        assert client_for(role).get("/admin/keys", follow_redirects=False).status_code == 403
