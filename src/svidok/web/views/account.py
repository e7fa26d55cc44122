"""The user's own account: sessions, API tokens, password and two-factor sign-in."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.http.deps import PathId
from svidok.services import accounts, sessions, two_factor

from ..deps import Enrolling, SignedIn, csrf_checked
from ..i18n import _
from ..render import redirect, render
from .auth import _begin
from .common import call, form_again, form_dict, text

router = APIRouter()


async def _page(request: Request, actor, status: int = 200, **extra):
    core = request.app.state.svidok
    return render(request, "account.html", status=status,
                  sessions=await call(sessions.list_active, core, actor),
                  current_session=request.state.web_session.session_id,
                  tokens=await call(accounts.list_tokens, core, actor),
                  two_factor=await call(two_factor.status, core, actor),
                  media_blur=await call(accounts.media_blur, core, actor), **extra)


@router.get("/account")
async def account(request: Request, actor: SignedIn):
    return await _page(request, actor)


@router.post("/account/token", dependencies=[Depends(csrf_checked)])
async def new_token(request: Request, actor: SignedIn):
    form = await form_dict(request)
    name = text(form.get("name")) or "script"
    token = await call(accounts.create_token, request.app.state.svidok, actor, actor.username, name[:100])
    return await _page(request, actor, token=token)


@router.post("/account/tokens/{token_id}/revoke", dependencies=[Depends(csrf_checked)])
async def revoke_token(token_id: PathId, request: Request, actor: SignedIn):
    await call(accounts.revoke_token, request.app.state.svidok, actor, token_id)
    return redirect(request, "/account", _("Token revoked."))


@router.post("/account/sessions/{session_id}/revoke", dependencies=[Depends(csrf_checked)])
async def revoke_session(session_id: PathId, request: Request, actor: SignedIn):
    await call(sessions.revoke, request.app.state.svidok, actor, session_id)
    if session_id == request.state.web_session.session_id:
        request.state.web_session.sign_out()
        return redirect(request, "/login")
    return redirect(request, "/account", _("Session ended."))


@router.post("/account/media", dependencies=[Depends(csrf_checked)])
async def media_setting(request: Request, actor: SignedIn):
    """Blur evidence pictures and video frames until clicked (all, or those marked graphic), or show them at once."""
    form = await form_dict(request)
    graphic, every = form.get("blur_graphic") == "on", form.get("blur_all_media") == "on"
    await call(accounts.set_media_blur, request.app.state.svidok, actor, graphic, every)
    message = (_("Pictures will be blurred until you click them.") if every
               else _("Pictures marked graphic will be blurred until you click them; others will be shown.") if graphic
               else _("Pictures will be shown without blurring."))
    return redirect(request, "/account", message)


@router.post("/account/password", dependencies=[Depends(csrf_checked)])
async def change_password(request: Request, actor: SignedIn):
    form = await form_dict(request)
    async with form_again(lambda errors: _page(request, actor, 422, errors=errors)):
        if form.get("new_password") != form.get("new_password_again"):
            raise ValidationFailed(FieldError("new_password_again", M_("the two passwords differ")))
        await call(accounts.change_password, request.app.state.svidok, actor, str(form.get("current_password") or ""),
                   str(form.get("new_password") or ""), request.state.web_session.session_id)
    return redirect(request, "/account", _("Password changed; your other sessions were ended."))


@router.get("/account/2fa")
async def two_factor_page(request: Request, actor: Enrolling):
    status = await call(two_factor.status, request.app.state.svidok, actor)
    return render(request, "two_factor.html", status_=status, user=actor)


@router.post("/account/2fa/begin", dependencies=[Depends(csrf_checked)])
async def two_factor_begin(request: Request, actor: Enrolling):
    started = await call(two_factor.begin, request.app.state.svidok, actor)
    return render(request, "two_factor.html", setup=started, user=actor,
                  status_=await call(two_factor.status, request.app.state.svidok, actor))


@router.post("/account/2fa/confirm", dependencies=[Depends(csrf_checked)])
async def two_factor_confirm(request: Request, actor: Enrolling):
    core = request.app.state.svidok
    form = await form_dict(request)

    async def again(errors: dict[str, str]):
        return render(request, "two_factor.html", status=422, errors=errors, user=actor,
                      setup=await call(two_factor.pending, core, actor), status_=await call(two_factor.status, core, actor))

    async with form_again(again):
        codes = await call(two_factor.confirm, core, actor, text(form.get("code")) or "")
    await _begin(request, actor.user_id, "full")  # a new session: the old one was weaker
    await call(sessions.end_others, core, actor.user_id, request.state.web_session.token, "two-factor sign-in set up")
    return render(request, "two_factor.html", codes=codes, user=actor,
                  status_=await call(two_factor.status, core, actor))


@router.post("/account/2fa/codes", dependencies=[Depends(csrf_checked)])
async def two_factor_codes(request: Request, actor: SignedIn):
    codes = await call(two_factor.new_recovery_codes, request.app.state.svidok, actor)
    return render(request, "two_factor.html", codes=codes, user=actor,
                  status_=await call(two_factor.status, request.app.state.svidok, actor))


@router.post("/account/2fa/off", dependencies=[Depends(csrf_checked)])
async def two_factor_off(request: Request, actor: SignedIn):
    core = request.app.state.svidok
    form = await form_dict(request)
    if await call(two_factor.required, core, actor.user_id):
        return await _page(request, actor, 409, message=_("Your role must use two-factor sign-in."))
    if await call(accounts.authenticate, core, actor.username, str(form.get("password") or "")) is None:
        return await _page(request, actor, 422, errors={"password": _("this is not your password")})
    await call(two_factor.disable, core, actor, actor.username, "turned off by the user")
    request.state.web_session.sign_out()
    return redirect(request, "/login", _("Two-factor sign-in is off. Sign in again."))
