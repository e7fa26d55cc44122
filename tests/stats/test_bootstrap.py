"""Bootstrap interval of the log-linear estimate with the model chosen in each replicate.

Yardstick: with a single model allowed (independence), there is no choice to redo, and the
bootstrap percentile interval must agree with the profile-likelihood interval (Cormack 1992)
that Rcapture computes, which the log-linear tests check against published figures."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from svidok.cli.main import app
from svidok.stats.estimate_bootstrap import bootstrap_interval
from svidok.stats.estimate_loglinear import estimate_loglinear

from .published_data import DARROCH_R3, DIABETES, kosovo, table


@pytest.mark.parametrize("make", [lambda: table(DARROCH_R3), kosovo])
def test_with_one_model_the_bootstrap_matches_the_profile_interval(make) -> None:
    t = make()
    profile = estimate_loglinear(t, max_order=1)
    boot = bootstrap_interval(t, max_order=1, reps=2000, seed=4)
    assert boot["chosen_model"] == profile.model == "independence"
    width = profile.upper - profile.lower
    assert abs(boot["lower"] - profile.lower) < 0.05 * width
    assert abs(boot["upper"] - profile.upper) < 0.05 * width


def test_choosing_the_model_in_each_replicate_widens_the_interval_and_reports_the_choices() -> None:
    t = table(DIABETES)
    profile = estimate_loglinear(t)
    boot = bootstrap_interval(t, reps=300, seed=2)
    assert boot["chosen_model"] == profile.model
    assert boot["upper"] - boot["lower"] > profile.upper - profile.lower
    assert boot["lower"] < profile.estimate < boot["upper"]
    shares = [s["share"] for s in boot["selected"]]
    assert shares == sorted(shares, reverse=True) and sum(shares) <= 1 + 1e-9
    assert any("unstable" in w for w in boot["warnings"])  # Bruno's model wins only about a third of the time
    assert bootstrap_interval(t, reps=300, seed=2) == boot


def test_cli_bootstrap(tmp_path) -> None:
    from .published_data import histpos

    p = tmp_path / "c.csv"
    p.write_text("a,b,c,d,count\n" + "".join(",".join(map(str, pat)) + f",{c}\n"
                                           for pat, c in zip(histpos(4), DIABETES, strict=True)))
    res = CliRunner().invoke(app, ["estimate", str(p), "--bootstrap", "100", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["bootstrap"]["reps"] == 100 and d["bootstrap"]["lower"] < d["estimate"] < d["bootstrap"]["upper"]
    text = CliRunner().invoke(app, ["estimate", str(p), "--bootstrap", "100"])
    assert "bootstrap (model chosen in each of 100 replicates)" in text.stdout
