"""Consent recorded per source, enforced where information leaves Svidok.

- Public exports leave out incidents whose every linked source refused publication.
- Public briefs list only incidents that may be published (:func:`publishable_clause`).
- Case bundles for prosecutors refuse evidence whose source did not consent to sharing.
"""

from __future__ import annotations

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.storage.models import EvidenceItem, IncidentSource, Source


def incidents_withheld_from_publication(s: Session) -> set[int]:
    """Incidents that have sources, none of which consented to publication."""
    consenting = func.max(cast(Source.consent_publish, Integer))
    rows = s.execute(
        select(IncidentSource.incident_id)
        .join(Source, Source.id == IncidentSource.source_id)
        .where(Source.deleted_at.is_(None))
        .group_by(IncidentSource.incident_id)
        .having(consenting == 0)
    )
    return {r[0] for r in rows}


def publishable_clause():
    """SQL condition on ``Incident``: publishable (no live source, or at least one that consented).

    The per-row form of :func:`incidents_withheld_from_publication`, for listings that stop
    after a page and should not compute the whole set first.
    """
    from svidok.storage.models import Incident

    def linked(*extra):
        return (select(IncidentSource.incident_id).join(Source, Source.id == IncidentSource.source_id)
                .where(IncidentSource.incident_id == Incident.id, Source.deleted_at.is_(None), *extra).exists())

    return ~linked() | linked(Source.consent_publish.is_(True))


def require_sharing_with_prosecutors(s: Session, items: list[EvidenceItem]) -> None:
    """Refuse, naming each item, evidence whose source did not consent to sharing with prosecutors."""
    source_ids = {i.source_id for i in items if i.source_id is not None}
    if not source_ids:
        return
    refused = set(s.scalars(select(Source.id).where(Source.id.in_(source_ids), Source.consent_share_prosecutors.is_(False))))
    errors = [FieldError(f"evidence {i.id}", M_("its source %(source_id)s did not consent to sharing with prosecutors", source_id=i.source_id))
              for i in items if i.source_id in refused]
    if errors:
        raise ValidationFailed(errors)
