"""Sign in (password, then a second factor when the user has one), sign out, language."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from svidok.http import client
from svidok.services import accounts, sessions, two_factor
from svidok.services import sign_in_throttle as throttle

from .. import i18n
from ..deps import csrf_checked
from ..i18n import _
from ..render import redirect, render
from .common import call, form_dict, text

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def address_of(request: Request) -> str:
    return client.address(request.scope, request.app.state.svidok.settings.trusted_proxies)


def _too_many(request: Request, wait: int, template: str = "login.html", **ctx):
    if wait < 120:
        message = _("Too many failed sign-ins. Try again in %(seconds)d seconds.") % {"seconds": wait}
    else:
        message = _("Too many failed sign-ins. Try again in %(minutes)d minutes.") % {"minutes": wait // 60 + 1}
    response = render(request, template, status=429, message=message, **ctx)
    response.headers["Retry-After"] = str(wait)
    return response


async def _begin(request: Request, user_id: int, stage: str):
    """A new session (new id and CSRF token) for this step of signing in; the previous one ends."""
    core, web_session = request.app.state.svidok, request.state.web_session
    if web_session.token:
        await call(sessions.end, core, web_session.token, "next step of sign-in")
    token, csrf = await call(sessions.start, core, user_id, stage, address_of(request),
                             request.headers.get("user-agent"))
    web_session.sign_in(token, csrf, stage)


@router.get("/login")
async def login_page(request: Request):
    expired = request.query_params.get("expired") == "1"
    message = _("Your session expired; sign in again.") if expired else None
    return render(request, "login.html", message=message, next=_safe_next(request.query_params.get("next")))


@router.post("/login", dependencies=[Depends(csrf_checked)])
async def login(request: Request):
    core = request.app.state.svidok
    form = await form_dict(request)
    username, password = text(form.get("username")) or "", str(form.get("password") or "")
    address = address_of(request)
    wait = await call(throttle.wait_seconds, core, username, address)
    if wait:
        return _too_many(request, wait, username=username, next=form.get("next"))
    actor = await call(accounts.authenticate, core, username, password) if username else None
    if actor is None:
        await call(throttle.failed, core, username, address)
        return render(request, "login.html", status=401, message=_("Wrong user name or password."),
                      username=username, next=form.get("next"))
    target = _safe_next(form.get("next"))
    if await call(two_factor.enabled, core, actor.user_id):
        await _begin(request, actor.user_id, "totp")  # the password alone is not enough
        return redirect(request, "/login/code?next=" + target)
    await call(throttle.succeeded, core, actor.user_id, username, address)
    if await call(two_factor.required, core, actor.user_id):
        await _begin(request, actor.user_id, "enrol")
        return redirect(request, "/account/2fa", _("Your role must use two-factor sign-in: set it up to continue."))
    await _begin(request, actor.user_id, "full")
    return redirect(request, target)


@router.get("/login/code")
async def code_page(request: Request):
    if getattr(request.state, "second_factor_user", None) is None:
        return redirect(request, "/login")
    return render(request, "login_code.html", next=_safe_next(request.query_params.get("next")))


@router.post("/login/code", dependencies=[Depends(csrf_checked)])
async def code(request: Request):
    core = request.app.state.svidok
    pending = getattr(request.state, "second_factor_user", None)
    if pending is None:
        return redirect(request, "/login?expired=1")
    form = await form_dict(request)
    address = address_of(request)
    wait = await call(throttle.wait_seconds, core, pending.username, address)
    if wait:
        return _too_many(request, wait, "login_code.html", next=form.get("next"))
    if not await call(two_factor.check, core, pending.user_id, text(form.get("code")) or ""):
        await call(throttle.failed, core, pending.username, address)
        return render(request, "login_code.html", status=401, next=form.get("next"),
                      message=_("That code is not right (or was used already). Try the next one."))
    await call(throttle.succeeded, core, pending.user_id, pending.username, address)
    await _begin(request, pending.user_id, "full")
    return redirect(request, _safe_next(form.get("next")))


@router.post("/logout", dependencies=[Depends(csrf_checked)])
async def logout(request: Request):
    web_session = request.state.web_session
    if web_session.token:
        await call(sessions.end, request.app.state.svidok, web_session.token, "signed out")
    web_session.sign_out()
    return redirect(request, "/login")


@router.post("/language", dependencies=[Depends(csrf_checked)])
async def language(request: Request):
    form = await form_dict(request)
    lang = form.get("lang")
    if lang in i18n.LANGUAGES:
        request.state.web_session["l"] = lang
        request.state.web_session.changed = True
    return redirect(request, _safe_next(form.get("next")))
