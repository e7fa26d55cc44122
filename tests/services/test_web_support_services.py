"""The services behind the imports and keys pages, on both engines: staging an upload (refusals
leave nothing behind), the list of past imports, and the keys/seal status (no secret in it)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from svidok.core.errors import Forbidden, ValidationFailed
from svidok.services import evidence, import_uploads, imports, key_status, ledger_sealing
from tests import fixtures as fx

ROOT = Path(__file__).resolve().parents[2]
CSV = (ROOT / "docs/formats/hotline-example.csv").read_bytes()
MAPPING = (ROOT / "docs/formats/hotline-example.mapping.yaml").read_bytes()


def test_stage_checks_before_keeping_anything_and_runs_lists_imports(app):
    inv = fx.user(app, "investigator", "inv")
    viewer = fx.user(app, "viewer", "vi")
    with pytest.raises(ValidationFailed, match="does not fit"):
        import_uploads.stage(app, inv, "hotline.csv", io.BytesIO(CSV), mapping_name="acled")
    with pytest.raises(ValidationFailed, match="larger than the limit"):
        import_uploads.stage(app, inv, "hotline.csv", io.BytesIO(CSV), mapping_text=MAPPING, limit=100)
    with pytest.raises(Forbidden):
        import_uploads.stage(app, viewer, "hotline.csv", io.BytesIO(CSV), mapping_text=MAPPING)
    folder = import_uploads.folder(app)
    assert not folder.exists() or list(folder.iterdir()) == []
    staged = import_uploads.stage(app, inv, "../../hotline.csv", io.BytesIO(CSV), mapping_text=MAPPING)
    assert Path(staged["path"]).parent.parent == folder and Path(staged["path"]).name == "hotline.csv"
    imports.run_file(app, inv, staged["path"], staged["mapping"])
    runs = import_uploads.runs(app, inv)
    assert [(r["name"], r["file"], r["status"], r["added"]["incidents"]) for r in runs] == \
        [("hotline-example", "hotline.csv", "finished", 3)]
    assert import_uploads.runs(app, fx.user(app, "investigator", "other")) == []  # one's own runs only


def test_key_status_before_and_after_a_seal(app):
    admin = fx.user(app, "administrator", "root")
    fx.incident(app)
    before = key_status.status(app, admin)
    assert before["last_head"] is None and before["unsealed"] == before["ledger_entries"] > 0
    ledger_sealing.seal(app)
    after = key_status.status(app, admin)
    assert after["unsealed"] == 0 and after["tree_heads"] == 1
    assert after["last_head"]["signed_by_this_key"] and after["signing_key"]["key_id"] == evidence.public_key(app)["key_id"]
    assert after["keyring"]["active"] in after["keyring"]["key_ids"] and after["keyring"]["lacking"] == []
    text = json.dumps(after, default=str)
    assert "PRIVATE" not in text and '"keys"' not in text
    with pytest.raises(Forbidden):
        key_status.status(app, fx.user(app, "investigator", "inv"))
