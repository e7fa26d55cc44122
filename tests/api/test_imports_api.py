"""/api/v1/imports: a spreadsheet imported, then updated in place, as jobs."""

from __future__ import annotations

import time
from pathlib import Path

MAPPING = (Path(__file__).resolve().parents[2] / "docs" / "formats" / "hotline-example.mapping.yaml").read_bytes()
HEADER = "Case;Row;Date;Settlement;Title;Violation;Weapon;Victim;Sex;Age;Harm;Source"
ROWS = ["HL-1;1;05.03.2022;Харків;Shelling;Обстріл житла;артилерія;Бондар Олена;ж;67;загинула;гаряча лінія",
        "HL-1;2;05.03.2022;Харків;Shelling;Обстріл житла;артилерія;Бондар Петро;ч;9;поранений;гаряча лінія"]


def _csv(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _run(client, rows: list[str], **form) -> dict:
    r = client.post("/api/v1/imports", files={"file": ("hotline.csv", _csv(rows), "text/csv"),
                                              "mapping": ("m.yaml", MAPPING, "application/yaml")},
                    data={k: str(v).lower() if isinstance(v, bool) else v for k, v in form.items()})
    assert r.status_code == 202, r.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{r.json()['id']}").json()
        if job["status"] in ("done", "failed"):
            assert job["status"] == "done", job
            return job["result"]
        time.sleep(0.1)
    raise AssertionError("the import job did not finish")


def test_import_then_update_in_place_through_the_api(client):
    assert _run(client, ROWS)["counts"]["acts"] == 2
    changed = [ROWS[0].replace(";67;", ";68;")]
    dry = _run(client, changed, update=True, dry_run=True)
    assert dry["rows_changed"] == 1 and dry["changed"][0]["changes"] == {"victim.age": [67, 68]}
    done = _run(client, changed, update=True, withdraw_missing="row removed by the hotline")
    assert (done["rows_changed"], done["rows_withdrawn"], done["versions"]) == (1, 1, 1)
    bad = client.post("/api/v1/imports", files={"file": ("x.csv", _csv(ROWS), "text/csv"),
                                                "mapping": ("m.yaml", b"name: [", "application/yaml")})
    assert bad.status_code == 422 and "mapping" in bad.text
