"""Which victims a figure counts: the one victim selection every figure rests on.

Need-to-know, the incident filter, act- and victim-level conditions, merged and withdrawn
person records: a brief's figure, a breakdown, the statistics page and an estimate's lists
all select victims through :func:`victim_base`, so they cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, aliased

from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.schemas.filters import IncidentFilter
from svidok.services import incident_queries
from svidok.storage.models import Act, Incident, Person, Qualification, Victim

from .places import oblast_of

if TYPE_CHECKING:
    from svidok.app import Svidok

INCIDENT_FILTER = set(IncidentFilter.model_fields)
#: Victim-level arguments: they select victims, not just the incidents that have such victims.
VICTIM_LEVEL = {"harm", "characteristic", "victim_status"}
ACT_LEVEL = {"violation_type", "family", "means", "provision"}



def as_list(v: Any) -> list:
    return [] if v is None else list(v) if isinstance(v, list | tuple | set) else [v]


def incident_conditions(app: Svidok, s: Session, actor: Actor, kwargs: dict, acts_too: bool = True) -> list:
    """Need-to-know and the incident filter. Act- and victim-level fields become one IN subquery
    ("has an act of this kind with such a victim") — much faster on large tables than the
    correlated EXISTS of the incident list; with ``acts_too=False`` the caller applies them itself."""
    fields = {k: v for k, v in kwargs.items() if k in INCIDENT_FILTER and v is not None}
    single = {k: (v[0] if isinstance(v, list | tuple) and len(v) == 1 else v) for k, v in fields.items()}
    try:  # validate everything (vocabularies, dates, place) the way the incident list does
        f = IncidentFilter.model_validate({k: v for k, v in single.items() if not isinstance(v, list | tuple)})
    except ValidationError as exc:
        raise ValidationFailed([FieldError(".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()]) from None
    incident_queries.check_filter(app, s, f)
    core = f.model_copy(update={k: None for k in ACT_LEVEL | VICTIM_LEVEL})
    conds = incident_queries.conditions(app, s, actor, core)
    # A report found to be the same incident as another is counted with that one only.
    conds.append(Incident.merged_into_id.is_(None))
    if acts_too and set(fields) & (ACT_LEVEL | VICTIM_LEVEL):
        act_conds = act_conditions(app, fields)
        victim_conds = victim_conditions(app, fields)
        if victim_conds:
            act_conds.append(Act.id.in_(select(Victim.act_id).where(*victim_conds)))
        conds.append(Incident.id.in_(select(Act.incident_id).where(Act.deleted_at.is_(None), *act_conds)))
    return conds


def victim_conditions(app: Svidok, kwargs: dict) -> list:
    conds = []
    harms = as_list(kwargs.get("harm"))
    for h in harms:
        if h not in app.vocab["harms"]:
            raise ValidationFailed(FieldError("harm", M_("unknown harm %(h)r", h=h)))
    if harms:
        conds.append(Victim.harm.in_(harms))
    if kwargs.get("characteristic"):
        app.vocab.check("victim_characteristics", kwargs["characteristic"])
        conds.append(Victim.characteristics.like(f"%|{kwargs['characteristic']}|%"))
    if kwargs.get("victim_status"):
        conds.append(Victim.status == kwargs["victim_status"])
    return conds


def act_conditions(app: Svidok, kwargs: dict) -> list:
    """Act-level arguments applied to the victim's own act (not to any act of the incident)."""
    conds = []
    if kwargs.get("violation_type"):  # one code or a list of codes
        conds.append(Act.violation_type.in_([app.vocab.check("violation_types", v)
                                             for v in as_list(kwargs["violation_type"])]))
    if kwargs.get("family"):
        fam = app.vocab.families()
        if kwargs["family"] not in fam:
            raise ValidationFailed(FieldError("family", M_("unknown violation family %(family)r (known: %(items)s)", family=kwargs['family'], items=", ".join(sorted(fam)))))
        conds.append(Act.violation_type.in_(fam[kwargs["family"]]))
    if kwargs.get("means"):
        conds.append(Act.means.in_([app.vocab.check("means", v) for v in as_list(kwargs["means"])]))
    if kwargs.get("provision"):
        prov = app.vocab.check("legal_provisions", kwargs["provision"])
        conds.append(or_(Act.violation_type.in_(app.vocab.violation_types_for_provision(prov)),
                         exists().where(Qualification.act_id == Act.id, Qualification.provision == prov)))
    return conds


def victim_base(app: Svidok, s: Session, actor: Actor, kwargs: dict, *cols, each_list: bool = False):
    """Victims of acts matching the act-level fields, in incidents matching the rest.

    A person documented by several lists has one record per list, merged into one; only the
    surviving record's victim row counts, and withdrawn person records never do — unless
    ``each_list`` (estimation needs every list's record of a person).
    """
    copy = aliased(Person)  # an alias: callers may select from persons themselves
    duplicate = exists().where(copy.id == Victim.person_id,
                               or_(copy.merged_into_id.is_not(None), copy.deleted_at.is_not(None)))
    q = (
        select(*cols).select_from(Victim).join(Act, Act.id == Victim.act_id).join(Incident, Incident.id == Act.incident_id)
        .where(Act.deleted_at.is_(None), *incident_conditions(app, s, actor, kwargs, acts_too=False),
               *act_conditions(app, kwargs), *victim_conditions(app, kwargs))
    )
    return q if each_list else q.where(or_(Victim.person_id.is_(None), ~duplicate))


VICTIM_BY = {"sex": Victim.sex, "harm": Victim.harm, "status": Victim.status, "means": Act.means,
             "violation_type": Act.violation_type, "oblast": Incident.place_id, "month": Incident.date_lo,
             "year": Incident.date_lo}


__all__ = ["ACT_LEVEL", "INCIDENT_FILTER", "VICTIM_BY", "VICTIM_LEVEL", "act_conditions", "as_list",
           "incident_conditions", "oblast_of", "victim_base", "victim_conditions"]
