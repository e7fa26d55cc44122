"""Web sessions (kept in the database), CSRF tokens and the actor behind a request.

Two cookies:

- ``svidok_session`` holds only a random session id; the database keeps its SHA-256 with
  the user, the CSRF token, the stage of sign-in, the idle and absolute limits
  (``services.sessions``). Signing out, a password change, deactivation or an
  administrator ends it for every web worker at once.
- ``svidok_prefs``, signed with ``<data_dir>/keys/session-secret`` (itsdangerous), holds
  what a visitor has before signing in: the sign-in form's CSRF token, the language and a
  one-time message. It never says who anyone is.
"""

from __future__ import annotations

import hmac
import os
import secrets
from http.cookies import SimpleCookie
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from svidok.http import client
from svidok.services import sessions

from . import i18n

COOKIE = "svidok_session"
PREFS_COOKIE = "svidok_prefs"
PREFS_SECONDS = 30 * 24 * 3600
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


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
    """The preferences cookie (a dict) plus the database session the request belongs to."""

    changed = False
    #: The session ended (idle, absolute limit, revoked): the sign-in page says so.
    expired = False

    def __init__(self) -> None:
        super().__init__()
        self.token: str | None = None  # the id in the cookie, when it names a live session
        self.session_id: int | None = None
        self.stage: str | None = None
        self._csrf: str | None = None  # the database session's token
        self.new_token: str | None = None
        self.drop_token = False

    @property
    def csrf(self) -> str:
        if self._csrf:
            return self._csrf
        if "c" not in self:
            self["c"] = secrets.token_urlsafe(24)
            self.changed = True
        return self["c"]

    def csrf_ok(self, token: str | None) -> bool:
        expected = self._csrf or self.get("c")
        return bool(token) and bool(expected) and hmac.compare_digest(str(token), str(expected))

    def sign_in(self, token: str, csrf: str, stage: str = "full") -> None:
        """Use a session just started (a new id after every step of sign-in: no fixation)."""
        self.token, self.new_token, self._csrf, self.stage = token, token, csrf, stage
        self.drop_token = False
        self.pop("c", None)
        self.changed = True

    def sign_out(self) -> None:
        self.token = self.new_token = self._csrf = self.stage = self.session_id = None
        self.drop_token = True
        self.pop("c", None)
        self.changed = True


class SessionMiddleware:
    """Pure ASGI: read the cookies, set ``state.actor`` (or a pending sign-in), the language."""

    def __init__(self, app: ASGIApp, core, secret: bytes):
        self.app = app
        self.core = core
        self.trusted = core.settings.trusted_proxies
        self.signer = URLSafeTimedSerializer(secret, salt="svidok.web.prefs")
        self.max_age = core.settings.session_max_hours * 3600

    def _prefs(self, raw: str | None, session: WebSession) -> None:
        if not raw:
            return
        try:
            session.update(self.signer.loads(raw, max_age=PREFS_SECONDS))
        except BadSignature:
            session.changed = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers") or []}
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:
            cookie = SimpleCookie()
        session = WebSession()
        self._prefs(cookie[PREFS_COOKIE].value if PREFS_COOKIE in cookie else None, session)
        state = scope.setdefault("state", {})
        state["web_session"] = session
        lang = i18n.choose(session.get("l"), headers.get("accept-language"))
        state["lang"] = lang
        i18n.current.set(lang)
        path = scope["path"]
        actor = None
        raw_id = cookie[COOKIE].value if COOKIE in cookie else None
        if raw_id and not path.startswith("/static/"):
            found = await run_in_threadpool(sessions.resolve, self.core, raw_id)
            if found.ended is not None:
                session.expired = found.ended != "unknown"
                session.drop_token = True
            else:
                session.token, session.session_id, session.stage = raw_id, found.session_id, found.stage
                session._csrf = found.csrf
                if found.stage == "full":
                    actor = found.actor
                    state["blur_media"] = found.blur_media
                    state["blur_all_media"] = found.blur_all_media
                elif found.stage == "enrol":
                    state["enrolling"] = found.actor  # may only set up two-factor sign-in
                else:
                    state["second_factor_user"] = found.actor
        api_write = path.startswith("/api/") and scope["method"] in UNSAFE
        bearer = headers.get("authorization", "").lower().startswith("bearer ")
        if actor is not None and api_write and not bearer and not session.csrf_ok(headers.get("x-csrf-token")):
            actor = None  # a cookie alone never authorises an API write (CSRF); the API answers 401
        if actor is not None and not bearer:
            state["actor"] = actor
        secure = "; Secure" if client.is_https(scope, self.trusted) else ""

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = []
                if session.new_token:
                    extra.append(f"{COOKIE}={session.new_token}; Path=/; HttpOnly; SameSite=Lax; "
                                 f"Max-Age={self.max_age}{secure}")
                elif session.drop_token:
                    extra.append(f"{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
                if session.changed:
                    value = self.signer.dumps(dict(session)) if session else ""
                    age = PREFS_SECONDS if session else 0
                    extra.append(f"{PREFS_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={age}{secure}")
                if extra:
                    message["headers"] = [*message.get("headers", []),
                                          *((b"set-cookie", e.encode("latin-1")) for e in extra)]
            await send(message)

        await self.app(scope, receive, send_with_cookies)
