"""The JSON API as a script author would use it."""

from tests import fixtures as fx

INCIDENT = {
    "title": "Strike on a bus stop",
    "date_start": "2022-07-14",
    "place": fx.KHARKIV_OBLAST,
    "acts": [{"violation_type": "killing_of_civilians", "means": "missile",
              "victims": [{"harm": "killed", "count": 2, "status": "civilian"},
                          {"person": {"full_name": "Олена Ткаченко", "birth_date": "1948", "sex": "female"},
                           "harm": "injured", "status": "civilian"}]}],
}


def test_create_read_update_list(client):
    r = client.post("/api/v1/incidents", json=INCIDENT)
    assert r.status_code == 201, r.text
    inc = r.json()
    assert inc["acts"][0]["victims"][1]["person_name"] == "Олена Ткаченко"
    r = client.patch(f"/api/v1/incidents/{inc['id']}", json={"version": 1, "verification_status": "verified"})
    assert r.status_code == 200 and r.json()["verification_status"] == "verified"
    r = client.patch(f"/api/v1/incidents/{inc['id']}", json={"version": 1, "title": "stale"})
    assert r.status_code == 409 and "changed by someone else" in r.json()["detail"]
    r = client.get("/api/v1/incidents", params={"place": fx.KHARKIV_OBLAST, "characteristic": "older_person", "limit": 5})
    assert [i["id"] for i in r.json()["items"]] == [inc["id"]]
    r = client.get("/api/v1/incidents", params={"colour": "red"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "colour"
    assert client.get("/api/v1/incidents/count", params={"violation_type": "killing_of_civilians"}).json() == {"count": 1}
    hist = client.get(f"/api/v1/incidents/{inc['id']}/history").json()
    assert [h["op"] for h in hist] == ["create", "update"]


def test_errors_are_problem_details_naming_the_field(client):
    bad = {**INCIDENT, "date_start": "2022-02-30"}
    r = client.post("/api/v1/incidents", json=bad)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["errors"] == [{"field": "date_start", "reason": "'2022-02-30': day 30 does not exist in 2022-02"}]
    bad = {**INCIDENT, "acts": [{"violation_type": "jaywalking"}]}
    r = client.post("/api/v1/incidents", json=bad)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "acts[0].violation_type"
    r = client.post("/api/v1/incidents", json={**INCIDENT, "colour": "red"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "colour"
    assert client.get("/api/v1/incidents").json()["items"] == []


def test_malformed_json_and_oversized_payloads_are_refused(client):
    r = client.post("/api/v1/incidents", content=b'{"title": ', headers={"content-type": "application/json"})
    assert r.status_code == 422 and "malformed JSON" in r.json()["detail"]
    big = {**INCIDENT, "narrative": "x" * 2_000_000}
    r = client.post("/api/v1/incidents", json=big)
    assert r.status_code == 413
    assert client.get("/api/v1/incidents").json()["items"] == []


def test_missing_or_wrong_token_is_401_and_unknown_record_404(client):
    r = client.get("/api/v1/incidents", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    del client.headers["Authorization"]
    assert client.get("/api/v1/incidents").status_code == 401
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_unknown_incident_is_404(client):
    r = client.get("/api/v1/incidents/999999")
    assert r.status_code == 404 and r.json()["title"] == "Not found"


def test_search_across_scripts(client):
    client.post("/api/v1/persons", json={"full_name": "Олександр Бондаренко"})
    client.post("/api/v1/persons", json={"full_name": "Александр Бондаренко"})
    got = client.get("/api/v1/search", params={"q": "Oleksandr Bondarenko"}).json()
    assert sorted(p["full_name"] for p in got["persons"]) == ["Александр Бондаренко", "Олександр Бондаренко"]


def test_other_records_round_trip(client):
    p = client.post("/api/v1/persons", json={"full_name": "Іван Петренко", "status": "civilian"}).json()
    ep = client.post("/api/v1/custody-episodes", json={
        "person_id": p["id"], "authority": "fsb", "date_from": "2022-03", "acknowledged": False,
        "proofs_of_life": [{"kind": "letter", "date": "2023-01-10"}]})
    assert ep.status_code == 201, ep.text
    assert ep.json()["last_proof_of_life"] == "2023-01-10"
    r = client.put(f"/api/v1/custody-episodes/{ep.json()['id']}", json={
        "person_id": p["id"], "authority": "fsb", "date_from": "2022-03", "outcome": "exchanged",
        "date_to": "2024-05-01", "version": 1})
    assert r.status_code == 200 and r.json()["outcome"] == "exchanged"
    r = client.post("/api/v1/hazard-areas", json={"name": "Field", "lat": 49.5, "lon": 36.3, "contamination": "ap_mine"})
    assert r.status_code == 201
    r = client.post("/api/v1/displacements", json={"kind": "refugee", "date": "2022-03", "to_country": "PL",
                                                    "protection_status": "eu_temporary_protection", "group_count": 4})
    assert r.status_code == 201
    r = client.post("/api/v1/displacements", json={"kind": "teleported", "date": "2022-03"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"


def test_case_codes_stay_unique_on_update(client):
    a = client.post("/api/v1/cases", json={"code": "UA-1", "title": "first"}).json()
    client.post("/api/v1/cases", json={"code": "UA-2", "title": "second"})
    r = client.put(f"/api/v1/cases/{a['id']}", json={"code": "UA-2", "title": "first", "version": 1})
    assert r.status_code == 409 and "UA-2" in r.json()["detail"]
    r = client.put(f"/api/v1/cases/{a['id']}", json={"code": "UA-1", "title": "renamed", "version": 1})
    assert r.status_code == 200 and r.json()["title"] == "renamed"
