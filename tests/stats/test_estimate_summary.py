"""`svidok estimate` as a reader sees it: refusals without tracebacks, diagnostics, full model names,
and the total over strata with an interval made from the strata's posterior draws."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from svidok.cli.main import app
from svidok.stats.counts_table import table_from_patterns
from svidok.stats.estimate_strata import estimate_by_stratum, total_over_strata

from .published_data import KOSOVO, hiv, kosovo

runner = CliRunner()


def write_counts(tmp_path: Path, lists: list[str], rows) -> Path:
    lines = [",".join([*lists, "count"])] + [",".join(map(str, p)) + f",{c}" for p, c in rows]
    path = tmp_path / "counts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("count", "extra", "message"),
    [
        ("100000000000000000000", [], "at most"),
        ("9007199254740993", [], "at most"),
        ("-3", [], "negative"),
        ("4.5", [], "whole number"),
        ("12", ["--method", "lcmcr", "--classes", "0"], "latent classes"),
        ("12", ["--method", "lcmcr", "--chains", "100000"], "chains"),
    ],
)
def test_hostile_inputs_give_an_error_line_not_a_traceback(tmp_path, count, extra, message) -> None:
    path = tmp_path / "c.csv"
    path.write_text(f"A,B,C,count\n1,0,0,30\n0,1,0,{count}\n1,1,0,5\n0,1,1,4\n0,0,1,9\n")
    res = runner.invoke(app, ["estimate", str(path), *extra])
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_thirty_lists_are_refused_in_words(tmp_path) -> None:
    path = write_counts(tmp_path, [f"L{j}" for j in range(30)], [((1,) + (0,) * 29, 5)])
    res = runner.invoke(app, ["estimate", str(path)])
    assert res.exit_code == 2 and "30 lists: at most 20" in res.output


def test_model_names_are_printed_in_full(tmp_path) -> None:
    names = ["Exhumations", "AmericanBarAssociation", "OSCE_Kosovo_Verification", "HumanRightsWatch"]
    path = write_counts(tmp_path, names, KOSOVO)
    res = runner.invoke(app, ["estimate", str(path), "--models"])
    assert res.exit_code == 0, res.output
    long_label = ("[Exhumations,AmericanBarAssociation,OSCE_Kosovo_Verification]"
                  "[Exhumations,OSCE_Kosovo_Verification,HumanRightsWatch]")
    assert long_label in res.stdout
    without = runner.invoke(app, ["estimate", str(path)])
    assert "rank  model" not in without.stdout and "--models" in without.stdout


def test_diagnostics_in_text_and_traces_in_json(tmp_path) -> None:
    path = write_counts(tmp_path, list("ABCD"), KOSOVO)
    args = ["estimate", str(path), "-m", "lcmcr", "--burnin", "300", "--samples", "60", "--thinning", "3",
            "--chains", "2", "--diagnostics"]
    text = runner.invoke(app, args)
    assert text.exit_code == 0, text.output
    assert "alpha (concentration)" in text.stdout and "occupied classes" in text.stdout
    d = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert np.array(d["traces"]["N"]).shape == (2, 60) and np.array(d["traces"]["alpha"]).shape == (2, 60)
    assert {"N", "alpha", "classes"} <= d["diagnostics"].keys()
    assert min(min(c) for c in d["traces"]["N"]) >= 4400


def test_total_over_strata_comes_from_the_draws_not_from_adding_interval_ends() -> None:
    tables = {"Kosovo": kosovo(), "HIV": hiv(), "tiny": table_from_patterns("ABC", [((1, 0, 0), 5), ((1, 1, 0), 2)])}
    results = estimate_by_stratum(tables, "lcmcr", burnin=2000, samples=400, thinning=10, chains=2, seed=3)
    by = {r.stratum: r for r in results}
    assert by["tiny"].result is None and by["tiny"].warnings[0].startswith("not estimated")
    total = total_over_strata(results)
    est = [by["Kosovo"], by["HIV"]]
    # the interval of a sum is narrower than the sum of the intervals' ends
    assert sum(r.result["lower"] for r in est) + 7 < total["lower"] < total["estimate"]
    assert total["estimate"] < total["upper"] < sum(r.result["upper"] for r in est) + 7
    summed = est[0].draws + est[1].draws
    assert total["estimate"] == pytest.approx(float(np.median(summed)) + 7)
    assert total["observed"] == 4400 + 1896 + 7 and any("not estimated" in n for n in total["notes"])
