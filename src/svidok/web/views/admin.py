"""Administration: users (the web side of ``svidok user add``), case grants, keys and the ledger's seal."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from svidok.core.actors import LEVELS, ROLES
from svidok.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from svidok.core.messages import M_
from svidok.services import accounts, key_status, records, sessions, two_factor

from ..deps import Administrator, csrf_checked
from ..i18n import _, say
from ..render import redirect, render
from .common import call, form_again, form_dict, text, whole

router = APIRouter()


async def _page(request: Request, status: int = 200, **extra):
    users = await call(accounts.list_users, request.app.state.svidok)
    policies = await call(two_factor.role_policies, request.app.state.svidok)
    return render(request, "admin/users.html", status=status, users=users, roles=ROLES, levels=LEVELS, policies=policies,
                  **{"values": {}, "errors": {}, **extra})


@router.get("/admin/users")
async def users(request: Request, actor: Administrator):
    return await _page(request)


@router.post("/admin/users", dependencies=[Depends(csrf_checked)])
async def add_user(request: Request, actor: Administrator):
    form = await form_dict(request)
    username = text(form.get("username")) or ""
    try:
        async with form_again(lambda errors: _page(request, 422, values=form, errors=errors)):
            if form.get("password") != form.get("password_again"):
                raise ValidationFailed(FieldError("password_again", M_("the two passwords differ")))
            await call(accounts.create_user, request.app.state.svidok, actor, username, str(form.get("password") or ""),
                       text(form.get("role")) or "", text(form.get("display_name")))
    except Conflict as exc:
        return await _page(request, 409, values=form, errors={"username": say(exc)})
    return redirect(request, "/admin/users", _("User %(name)s created.") % {"name": username})


@router.post("/admin/grants", dependencies=[Depends(csrf_checked)])
async def grant(request: Request, actor: Administrator):
    form = await form_dict(request)
    case_id = text(form.get("case_id"))
    try:
        async with form_again(lambda errors: _page(request, 422, grant_values=form, grant_errors=errors)):
            if whole(case_id) is None:
                raise ValidationFailed(FieldError("case_id", M_("a case number")))
            try:
                await call(records.get, request.app.state.svidok, actor, "case", whole(case_id))
            except NotFound:
                raise ValidationFailed(FieldError("case_id", M_("there is no case %(case_id)s", case_id=case_id))) from None
            await call(accounts.grant_case, request.app.state.svidok, actor, text(form.get("grant_username")) or "",
                       whole(case_id), text(form.get("level")) or "confidential")
    except NotFound as exc:
        return await _page(request, 404, grant_values=form, grant_errors={"grant_username": say(exc)})
    return redirect(request, "/admin/users", _("Case access granted."))


@router.post("/admin/users/{username}/deactivate", dependencies=[Depends(csrf_checked)])
async def deactivate(username: str, request: Request, actor: Administrator):
    await call(accounts.set_active, request.app.state.svidok, actor, username, False)
    return redirect(request, "/admin/users", _("User %(name)s deactivated; their sessions ended.") % {"name": username})


@router.post("/admin/users/{username}/activate", dependencies=[Depends(csrf_checked)])
async def activate(username: str, request: Request, actor: Administrator):
    await call(accounts.set_active, request.app.state.svidok, actor, username, True)
    return redirect(request, "/admin/users", _("User %(name)s reactivated.") % {"name": username})


@router.post("/admin/users/{username}/sessions/revoke", dependencies=[Depends(csrf_checked)])
async def revoke_sessions(username: str, request: Request, actor: Administrator):
    n = await call(sessions.revoke_user, request.app.state.svidok, actor, username)
    return redirect(request, "/admin/users", _("%(n)s sessions of %(name)s ended.") % {"n": n, "name": username})


@router.post("/admin/users/{username}/2fa/off", dependencies=[Depends(csrf_checked)])
async def two_factor_off(username: str, request: Request, actor: Administrator):
    await call(two_factor.disable, request.app.state.svidok, actor, username, "reset by an administrator")
    return redirect(request, "/admin/users", _("Two-factor sign-in of %(name)s turned off.") % {"name": username})


@router.post("/admin/policy", dependencies=[Depends(csrf_checked)])
async def policy(request: Request, actor: Administrator):
    form = await form_dict(request)
    required = form.get("require_2fa") or []
    required = required if isinstance(required, list) else [required]
    for role in ROLES:
        await call(two_factor.set_role_policy, request.app.state.svidok, actor, role, role in required)
    return redirect(request, "/admin/users", _("Sign-in policy saved."))


@router.get("/admin/keys")
async def keys(request: Request, actor: Administrator):
    """Which keys exist (fingerprints only), the last seal, the last verify and the sign-in policy."""
    state = await call(key_status.status, request.app.state.svidok, actor)
    return render(request, "admin/keys.html", keys=state)
