"""Signed-cookie sessions for the web pages, CSRF tokens and the actor behind a request.

The cookie holds ``{"u": user id, "c": CSRF token, "l": language}``, signed with a
secret kept in ``<data_dir>/keys/session-secret`` (itsdangerous). It is re-signed on
every response, so it expires after ``idle`` seconds without a request. The actor is
looked up on every request, so a deactivated user is signed out at once.
"""

from __future__ import annotations

import hmac
import os
import secrets
from http.cookies import SimpleCookie
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from svidok.services import accounts

from . import i18n

COOKIE = "svidok_session"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
DEFAULT_IDLE_SECONDS = 2 * 3600


def idle_seconds(settings) -> int:  # noqa: ANN001
    """``settings.session_idle_minutes`` when the core has it, else SVIDOK_SESSION_IDLE_MINUTES, else 2 h."""
    minutes = getattr(settings, "session_idle_minutes", None) or os.environ.get("SVIDOK_SESSION_IDLE_MINUTES")
    return int(float(minutes) * 60) if minutes else DEFAULT_IDLE_SECONDS


def load_secret(data_dir: Path) -> bytes:
    """The signing secret, created (32 random bytes, mode 0600) on first use."""
    path = Path(data_dir) / "keys" / "session-secret"
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secret)
    finally:
        os.close(fd)
    return secret


class WebSession(dict):
    """The decoded cookie; ``changed`` makes the middleware send a new one."""

    changed = False
    expired = False

    @property
    def csrf(self) -> str:
        if "c" not in self:
            self["c"] = secrets.token_urlsafe(24)
            self.changed = True
        return self["c"]

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and "c" in self and hmac.compare_digest(str(token), self["c"])

    def sign_in(self, user_id: int) -> None:
        lang = self.get("l")
        self.clear()
        self["u"] = user_id
        if lang:
            self["l"] = lang
        self["c"] = secrets.token_urlsafe(24)  # a new token after sign-in (no fixation)
        self.changed = True

    def sign_out(self) -> None:
        lang = self.get("l")
        self.clear()
        if lang:
            self["l"] = lang
        self.changed = True


class SessionMiddleware:
    """Pure ASGI: decode the cookie, set ``state.actor``, ``state.web_session``, the language."""

    def __init__(self, app: ASGIApp, core, secret: bytes, idle: int):  # noqa: ANN001
        self.app = app
        self.core = core
        self.idle = idle
        self.signer = URLSafeTimedSerializer(secret, salt="svidok.web.session")

    def _decode(self, raw: str | None) -> WebSession:
        session = WebSession()
        if not raw:
            return session
        try:
            session.update(self.signer.loads(raw, max_age=self.idle))
        except SignatureExpired:
            session.expired = True
            session.changed = True
        except BadSignature:
            session.changed = True
        return session

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers") or []}
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # noqa: BLE001 - a malformed cookie header is treated as no cookie
            cookie = SimpleCookie()
        session = self._decode(cookie[COOKIE].value if COOKIE in cookie else None)
        state = scope.setdefault("state", {})
        state["web_session"] = session
        lang = i18n.choose(session.get("l"), headers.get("accept-language"))
        state["lang"] = lang
        i18n.current.set(lang)
        actor = None
        if "u" in session and not scope["path"].startswith("/static/"):
            from starlette.concurrency import run_in_threadpool

            actor = await run_in_threadpool(accounts.actor_by_id, self.core, session["u"])
            if actor is None:  # deactivated or deleted since sign-in
                session.sign_out()
        path = scope["path"]
        api_write = path.startswith("/api/") and scope["method"] in UNSAFE
        bearer = headers.get("authorization", "").lower().startswith("bearer ")
        if actor is not None and api_write and not bearer and not session.csrf_ok(headers.get("x-csrf-token")):
            actor = None  # a cookie alone never authorises an API write (CSRF); the API answers 401
        if actor is not None and not bearer:
            state["actor"] = actor
        secure = scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and (session.changed or "u" in session):
                value = self.signer.dumps(dict(session)) if session else ""
                attrs = f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax"
                attrs += f"; Max-Age={self.idle}" if session else "; Max-Age=0"
                if secure:
                    attrs += "; Secure"
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"set-cookie", attrs.encode("latin-1"))]
            await send(message)

        await self.app(scope, receive, send_with_cookie)
