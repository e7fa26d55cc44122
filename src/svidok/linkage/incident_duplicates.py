"""Likely duplicate incidents: the same attack reported by several sources.

Candidates come from three blocking passes, so the work grows with the number of
incidents and not with its square: near in place (cells of ~11 km and their
neighbours) *and* in time (the same or an adjacent week, then at most
``MAX_GAP_DAYS`` apart); a shared named victim; a shared source (each within
``LINK_GAP_DAYS``). A victim or source named by more than ``MAX_BLOCK`` incidents
(a monthly report) does not form a block. DuckDB runs the passes and measures
every candidate pair; :mod:`.incident_weights` turns the measurements into weights in bits
(+1 doubles the odds that two reports are one incident, -1 halves them) and
:func:`reasons` into words a reviewer reads.

The weights are set by hand from what documenters know, or estimated from the
candidate pairs without labels (``learn``); neither looks at the benchmark's
generator, which is written apart (bench/incident_duplicates_gen.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .incident_weights import HAND, MAX_GAP_DAYS, PRIOR_BITS, apply, fit, levels

LINK_GAP_DAYS = 30
MAX_BLOCK = 50
#: An incident known only to the month is compared over at most this many days from its start.
MAX_SPAN_DAYS = 35
#: A word in more than this many incidents (or this share of them) is too common to compare.
COMMON_WORD_MIN = 50
COMMON_WORD_SHARE = 0.002
#: Cell size of the place pass, in degrees of latitude (~11 km).
CELL_DEG = 0.1


@dataclass(frozen=True)
class IncidentFacts:
    """What the finder compares: one incident (or a draft not yet saved, id 0)."""

    id: int
    date_lo: date
    date_hi: date
    lat: float | None = None
    lon: float | None = None
    place_id: int | None = None
    types: tuple[str, ...] = ()
    means: tuple[str, ...] = ()
    #: Named victims (the root record of each person, so merged records agree).
    persons: tuple[int, ...] = ()
    victims: int = 0
    sources: tuple[int, ...] = ()
    #: Cross-script keys of the title and narrative (``names.search_keys``).
    words: tuple[str, ...] = ()


@dataclass
class Candidates:
    """Scored candidate pairs (``id_l`` < ``id_r``), most likely first."""

    pairs: list[dict] = field(default_factory=list)
    compared: int = 0
    #: The weights of each field's levels and the starting point, as used.
    weights: dict = field(default_factory=dict)
    prior: float = 0.0


def _frame(facts: Iterable[IncidentFacts]):
    import pandas as pd

    rows = []
    for f in facts:
        cy = math.floor(f.lat / CELL_DEG) if f.lat is not None and f.lon is not None else None
        # Cells keep ~11 km across at Ukraine's latitudes (cos 48° ~ 2/3).
        cx = math.floor(f.lon * math.cos(math.radians(f.lat)) / CELL_DEG) if cy is not None else None
        rows.append((f.id, f.date_lo.toordinal(), f.date_hi.toordinal(), f.lat, f.lon, cx, cy, f.place_id,
                     sorted(set(f.types)), sorted(set(f.means)), sorted(set(f.persons)), f.victims,
                     sorted(set(f.sources)), sorted({w for w in f.words if len(w) >= 4})))
    return pd.DataFrame(rows, columns=["id", "lo", "hi", "lat", "lon", "cx", "cy", "place_id", "types", "means",
                                       "persons", "victims", "sources", "words"]).astype(
        {"lat": "float64", "lon": "float64", "cx": "Int64", "cy": "Int64", "place_id": "Int64"})


_CANDIDATES = """
CREATE TEMP TABLE cand AS
WITH cells AS (SELECT id, cx, cy, unnest(range(lo // 7, least(hi, lo + {span}) // 7 + 1)) AS wk, lo, hi
               FROM inc WHERE cx IS NOT NULL),
near AS (SELECT c.id, c.cx + dx AS cx, c.cy + dy AS cy, c.wk + dw AS wk, c.lo, c.hi
         FROM cells c, range(-1, 2) AS x(dx), range(-1, 2) AS y(dy), range(-1, 2) AS w(dw)),
by_cell AS (SELECT a.id AS l, b.id AS r FROM cells a JOIN near b USING (cx, cy, wk)
            WHERE a.id < b.id AND greatest(a.lo, b.lo) - least(a.hi, b.hi) <= {gap} {focus}),
weeks AS (SELECT id, place_id, cx IS NULL AS no_point, unnest(range(lo // 7, least(hi, lo + {span}) // 7 + 1)) AS wk,
                 lo, hi FROM inc WHERE place_id IS NOT NULL),
around AS (SELECT id, place_id, no_point, wk + dw AS wk, lo, hi FROM weeks, range(-1, 2) AS w(dw)),
by_place AS (SELECT least(a.id, b.id) AS l, greatest(a.id, b.id) AS r FROM weeks a JOIN around b USING (place_id, wk)
             WHERE a.no_point AND a.id <> b.id AND greatest(a.lo, b.lo) - least(a.hi, b.hi) <= {gap} {focus}),
person AS (SELECT id, unnest(persons) AS k, lo, hi FROM inc),
person_ok AS (SELECT * FROM person WHERE k IN (SELECT k FROM person GROUP BY k HAVING count(*) <= {block})),
by_person AS (SELECT a.id AS l, b.id AS r FROM person_ok a JOIN person_ok b USING (k)
              WHERE a.id < b.id AND greatest(a.lo, b.lo) - least(a.hi, b.hi) <= {link} {focus}),
source AS (SELECT id, unnest(sources) AS k, lo, hi FROM inc),
source_ok AS (SELECT * FROM source WHERE k IN (SELECT k FROM source GROUP BY k HAVING count(*) <= {block})),
by_source AS (SELECT a.id AS l, b.id AS r FROM source_ok a JOIN source_ok b USING (k)
              WHERE a.id < b.id AND greatest(a.lo, b.lo) - least(a.hi, b.hi) <= {link} {focus})
SELECT DISTINCT l, r FROM (SELECT * FROM by_cell UNION ALL SELECT * FROM by_place UNION ALL SELECT * FROM by_person
                           UNION ALL SELECT * FROM by_source)
"""

# Words named by many incidents (a city, "shelling") say little about which attack it was:
# only the rarer ones are compared.
_RARE_WORDS = """
CREATE TEMP TABLE rare AS
WITH w AS (SELECT id, unnest(words) AS w FROM inc),
common AS (SELECT w FROM w GROUP BY w HAVING count(*) > {limit})
SELECT id, list(w ORDER BY w) AS words FROM w WHERE w NOT IN (SELECT w FROM common) GROUP BY id
"""

_MEASURES = """
SELECT c.l AS id_l, c.r AS id_r,
  greatest(0, greatest(a.lo, b.lo) - least(a.hi, b.hi)) AS gap,
  (a.lo = b.lo AND a.hi = b.hi AND a.lo = a.hi) AS same_day, greatest(a.hi - a.lo, b.hi - b.lo) AS span,
  CASE WHEN a.lat IS NULL OR b.lat IS NULL THEN NULL ELSE
    12742 * asin(least(1, sqrt(pow(sin(radians(b.lat - a.lat) / 2), 2)
      + cos(radians(a.lat)) * cos(radians(b.lat)) * pow(sin(radians(b.lon - a.lon) / 2), 2)))) END AS km,
  CASE WHEN a.place_id IS NULL OR b.place_id IS NULL THEN NULL ELSE a.place_id = b.place_id END AS same_place,
  len(list_intersect(a.types, b.types)) AS types_shared, least(len(a.types), len(b.types)) AS types_known,
  len(list_intersect(a.means, b.means)) AS means_shared, least(len(a.means), len(b.means)) AS means_known,
  len(list_intersect(a.persons, b.persons)) AS persons_shared, least(len(a.persons), len(b.persons)) AS persons_known,
  len(list_intersect(a.sources, b.sources)) AS sources_shared,
  a.victims AS victims_l, b.victims AS victims_r,
  len(list_intersect(coalesce(wa.words, []), coalesce(wb.words, []))) AS words_shared,
  len(coalesce(wa.words, [])) + len(coalesce(wb.words, []))
    - len(list_intersect(coalesce(wa.words, []), coalesce(wb.words, []))) AS words_union
FROM cand c JOIN inc a ON a.id = c.l JOIN inc b ON b.id = c.r
  LEFT JOIN rare wa ON wa.id = c.l LEFT JOIN rare wb ON wb.id = c.r
"""


def find(facts: Iterable[IncidentFacts], *, min_bits: float = 0.0, focus: int | None = None,
         threads: int | None = None, learn: bool = False, weights_table: dict | None = None) -> Candidates:
    """Candidate pairs whose total weight is at least ``min_bits`` (0: even odds).

    ``learn``: estimate the weights from the candidate pairs (:func:`.incident_weights.fit`);
    otherwise ``weights_table`` or the hand weights. The weights used are in the result.

    ``focus``: only pairs with this incident (a new incident or a draft, checked on entry).
    The result is the same on every run: pairs are ordered by weight, then ids.
    """
    import duckdb

    df = _frame(facts)
    con = duckdb.connect(":memory:")
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        con.execute("SET preserve_insertion_order = false")
        con.register("inc_df", df)
        con.execute("CREATE TEMP TABLE inc AS SELECT * FROM inc_df")
        where = f"AND (a.id = {int(focus)} OR b.id = {int(focus)})" if focus is not None else ""
        con.execute(_CANDIDATES.format(gap=MAX_GAP_DAYS, link=LINK_GAP_DAYS, block=MAX_BLOCK, span=MAX_SPAN_DAYS,
                                       focus=where))
        con.execute(_RARE_WORDS.format(limit=max(COMMON_WORD_MIN, int(len(df) * COMMON_WORD_SHARE))))
        compared = con.execute("SELECT count(*) FROM cand").fetchone()[0]
        cols = con.execute(_MEASURES).fetchnumpy()
    finally:
        con.close()
    # NULLs (a distance or place not known for both) become NaN.
    cols = {k: np.asarray(v.astype(float).filled(np.nan) if np.ma.isMaskedArray(v) else v) for k, v in cols.items()}
    lv = levels(cols)
    table, prior = fit(lv, start=weights_table) if learn else (weights_table or HAND, PRIOR_BITS)
    w = apply(lv, table)
    total = prior + sum(w.values())
    keep = np.flatnonzero(total >= min_bits)
    order = keep[np.lexsort((cols["id_r"][keep], cols["id_l"][keep], -total[keep]))]
    pairs = []
    for i in order:
        m = {k: _plain(v[i]) for k, v in cols.items()}
        parts = {k: float(v[i]) for k, v in w.items()}
        bits = float(total[i])
        pairs.append({"id_l": int(m.pop("id_l")), "id_r": int(m.pop("id_r")), "bits": round(bits, 3),
                      "probability": probability(bits), "prior": prior, "measures": m,
                      "weights": {k: round(v, 2) for k, v in parts.items()}, "reasons": reasons(m, parts)})
    return Candidates(pairs=pairs, compared=int(compared), weights=table, prior=prior)


def _plain(v):
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.floating | float):
        return None if math.isnan(v) else round(float(v), 3)
    if isinstance(v, np.integer):
        return int(v)
    return v


def probability(bits: float) -> float:
    """Odds in bits as a probability."""
    return 1 / (1 + 2.0 ** -bits)


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def reasons(m: dict, w: dict[str, float]) -> list[dict]:
    """One line per field: what was found, its weight in bits, and which way it counts."""
    def line(fieldname: str, text: str) -> dict:
        bits = w[fieldname]
        verdict = "for" if bits > 0.25 else "against" if bits < -0.25 else "neutral"
        return {"field": fieldname, "finding": text, "weight": round(bits, 2), "verdict": verdict}

    out = [line("date", "the same day" if m["same_day"] else
                "dates overlap" + (f" (one spans {_days(m['span'] + 1)})" if m["span"] >= 1 else "") if m["gap"] == 0
                else f"dates {_days(m['gap'])} apart")]
    if m["km"] is not None:
        km = m["km"]
        out.append(line("place", f"{km * 1000:.0f} m apart" if km < 1 else f"{km:.1f} km apart"))
    elif m["same_place"] is not None:
        out.append(line("place", "the same place" if m["same_place"] else "different places"))
    else:
        out.append(line("place", "place not known for both"))
    if m["types_known"]:
        out.append(line("type", f"{m['types_shared']} violation type(s) in common" if m["types_shared"]
                        else "no violation type in common"))
    if m["means_known"]:
        out.append(line("means", "the same means" if m["means_shared"] else "different means"))
    if m["persons_shared"]:
        out.append(line("victims", f"{m['persons_shared']} named victim(s) in both"))
    elif m["persons_known"]:
        out.append(line("victims", "named victims, none in both"))
    if m["victims_l"] and m["victims_r"]:
        out.append(line("count", f"victims counted: {m['victims_l']} and {m['victims_r']}"))
    if m["sources_shared"]:
        out.append(line("sources", f"{m['sources_shared']} source(s) in both"))
    if m["words_union"]:
        out.append(line("words", f"{m['words_shared']} of {m['words_union']} less common words of title and "
                        "narrative in common (any script)"))
    return out


__all__ = ["Candidates", "IncidentFacts", "find", "probability", "reasons"]
