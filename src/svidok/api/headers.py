"""Security headers on every answer (pages, API, static files, refusals).

- ``Content-Security-Policy``: scripts, styles, fonts and connections from this site only;
  images also from ``data:`` (Leaflet and Swagger UI draw a few) and from the tile server
  when ``SVIDOK_TILE_URL`` is set; no plugins, no framing, forms post here only.
- ``Strict-Transport-Security`` when the request came over https (directly, or through a
  proxy listed in ``SVIDOK_TRUSTED_PROXIES``): never on plain http, where it means nothing.
- ``Permissions-Policy`` denies camera, microphone, geolocation and the like;
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``, ``X-Frame-Options: DENY``.

A header a response already carries is left as it is.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from svidok.http import client

HSTS = "max-age=63072000; includeSubDomains"
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), " \
              "display-capture=(), interest-cohort=()"


def content_security_policy(tile_url: str | None) -> str:
    images = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0").replace("{y}", "0"))
        if parts.scheme in ("http", "https") and parts.hostname:
            host = parts.hostname.replace("a.", "*.", 1) if "{s}" in tile_url else parts.hostname
            images += f" {parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src " + images + "; font-src 'self'; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class SecurityHeaders:
    def __init__(self, app: ASGIApp, core):
        self.app = app
        self.trusted = core.settings.trusted_proxies
        self.fixed = [
            (b"content-security-policy", content_security_policy(core.settings.tile_url).encode()),
            (b"permissions-policy", PERMISSIONS.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(self.fixed)
        if client.is_https(scope, self.trusted):
            extra.append((b"strict-transport-security", HSTS.encode()))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
