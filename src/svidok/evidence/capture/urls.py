"""Which URLs a capture may fetch: http(s) only, and no private addresses unless allowed.

A server that fetches URLs its users type can be turned against its own network
(server-side request forgery). Every hop — the first request, each redirect, each
resource the page loads, each media download — resolves the host and refuses loopback,
private, link-local, multicast, reserved and unspecified addresses unless the
installation allows them (``SVIDOK_CAPTURE_ALLOW_PRIVATE``, for tests and laptops).
"""

from __future__ import annotations

import asyncio
import csv
import io
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("http", "https")
MAX_URL_LENGTH = 2000
TELEGRAM_HOSTS = ("t.me", "telegram.me", "www.t.me", "www.telegram.me")


class CaptureRefused(ValueError):
    """A URL that must not be fetched; the message says why."""


def check_syntax(url: str) -> str:
    """The URL, stripped, if it is an absolute http(s) URL with a host; else ``CaptureRefused``."""
    u = (url or "").strip()
    if not u:
        raise CaptureRefused("empty URL")
    if len(u) > MAX_URL_LENGTH:
        raise CaptureRefused(f"URL longer than {MAX_URL_LENGTH} characters")
    parts = urlsplit(u)
    if parts.scheme.lower() not in SCHEMES:
        raise CaptureRefused(f"{u!r}: only http and https URLs can be captured, not {parts.scheme or 'no scheme'!r}")
    if not parts.hostname:
        raise CaptureRefused(f"{u!r}: no host name")
    if parts.username or parts.password:
        raise CaptureRefused(f"{u!r}: URLs with a user name or password are not captured")
    return u


def refused_address(ip: str) -> str | None:
    """Why an address is private (or None when it is public)."""
    a = ipaddress.ip_address(ip)
    if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped:
        a = a.ipv4_mapped
    for attr, what in (("is_loopback", "loopback"), ("is_private", "private"), ("is_link_local", "link-local"),
                       ("is_multicast", "multicast"), ("is_reserved", "reserved"), ("is_unspecified", "unspecified")):
        if getattr(a, attr):
            return f"{a} is a {what} address"
    if not a.is_global:  # shared (carrier NAT), documentation and other non-public ranges
        return f"{a} is not a public address"
    return None


async def check_host(url: str, allow_private: bool) -> None:
    """Resolve the URL's host and refuse it if any address is private (unless allowed)."""
    host = urlsplit(url).hostname or ""
    port = urlsplit(url).port or (443 if url.lower().startswith("https") else 80)
    if allow_private:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise CaptureRefused(f"{host}: the name does not resolve ({exc})") from None
    for info in infos:
        why = refused_address(info[4][0])
        if why:
            raise CaptureRefused(f"{url}: {host} resolves to a private address ({why}); refused "
                                 "(SVIDOK_CAPTURE_ALLOW_PRIVATE allows it on a laptop)")


@dataclass(frozen=True)
class Target:
    """What to load for a requested URL: itself, or a Telegram post's public web view."""

    requested: str
    fetch: str
    kind: str  # "web" or "telegram"


def target(url: str, telegram_base: str = "https://t.me") -> Target:
    """``t.me/CHANNEL/ID`` becomes the post's embed view, ``t.me/s/CHANNEL`` the channel's web view.

    ``telegram_base`` replaces ``https://t.me`` (tests point it at a local server).
    """
    u = check_syntax(url)
    parts = urlsplit(u)
    if (parts.hostname or "").lower() not in TELEGRAM_HOSTS:
        return Target(u, u, "web")
    path = [p for p in parts.path.split("/") if p]
    base = telegram_base.rstrip("/")
    if len(path) >= 2 and path[0] == "s":  # t.me/s/CHANNEL[/ID]
        return Target(u, f"{base}/s/{'/'.join(path[1:3])}", "telegram")
    if len(path) == 2 and path[1].isdigit():  # t.me/CHANNEL/ID
        return Target(u, f"{base}/{path[0]}/{path[1]}?embed=1&mode=tme", "telegram")
    if len(path) == 1:
        return Target(u, f"{base}/s/{path[0]}", "telegram")
    return Target(u, urlunsplit(parts._replace(scheme=base.split(":")[0], netloc=urlsplit(base).netloc)), "telegram")


def read_url_file(data: bytes) -> list[str]:
    """URLs of a CSV (a ``url`` column, else the first column) or a plain list, one a line.

    Raises ``CaptureRefused`` naming the rows that are not capturable URLs.
    """
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    col, start = 0, 0
    if rows and any(c.strip().lower() == "url" for c in rows[0]):
        col = [c.strip().lower() for c in rows[0]].index("url")
        start = 1
    urls, problems = [], []
    for n, row in enumerate(rows[start:], start=start + 1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        value = row[col] if col < len(row) else ""
        try:
            urls.append(check_syntax(value))
        except CaptureRefused as exc:
            problems.append(f"row {n}, url: {exc}")
    if problems:
        raise CaptureRefused("; ".join(problems))
    return urls
