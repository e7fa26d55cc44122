"""The claims figures counted the slow, plain way: person by person in Python, written apart from
the SQL count (``figures/claims_count.py``) as the yardstick ``test_claims_count`` holds it to."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from svidok.app import Svidok
from svidok.core import access
from svidok.core.actors import Actor
from svidok.domain import claims as domain
from svidok.figures.claims import UNKNOWN_OBLAST
from svidok.figures.places import oblast_of
from svidok.services import claims as claims_service
from svidok.storage.models import ClaimRelative, LedgerEntry, Person


def by_oblast_python(app: Svidok, actor: Actor) -> dict:
    """``figures.claims.by_oblast`` counted person by person in Python (every fact read into memory:
    40 s and 2 GB at 1,000,000 incidents)."""
    cats = claims_service.categories(app)
    with app.db.session() as s:
        found = claims_service.facts(s, actor)
        births = dict(s.execute(select(Person.id, Person.birth_lo).where(access.visibility_clause(Person, actor))).all())
        oblasts = oblast_of(s)
        rels: dict[int, set[str]] = defaultdict(set)
        for pid, rel in s.execute(select(ClaimRelative.person_id, ClaimRelative.relationship)
                                  .where(access.visibility_clause(ClaimRelative, actor), ClaimRelative.consent.is_(True))):
            rels[pid].add(rel)
        prepared = {int(r) for r in s.scalars(select(LedgerEntry.record_id)
                                                .where(LedgerEntry.action == claims_service.DOSSIER_ACTION))}
    cells: dict[tuple[str, tuple], set[int]] = defaultdict(set)
    totals: dict[str, set[int]] = defaultdict(set)
    for pid, fs in found.items():
        for code, support in domain.supported(cats, claims_service.with_ages(fs, births.get(pid))).items():
            totals[code].add(pid)
            for f in support:
                cells[(code, oblasts.get(f.place_id, UNKNOWN_OBLAST))].add(pid)

    def counts(code: str, pids: set[int]) -> dict:
        cat = cats.get(code)
        wanted = set(cat.relationships) if cat.claimant == "family" else {"parent", "legal_guardian", "spouse",
                                                                         "civil_partner", "child"}
        with_claimant = {p for p in pids if rels.get(p, set()) & wanted}
        done = pids & prepared
        return {"could_claim": len(pids), "claimant_recorded": len(with_claimant), "dossier_prepared": len(done),
                "not_yet_prepared": len(pids) - len(done)}

    rows = []
    for (code, (ocode, en, uk)), pids in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1][1])):
        cat = cats.get(code)
        rows.append({"category": code, "category_en": cat.label("en"), "category_uk": cat.label("uk"),
                     "counts_families": cat.claimant == "family", "oblast_code": ocode or None, "oblast_en": en,
                     "oblast_uk": uk, **counts(code, pids)})
    total = [{"category": c.code, "category_en": c.label("en"), "category_uk": c.label("uk"),
              "confirmed": c.confirmed, "counts_families": c.claimant == "family", **counts(c.code, totals.get(c.code, set()))}
             for c in cats.categories if c.facts]
    return {"register": cats.register, "categories_as_of": cats.as_of, "rows": rows, "totals": total}
