"""Guarded HTTP for captures: every hop checked (``urls.check_host``), bodies streamed and capped.

The browser never reaches the network itself: each of its requests is fetched here and
handed back to it (``browser``), which is also how the exchanges reach the WARC.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import httpx

from .urls import CaptureRefused, check_host, check_syntax

MAX_REDIRECTS = 10
#: Request headers not passed on (the fetcher sets its own; identity keeps bodies as sent).
_DROP = {"host", "accept-encoding", "connection", "content-length", "proxy-connection", "keep-alive"}


class TooLarge(CaptureRefused):
    pass


@dataclass
class Exchange:
    """One request and its response, as sent and received (for the WARC)."""

    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: bytes | None
    status: int
    reason: str
    http_version: str
    headers: list[tuple[str, str]]
    body: bytes
    at: float = field(default=0.0)

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


def client(timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(follow_redirects=False, trust_env=False,
                             timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                             headers={"accept-encoding": "identity"})


async def fetch(http: httpx.AsyncClient, method: str, url: str, headers: dict[str, str] | None = None,
                body: bytes | None = None, *, max_bytes: int, allow_private: bool, deadline: float) -> Exchange:
    """One hop (no redirect followed), the body read into memory up to ``max_bytes``."""
    check_syntax(url)
    await check_host(url, allow_private)
    sent = {k: v for k, v in (headers or {}).items() if k.lower() not in _DROP and not k.startswith(":")}
    sent["accept-encoding"] = "identity"

    async def go() -> Exchange:
        req = http.build_request(method, url, headers=sent, content=body)
        resp = await http.send(req, stream=True)
        try:
            chunks, size = [], 0
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise TooLarge(f"{url}: {int(declared)} bytes announced, more than the {max_bytes}-byte limit")
            async for chunk in resp.aiter_raw():
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"{url}: more than the {max_bytes}-byte limit")
                chunks.append(chunk)
        finally:
            await resp.aclose()
        return Exchange(method, url, list(req.headers.items()), body, resp.status_code, resp.reason_phrase,
                        resp.http_version, list(resp.headers.multi_items()), b"".join(chunks), time.time())

    budget = max(0.1, deadline - time.monotonic())
    try:
        return await asyncio.wait_for(go(), timeout=budget)
    except TimeoutError:
        raise CaptureRefused(f"{url}: no complete answer in the time allowed") from None
    except httpx.HTTPError as exc:
        raise CaptureRefused(f"{url}: {type(exc).__name__}: {exc or 'connection failed'}") from None


@dataclass(frozen=True)
class Download:
    url: str
    final_url: str
    status: int
    media_type: str | None
    path: Path
    size: int
    sha256: str


async def download(http: httpx.AsyncClient, url: str, dest: Path, *, max_bytes: int, allow_private: bool,
                   deadline: float) -> Download:
    """Stream ``url`` (following redirects, each hop checked) into ``dest``, hashing as it goes.

    Past ``max_bytes`` (announced or counted) or the deadline the partial file is removed
    and ``TooLarge`` / ``CaptureRefused`` says why: nothing half-stored.
    """
    current = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            check_syntax(current)
            await check_host(current, allow_private)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CaptureRefused(f"{url}: download not finished in time")
            async with asyncio.timeout(remaining):
                async with http.stream("GET", current) as resp:
                    if resp.is_redirect and resp.headers.get("location"):
                        current = urljoin(current, resp.headers["location"])
                        continue
                    if resp.status_code >= 400:
                        raise CaptureRefused(f"{current}: HTTP {resp.status_code}")
                    declared = resp.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > max_bytes:
                        raise TooLarge(f"{current}: {int(declared)} bytes announced, more than the "
                                       f"{max_bytes}-byte limit; not downloaded")
                    h, size = hashlib.sha256(), 0
                    with open(dest, "wb") as out:
                        async for chunk in resp.aiter_raw(1 << 20):
                            size += len(chunk)
                            if size > max_bytes:
                                raise TooLarge(f"{current}: more than the {max_bytes}-byte limit; not kept")
                            h.update(chunk)
                            out.write(chunk)
                    mt = (resp.headers.get("content-type") or "").split(";")[0].strip() or None
                    return Download(url, current, resp.status_code, mt, dest, size, h.hexdigest())
        raise CaptureRefused(f"{url}: more than {MAX_REDIRECTS} redirects")
    except BaseException as exc:
        try:
            os.unlink(dest)
        except FileNotFoundError:
            pass
        if isinstance(exc, TimeoutError):
            raise CaptureRefused(f"{url}: download not finished in time") from None
        if isinstance(exc, httpx.HTTPError):
            raise CaptureRefused(f"{url}: {type(exc).__name__}: {exc or 'connection failed'}") from None
        raise
