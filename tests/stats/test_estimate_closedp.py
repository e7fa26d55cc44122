"""Rcapture's closed-population models (closedp.t), checked against Rcapture 1.4-4's own output on
the datasets it ships (hare, HIV, bunting); the R commands are described in docs/statistics.md."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from svidok.cli.main import app
from svidok.stats.counts_table import CountsError, CountsTable
from svidok.stats.estimate_closedp import MODELS, closedp, closedp_custom, design, histories, read_design_csv

runner = CliRunner()

# Capture histories (occasion 1 first) and their counts, as in Rcapture's data(hare), data(HIV), data(bunting).
HARE = {"000001": 4, "000010": 4, "000011": 2, "000100": 3, "000101": 4, "000110": 1, "000111": 1, "001000": 5,
        "001001": 2, "001011": 1, "001101": 1, "010000": 6, "010001": 1, "010010": 3, "010011": 1, "010100": 3,
        "010101": 3, "010111": 1, "011001": 2, "011011": 1, "011101": 2, "011111": 1, "100000": 3, "100001": 1,
        "100010": 2, "100100": 2, "100111": 1, "101000": 1, "101010": 1, "101100": 1, "110001": 1, "110010": 1,
        "111111": 2}
HIV = {"1110": 3, "1101": 1, "1100": 33, "1010": 20, "1001": 6, "1000": 403, "0111": 3, "0110": 35, "0101": 10,
       "0100": 545, "0011": 11, "0010": 621, "0001": 205}
BUNTING = {
    "11111111": 1, "00111111": 1, "11011111": 1, "01011111": 1, "00011111": 2, "00001111": 11, "00000111": 12,
    "00001011": 1, "00000011": 46, "00111101": 1, "00010101": 1, "00000101": 7, "00001001": 1, "00010001": 1,
    "01000001": 1, "00000001": 100, "00011110": 4, "00001110": 5, "01110110": 1, "00110110": 1, "00000110": 27,
    "00001010": 12, "00010010": 3, "00000010": 194, "10111100": 1, "01011100": 1, "00011100": 3, "00101100": 1,
    "01001100": 2, "10001100": 1, "00001100": 22, "01010100": 1, "00010100": 2, "10100100": 1, "01000100": 1,
    "00000100": 210, "11111000": 2, "01111000": 1, "00111000": 2, "11011000": 3, "01011000": 1, "00011000": 16,
    "00101000": 2, "01001000": 2, "00001000": 203, "11110000": 2, "01110000": 4, "00110000": 3, "01010000": 6,
    "00010000": 198, "11100000": 2, "01100000": 6, "10100000": 2, "00100000": 54, "11000000": 20,
    "01000000": 339, "10000000": 132}

# closedp.t(X)$results printed with print(..., digits = 10): abundance, stderr, deviance, df, AIC, BIC.
R_HARE = [
    (75.43361863, 3.454999942, 68.51620790, 61, 154.7066249, 159.1456403),
    (75.06620134, 3.352330991, 58.31415907, 56, 154.5045760, 170.0411300),
    (79.83712121, 6.373764989, 58.02332125, 58, 150.2137382, 161.3112767),
    (81.52704783, 5.711473470, 59.10716465, 60, 147.2975816, 153.9561047),
    (90.40238341, 11.625242367, 61.60043170, 60, 149.7908487, 156.4493718),
    (100.57274456, 21.740997319, 62.77055671, 60, 150.9609737, 157.6194968),
    (79.57145739, 6.253714317, 47.11503041, 52, 151.3054474, 175.7200321),
    (81.07928141, 5.573550783, 48.13651337, 55, 146.3269303, 164.0829920),
    (90.46410151, 11.657851798, 50.70576227, 55, 148.8961792, 166.6522409),
    (101.55386777, 22.404604120, 51.95633803, 55, 150.1467550, 167.9028166),
    (81.14606052, 8.261485708, 67.02677498, 60, 155.2171920, 161.8757151),
    (74.18292592, 14.594360349, 63.25682061, 59, 153.4472376, 162.3252684),
]
R_HIV = [
    (11576.700146, 946.06811932, 297.81916754, 13, 368.85502603, 379.9500294),
    (11124.578469, 904.75197760, 13.02613695, 10, 90.06199544, 117.7995039),
    (12145.147838, 1076.24835080, 295.36336397, 12, 368.39922246, 385.0417275),
    (15070.966227, 2972.14557246, 295.93923448, 12, 368.97509297, 385.6175980),
    (20984.630214, 8266.48846153, 295.62004480, 12, 368.65590329, 385.2984083),
    (29202.312857, 17511.61306302, 295.53674801, 12, 368.57260650, 385.2151116),
    (11700.988296, 1030.91555184, 10.15749471, 9, 89.19335320, 122.4783633),
    (14849.762901, 2915.11203509, 10.77858584, 9, 89.81444434, 123.0994544),
    (21327.460467, 8428.43302374, 10.42607554, 9, 89.46193403, 122.7469441),
    (30623.153370, 18463.14568999, 10.33699843, 9, 89.37285692, 122.6578670),
    (4045.903333, 386.92584571, 266.72018840, 12, 339.75604690, 356.3985519),
    (2465.128421, 88.18227883, 164.97054060, 11, 240.00639910, 262.1964058),
]
R_BUNTING = [
    (4403.849570, 190.1280444, 1182.0026024, 253, 1380.6073465, 1391.4616348),
    (4328.992312, 185.6605944, 854.2276281, 246, 1066.8323722, 1115.6766694),
    (6651.243056, 459.6857149, 965.4774621, 248, 1174.0822061, 1212.0722151),
    (4940.182517, 233.4325237, 1087.4904764, 252, 1288.0952205, 1304.3766529),
    (11806.267584, 1002.8877556, 981.1994120, 252, 1181.8041561, 1198.0855885),
    (34247.938717, 5180.0432374, 970.6340734, 252, 1171.2388174, 1187.5202498),
    (6540.595742, 449.7072645, 629.0348234, 241, 851.6395675, 927.6195854),
    (4859.886740, 228.4312275, 755.4069923, 245, 970.0117364, 1024.2831777),
    (11927.493614, 1017.2166091, 644.3882878, 245, 858.9930319, 913.2644732),
    (35726.589434, 5458.2691207, 634.2726061, 245, 848.8773502, 903.1487915),
    (8096.103903, 2640.5817437, 1172.8253583, 252, 1373.4301024, 1389.7115348),
    (4051.678470, 563.4211201, 1140.1077652, 251, 1342.7125093, 1364.4210858),
]
R_LABELS = ["M0", "Mt", "Mh Chao (LB)", "Mh Poisson2", "Mh Darroch", "Mh Gamma3.5", "Mth Chao (LB)",
            "Mth Poisson2", "Mth Darroch", "Mth Gamma3.5", "Mb", "Mbh"]


def table(histories_counts: dict[str, int]) -> CountsTable:
    t = len(next(iter(histories_counts)))
    cells = np.zeros(2**t - 1, dtype=np.int64)
    for h, c in histories_counts.items():
        cells[sum(1 << j for j, ch in enumerate(h) if ch == "1") - 1] += c
    return CountsTable(tuple(f"c{j + 1}" for j in range(t)), cells)


@pytest.mark.parametrize(("data", "expected"), [(HARE, R_HARE), (HIV, R_HIV), (BUNTING, R_BUNTING)],
                         ids=["hare", "HIV", "bunting"])
def test_closedp_table_matches_rcapture(data: dict[str, int], expected: list[tuple]) -> None:
    rows = closedp(table(data))
    assert [r.name for r in rows] == R_LABELS
    for r, (n, se, dev, df, aic, bic) in zip(rows, expected, strict=True):
        # R's printed digits: the fit stops where R's glm stops, so the standard errors agree too
        assert r.abundance == pytest.approx(n, rel=1e-8), r.name
        assert r.stderr == pytest.approx(se, rel=1e-7), r.name
        assert (r.deviance, r.aic, r.bic) == pytest.approx((dev, aic, bic), abs=1e-6), r.name
        assert r.df == df and not r.warnings
        # R's print(closedp.t(X)) shows abundance and stderr to one decimal
        assert f"{r.abundance:.1f}" == f"{n:.1f}" and f"{r.stderr:.1f}" == f"{se:.1f}", r.name


def test_custom_design_matches_closedpci() -> None:
    # closedpCI.t(hare, mX = cbind(histpos.t(6), pmax(rowSums(histpos.t(6)) - 2, 0))) in R:
    # abundance 81.2516853, stderr 6.99543114, deviance 55.43882361, df 55, AIC 153.6292406, BIC 171.3853022
    h = histories(6)
    cols = {f"b{j + 1}": h[:, j] for j in range(6)} | {"h2": np.maximum(h.sum(axis=1) - 2, 0)}
    r = closedp_custom(table(HARE), cols)
    assert (r.abundance, r.stderr) == pytest.approx((81.2516853, 6.99543114), rel=1e-8)
    assert (r.deviance, r.df, r.aic, r.bic) == pytest.approx((55.43882361, 55, 153.6292406, 171.3853022), abs=1e-6)
    assert list(r.coefficients) == ["Intercept", "b1", "b2", "b3", "b4", "b5", "b6", "h2"]


def test_custom_design_reproducing_mt_gives_mt() -> None:
    x, names = design("Mt", 4)
    custom = closedp_custom(table(HIV), dict(zip(names, x.T, strict=True)))
    mt = closedp(table(HIV))[1]
    assert custom.abundance == pytest.approx(mt.abundance, rel=1e-10) and custom.df == mt.df


def test_two_occasions_fit_m0_mt_mb_only() -> None:
    rows = closedp(CountsTable(("a", "b"), np.array([40, 30, 10])))
    assert [r.name for r in rows] == ["M0", "Mt", "Mb"]
    # Mt on two lists is Lincoln-Petersen: N = n1 * n2 / m, list a has 40 + 10 people, list b 30 + 10
    assert rows[1].abundance == pytest.approx(50 * 40 / 10, rel=1e-8)


def test_bad_designs_and_tables_are_refused_with_reasons() -> None:
    t = table(HIV)
    h = histories(4)
    with pytest.raises(ValueError, match="not of full rank"):
        closedp_custom(t, {"a": h[:, 0], "b": h[:, 0] * 2})
    with pytest.raises(ValueError, match="need 15 values"):
        closedp_custom(t, {"a": [1, 2, 3]})
    with pytest.raises(CountsError, match="more than one list"):
        closedp(CountsTable(("a", "b", "c"), np.array([5, 3, 0, 4, 0, 0, 0])))
    assert len(MODELS) == 12


def _counts_csv(tmp_path: Path, data: dict[str, int]) -> Path:
    t = len(next(iter(data)))
    lines = [",".join([f"c{j + 1}" for j in range(t)] + ["count"])]
    lines += [",".join(h) + f",{c}" for h, c in data.items()]
    path = tmp_path / "counts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_prints_the_table_like_rcapture(tmp_path: Path) -> None:
    res = runner.invoke(app, ["estimate", str(_counts_csv(tmp_path, HARE)), "--method", "closedp"])
    assert res.exit_code == 0, res.output
    assert "documented (observed): 68 on 6 lists" in res.stdout
    # the row R prints: Mh Poisson2  81.5  5.7  59.107 60 147.298 153.956
    line = next(ln for ln in res.stdout.splitlines() if "Mh Poisson2" in ln).split()
    assert line[2:] == ["81.5", "5.7", "59.107", "60", "147.298", "153.956"]


def test_cli_json_and_design_file(tmp_path: Path) -> None:
    h = histories(4).astype(int)
    lines = ["c1,c2,c3,c4,first,het"]
    lines += [",".join(map(str, row)) + f",{row[0]},{max(row.sum() - 1, 0)}" for row in h[::-1]]
    design_path = tmp_path / "mine.csv"
    design_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["estimate", str(_counts_csv(tmp_path, HIV)), "--method", "closedp", "--json",
                              "--design", str(design_path)])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["observed"] == 1896 and len(d["models"]) == 13
    assert d["models"][0]["abundance"] == pytest.approx(11576.700146, rel=1e-7)
    assert d["models"][-1]["model"] == "custom (mine)"
    assert list(d["models"][-1]["coefficients"]) == ["Intercept", "first", "het"]


def test_cli_design_file_errors_name_the_line(tmp_path: Path) -> None:
    design_path = tmp_path / "d.csv"
    design_path.write_text("c1,c2,c3,c4,x\n1,1,1,1,0\n1,1,1,1,2\n", encoding="utf-8")
    res = runner.invoke(app, ["estimate", str(_counts_csv(tmp_path, HIV)), "-m", "closedp", "--design",
                              str(design_path)])
    assert res.exit_code == 2 and "line 3" in res.output and "given twice" in res.output
    with pytest.raises(CountsError, match="missing c4"):
        design_path.write_text("c1,c2,c3,x\n", encoding="utf-8")
        read_design_csv(design_path, table(HIV))
    res = runner.invoke(app, ["estimate", "--from-db", "-m", "closedp"])
    assert res.exit_code == 2 and "counts file" in res.output


def test_degenerate_table_gives_rows_with_reasons_not_a_traceback(tmp_path: Path) -> None:
    # three people, each on all three lists: nothing bounds the heterogeneity models
    rows = closedp(CountsTable(("a", "b", "c"), np.array([0, 0, 0, 0, 0, 0, 3])))
    assert len(rows) == 12
    unusable = [r for r in rows if r.warnings]
    assert unusable and all(w for r in unusable for w in r.warnings)
    path = tmp_path / "c.csv"
    path.write_text("a,b,c,count\n1,1,1,3\n1,0,0,0\n", encoding="utf-8")
    res = runner.invoke(app, ["estimate", str(path), "-m", "closedp"])
    assert res.exit_code == 0, res.output
    assert "warning (" in res.stdout and "Traceback" not in res.output
