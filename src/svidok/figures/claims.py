"""How many documented victims and families could claim to the Register of Damage, per category and oblast.

The advocacy question "how many are not yet claiming": per category, the people whose
documented facts support it (for family categories each victim stands for one family),
how many of those have a claimant recorded with consent, and for how many a claim dossier
was prepared. A person is counted once per category (and once per oblast where the
supporting facts happened). Only records the actor may see are counted; named persons
only (a counted group of victims cannot claim).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from svidok.core.actors import Actor
from svidok.services import claims as claims_service
from svidok.storage.models import Place

from . import claims_count

if TYPE_CHECKING:
    from svidok.app import Svidok

UNKNOWN_OBLAST = ("", "oblast not recorded", "область не зазначено")


def current(app: Svidok, actor: Actor) -> dict | None:
    """:func:`by_oblast` from the shared figure cache, recomputed in the background when records
    changed (counted by the database: seconds at 1,000,000 incidents);
    None while a first computation runs."""
    from . import cached

    # A short wait: when they are not ready the page says so at once rather than hold the request.
    return cached.current(app, actor, "claims-by-oblast", lambda: by_oblast(app, actor), wait=0.2)


def by_oblast(app: Svidok, actor: Actor) -> dict:
    """Rows per (category, oblast) and a total per category, counted by the database; see the module docstring."""
    cats = claims_service.categories(app)
    with app.db.session() as s:
        cells, totals = claims_count.count(s, actor, cats)
        names = {r.id: (r.code, r.name_en, r.name_uk) for r in s.execute(
            select(Place.id, Place.code, Place.name_en, Place.name_uk).where(Place.level == "oblast"))}
    by_code = {code: (could, claimant, done) for code, could, claimant, done in totals}

    def counts(could: int, claimant: int, done: int) -> dict:
        return {"could_claim": could, "claimant_recorded": claimant, "dossier_prepared": done,
                "not_yet_prepared": could - done}

    rows = []
    for code, obl, could, claimant, done in cells:
        cat = cats.get(code)
        ocode, en, uk = names.get(obl, UNKNOWN_OBLAST)
        rows.append({"category": code, "category_en": cat.label("en"), "category_uk": cat.label("uk"),
                     "counts_families": cat.claimant == "family", "oblast_code": ocode or None, "oblast_en": en,
                     "oblast_uk": uk, **counts(could, claimant, done)})
    rows.sort(key=lambda r: (r["category"], r["oblast_en"]))
    total = [{"category": c.code, "category_en": c.label("en"), "category_uk": c.label("uk"),
              "confirmed": c.confirmed, "counts_families": c.claimant == "family",
              **counts(*by_code.get(c.code, (0, 0, 0)))}
             for c in cats.categories if c.facts]
    return {"register": cats.register, "categories_as_of": cats.as_of, "rows": rows, "totals": total}
