"""Civilian harm breakdowns: killed and injured people by sex, age band, status, oblast,
occupation status, month, means or violation type — each with how many lack the field.

Answered from the in-memory victim columns (``figures.harm_facts``) when the filter allows —
milliseconds on a million incidents — and otherwise by one SQL ``GROUP BY`` per breakdown over
raw columns (the victim row's harm and the field); buckets that need the gazetteer or the
calendar (oblast, occupation, month, age band) are made in Python from the few grouped rows,
so the same code runs on SQLite and PostgreSQL. The victim-selecting query is the reports' one
(``figures.victims.victim_base``): need-to-know, withdrawn records and filters apply the
same way to a brief's figure and to a breakdown.

A person documented by several lists has one victim row per list, the copies' person
records being merged into the first (``persons.merged_into_id``); only the row of the
surviving (unmerged, not withdrawn) person record counts. Counted groups ("12 residents")
count ``count`` people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import case, false, func, literal, select
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.core.errors import FieldError, ValidationFailed
from svidok.schemas.filters import IncidentFilter
from svidok.services import incident_queries
from svidok.stats.age_bands import SEXES, VOCAB_BANDS, age_group, band_of, parse_bands
from svidok.storage.models import Act, Incident, Place, Victim

from . import harm_facts, harm_facts_masks
from .places import oblast_of, occupation_periods
from .victims import victim_base

if TYPE_CHECKING:
    from svidok.app import Svidok

BYS = ("sex", "age_band", "age_group", "status", "oblast", "occupation", "month", "means", "violation_type")
HARMS = ("killed", "injured")
#: Labels of the keys that are not vocabulary terms.
_LABELS = {
    "child": ("Children (0–17)", "Діти (0–17)"),
    "adult": ("Adults (18–59)", "Дорослі (18–59)"),
    "older": ("Older people (60+)", "Люди старшого віку (60+)"),
    "occupied": ("Occupied at the time", "Окупована на той час"),
    "contested": ("Contested at the time", "Зона бойових дій на той час"),
    "not_occupied": ("Not occupied at the time", "Не окупована на той час"),
}
_VOCAB = {"sex": "sex", "status": "person_status", "means": "means", "violation_type": "violation_types",
          "age_band": "age_bands"}
_GROUP_OF_BAND = {b.code: age_group(b.lo) for b in parse_bands(VOCAB_BANDS)}


@dataclass
class Row:
    key: str
    label_en: str
    label_uk: str
    killed: int = 0
    injured: int = 0
    total: int = 0
    #: For fine age bands: the broad group (child, adult, older) the band belongs to.
    group: str | None = None


@dataclass
class Breakdown:
    by: str
    harm: list[str]
    rows: list[Row]
    #: People (of the harms asked for) whose field is not recorded.
    missing: int
    missing_by_harm: dict[str, int]
    #: Everyone counted, with the missing ones.
    total: int
    #: For age_band: subtotals for children, adults and older people (fine bands plus
    #: records holding only a broad band).
    groups: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_csv(self) -> str:
        """The rows as CSV (what a chart of this breakdown draws), then a row for those without the field."""
        import csv
        import io

        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow([self.by, "label_en", "label_uk", *self.harm, "total"])
        for r in self.rows:
            w.writerow([r.key, r.label_en, r.label_uk, *[getattr(r, h, "") for h in self.harm], r.total])
        w.writerow(["", "not recorded", "не зазначено", *[self.missing_by_harm.get(h, 0) for h in self.harm],
                    self.missing])
        return out.getvalue()


def _fail(field_name: str, reason: str) -> None:
    raise ValidationFailed(FieldError(field_name, reason))


def victim_filter_base(app: Svidok, s: Session, actor: Actor, f: IncidentFilter | None, harm: Iterable[str], *cols):
    """SELECT ``cols`` FROM the counted victim rows of the visible incidents matching ``f`` with
    one of the ``harm`` s (the filter's own ``harm`` narrows it further)."""
    kw = f.model_dump(exclude_none=True) if f is not None else {}
    harms = [h for h in harm if not kw.get("harm") or h == kw["harm"]]
    kw["harm"] = harms or list(harm)
    q = victim_base(app, s, actor, kw, *cols)
    if not harms:  # the filter's harm and the harms asked for exclude each other: nothing counts
        q = q.where(false())
    return q  # merged copies and withdrawn persons are left out by the shared victim query


def _check(app: Svidok, by: str, harm: Iterable[str]) -> list[str]:
    if by not in BYS:
        _fail("by", f"cannot break down by {by!r}; choose one of {', '.join(BYS)}")
    harms = list(dict.fromkeys(harm))
    if not harms:
        _fail("harm", "give at least one harm (killed, injured)")
    for h in harms:
        if h not in app.vocab["harms"]:
            _fail("harm", f"unknown harm {h!r}")
    return harms


def breakdown(app: Svidok, actor: Actor, by: str, harm: Iterable[str] = HARMS, filter: IncidentFilter | None = None,
              use_memory: bool = True) -> Breakdown:
    """People killed and injured (or the ``harm`` s given) in the visible incidents matching
    ``filter``, broken down ``by`` one field, with the number whose field is unknown.

    Answers from the in-memory columns (``harm_facts``) when the filter allows, else (or with
    ``use_memory=False``) with one SQL GROUP BY; both give the same figures."""
    harms = _check(app, by, harm)
    with app.db.session() as s:
        if filter is not None:
            incident_queries.check_filter(app, s, filter)
        counts, note = _from_memory(app, s, actor, by, harms, filter) if use_memory else (None, None)
        if counts is None:
            counts = _from_sql(app, s, actor, by, harms, filter)
        labels = _oblast_labels(s) if by == "oblast" else {}
    out = _assemble(app, by, harms, counts, labels)
    if note:
        out.notes.append(note)
    return out


def _from_sql(app: Svidok, s: Session, actor: Actor, by: str, harms: list[str], filter: IncidentFilter | None) -> dict:
    if by in ("age_band", "age_group"):
        return _age(_grouped(app, s, actor, filter, harms, Victim.age, Victim.age_band), by)
    if by == "oblast":
        return _oblast(s, _grouped(app, s, actor, filter, harms, Incident.place_id))
    if by == "occupation":
        return _occupation(app, s, actor, filter, harms)
    if by == "month":
        return _month(_grouped(app, s, actor, filter, harms, Incident.date_lo, Incident.date_hi))
    col = {"sex": Victim.sex, "status": Victim.status, "means": Act.means, "violation_type": Act.violation_type}[by]
    counts: dict = {}
    for (v,), h, n in _grouped(app, s, actor, filter, harms, col):
        _add(counts, None if v in (None, "", "unknown") else v, h, n)
    return counts


_OCCUPATION = {0: "not_occupied", 1: "contested", 2: "occupied"}
_GROUPS = {0: "child", 1: "adult", 2: "older"}


def _from_memory(app: Svidok, s: Session, actor: Actor, by: str, harms: list[str], filter: IncidentFilter | None
                 ) -> tuple[dict | None, str | None]:
    if filter is not None and not harm_facts_masks.can_filter(filter):
        return None, None
    hf, stale = harm_facts.facts_state(app, s)
    m = harm_facts_masks.mask(app, s, hf, actor, filter, harms)
    note = (f"Figures as of {hf.loaded_at:%Y-%m-%d %H:%M:%S} UTC; records added since are being read in."
            if stale and hf.loaded_at else None)
    return _counts_from_memory(hf, m, by, harms), note


def _counts_from_memory(hf, m, by: str, harms: list[str]) -> dict:
    harm_codes = {h: hf.codes["harm"].code(h) for h in harms}
    band_codes = [b.code for b in parse_bands(VOCAB_BANDS)]

    def collect(col: str, name) -> dict:
        acc: dict = {}
        for h, per in harm_facts_masks.sums(hf, m, hf.cols[col], harm_codes).items():
            for k, n in per.items():
                _add(acc, name(k), h, n)
        return acc

    def vocab_name(col: str):
        values = hf.codes[col].values
        return lambda k: None if values[k] in (None, "", "unknown") else values[k]

    if by == "age_band":
        return {"_rows": collect("fine_band", lambda k: band_codes[k] if k >= 0 else None),
                "_groups": collect("age_group", lambda k: _GROUPS.get(k))}
    if by == "age_group":
        return {"_rows": collect("age_group", lambda k: _GROUPS.get(k)), "_groups": None}
    if by == "oblast":
        return collect("oblast", lambda k: hf.oblast_codes[k] if k >= 0 else None)
    if by == "occupation":
        return collect("occupation", lambda k: _OCCUPATION.get(k))
    if by == "month":
        return collect("month", lambda k: f"{k // 12:04d}-{k % 12 + 1:02d}" if k >= 0 else None)
    col = {"sex": "sex", "status": "status", "means": "means", "violation_type": "violation_type"}[by]
    return collect(col, vocab_name(col))


def _grouped(app: Svidok, s: Session, actor: Actor, f: IncidentFilter | None, harms: list[str], *cols) -> list:
    """[(tuple of column values, harm, people)] — the one GROUP BY of a breakdown."""
    q = victim_filter_base(app, s, actor, f, harms, *cols, Victim.harm, func.sum(Victim.count))
    rows = s.execute(q.group_by(*cols, Victim.harm)).all()
    return [(tuple(r[: len(cols)]), r[-2], int(r[-1] or 0)) for r in rows]


def _add(acc: dict, key, harm: str, n: int) -> None:
    d = acc.setdefault(key, {})
    d[harm] = d.get(harm, 0) + n


def _age(raw: list, by: str) -> dict:
    bands = parse_bands(VOCAB_BANDS)
    acc: dict = {}
    groups: dict = {}
    for (age, band), h, n in raw:
        fine = band_of(age, bands, band)
        grp = age_group(age, band)
        _add(acc if by == "age_band" else groups, fine if by == "age_band" else (None if grp == "unknown" else grp), h, n)
        if by == "age_band":
            _add(groups, None if grp == "unknown" else grp, h, n)
    acc_groups = groups if by == "age_band" else None
    return {"_rows": acc if by == "age_band" else groups, "_groups": acc_groups}


def _oblast(s: Session, raw: list) -> dict:
    obl = oblast_of(s)
    acc: dict = {}
    for (pid,), h, n in raw:
        _add(acc, obl[pid][0] if pid in obl else None, h, n)
    return acc


def _oblast_labels(s: Session) -> dict[str, tuple[str, str]]:
    return {code: (en, uk) for code, en, uk in s.execute(
        select(Place.code, Place.name_en, Place.name_uk).where(Place.level == "oblast"))}


def _month(raw: list) -> dict:
    """By the incident's month; an incident whose dates span more than one month has no month."""
    acc: dict = {}
    for (lo, hi), h, n in raw:
        key = f"{lo.year:04d}-{lo.month:02d}" if (lo.year, lo.month) == (hi.year, hi.month) else None
        _add(acc, key, h, n)
    return acc


def _occupation(app: Svidok, s: Session, actor: Actor, f: IncidentFilter | None, harms: list[str]) -> dict:
    """Occupied (or contested) on the incident's first possible day, or not.

    The periods' start and end days cut time into segments in which no place changes status;
    SQL groups by (place, segment) and Python looks each pair up — no per-incident work."""
    periods = occupation_periods(s)
    # segment i holds the days in [edges[i-1], edges[i]): cut at each 'since' and the day after each 'until'
    edges = sorted({since for _, _, since, _ in periods} | {_next_day(u) for *_, u in periods if u is not None})
    if edges:
        seg = case(*[(Incident.date_lo < e, i) for i, e in enumerate(edges)], else_=len(edges))
    else:
        seg = literal(0)
    raw = _grouped(app, s, actor, f, harms, Incident.place_id, seg)
    paths = dict(s.execute(select(Place.id, Place.path)).all())
    acc: dict = {}
    status_cache: dict = {}
    for (pid, segment), h, n in raw:
        if pid is None or pid not in paths:
            _add(acc, None, h, n)
            continue
        ck = (pid, segment)
        st = status_cache.get(ck)
        if st is None:
            # a representative day of the segment: its first day (or far past for segment 0)
            day = edges[segment - 1] if segment else date.min
            st = status_cache[ck] = _status(paths[pid], day, periods)
        _add(acc, st, h, n)
    return acc


def _next_day(d: date) -> date:
    return date.fromordinal(d.toordinal() + 1)


def _status(path: str, day: date, periods: list) -> str:
    found = [st for prefix, st, since, until in periods
             if path.startswith(prefix) and since <= day and (until is None or day <= until)]
    if "occupied" in found:
        return "occupied"
    return found[0] if found else "not_occupied"


def _assemble(app: Svidok, by: str, harms: list[str], counts: dict, labels: dict) -> Breakdown:
    groups_raw = None
    if "_rows" in counts:
        groups_raw, counts = counts["_groups"], counts["_rows"]
    missing = counts.pop(None, {})
    rows = [_row(app, by, k, v, labels) for k, v in counts.items()]
    rows = _order(by, rows)
    if by == "age_band":
        for r in rows:
            r.group = _GROUP_OF_BAND.get(r.key)
    groups = []
    if groups_raw is not None:
        groups_raw.pop(None, None)
        groups = [_row(app, "age_group", k, groups_raw[k], labels) for k in ("child", "adult", "older") if k in groups_raw]
    n_missing = sum(missing.values())
    notes = []
    if by == "month":
        notes.append("Incidents dated only to a span longer than one month (a year, a season) count as missing.")
    if by == "occupation":
        notes.append("Occupation status of the incident's place (or a place containing it) on its first possible day.")
    return Breakdown(by, harms, rows, n_missing, {h: missing.get(h, 0) for h in harms},
                     sum(r.total for r in rows) + n_missing, groups, notes)


def _row(app: Svidok, by: str, key: str, per_harm: dict, labels: dict) -> Row:
    if key in _LABELS:
        en, uk = _LABELS[key]
    elif by == "oblast":
        en, uk = labels.get(key, (key, key))
    elif by in _VOCAB:
        try:
            en, uk = app.vocab.label(_VOCAB[by], key, "en"), app.vocab.label(_VOCAB[by], key, "uk")
        except Exception:
            en = uk = key
    else:
        en = uk = key
    k, i = per_harm.get("killed", 0), per_harm.get("injured", 0)
    return Row(key, en, uk, k, i, sum(per_harm.values()))


def _order(by: str, rows: list[Row]) -> list[Row]:
    if by == "age_band":
        order = {b.code: i for i, b in enumerate(parse_bands(VOCAB_BANDS))}
        return sorted(rows, key=lambda r: order.get(r.key, 99))
    if by == "age_group":
        order = {"child": 0, "adult": 1, "older": 2}
        return sorted(rows, key=lambda r: order.get(r.key, 9))
    if by == "month":
        return _fill_months(sorted(rows, key=lambda r: r.key))
    if by == "sex":
        return sorted(rows, key=lambda r: (SEXES.index(r.key) if r.key in SEXES else 9, r.key))
    if by == "occupation":
        order = {"occupied": 0, "contested": 1, "not_occupied": 2}
        return sorted(rows, key=lambda r: order.get(r.key, 9))
    return sorted(rows, key=lambda r: (-r.total, r.key))


def _fill_months(rows: list[Row]) -> list[Row]:
    """Every month from the first to the last: a month with nothing documented is a 0, not a gap."""
    if not rows:
        return rows
    have = {r.key: r for r in rows}
    (y, m), (y1, m1) = map(int, rows[0].key.split("-")), map(int, rows[-1].key.split("-"))
    out = []
    while (y, m) <= (y1, m1):
        k = f"{y:04d}-{m:02d}"
        out.append(have.get(k) or Row(k, k, k))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def by_band_and_sex(app: Svidok, actor: Actor, harm: Iterable[str] = HARMS, filter: IncidentFilter | None = None,
                    bands: str = VOCAB_BANDS, use_memory: bool = True) -> dict[tuple[str | None, str | None], int]:
    """People by (band, sex) — None where unknown — for the pyramid and the disproportionality
    test, counted under need-to-know (unlike ``estimate_input.victim_age_sex``, which reads everything)."""
    harms = _check(app, "sex", harm)
    band_list = parse_bands(bands)
    out: dict[tuple[str | None, str | None], int] = {}
    with app.db.session() as s:
        if filter is not None:
            incident_queries.check_filter(app, s, filter)
        if use_memory:
            hf = harm_facts.facts(app, s)
            m = harm_facts_masks.mask(app, s, hf, actor, filter, harms)
            if m is not None:
                return harm_facts_masks.band_sex_counts(hf, m, band_list)
        for (age, band, sex), _h, n in _grouped(app, s, actor, filter, harms, Victim.age, Victim.age_band, Victim.sex):
            k = (band_of(age, band_list, band), sex if sex in SEXES else None)
            out[k] = out.get(k, 0) + n
    return out
