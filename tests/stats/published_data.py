"""Published multiple-systems data sets with their published estimates, for validation tests.

Pattern order follows Rcapture's ``histpos.t``: binary counting down from all-ones, list 1 the
most significant (for three lists: 111, 110, 101, 100, 011, 010, 001).
"""

from __future__ import annotations

from svidok.stats.counts_table import CountsTable, table_from_patterns


def histpos(t: int) -> list[tuple[int, ...]]:
    return [tuple(int(b) for b in format(m, f"0{t}b")) for m in range(2**t - 1, 0, -1)]


def table(counts: list[int], names: list[str] | None = None) -> CountsTable:
    t = {7: 3, 15: 4, 31: 5, 63: 6}[len(counts)]
    names = names or [f"c{i + 1}" for i in range(t)]
    return table_from_patterns(names, zip(histpos(t), counts, strict=True))


#: Darroch, Fienberg, Glonek & Junker (1993), JASA 88:1137-1148, the R3 data (3 lists);
#: estimates from Rivest (2011) as reproduced in Rcapture's tests (inst/tests/testPapersResults.R).
DARROCH_R3 = [72, 155, 7, 71, 13, 53, 43]

#: Diabetes in Casale Monferrato, Italy: Bruno, LaPorte, Merletti et al. (1994), Diabetes Care
#: 17:548-556 (4 lists); model estimates from Bruno et al. (1994) and Rivest (2011), ibid.
DIABETES = [58, 157, 18, 104, 46, 650, 12, 709, 14, 20, 7, 74, 8, 182, 10]

#: Cormack, Chang & Smith (2000), "Estimating deaths from industrial injury by capture-recapture:
#: a cautionary tale", Int. J. Epidemiol. 29:1053-1059, Tables 3a (4 lists) and 3b (3 lists).
CORMACK_4 = [72, 5, 29, 53, 24, 3, 12, 14, 0, 0, 0, 1, 0, 0, 2]
CORMACK_3 = [72, 5, 29, 54, 24, 3, 14]


# --- Human rights -------------------------------------------------------------------------


def merge_lists(t: CountsTable, first: str, second: str) -> CountsTable:
    """The table with lists ``first`` and ``second`` merged into one list ``first+second`` (a
    person is on it when on either), at ``first``'s place: Silverman's ``mergelists``."""
    i, j = t.lists.index(first), t.lists.index(second)
    names = [first + second if k == i else n for k, n in enumerate(t.lists) if k != j]
    merged: dict[tuple[int, ...], int] = {}
    for pattern, count in t.rows():
        p = list(pattern)
        p[i] = max(p[i], p[j])
        del p[j]
        merged[tuple(p)] = merged.get(tuple(p), 0) + count
    return table_from_patterns(names, merged.items())


#: Potential victims of modern slavery in the UK, 2013 (National Crime Agency strategic
#: assessment), by six lists: LA local authorities, NG non-government organisations, PF police
#: forces, GO government organisations, GP general public, NCA National Crime Agency. Used for
#: the Home Office estimate (Silverman 2014, "Modern slavery: an application of multiple systems
#: estimation"; Bales, Hesketh & Silverman 2015, Significance 12(3):16-21). Counts as published
#: by B. W. Silverman in the R package modslavmse, file R/UKdat.R (data frame ``UKdat``; the
#: same table is ``UKdat`` in SparseMSE and MultipleSystemsEstimation). Patterns LA..NCA.
UK_2013_LISTS = ("LA", "NG", "PF", "GO", "GP", "NCA")
UK_2013 = [
    ((1, 0, 0, 0, 0, 0), 54), ((0, 1, 0, 0, 0, 0), 463), ((0, 0, 1, 0, 0, 0), 907),
    ((0, 0, 0, 1, 0, 0), 695), ((0, 0, 0, 0, 1, 0), 316), ((0, 0, 0, 0, 0, 1), 57),
    ((1, 1, 0, 0, 0, 0), 15), ((1, 0, 1, 0, 0, 0), 19), ((1, 0, 0, 1, 0, 0), 3),
    ((0, 1, 1, 0, 0, 0), 56), ((0, 1, 0, 1, 0, 0), 19), ((0, 1, 0, 0, 1, 0), 1),
    ((0, 1, 0, 0, 0, 1), 3), ((0, 0, 1, 1, 0, 0), 69), ((0, 0, 1, 0, 1, 0), 10),
    ((0, 0, 1, 0, 0, 1), 31), ((0, 0, 0, 1, 1, 0), 8), ((0, 0, 0, 1, 0, 1), 6),
    ((0, 0, 0, 0, 1, 1), 1), ((1, 1, 1, 0, 0, 0), 1), ((1, 1, 0, 1, 0, 0), 1),
    ((0, 1, 1, 1, 0, 0), 4), ((0, 1, 1, 0, 0, 1), 3), ((0, 0, 1, 1, 0, 1), 1),
    ((1, 1, 1, 1, 0, 0), 1),
]  # fmt: skip


