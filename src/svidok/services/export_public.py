"""Open data for publication: one row per group of victims, redacted and checked for re-identification.

No names, narratives, titles, sources, coordinates or internal ids leave: only violation
type, means, harm, status, sex, an age group, a coarsened period and a coarsened place,
and a count. Before anything is written, people are grouped by the quasi-identifiers
(age group, sex, place, period); if any group holds fewer than ``k`` people the export
is refused and the report names the victims that blocked it, so an analyst can coarsen
the settings or leave those records out.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.core.messages import M_
from svidok.schemas.filters import IncidentFilter

from . import consent, ledger
from .export_data import EXPORT_LEVELS, PlaceIndex, incidents

if TYPE_CHECKING:
    from svidok.app import Svidok

COLUMNS = ["event", "period", "place", "place_code", "violation_type", "means", "harm", "status", "sex", "age_group",
           "people"]
HXL = ["#event+num", "#date+period", "#adm+name", "#adm+code", "#event+type", "#event+means", "#affected+harm",
       "#affected+status", "#affected+sex", "#affected+age", "#affected+num"]


class PublicConfig(BaseModel):
    k: int = Field(5, ge=2, le=1000, description="smallest group of people that may be published")
    date_precision: Literal["month", "quarter", "year"] = "month"
    place_level: Literal["hromada", "raion", "oblast", "country"] = "oblast"
    age: Literal["band", "decade", "group", "none"] = "group"
    #: Whether sex is published (leaving it out makes groups larger).
    sex: bool = True
    #: Confidentiality levels of incidents that may be published (default: only public ones).
    levels: tuple[str, ...] = ("public",)
    hxl: bool = True


@dataclass
class Blocker:
    event: int
    incident_id: int
    victim_id: int
    group: tuple
    people_in_group: int

    def __str__(self) -> str:
        age, sex, place, period = self.group
        return (f"incident {self.incident_id}, victim record {self.victim_id}: age {age}, sex {sex}, {place}, {period} "
                f"— only {self.people_in_group} people share these")


@dataclass
class PublicResult:
    rows: int = 0
    people: int = 0
    blockers: list[Blocker] = field(default_factory=list)


def period(lo: date, hi: date, precision: str) -> str:
    """The smallest period at ``precision`` or coarser that holds the whole interval."""
    if lo.year != hi.year:
        return f"{lo.year}-{hi.year}"
    if precision == "month" and lo.month == hi.month:
        return f"{lo.year}-{lo.month:02d}"
    if precision in ("month", "quarter") and (lo.month - 1) // 3 == (hi.month - 1) // 3:
        return f"{lo.year}-Q{(lo.month - 1) // 3 + 1}"
    return str(lo.year)


def age_group(age: int | None, band: str | None, how: str) -> str:
    if how == "none":
        return ""
    if age is None:
        return band if how == "band" and band else "unknown"
    if how == "band":
        return band or "unknown"
    if how == "decade":
        return f"{age // 10 * 10}-{age // 10 * 10 + 9}"
    return "child" if age < 18 else "older" if age >= 60 else "adult"


_ORDER = ("settlement", "hromada", "raion", "oblast", "country")


def _place(places: PlaceIndex, place_id: int | None, level: str) -> tuple[str, str]:
    p = places.get(place_id)
    if p is None:
        return "unknown", ""
    if p.level in _ORDER and _ORDER.index(p.level) >= _ORDER.index(level):
        return p.name_en, p.code  # already as coarse as asked (or coarser)
    a = places.ancestor(place_id, level) if level != "country" else places.ancestor(place_id, "country")
    return (a.name_en, a.code) if a else ("unknown", "")


def _rows(app: Svidok, actor: Actor, f: IncidentFilter, cfg: PublicConfig, places: PlaceIndex) -> Iterator[tuple]:
    """(incident id, victim id, public row) for every victim record of the selection."""
    by_code = {p.code: p.id for p in places.by_id.values()}
    with app.db.session() as s:
        withheld = consent.incidents_withheld_from_publication(s)
    event = 0
    for inc in incidents(app, actor, f, with_acts=True, levels=cfg.levels, places=places):
        if inc["id"] in withheld:  # every source of it refused publication
            continue
        event += 1
        lo, hi = date.fromisoformat(inc["date_lo"]), date.fromisoformat(inc["date_hi"])
        per = period(lo, hi, cfg.date_precision)
        pname, pcode = _place(places, by_code.get(inc.get("place_code")), cfg.place_level)
        for act in inc["acts"]:
            for v in act["victims"]:
                out = {"event": event, "period": per, "place": pname, "place_code": pcode,
                       "violation_type": act["violation_type"], "means": act["means"] or "", "harm": v["harm"],
                       "status": v["status"], "sex": v["sex"] if cfg.sex else "", "age_group": age_group(v["age"], v["age_band"], cfg.age),
                       "people": v["count"]}
                yield inc["id"], v["id"], out


def export(app: Svidok, actor: Actor, f: IncidentFilter, cfg: PublicConfig, out: IO[str]) -> PublicResult:
    """Write the redacted selection, or raise ValidationFailed naming the rows that single people out."""
    if bad := [lvl for lvl in cfg.levels if lvl not in EXPORT_LEVELS]:
        raise ValidationFailed(FieldError("levels", M_("%(items)s: never published (allowed: %(items2)s)", items=", ".join(bad), items2=", ".join(EXPORT_LEVELS))))
    with app.db.session() as s:
        places = PlaceIndex(s)
    sizes: Counter = Counter()
    for _, _, r in _rows(app, actor, f, cfg, places):
        sizes[(r["age_group"], r["sex"], r["place"], r["period"])] += r["people"]
    result = PublicResult()
    for inc_id, victim_id, r in _rows(app, actor, f, cfg, places):
        key = (r["age_group"], r["sex"], r["place"], r["period"])
        if sizes[key] < cfg.k:
            result.blockers.append(Blocker(r["event"], inc_id, victim_id, key, sizes[key]))
    if result.blockers:
        shown = result.blockers[:50]
        errors = [FieldError("k", M_("%(count)s victim record(s) fall in groups of fewer than %(k)s people (age group, sex, place, period); nothing was written. Coarsen the period, place or age, or leave these records out:", count=len(result.blockers), k=cfg.k))]
        errors += [FieldError(f"incident {b.incident_id}", str(b)) for b in shown]
        if len(result.blockers) > len(shown):
            errors.append(FieldError("k", M_("… and %(value)s more", value=len(result.blockers) - len(shown))))
        raise ValidationFailed(errors)
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    if cfg.hxl:
        w.writerow(HXL)
    for _, _, r in _rows(app, actor, f, cfg, places):
        w.writerow([r[c] for c in COLUMNS])
        result.rows += 1
        result.people += r["people"]
    with app.db.session() as s:
        ledger.append(s, actor.username, "export.public", "incidents", "public",
                      {"filter": f.model_dump(exclude_none=True), "config": cfg.model_dump(mode="json"),
                       "rows": result.rows, "people": result.people})
    return result
