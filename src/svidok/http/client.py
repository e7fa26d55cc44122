"""Who is on the other end: the client's address and whether it came over https.

Behind a reverse proxy the peer is the proxy; its ``X-Forwarded-For`` and
``X-Forwarded-Proto`` are believed only when the peer is listed in
``SVIDOK_TRUSTED_PROXIES`` (anyone else could send them to dodge throttling or fake https).
"""

from __future__ import annotations

from starlette.types import Scope


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers") or []:
        if k == name:
            return v.decode("latin-1")
    return None


def _trusted(scope: Scope, trusted: list[str] | tuple[str, ...]) -> bool:
    client = scope.get("client")
    return bool(trusted) and client is not None and client[0] in trusted


def address(scope: Scope, trusted: list[str] | tuple[str, ...] = ()) -> str:
    client = scope.get("client")
    peer = client[0] if client else "-"
    if not _trusted(scope, trusted):
        return peer
    hops = [h.strip() for h in (_header(scope, b"x-forwarded-for") or "").split(",") if h.strip()]
    for hop in reversed(hops):  # the rightmost address no trusted proxy added is the client
        if hop not in trusted:
            return hop[:64]
    return peer


def is_https(scope: Scope, trusted: list[str] | tuple[str, ...] = ()) -> bool:
    if scope.get("scheme") == "https":
        return True
    if _trusted(scope, trusted):
        proto = (_header(scope, b"x-forwarded-proto") or "").split(",")[0].strip().lower()
        return proto == "https"
    return False
