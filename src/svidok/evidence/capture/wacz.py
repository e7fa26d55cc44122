"""A capture's exchanges as a WARC, packaged as a WACZ (Web Archive Collection Zipped, 1.1.1).

The WACZ holds ``archive/data.warc.gz`` (one gzip member per record, so each is readable
at its offset), ``indexes/index.cdx`` (CDXJ, SURT-sorted), ``pages/pages.jsonl``,
``datapackage.json`` (SHA-256 and size of each file) and ``datapackage-digest.json``
(SHA-256 of the package description). ReplayWeb.page and pywb open it as it is.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .fetch import Exchange

WACZ_VERSION = "1.1.1"


def surt(url: str) -> str:
    """Sort-friendly URI Reordering Transform: ``com,example)/path?b=1&a=2`` → sorted query."""
    p = urlsplit(url)
    host = (p.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    key = ",".join(reversed(host.split(".")))
    if p.port and p.port not in (80, 443):
        key += f":{p.port}"
    query = urlencode(sorted(parse_qsl(p.query, keep_blank_values=True)))
    return f"{key})" + (p.path or "/").lower() + (f"?{query.lower()}" if query else "")


def _ts(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y%m%d%H%M%S")


def write_warc(exchanges: Iterable[Exchange], out: io.BufferedIOBase, software: str) -> list[str]:
    """Write warcinfo, then request and response records; return the CDXJ lines (unsorted)."""
    writer = WARCWriter(out, gzip=True)
    info = writer.create_warcinfo_record("data.warc.gz", {"software": software, "format": "WARC File Format 1.1"})
    writer.write_record(info)
    lines = []
    for ex in exchanges:
        date = datetime.fromtimestamp(ex.at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        status = f"{ex.status} {ex.reason or ''}".strip()
        resp_headers = StatusAndHeaders(status, ex.headers, protocol=f"HTTP/{ex.http_version.split('/')[-1]}"
                                        if ex.http_version else "HTTP/1.1")
        resp = writer.create_warc_record(ex.url, "response", payload=io.BytesIO(ex.body), http_headers=resp_headers,
                                         warc_headers_dict={"WARC-Date": date})
        offset = out.tell()
        writer.write_record(resp)
        length = out.tell() - offset
        path = urlsplit(ex.url).path + (f"?{urlsplit(ex.url).query}" if urlsplit(ex.url).query else "")
        req_headers = StatusAndHeaders(f"{ex.method} {path or '/'} HTTP/1.1", ex.request_headers, is_http_request=True)
        req = writer.create_warc_record(ex.url, "request", payload=io.BytesIO(ex.request_body or b""),
                                        http_headers=req_headers, warc_headers_dict={"WARC-Date": date})
        req.rec_headers.add_header("WARC-Concurrent-To", resp.rec_headers.get_header("WARC-Record-ID"))
        writer.write_record(req)
        mime = (ex.header("content-type") or "").split(";")[0].strip() or "unk"
        fields = {"url": ex.url, "mime": mime, "status": str(ex.status),
                  "digest": resp.rec_headers.get_header("WARC-Payload-Digest"), "length": str(length),
                  "offset": str(offset), "filename": "data.warc.gz"}
        lines.append(f"{surt(ex.url)} {_ts(ex.at)} {json.dumps(fields, separators=(',', ':'))}")
    return lines


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def write_wacz(path: Path, exchanges: list[Exchange], *, page_url: str, title: str | None, at: float,
               software: str, extra_files: dict[str, bytes] | None = None) -> None:
    """Write the WACZ of one page capture to ``path``."""
    warc = io.BytesIO()
    cdx = sorted(write_warc(exchanges, warc, software))
    iso = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    pages = [{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"},
             {"id": hashlib.sha256(page_url.encode()).hexdigest()[:32], "url": page_url, "ts": iso,
              "title": title or page_url}]
    files = {"archive/data.warc.gz": warc.getvalue(),
             "indexes/index.cdx": ("\n".join(cdx) + "\n").encode(),
             "pages/pages.jsonl": "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages).encode()}
    files.update(extra_files or {})
    package = {"profile": "data-package", "wacz_version": WACZ_VERSION, "title": title or page_url,
               "mainPageUrl": page_url, "mainPageDate": iso, "created": iso, "software": software,
               "resources": [{"name": Path(name).name, "path": name, "hash": _sha(data), "bytes": len(data)}
                             for name, data in files.items()]}
    package_bytes = json.dumps(package, indent=2, ensure_ascii=False).encode()
    digest = json.dumps({"path": "datapackage.json", "hash": _sha(package_bytes)}, indent=2).encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            # The WARC is already gzip'ed per record: stored, so readers can seek into it.
            kind = zipfile.ZIP_STORED if name.endswith(".gz") else zipfile.ZIP_DEFLATED
            z.writestr(zipfile.ZipInfo(name, date_time=datetime.fromtimestamp(at, UTC).timetuple()[:6]),
                       data, compress_type=kind)
        z.writestr("datapackage.json", package_bytes)
        z.writestr("datapackage-digest.json", digest)


def check_wacz(path: Path) -> list[str]:
    """Problems of a WACZ: files whose hash or size differs from datapackage.json (empty when sound)."""
    problems = []
    with zipfile.ZipFile(path) as z:
        package_bytes = z.read("datapackage.json")
        digest = json.loads(z.read("datapackage-digest.json"))
        if digest.get("hash") != _sha(package_bytes):
            problems.append("datapackage.json does not match datapackage-digest.json")
        for res in json.loads(package_bytes)["resources"]:
            data = z.read(res["path"])
            if _sha(data) != res["hash"] or len(data) != res["bytes"]:
                problems.append(f"{res['path']}: hash or size differs from datapackage.json")
    return problems
