"""Are some groups (older people, children, women, men) over-represented among the victims?

Compares the age and sex of documented victims with the population's. For each group:
its share of victims (exact 95% interval), its share of the population, and the rate ratio of
the group against everyone else, with an exact interval conditional on the number of victims
(Clopper-Pearson on the group's share, transformed). The verdict is spelt out, and it says when
the data cannot support a claim: too few victims, an interval that includes 1, or victims of
unknown age/sex numerous enough to reverse the conclusion.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

from scipy.stats import beta

from .age_bands import SEXES, VOCAB_BANDS, AgeBand, PopulationTable, band_of, parse_bands, read_population_csv

#: Fewer victims than this in a group (or outside it) and we do not draw conclusions about it.
MIN_VICTIMS = 5

CAVEATS = [
    "These figures describe documented victims only. If some groups' deaths or injuries are "
    "documented more completely than others', the comparison is biased in that direction.",
    "The population reference predates the full-scale invasion; displacement since 2022 has "
    "changed who lives where, especially near the front line.",
]


@dataclass
class GroupComparison:
    group: str
    victims: int
    victim_share: float
    share_lower: float
    share_upper: float
    population: int
    population_share: float
    rate_ratio: float
    ratio_lower: float
    ratio_upper: float
    verdict: str
    statement: str


@dataclass
class DisproportionalityReport:
    by: str
    victims_known: int
    victims_unknown: int
    population_source: str
    groups: list[GroupComparison]
    warnings: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=lambda: list(CAVEATS))

    def to_dict(self) -> dict:
        return asdict(self)


def _clopper_pearson(k: int, n: int, level: float) -> tuple[float, float]:
    a = (1 - level) / 2
    lo = 0.0 if k == 0 else float(beta.ppf(a, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - a, k + 1, n - k))
    return lo, hi


def _ratio(pi: float, p: float) -> float:
    """Rate ratio (group vs rest) implied by the group's share ``pi`` of victims and ``p`` of people."""
    if pi >= 1.0:
        return float("inf")
    return pi * (1 - p) / ((1 - pi) * p)


def tabulate_victims(
    records: Iterable[tuple[int | None, str | None, str | None]], bands: list[AgeBand]
) -> dict[tuple[str | None, str | None], int]:
    """(age, recorded age band, sex) per victim -> counts by (band, sex); ``None`` where unknown."""
    counts: dict[tuple[str | None, str | None], int] = {}
    for age, recorded, sex in records:
        key = (band_of(age, bands, recorded), sex if sex in SEXES else None)
        counts[key] = counts.get(key, 0) + 1
    return counts


def _in_group(by: str, band: str | None, sex: str | None, cells: list[tuple[str, str]]) -> bool:
    if by == "age":
        return band == cells[0][0]
    if by == "sex":
        return sex == cells[0][1]
    return (band, sex) == cells[0]


def _groups(by: str, bands: list[AgeBand]) -> list[tuple[str, list[tuple[str, str]]]]:
    if by == "age":
        return [(b.code, [(b.code, s) for s in SEXES]) for b in bands]
    if by == "sex":
        return [(s, [(b.code, s) for b in bands]) for s in SEXES]
    if by == "age_sex":
        return [(f"{b.code} {s}", [(b.code, s)]) for b in bands for s in SEXES]
    raise ValueError(f"by must be 'age', 'sex' or 'age_sex', not {by!r}")


def compare_with_population(
    victims: Mapping[tuple[str | None, str | None], int],
    population: PopulationTable | None = None,
    bands: str = VOCAB_BANDS,
    by: str = "age",
    level: float = 0.95,
) -> DisproportionalityReport:
    """Compare victims by (band, sex) — ``None`` for an unknown band or sex, as produced by
    ``tabulate_victims`` — with the population by (band, sex)."""
    band_list = parse_bands(bands)
    codes = {b.code for b in band_list}
    for (band, sex), n in victims.items():
        if band is not None and band not in codes:
            raise ValueError(f"victim count for unknown band {band!r} (bands: {bands})")
        if n < 0:
            raise ValueError(f"negative victim count for {band} {sex}")
    pop_table = population or read_population_csv()
    pop = pop_table.by_band(band_list)

    def placed(band: str | None, sex: str | None) -> bool:
        return (by == "sex" or band is not None) and (by == "age" or sex is not None)

    n_unknown = sum(n for (b, s_), n in victims.items() if not placed(b, s_))
    total_v = sum(n for (b, s_), n in victims.items() if placed(b, s_))
    total_p = sum(pop.values())
    pct = round(level * 100)
    warnings: list[str] = []
    if total_v == 0:
        warnings.append("no victim could be placed in a group (age or sex unknown): nothing to compare")
    elif n_unknown:
        share = n_unknown / (total_v + n_unknown)
        warnings.append(
            f"{n_unknown} victim(s) ({share:.0%}) cannot be placed in a group; each verdict says whether they "
            "could change it"
        )
    groups = []
    for name, cells in _groups(by, band_list):
        v = sum(n for (b, s_), n in victims.items() if placed(b, s_) and _in_group(by, b, s_, cells))
        p_n = sum(pop[c] for c in cells)
        p = p_n / total_p
        if total_v == 0:
            groups.append(GroupComparison(name, 0, float("nan"), float("nan"), float("nan"), p_n, p,
                                          float("nan"), float("nan"), float("nan"), "no data",
                                          f"No documented victims with known age and sex; nothing can be said about {name}."))
            continue
        s_lo, s_hi = _clopper_pearson(v, total_v, level)
        rr, rr_lo, rr_hi = _ratio(v / total_v, p), _ratio(s_lo, p), _ratio(s_hi, p)
        # the two extremes for unplaced victims: all in this group, or none
        rr_all = _ratio((v + n_unknown) / (total_v + n_unknown), p)
        rr_none = _ratio(v / (total_v + n_unknown), p)
        if v < MIN_VICTIMS or total_v - v < MIN_VICTIMS:
            verdict = "too few to tell"
            text = (f"{name}: {v} of {total_v} documented victims — too few to say whether this group is "
                    "over- or under-represented.")
        else:
            if rr_lo > 1:
                verdict = "over-represented"
            elif rr_hi < 1:
                verdict = "under-represented"
            else:
                verdict = "no clear difference"
            text = (f"{name}: {v / total_v:.1%} of documented victims ({pct}% CI {s_lo:.1%}–{s_hi:.1%}) against "
                    f"{p:.1%} of the population; rate ratio against everyone else {rr:.2f} ({pct}% CI "
                    f"{rr_lo:.2f}–{rr_hi:.2f}). ")
            if verdict == "no clear difference":
                text += "The data cannot support a claim that this group is disproportionately affected."
            else:
                text += f"Among documented victims this group is {verdict}."
                if n_unknown and (
                    (verdict == "over-represented" and rr_none <= 1)
                    or (verdict == "under-represented" and rr_all >= 1)
                ):
                    verdict += " (not robust)"
                    text += (f" But {n_unknown} victim(s) of unknown age/sex could reverse this: the claim "
                             "cannot be made until they are classified.")
        groups.append(GroupComparison(name, v, v / total_v, s_lo, s_hi, p_n, p, rr, rr_lo, rr_hi, verdict, text))
    return DisproportionalityReport(by, total_v, n_unknown, pop_table.source, groups, warnings)
