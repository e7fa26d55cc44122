"""URL rules, Telegram addresses, the URL file reader, the WACZ writer — no browser."""

from __future__ import annotations

import asyncio
import json
import zipfile

import pytest

from svidok.evidence.capture import diff, page_js
from svidok.evidence.capture.fetch import Exchange
from svidok.evidence.capture.urls import CaptureRefused, check_host, read_url_file, refused_address, target
from svidok.evidence.capture.wacz import check_wacz, surt, write_wacz


@pytest.mark.parametrize("ip", ["127.0.0.1", "10.1.2.3", "192.168.0.10", "172.16.5.5", "169.254.169.254", "::1",
                                "fe80::1", "0.0.0.0", "::ffff:127.0.0.1", "224.0.0.1", "100.64.0.1"])
def test_private_addresses_are_named(ip: str) -> None:
    assert refused_address(ip) is not None


@pytest.mark.parametrize("ip", ["93.184.216.34", "2606:4700::1111", "8.8.8.8"])
def test_public_addresses_pass(ip: str) -> None:
    assert refused_address(ip) is None


def test_loopback_names_are_refused_unless_allowed() -> None:
    with pytest.raises(CaptureRefused, match="loopback"):
        asyncio.run(check_host("http://localhost:8080/x", allow_private=False))
    asyncio.run(check_host("http://localhost:8080/x", allow_private=True))


def test_telegram_addresses() -> None:
    assert target("https://t.me/chan/42", "http://127.0.0.1:5").fetch == "http://127.0.0.1:5/chan/42?embed=1&mode=tme"
    assert target("https://t.me/s/chan", "http://127.0.0.1:5").fetch == "http://127.0.0.1:5/s/chan"
    assert target("https://telegram.me/chan").fetch == "https://t.me/s/chan"
    assert target("https://example.org/t.me/x").kind == "web"


def test_url_file_names_bad_rows() -> None:
    assert read_url_file(b"url\nhttps://a.example/1\n\nhttp://b.example/2\n") == \
        ["https://a.example/1", "http://b.example/2"]
    assert read_url_file(b"https://a.example/1\n# a comment\n") == ["https://a.example/1"]
    with pytest.raises(CaptureRefused) as exc:
        read_url_file(b"id,url\n1,https://a.example/\n2,mailto:x@y\n3,\n")
    assert "row 3, url:" in str(exc.value) and "row 4, url: empty URL" in str(exc.value)


def test_surt_and_wacz_package(tmp_path) -> None:
    assert surt("https://www.Example.org:8443/A/b?z=1&a=2") == "org,example:8443)/a/b?a=2&z=1"
    ex = Exchange("GET", "https://example.org/", [("user-agent", "t")], None, 200, "OK", "HTTP/1.1",
                  [("content-type", "text/html")], b"<html>hi</html>", 1_700_000_000.0)
    path = tmp_path / "a.wacz"
    write_wacz(path, [ex], page_url="https://example.org/", title="Hi", at=1_700_000_000.0, software="test")
    assert check_wacz(path) == []
    with zipfile.ZipFile(path) as z:
        pkg = json.loads(z.read("datapackage.json"))
        assert {r["path"] for r in pkg["resources"]} == {"archive/data.warc.gz", "indexes/index.cdx",
                                                          "pages/pages.jsonl"}
        assert z.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
    # A changed byte inside the package is found.
    tampered = tmp_path / "b.wacz"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data.replace(b"All Pages", b"All Pagez") if info.filename.startswith("pages") else data)
    assert check_wacz(tampered) == ["pages/pages.jsonl: hash or size differs from datapackage.json"]


def test_views_and_diff_summary() -> None:
    assert [page_js.views_number(v) for v in ("845", "12.3K", "1.2M", "", None, "n/a")] == \
        [845, 12300, 1200000, None, None, None]
    s = diff.summary({"title": "A", "artefacts": [{"role": "text", "name": "t", "sha256": "1"}]},
                     {"title": "B", "artefacts": [{"role": "text", "name": "t", "sha256": "2"}]}, "x\ny", "x\nz")
    assert s["facts"] == {"title": {"before": "A", "after": "B"}}
    assert s["text"] == {"changed": True, "lines_added": 1, "lines_removed": 1} and s["changed"]
