"""The claims API: categories, a person's assessment, family members with consent, the dossier download, figures."""

from __future__ import annotations

import io
import zipfile

from tests import fixtures as fx


def test_claims_api_end_to_end(app, client):
    core = app
    p = fx.person(core, full_name="Коваленко Ганна", confidentiality="public")
    fx.incident(core, confidentiality="public", acts=[{"violation_type": "killing_of_civilians",
                                                      "victims": [{"harm": "killed", "person_id": p["id"]}]}])
    cats = client.get("/api/v1/claims/categories").json()
    assert cats["as_of"] and any(c["code"] == "A2.1" for c in cats["categories"])
    refused = client.post(f"/api/v1/persons/{p['id']}/relatives",
                          json={"relationship": "child", "name": "Коваленко Петро", "consent": False,
                                "consent_date": "2024-05-02"})
    assert refused.status_code == 422 and "consent" in refused.text
    r = client.post(f"/api/v1/persons/{p['id']}/relatives",
                    json={"relationship": "child", "name": "Коваленко Петро", "consent": True, "consent_date": "2024-05-02"})
    assert r.status_code == 201 and "name" not in r.json()
    a = client.get(f"/api/v1/persons/{p['id']}/claims").json()
    assert [c["code"] for c in a["categories"]] == ["A2.1"] and a["prepared_not_submitted"] is True
    d = client.post(f"/api/v1/persons/{p['id']}/claims/dossier", json={"purpose": "claim for the son"})
    assert d.status_code == 200 and d.headers["content-type"] == "application/zip"
    assert {"dossier-uk.pdf", "dossier-en.pdf", "SHA256SUMS"} <= set(zipfile.ZipFile(io.BytesIO(d.content)).namelist())
    totals = {t["category"]: t for t in client.get("/api/v1/claims/figures").json()["totals"]}
    assert totals["A2.1"]["could_claim"] == 1 and totals["A2.1"]["dossier_prepared"] == 1
    rel = client.get(f"/api/v1/persons/{p['id']}/relatives").json()[0]
    assert client.post(f"/api/v1/claims/relatives/{rel['id']}/withdraw", json={"reason": "consent withdrawn"}).status_code == 204
