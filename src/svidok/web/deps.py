"""Page dependencies: who is signed in, what their role allows, and the CSRF check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from svidok.core.actors import Actor

from .i18n import _
from .render import LoginRequired, PageError

CSRF_FIELD = "csrf_token"


async def signed_in(request: Request) -> Actor:
    actor = getattr(request.state, "actor", None)
    if actor is None:
        raise LoginRequired()
    return actor


async def writer(request: Request) -> Actor:
    actor = await signed_in(request)
    if not actor.can_write:
        raise PageError(403, _("Your role may not change records."))
    return actor


async def administrator(request: Request) -> Actor:
    actor = await signed_in(request)
    if not actor.is_admin:
        raise PageError(403, _("Only an administrator may do this."))
    return actor


async def csrf_checked(request: Request) -> None:
    """Every POST from a web page carries the session's token (form field or X-CSRF-Token)."""
    session = request.state.web_session
    token = request.headers.get("x-csrf-token")
    if token is None:
        try:
            form = await request.form()
        except Exception:
            form = {}
        token = form.get(CSRF_FIELD)
    if not session.csrf_ok(token if isinstance(token, str) else None):
        raise PageError(403, _("The form expired or did not come from this site (missing or wrong security token). "
                               "Reload the page and try again; nothing was saved."))


async def enrolling(request: Request) -> Actor:
    """Signed in, or signed in with a password but obliged to set up two-factor sign-in first."""
    actor = getattr(request.state, "actor", None) or getattr(request.state, "enrolling", None)
    if actor is None:
        raise LoginRequired()
    return actor


#: The signed-in actor as a typed parameter, by what the page needs of them.
SignedIn = Annotated[Actor, Depends(signed_in)]
Writer = Annotated[Actor, Depends(writer)]
Administrator = Annotated[Actor, Depends(administrator)]
Enrolling = Annotated[Actor, Depends(enrolling)]
