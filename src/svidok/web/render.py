"""Templates (Jinja2 with the i18n extension), page helpers and the web's own errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from svidok.core.actors import Actor
from svidok.core.messages import restored

from . import i18n

TEMPLATES = Path(__file__).resolve().parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
env.globals["LANGUAGES"] = i18n.LANGUAGES
env.globals["FAMILIES"] = i18n.FAMILIES


def coord(value: float | str | None, places: int = 5) -> str:
    """A coordinate for reading: 5 decimals is about a metre, more is noise from a conversion."""
    try:
        return f"{float(value):.{places}f}".rstrip("0").rstrip(".")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "" if value is None else str(value)


env.filters["coord"] = coord
# Text a service saved with its message id (svidok.core.messages.stored), in the page's language.
env.filters["said"] = lambda value: i18n.reason(restored(value))


def filesize(value: int | float | None) -> str:
    """A file's size for reading, in the interface's language (decimal units, as Jinja's own filter)."""
    if value is None:
        return ""
    size = float(value)
    if size < 1000:
        return i18n.ngettext("%(num)d byte", "%(num)d bytes", int(size)) % {"num": int(size)}
    for unit in (i18n.N_("%(size)s kB"), i18n.N_("%(size)s MB"), i18n.N_("%(size)s GB"), i18n.N_("%(size)s TB")):
        size /= 1000
        if size < 1000 or unit.endswith("TB"):
            return i18n.gettext(unit) % {"size": f"{size:.1f}"}
    return str(value)  # not reached


env.filters["filesizeformat"] = filesize  # Jinja's own says "Bytes" and "kB" in every language


class LoginRequired(Exception):
    """Raised by page dependencies when nobody is signed in (answered with a redirect)."""


class PageError(Exception):
    """A refusal or failure shown to the user as a page (never a stack trace)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def lang_of(request: Request) -> str:
    return getattr(request.state, "lang", i18n.DEFAULT)


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    lang = lang_of(request)
    i18n.current.set(lang)  # rendering happens in this thread: the callables read it
    core = request.app.state.svidok
    session = getattr(request.state, "web_session", None)
    actor: Actor | None = getattr(request.state, "actor", None)

    def label(vocabulary: str, code: str | None) -> str:
        return core.vocab.label(vocabulary, code, lang)

    def terms(vocabulary: str) -> list[tuple[str, str]]:
        return [(t.code, t.label(lang)) for t in core.vocab[vocabulary].terms.values()]

    def provision_groups() -> list[tuple[str, list[tuple[str, str, str | None]]]]:
        """Legal provisions grouped by instrument, each as (code, label, article)."""
        groups: dict[str, list[tuple[str, str, str | None]]] = {}
        for t in core.vocab["legal_provisions"].terms.values():
            instrument = core.vocab.label("legal_instruments", t.extra.get("instrument"), lang) or "—"
            groups.setdefault(instrument, []).append((t.code, t.label(lang), t.extra.get("article")))
        return list(groups.items())

    def title_of(record: Any) -> str:
        """A record's title in the interface's language when it has one (``title_i18n``), else as written."""
        get = record.get if isinstance(record, dict) else lambda k: getattr(record, k, None)
        return (get("title_i18n") or {}).get(lang) or get("title") or ""

    def url_with(**changes: Any) -> str:
        params = {k: v for k, v in request.query_params.items() if k not in changes}
        params.update({k: v for k, v in changes.items() if v not in (None, "")})
        return f"{request.url.path}?{urlencode(params)}" if params else request.url.path

    ctx.setdefault("values", {})
    ctx.setdefault("errors", {})
    html = env.get_template(name).render(
        request=request, actor=actor, lang=lang, csrf=session.csrf if session is not None else "",
        label=label, terms=terms, provision_groups=provision_groups, url_with=url_with, title_of=title_of,
        tile_url=core.settings.tile_url, flash=_pop_flash(session), blur_media=getattr(request.state, "blur_media", True),
        blur_all_media=getattr(request.state, "blur_all_media", True), **ctx,
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Cache-Control"] = "no-store"  # pages may hold protected data
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _pop_flash(session) -> str | None:
    if session is None or "f" not in session:
        return None
    session.changed = True
    return session.pop("f")


def redirect(request: Request, url: str, flash: str | None = None) -> RedirectResponse:
    """303 to ``url``; ``flash`` is shown once on the next page (kept in the session, not the URL)."""
    session = getattr(request.state, "web_session", None)
    if flash and session is not None:
        session["f"] = flash
        session.changed = True
    return RedirectResponse(url, status_code=303)
