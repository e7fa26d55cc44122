"""A brief's victim figures answered from the in-memory columns (``figures.harm_facts``).

``victims``, ``victims_by`` and ``disproportionality`` sum the counted victim rows; on a big
database each of their GROUP BYs re-joins victims, acts and incidents, seconds per figure. When
a figure's arguments are ones the columns can apply — no full-text ``q``, ``provision`` or
``characteristic``, and a single value wherever the SQL takes one (``harm`` may be a list) —
the same raw groups the SQL would return are summed from the columns instead and go through the
same bucketing, so the figure's value, record count and reference are those of the SQL. The
columns used are those of the data as it is now (``harm_facts.facts_current``: read at once if
the data changed), never an older copy. The arguments are still checked by building the SQL
statement first, so a bad argument fails with the same message either way.

``s.info[USE_COLUMNS] = False`` makes a session answer with the SQL only (tests compare the two).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy.orm import Session

from svidok.core.actors import Actor
from svidok.schemas.filters import IncidentFilter

from . import harm_facts, harm_facts_masks

if TYPE_CHECKING:
    from svidok.app import Svidok

#: Session flag: False answers every figure with the SQL.
USE_COLUMNS = "svidok_use_columns"
#: Session list of the figures answered from the columns: (query, group).
ANSWERED = "svidok_answered_from_columns"
#: The queries the columns can answer, and the columns each ``victims_by`` grouping reads (SQL's raw key).
QUERIES = {"victims", "victims_by", "disproportionality"}
GROUPS = {
    "sex": ("sex",), "harm": ("harm",), "status": ("status",), "means": ("means",),
    "violation_type": ("violation_type",), "oblast": ("place_id",), "month": ("date_lo",), "year": ("date_lo",),
    "age_band": ("age", "age_band"), "age_group": ("age", "age_band"), "age_sex": ("age", "age_band", "sex"),
}
_FILTERS = set(IncidentFilter.model_fields)


def _filter_of(kw: dict) -> tuple[IncidentFilter, list[str] | None] | None:
    """(incident filter, harms or None for every harm) when the columns can apply ``kw``, else None."""
    fields = {k: v for k, v in kw.items() if k in _FILTERS and v is not None}
    harm = fields.pop("harm", None)
    if set(fields) - harm_facts_masks.SUPPORTED or any(isinstance(v, list | tuple | set | dict) for v in fields.values()):
        return None
    harms = [harm] if isinstance(harm, str) else list(harm or [])
    if not all(isinstance(h, str) for h in harms):
        return None
    return IncidentFilter.model_validate(fields), (harms or None)  # an empty list of harms: every harm, as in SQL


def answerable(name: str, kw: dict) -> bool:
    """Whether query ``name`` with ``kw`` would be answered from the columns (no database access)."""
    if name not in QUERIES:
        return False
    if name == "victims_by" and kw.get("by", "sex") not in GROUPS:
        return False
    try:
        return _filter_of({k: v for k, v in kw.items() if k in _FILTERS}) is not None
    except Exception:
        return False


def _rows(app: Svidok, s: Session, actor: Actor, kw: dict, what: str):
    """(columns, mask of the rows the figure counts), or None when the SQL must answer."""
    if not s.info.get(USE_COLUMNS, True):
        return None
    spec = _filter_of(kw)
    if spec is None:
        return None
    f, harms = spec
    hf = harm_facts.facts_current(app, s)
    m = harm_facts_masks.mask(app, s, hf, actor, f, harms)
    if m is None:
        return None
    s.info.setdefault(ANSWERED, []).append(what)
    return hf, m


def total(app: Svidok, s: Session, actor: Actor, kw: dict) -> tuple[int, int] | None:
    """(people, incidents) of the counted victim rows matching ``kw``; None: ask the SQL."""
    got = _rows(app, s, actor, kw, "victims")
    if got is None:
        return None
    hf, m = got
    incidents = hf.cols["incident_id"][m]
    if not incidents.size:
        return 0, 0
    lo, hi = int(incidents.min()), int(incidents.max())
    if hi - lo < 8 * incidents.size + 1_000_000:
        seen = np.zeros(hi - lo + 1, dtype=bool)
        seen[incidents - lo] = True
        n_incidents = int(np.count_nonzero(seen))
    else:
        n_incidents = len(np.unique(incidents))
    return int(hf.count[m].sum()), n_incidents


def groups(app: Svidok, s: Session, actor: Actor, kw: dict, by: str) -> list[tuple[Any, int]] | None:
    """[(raw key, people)] as the SQL GROUP BY on the columns of ``GROUPS[by]`` returns them (a tuple
    key when there are several columns); None: ask the SQL."""
    got = _rows(app, s, actor, kw, f"groups:{by}")
    if got is None:
        return None
    hf, m = got
    names = GROUPS[by]
    summed = _sum_by(hf.count[m], [hf.cols[n][m] for n in names])
    if summed is None:
        return None
    decode = [_decoder(hf, n) for n in names]
    out = []
    for key, people in summed:
        raw = tuple(d(v) for d, v in zip(decode, key))
        out.append((raw if len(raw) > 1 else raw[0], people))
    return out


def _decoder(hf, name: str):
    """Column value -> the value the SQL returns for it."""
    if name in hf.codes:
        values = hf.codes[name].values
        return lambda v: values[v]
    if name == "date_lo":
        return date.fromordinal
    if name == "place_id":
        return lambda v: v or None
    if name == "age":
        return lambda v: None if v < 0 else v
    raise KeyError(name)


def _sum_by(weights: np.ndarray, keys: list[np.ndarray]) -> list[tuple[tuple[int, ...], int]] | None:
    """[(key values, sum of weights)] for every combination of key values present."""
    if not weights.size:
        return []
    combined = np.zeros(weights.size, dtype=np.int64)
    radix, parts = 1, []
    for a in keys:
        lo, hi = int(a.min()), int(a.max())
        parts.append((lo, hi - lo + 1, radix))
        combined += (a.astype(np.int64) - lo) * radix
        radix *= hi - lo + 1
        if radix > 1 << 62:
            return None
    if radix <= 1 << 22:  # a dense count
        present = np.bincount(combined, minlength=radix)
        sums = np.bincount(combined, weights=weights, minlength=radix)
        found = np.flatnonzero(present)
        sums = sums[found]
    else:
        found, inverse = np.unique(combined, return_inverse=True)
        sums = np.bincount(inverse, weights=weights)
    out = []
    for k, n in zip(found.tolist(), sums.tolist()):
        out.append((tuple((k // r) % size + lo for lo, size, r in parts), int(round(n))))
    return out