def uk_2013(n_lists: int = 6) -> CountsTable:
    """The UK table with 6 lists; 5 lists merge PF and NCA into PFNCA (``UKdat_5``); 4 lists
    also leave out GP (``UKdat_4``), as in Silverman (2020, JRSS A 183:691-736)."""
    t = table_from_patterns(UK_2013_LISTS, UK_2013)
    if n_lists == 6:
        return t
    t5 = merge_lists(t, "PF", "NCA")
    if n_lists == 5:
        return t5
    assert n_lists == 4
    return t5.collapse([t5.lists.index(n) for n in ("LA", "NG", "PFNCA", "GO")])


#: Killings in Kosovo, 20 March - 22 June 1999, on four lists: EXH exhumations, ABA American
#: Bar Association Central and East European Law Initiative, OSCE Organization for Security and
#: Co-operation in Europe, HRW Human Rights Watch; 4,400 people. Analysed by Ball, Betts,
#: Scheuren, Dudukovich & Asher (2002), "Killings and refugee flow in Kosovo, March-June 1999",
#: AAAS report to the ICTY; distributed as ``kosovo_aggregate`` in the R package LCMCR and as
#: ``Kosovo`` in MultipleSystemsEstimation, whose reference page for
#: ``estimate_population_stepwise`` prints the 15 counts (docs/reference/, B. W. Silverman).
KOSOVO_LISTS = ("EXH", "ABA", "OSCE", "HRW")
KOSOVO = [
    ((1, 0, 0, 0), 1131), ((0, 1, 0, 0), 845), ((0, 0, 1, 0), 936), ((0, 0, 0, 1), 306),
    ((1, 1, 0, 0), 177), ((1, 0, 1, 0), 228), ((1, 0, 0, 1), 106), ((0, 1, 1, 0), 217),
    ((0, 1, 0, 1), 31), ((0, 0, 1, 1), 123), ((1, 1, 1, 0), 181), ((1, 1, 0, 1), 18),
    ((1, 0, 1, 1), 42), ((0, 1, 1, 1), 32), ((1, 1, 1, 1), 27),
]  # fmt: skip


def kosovo() -> CountsTable:
    return table_from_patterns(KOSOVO_LISTS, KOSOVO)


#: Rcapture's ``HIV`` data set (4 lists, 1,896 people), with strong heterogeneity between lists.
HIV_ROWS = [
    ((1, 1, 1, 0), 3), ((1, 1, 0, 1), 1), ((1, 1, 0, 0), 33), ((1, 0, 1, 0), 20), ((1, 0, 0, 1), 6),
    ((1, 0, 0, 0), 403), ((0, 1, 1, 1), 3), ((0, 1, 1, 0), 35), ((0, 1, 0, 1), 10), ((0, 1, 0, 0), 545),
    ((0, 0, 1, 1), 11), ((0, 0, 1, 0), 621), ((0, 0, 0, 1), 205),
]  # fmt: skip

#: Rcapture's ``lesbian`` data set (4 lists A-D, 2,185 people).
LESBIAN_ROWS = [
    ((1, 1, 1, 1), 23), ((1, 1, 1, 0), 27), ((1, 1, 0, 1), 48), ((1, 1, 0, 0), 104), ((1, 0, 1, 1), 19),
    ((1, 0, 1, 0), 44), ((1, 0, 0, 1), 143), ((1, 0, 0, 0), 589), ((0, 1, 1, 1), 20), ((0, 1, 1, 0), 64),
    ((0, 1, 0, 1), 53), ((0, 1, 0, 0), 534), ((0, 0, 1, 1), 28), ((0, 0, 1, 0), 281), ((0, 0, 0, 1), 208),
]  # fmt: skip


def hiv() -> CountsTable:
    return table_from_patterns(("c1", "c2", "c3", "c4"), HIV_ROWS)


def lesbian() -> CountsTable:
    return table_from_patterns(("A", "B", "C", "D"), LESBIAN_ROWS)
