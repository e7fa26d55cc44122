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
