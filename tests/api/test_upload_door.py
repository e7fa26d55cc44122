"""Uploads: who and how much is decided before the body is read (finding 1), and any file name downloads.

The app is driven as an ASGI server drives it, with a ``receive`` that counts how many body
bytes the app pulled: an upload refused at the door must pull none.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from svidok.core.actors import SYSTEM
from svidok.server import create_app
from svidok.services import accounts, evidence
from svidok.storage.models import EvidenceItem
from tests import fixtures as fx

MIB = 1 << 20
PHOTO = b"\xff\xd8\xff\xe0" + b"synthetic jpeg-ish bytes " * 400


class Body:
    """A request body of ``size`` bytes sent in 1 MiB chunks, counting what the app reads."""

    def __init__(self, size: int, head: bytes = b""):
        self.size, self.head, self.sent = size, head, 0

    async def receive(self) -> dict:
        if self.sent >= self.size:
            await asyncio.sleep(3600)  # a client that keeps the connection open
        chunk = (self.head if self.sent == 0 and self.head else b"\0" * MIB)[: self.size - self.sent]
        self.sent += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": self.sent < self.size}


def _call(asgi, method: str, path: str, body: Body, headers: dict[str, str], query: str = "") -> tuple[int, dict, bytes]:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in {"host": "testserver", **headers}.items()],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
    out: dict = {"status": None, "headers": {}, "body": b""}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
            out["headers"] = {k.decode(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    asyncio.run(asyncio.wait_for(asgi(scope, body.receive, send), 120))
    return out["status"], out["headers"], out["body"]


@pytest.fixture
def door(app, tmp_path, monkeypatch):
    """(core, asgi, token of an investigator, token of a viewer); temporary files go to a folder we watch."""
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    accounts.create_user(app, SYSTEM, "inv", "correct horse battery", "investigator")
    accounts.create_user(app, SYSTEM, "view", "correct horse battery", "viewer")
    return app, create_app(app), accounts.create_token(app, SYSTEM, "inv"), accounts.create_token(app, SYSTEM, "view")


def _leftovers(core) -> list[Path]:
    data = Path(core.settings.data_dir)
    spool = Path(tempfile.gettempdir())
    return [*data.glob(".upload-*"), *spool.iterdir(), *evidence.evidence_store(core).stale_temp_files()]


def _items(core) -> int:
    with core.db.session() as s:
        return s.query(EvidenceItem).count()


MULTIPART_HEAD = (b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.mp4\"\r\n"
                  b"Content-Type: video/mp4\r\n\r\n")
MULTIPART = {"content-type": "multipart/form-data; boundary=XyZ"}


@pytest.mark.parametrize("method,path,query", [("POST", "/api/v1/evidence", ""),
                                                ("PUT", "/api/v1/evidence/raw", "original_name=big.mp4"),
                                                ("POST", "/upload/incidents/1/evidence", "")])
def test_an_anonymous_upload_of_300_mib_is_refused_before_a_byte_is_read(door, method, path, query):
    core, asgi, _inv, _view = door
    body = Body(300 * MIB, MULTIPART_HEAD)
    status, headers, _ = _call(asgi, method, path, body, {**MULTIPART, "content-length": str(300 * MIB)}, query)
    assert status in (401, 303) and (status == 401 or headers["location"] == "/login")
    assert body.sent == 0 and _leftovers(core) == []


@pytest.mark.parametrize("method,path,query", [("POST", "/api/v1/evidence", ""),
                                                ("PUT", "/api/v1/evidence/raw", "original_name=big.mp4")])
def test_a_reader_cannot_upload_and_a_bad_token_is_refused_before_the_body(door, method, path, query):
    core, asgi, _inv, viewer = door
    for token, expected in ((viewer, 403), ("svk_not-a-token", 401)):
        body = Body(50 * MIB, MULTIPART_HEAD)
        status, _, _ = _call(asgi, method, path, body, {**MULTIPART, "authorization": f"Bearer {token}",
                                                          "content-length": str(50 * MIB)}, query)
        assert status == expected and body.sent == 0
    assert _leftovers(core) == []


def test_a_declared_length_over_the_limit_is_refused_at_once(door):
    core, asgi, inv, _ = door
    limit = core.settings.max_upload_bytes
    body = Body(limit + MIB, MULTIPART_HEAD)
    status, headers, text = _call(asgi, "POST", "/api/v1/evidence", body, {
        **MULTIPART, "authorization": f"Bearer {inv}", "content-length": str(limit + MIB)})
    assert status == 413 and body.sent == 0 and str(limit) in text.decode()
    assert headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("method,path,query,head,headers", [
    ("POST", "/api/v1/evidence", "", MULTIPART_HEAD, MULTIPART),
    ("PUT", "/api/v1/evidence/raw", "original_name=big.mp4", b"", {"content-type": "video/mp4"})])
def test_a_chunked_body_without_length_stops_at_the_limit_and_leaves_nothing(door, monkeypatch, method, path, query,
                                                                            head, headers):
    core, asgi, inv, _ = door
    monkeypatch.setattr(core.settings, "max_upload_bytes", 5 * MIB)
    body = Body(60 * MIB, head)
    status, _, text = _call(asgi, method, path, body, {**headers, "authorization": f"Bearer {inv}",
                                                       "transfer-encoding": "chunked"}, query)
    assert status == 413, text
    assert body.sent <= 7 * MIB  # the limit, the form's envelope and the chunk that crossed it
    assert _leftovers(core) == [] and _items(core) == 0


def test_an_upload_within_the_limit_still_works_streamed(door, monkeypatch):
    core, asgi, inv, _ = door
    monkeypatch.setattr(core.settings, "max_upload_bytes", 5 * MIB)
    inc = fx.incident(core)
    body = Body(3 * MIB, b"%PDF-1.4 synthetic\n")
    status, _, text = _call(asgi, "PUT", "/api/v1/evidence/raw", body, {
        "content-type": "application/pdf", "authorization": f"Bearer {inv}", "transfer-encoding": "chunked"},
        f"original_name=report.pdf&incident_id={inc['id']}")
    assert status == 201, text
    assert _items(core) == 1 and [p for p in _leftovers(core)] == []


def test_a_ukrainian_file_name_downloads_with_an_rfc_5987_name_and_an_ascii_fallback(door):
    core, asgi, inv, _ = door
    inc = fx.incident(core)
    with TestClient(asgi) as c:
        c.headers["Authorization"] = f"Bearer {inv}"
        r = c.post("/api/v1/evidence", files={"file": ("фото_свідка.jpg", PHOTO, "image/jpeg")},
                   data={"incident_id": str(inc["id"])})
        assert r.status_code == 201, r.text
        got = c.post(f"/api/v1/evidence/{r.json()['id']}/download", json={"purpose": "review"})
    assert got.status_code == 200 and got.content == PHOTO
    disposition = got.headers["content-disposition"]
    assert disposition == ('attachment; filename="foto_svidka.jpg"; '
                           f"filename*=UTF-8''{quote('фото_свідка.jpg', safe='')}")
    disposition.encode("latin-1")  # a header value the wire can carry


def test_a_file_name_with_quotes_and_control_characters_cannot_break_the_header(door):
    from svidok.http.downloads import content_disposition

    header = content_disposition('a"b\r\nSet-Cookie: x=1.jpg')
    assert "\r" not in header and "\n" not in header and header.count('"') == 2
