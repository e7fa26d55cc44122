"""Replay of a capture's WACZ without the network: its responses, looked up by URL.

The main page's HTML and style sheets are rewritten so that every address the archive holds
points at the replay route (``prefix`` + the quoted original URL); an address the archive
lacks is pointed nowhere (``about:blank``), so the page never reaches the original site.
The web layer serves this in a sandboxed frame (no scripts) under a strict CSP.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin

from warcio.archiveiterator import ArchiveIterator

_ATTR = re.compile(r"""(\s(?:src|href|poster|data-src)\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
_SRCSET = re.compile(r"""(\ssrcset\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""", re.IGNORECASE)
_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    media_type: str
    body: bytes


class Archive:
    """The responses of one WACZ (last one wins for a URL) and its main page's address."""

    def __init__(self, wacz: Path) -> None:
        self.responses: dict[str, Response] = {}
        with zipfile.ZipFile(wacz) as z:
            self.main_url = json.loads(z.read("datapackage.json")).get("mainPageUrl")
            for rec in ArchiveIterator(io.BytesIO(z.read("archive/data.warc.gz"))):
                if rec.rec_type != "response":
                    continue
                url = rec.rec_headers.get_header("WARC-Target-URI")
                mt = (rec.http_headers.get_header("Content-Type") or "application/octet-stream").split(";")[0].strip()
                status = int((rec.http_headers.get_statuscode() or "200")[:3])
                self.responses[url] = Response(url, status, mt, rec.content_stream().read())

    def get(self, url: str) -> Response | None:
        return self.responses.get(url)

    def rewritten(self, r: Response, prefix: str) -> bytes:
        """The response's body with its addresses pointed into the archive (HTML and CSS; others as kept)."""
        if r.media_type not in ("text/html", "text/css"):
            return r.body
        text = r.body.decode("utf-8", "replace")

        def local(raw: str) -> str:
            raw = raw.strip()
            if raw.startswith(("data:", "#")):
                return raw
            absolute = urljoin(r.url, raw)
            return prefix + quote(absolute, safe="") if absolute in self.responses else "about:blank"

        if r.media_type == "text/html":
            text = _SCRIPT.sub("", text)  # nothing runs in a replay (the frame forbids it too)
            text = _ATTR.sub(lambda m: f"{m[1]}{m[2]}{local(m[3])}{m[2]}", text)
            text = _SRCSET.sub(lambda m: m[1] + m[2] + ", ".join(
                " ".join([local(part.split()[0]), *part.split()[1:]]) for part in m[3].split(",") if part.split())
                + m[2], text)
        return _CSS_URL.sub(lambda m: f"url({m[1]}{local(m[2])}{m[1]})", text).encode("utf-8")
