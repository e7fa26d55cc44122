"""Sources: grades, consent, and identities that only cleared roles may read."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from svidok.core import access
from svidok.core.actors import Actor
from svidok.core.errors import Forbidden
from svidok.core.messages import M_
from svidok.core.validation import Checker
from svidok.schemas.records import SourceIn
from svidok.storage.models import Case, Source

from . import history, ledger, paging

if TYPE_CHECKING:
    from svidok.app import Svidok

ENTITY = "source"


def new_pseudonym() -> str:
    return "SRC-" + secrets.token_hex(3).upper()


def check(app: Svidok, s: Session, d: SourceIn, actor: Actor) -> Checker:
    c = Checker(app.vocab, s, actor)
    c.term("source_types", d.kind, "kind")
    c.term("source_reliability", d.reliability, "reliability")
    c.term("information_credibility", d.credibility, "credibility")
    c.term("confidentiality", d.confidentiality, "confidentiality")
    c.term("source_risks", d.risk, "risk")
    c.exists(Case, d.case_id, "case_id", "case")
    return c


def create_in(app: Svidok, s: Session, actor: Actor, d: SourceIn) -> Source:
    check(app, s, d, actor).raise_if_any()
    src = Source(**d.model_dump(exclude={"identity", "contact"}), created_by=actor.username)
    src.pseudonym = d.pseudonym or new_pseudonym()
    s.add(src)
    s.flush()
    src.identity_enc = app.keyring.encrypt(d.identity, f"sources.identity:{src.id}")
    src.contact_enc = app.keyring.encrypt(d.contact, f"sources.contact:{src.id}")
    s.flush()
    history.record(s, actor, ENTITY, src, "create", None)
    return src


def create(app: Svidok, actor: Actor, d: SourceIn) -> dict:
    access.require_writer(actor)
    with app.db.session() as s:
        return public_view(create_in(app, s, actor, d))


def public_view(src: Source) -> dict:
    """What anyone who may see the source record sees: never the identity or contact."""
    out = history.snapshot(src)
    out.pop("identity_enc", None)
    out.pop("contact_enc", None)
    out["identity"] = src.pseudonym if src.identity_protected else None
    out["has_identity"] = src.identity_enc is not None
    return out


def get(app: Svidok, actor: Actor, source_id: int) -> dict:
    with app.db.session() as s:
        return public_view(access.require_visible(s.get(Source, source_id), actor, M_("source %(id)s", id=source_id)))


def reveal(app: Svidok, actor: Actor, source_id: int, purpose: str) -> dict:
    """Decrypt identity and contact for a cleared role; the read is written to the ledger."""
    with app.db.session() as s:
        src = access.require_visible(s.get(Source, source_id), actor, M_("source %(id)s", id=source_id))
        if not actor.can_read_protected:
            raise Forbidden(M_("your role may not read source identities; you see the pseudonym"))
        out = public_view(src)
        out["identity"] = app.keyring.decrypt(src.identity_enc, f"sources.identity:{src.id}")
        out["contact"] = app.keyring.decrypt(src.contact_enc, f"sources.contact:{src.id}")
        ledger.append(s, actor.username, "protected.read", ENTITY, src.id, {"fields": ["identity", "contact"], "purpose": purpose})
        return out


def listing(app: Svidok, actor: Actor, after: int | None = None, limit: int = 50) -> tuple[list[dict], int | None]:
    with app.db.session() as s:
        q = select(Source).where(access.visibility_clause(Source, actor))
        rows, next_id = paging.newest_first(s, q, Source.id, after, limit)
        return [public_view(r) for r in rows], next_id
