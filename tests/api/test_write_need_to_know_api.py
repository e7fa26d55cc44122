"""Over HTTP, a write naming a hidden record answers exactly as one naming a missing id."""

import re

from svidok.core.actors import SYSTEM
from svidok.schemas.others import CaseIn
from svidok.services import records
from tests import fixtures as fx

MISSING = 999_999


def _same(client, method: str, path: str, body, ident: int) -> dict:
    """Send the request for ``ident`` and for a missing id; both answers, id masked, must be equal."""
    def send(i: int):
        text = lambda v: v.replace("{id}", str(i)) if isinstance(v, str) else v  # noqa: E731
        import json
        r = client.request(method, text(path), json=json.loads(text(json.dumps(body))) if body is not None else None)
        return r.status_code, re.sub(rf"\b{i}\b", "ID", r.text)

    hidden, missing = send(ident), send(MISSING)
    assert hidden == missing, (path, hidden, missing)
    assert hidden[0] in (404, 422) and "not found" in hidden[1], hidden
    return hidden


def test_hidden_and_missing_ids_answer_alike(app, client):
    case = records.create(app, SYSTEM, "case", CaseIn(code="UA-SECRET-2", title="Secret case"))
    secret = fx.person(app, confidentiality="strictly_confidential", characteristics=["journalist"])
    incident = fx.incident(app, confidentiality="strictly_confidential")
    victim = {"title": "x", "date_start": "2022-03-01", "acts": [
        {"violation_type": "killing_of_civilians", "victims": [{"harm": "killed", "person_id": "{id}"}]}]}
    _same(client, "PUT", "/api/v1/cases/{id}", {"version": 1, "code": "UA-SECRET-2", "title": "Renamed"}, case["id"])
    _same(client, "POST", "/api/v1/incidents", {"title": "x", "date_start": "2022-03-01", "case_id": "{id}"}, case["id"])
    _same(client, "POST", "/api/v1/incidents", victim, secret["id"])
    _same(client, "POST", "/api/v1/custody-episodes", {"person_id": "{id}", "date_from": "2022-04"}, secret["id"])
    _same(client, "POST", "/api/v1/displacements", {"person_id": "{id}", "kind": "refugee", "date": "2022-04"},
          secret["id"])
    for i in (incident["id"], MISSING):
        r = client.post("/api/v1/evidence", files={"file": ("a.txt", b"synthetic", "text/plain")},
                        data={"incident_id": str(i)})
        assert r.status_code == 422 and r.json()["errors"] == [
            {"field": "incident_id", "reason": f"incident {i} not found"}], r.text
    assert "journalist" not in client.post("/api/v1/incidents", json={**victim, "acts": [
        {"violation_type": "killing_of_civilians", "victims": [{"harm": "killed", "person_id": secret["id"]}]}]}).text
    assert client.get("/api/v1/cases").json()["items"] == []
