"""The demo data holds victims documented by several lists, so ``svidok estimate --from-db`` works on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from svidok.services.demo_data import DEMO_LISTS

SVIDOK = str(Path(sys.executable).parent / "svidok")


def _svidok(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SVIDOK_DATA_DIR": str(data_dir)}
    env.pop("SVIDOK_DATABASE_URL", None)
    return subprocess.run([SVIDOK, *args], env=env, capture_output=True, text=True, timeout=600)


def test_demo_then_estimate_from_db(tmp_path: Path) -> None:
    done = _svidok(tmp_path, "demo", "--size", "3000", "--no-serve")
    assert done.returncode == 0, done.stderr
    by_oblast = _svidok(tmp_path, "estimate", "--from-db", "--stratify", "oblast")
    assert by_oblast.returncode == 0, by_oblast.stderr
    out = by_oblast.stdout
    assert "documented    estimate  interval" in out and "95% intervals" in out
    assert "Kharkivska oblast" in out and "\n  TOTAL" in out and "rank  model" not in out

    overall = _svidok(tmp_path, "estimate", "--from-db", "--json")
    assert overall.returncode == 0, overall.stderr
    (stratum,) = json.loads(overall.stdout)["strata"]
    # Each victim is on each list independently, kept only if on at least one: the documented are
    # a share 1 - P(on none) of everyone, and the estimate's interval should cover everyone.
    p_none = 1.0
    for _, p in DEMO_LISTS:
        p_none *= 1 - p
    everyone = stratum["observed"] / (1 - p_none)
    assert stratum["lower"] <= everyone <= stratum["upper"], (stratum, everyone)
    assert stratum["estimate"] > stratum["observed"]
    # Model averaging (dga) over the same independent lists: its interval covers everyone too,
    # and the total over oblasts is made from the strata's posterior draws.
    averaged = _svidok(tmp_path, "estimate", "--from-db", "--json", "--method", "dga")
    assert averaged.returncode == 0, averaged.stderr
    (stratum,) = json.loads(averaged.stdout)["strata"]
    assert stratum["detail"]["n_models"] == 61
    assert stratum["lower"] <= everyone <= stratum["upper"], (stratum["lower"], stratum["upper"], everyone)
    by_oblast = _svidok(tmp_path, "estimate", "--from-db", "--method", "dga", "--stratify", "oblast", "--json")
    assert by_oblast.returncode == 0, by_oblast.stderr
    assert json.loads(by_oblast.stdout)["total"]["interval"].startswith("posterior")
