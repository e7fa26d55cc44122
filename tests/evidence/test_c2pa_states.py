"""A file the C2PA library cannot parse is "could not be examined", not "failed": a truncated JPEG, a
malformed PDF, a signed JPEG cut short. "Invalid" stays for a manifest that was read (or found) and fails."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from svidok.core.actors import SYSTEM
from svidok.evidence.provenance import NOT_EXAMINED, read_c2pa
from svidok.services import evidence
from tests import fixtures as fx
from tests.evidence import c2pa_samples as samples
from tests.web.conftest import client_for, csrf, web  # noqa: F401  (the web pages' fixtures)

pytest.importorskip("c2pa")

MALFORMED_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nno cross-reference table here\n"


@pytest.fixture(scope="module")
def signed() -> bytes:
    return samples.signed_jpeg("Test camera", "Test C2PA CA", (30, 90, 30), (96, 64), {
        "claim_generator_info": [{"name": "Synthetic Camera App", "version": "1.0"}],
        "assertions": [samples.CREATED]})[0]


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (5, 6, 7)).save(out, "JPEG")
    return out.getvalue()


def _read(tmp_path, data: bytes, media_type: str) -> dict | None:
    path = tmp_path / "file"
    path.write_bytes(data)
    return read_c2pa(path, media_type)


def test_unparsable_files_are_not_examined_with_the_reason(tmp_path, signed) -> None:
    for data, media_type, why in ((_jpeg()[:120], "image/jpeg", "Could not parse input JPEG"),
                                  (MALFORMED_PDF, "application/pdf", "could not be parsed"),
                                  (signed[: len(signed) // 2], "image/jpeg", "Could not parse input JPEG"),
                                  (b"not an image at all", "image/jpeg", "unsupported")):
        c = _read(tmp_path, data, media_type)
        assert c is not None and c["state"] == NOT_EXAMINED and c["trust"] == "not examined", (media_type, c)
        assert why in c["reason"] and c["problems"] == []


def test_manifests_read_and_failing_stay_invalid(tmp_path, signed) -> None:
    assert _read(tmp_path, signed, "image/jpeg")["state"] == "Valid"
    assert _read(tmp_path, _jpeg(), "image/jpeg") is None  # no manifest: nothing to say
    changed = _read(tmp_path, samples.tampered(signed), "image/jpeg")
    assert changed["state"] == "Invalid" and "assertion.dataHash.mismatch" in changed["problems"]
    broken = bytearray(signed)
    broken[signed.find(b"jumb") + 200] ^= 0xFF  # inside the manifest: found, but it does not decode
    c = _read(tmp_path, bytes(broken), "image/jpeg")
    assert c["state"] == "Invalid" and c["trust"] == "failed" and "the manifest could not be read" in c["problems"][0]


def test_evidence_page_says_could_not_be_examined_not_failed(web, client_for, signed) -> None:  # noqa: F811
    core, _asgi = web
    inc = fx.incident(core, confidentiality="public")

    def ingest(data: bytes, name: str, media_type: str) -> dict:
        return evidence.ingest(core, SYSTEM, io.BytesIO(data), original_name=name, media_type=media_type,
                               incident_id=inc["id"], confidentiality="public")

    cut = ingest(signed[: len(signed) // 2], "cut.jpg", "image/jpeg")
    pdf = ingest(MALFORMED_PDF, "report.pdf", "application/pdf")
    bad = ingest(samples.tampered(signed), "edited.jpg", "image/jpeg")
    assert cut["extracted"]["c2pa"]["state"] == pdf["extracted"]["c2pa"]["state"] == NOT_EXAMINED
    viewer = client_for("viewer")
    for item, why in ((cut, "Could not parse input JPEG"), (pdf, "could not be parsed")):
        page = viewer.get(f"/evidence/{item['id']}").text
        assert "Could not be examined" in page and why in page
        assert "Verification FAILED" not in page and "Signature and hashes verified" not in page
    page = viewer.get(f"/evidence/{bad['id']}").text
    assert "Verification FAILED" in page and "Could not be examined" not in page
    viewer.post("/language", data={"csrf_token": csrf(viewer), "lang": "uk"})
    page = viewer.get(f"/evidence/{cut['id']}").text
    assert "Не вдалося перевірити" in page and "Could not be examined" not in page
