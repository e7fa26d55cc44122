"""Sign in, sign out, language, and the user's own API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from svidok.services import accounts

from .. import i18n
from ..deps import csrf_checked, signed_in
from ..i18n import _
from ..render import redirect, render
from .common import call, form_dict, text

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
async def login_page(request: Request):  # noqa: ANN201
    expired = request.query_params.get("expired") == "1"
    message = _("Your session expired; sign in again.") if expired else None
    return render(request, "login.html", message=message, next=_safe_next(request.query_params.get("next")))


@router.post("/login", dependencies=[Depends(csrf_checked)])
async def login(request: Request):  # noqa: ANN201
    form = await form_dict(request)
    username, password = text(form.get("username")) or "", str(form.get("password") or "")
    # Per user name (5 failures in 15 min) and, more loosely, per address (many users share a proxy).
    by_user, by_addr = request.app.state.sign_in_throttle
    user_key, addr_key = f"user:{username.lower()}", f"addr:{request.client.host if request.client else '-'}"
    wait = max(by_user.wait_seconds(user_key), by_addr.wait_seconds(addr_key))
    if wait:
        message = _("Too many failed sign-ins. Try again in %(minutes)d minutes.") % {"minutes": wait // 60 + 1}
        return render(request, "login.html", status=429, message=message, username=username, next=form.get("next"))
    actor = await call(accounts.authenticate, request.app.state.svidok, username, password) if username else None
    if actor is None:
        by_user.failed(user_key)
        by_addr.failed(addr_key)
        return render(request, "login.html", status=401, message=_("Wrong user name or password."),
                      username=username, next=form.get("next"))
    by_user.succeeded(user_key)
    request.state.web_session.sign_in(actor.user_id)
    return redirect(request, _safe_next(form.get("next")))


@router.post("/logout", dependencies=[Depends(csrf_checked)])
async def logout(request: Request):  # noqa: ANN201
    request.state.web_session.sign_out()
    return redirect(request, "/login")


@router.post("/language", dependencies=[Depends(csrf_checked)])
async def language(request: Request):  # noqa: ANN201
    form = await form_dict(request)
    lang = form.get("lang")
    if lang in i18n.LANGUAGES:
        request.state.web_session["l"] = lang
        request.state.web_session.changed = True
    return redirect(request, _safe_next(form.get("next")))


@router.get("/account")
async def account(request: Request, actor=Depends(signed_in)):  # noqa: ANN001, ANN201
    return render(request, "account.html")


@router.post("/account/token", dependencies=[Depends(csrf_checked)])
async def new_token(request: Request, actor=Depends(signed_in)):  # noqa: ANN001, ANN201
    form = await form_dict(request)
    name = text(form.get("name")) or "script"
    token = await call(accounts.create_token, request.app.state.svidok, actor, actor.username, name[:100])
    return render(request, "account.html", token=token)
