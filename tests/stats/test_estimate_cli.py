"""`svidok estimate COUNTS.csv` as an analyst runs it, and bad counts files as they would arrive."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from svidok.cli.main import app

from .published_data import DIABETES, histpos

runner = CliRunner()


def counts_file(tmp_path: Path, counts: list[int], lists: int) -> Path:
    lines = [",".join([f"L{i + 1}" for i in range(lists)] + ["count"])]
    lines += [",".join(map(str, p)) + f",{c}" for p, c in zip(histpos(lists), counts, strict=True)]
    path = tmp_path / "counts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_loglinear_json_has_the_estimate_interval_and_observed(tmp_path: Path) -> None:
    res = runner.invoke(app, ["estimate", str(counts_file(tmp_path, DIABETES, 4)), "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["observed"] == 2069 and d["method"] == "loglinear"
    assert d["lower"] <= d["estimate"] <= d["upper"]
    assert d["n_models"] == 113 and d["ranking"][0]["label"] == d["model"]


def test_loglinear_text_output_names_model_and_interval(tmp_path: Path) -> None:
    res = runner.invoke(app, ["estimate", str(counts_file(tmp_path, DIABETES, 4)), "--criterion", "bic"])
    assert res.exit_code == 0, res.output
    assert "documented (observed): 2,069 on 4 lists" in res.stdout
    assert "95% profile-likelihood interval" in res.stdout and "BIC best of 113" in res.stdout


def test_lcmcr_json_has_median_and_diagnostics_and_is_reproducible(tmp_path: Path) -> None:
    path = counts_file(tmp_path, DIABETES, 4)
    args = ["estimate", str(path), "--method", "lcmcr", "--json", "--samples", "200", "--burnin", "1000",
            "--thinning", "5", "--seed", "11"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    d = json.loads(first.stdout)
    assert {"estimate", "lower", "upper", "observed", "median", "rhat", "ess_bulk"} <= d.keys()
    assert d["observed"] <= d["lower"] <= d["median"] <= d["upper"]
    assert json.loads(runner.invoke(app, args).stdout)["median"] == d["median"]


def test_bad_files_give_a_clear_error_and_no_number(tmp_path: Path) -> None:
    cases = {
        "A,B,count\n0,0,5\n1,0,3\n": "row 1: pattern of all zeros",
        "A,B,count\n1,0,-1\n0,1,3\n": "negative",
        "A,B,count\n1,0,1.5\n": "not a whole number",
        "A,count\n1,3\n": "at least two list columns",
        "A,B,C,count\n1,0,0,4\n0,1,0,5\n0,0,1,6\n": "no person is on more than one list",
    }
    for text, message in cases.items():
        path = tmp_path / "bad.csv"
        path.write_text(text, encoding="utf-8")
        res = runner.invoke(app, ["estimate", str(path), "--json"])
        assert res.exit_code == 2, (text, res.output)
        assert message in res.output and res.stdout.strip() == ""


def test_two_lists_need_loglinear_and_warn_about_independence(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("A,B,count\n1,1,30\n1,0,70\n0,1,50\n", encoding="utf-8")
    res = runner.invoke(app, ["estimate", str(path), "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert round(d["estimate"]) == round(100 * 80 / 30)  # Lincoln-Petersen
    assert any("independent" in w for w in d["warnings"])
    res = runner.invoke(app, ["estimate", str(path), "--method", "lcmcr"])
    assert res.exit_code == 2 and "need 3 for lcmcr" in res.output


def test_chart_of_documented_and_estimated(tmp_path: Path) -> None:
    out = tmp_path / "estimate.png"
    res = runner.invoke(app, ["estimate", str(counts_file(tmp_path, DIABETES, 4)), "--chart", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_disproportion_from_a_victims_file(tmp_path: Path) -> None:
    path = tmp_path / "victims.csv"
    path.write_text("age,sex,count\n70,female,40\n65,male,30\n35,male,100\n30,female,40\n10,female,8\n,female,12\n",
                    encoding="utf-8")
    res = runner.invoke(app, ["disproportion", str(path), "--json", "--chart", str(tmp_path / "p.png")])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    older = next(g for g in d["groups"] if g["group"] == "60+")
    assert older["victims"] == 70 and older["verdict"] == "over-represented" and older["ratio_lower"] > 1
    assert d["victims_unknown"] == 12 and "1 January 2018" in d["population_source"]
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
    text = runner.invoke(app, ["disproportion", str(path), "--by", "sex"])
    assert text.exit_code == 0 and "rate ratio" in text.stdout and "documented victims only" in text.stdout


def test_disproportion_bad_rows_are_named(tmp_path: Path) -> None:
    path = tmp_path / "victims.csv"
    path.write_text("age,sex\n40,male\nforty,female\n", encoding="utf-8")
    res = runner.invoke(app, ["disproportion", str(path)])
    assert res.exit_code == 2 and "row 2" in res.output
    path.write_text("age,sex\n40,robot\n", encoding="utf-8")
    res = runner.invoke(app, ["disproportion", str(path)])
    assert res.exit_code == 2 and "row 1, column 'sex'" in res.output
    path.write_text("age,sex\n40,male\n", encoding="utf-8")
    res = runner.invoke(app, ["disproportion", str(path), "--bands", "0-17,18-59"])
    assert res.exit_code == 2 and "open-ended" in res.output


def test_dga_text_and_json_name_the_averaged_models(tmp_path: Path) -> None:
    path = counts_file(tmp_path, DIABETES, 4)
    res = runner.invoke(app, ["estimate", str(path), "--method", "dga", "--models"])
    assert res.exit_code == 0, res.output
    assert "averaged over 61 decomposable graphical models (delta 0.0625, prior on N 1/N" in res.stdout
    assert "95% credible interval" in res.stdout
    res = runner.invoke(app, ["estimate", str(path), "-m", "dga", "--json", "--delta", "1", "--max-missing", "3000"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["delta"] == 1 and d["grid"][-1] == 2069 + 3000 and d["observed"] == 2069
    assert d["lower"] <= d["median"] <= d["upper"] and d["models"][0]["weight"] >= d["models"][1]["weight"]
