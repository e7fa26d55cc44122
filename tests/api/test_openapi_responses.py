"""The OpenAPI document describes what the main resources answer, and the answers fit it."""

from __future__ import annotations

from svidok.server import create_app
from tests import fixtures as fx

DOCUMENTED = {
    ("/api/v1/incidents", "get"): "IncidentList",
    ("/api/v1/incidents/{incident_id}", "get"): "IncidentPublic",
    ("/api/v1/incidents/count", "get"): "Count",
    ("/api/v1/persons/{person_id}", "get"): "PersonPublic",
    ("/api/v1/evidence/{evidence_id}", "get"): "EvidencePublic",
}


def test_openapi_documents_the_main_resources_answers(sqlite_app):
    spec = create_app(sqlite_app).openapi()
    for (path, method), model in DOCUMENTED.items():
        schema = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema.get("$ref", "").endswith(f"/{model}"), (path, schema)
    fields = spec["components"]["schemas"]["IncidentPublic"]["properties"]
    assert {"title", "date_start", "acts", "confidentiality", "version"} <= set(fields)


def test_answers_keep_every_field_the_service_gives(client, app):
    inc = fx.incident(app)
    got = client.get(f"/api/v1/incidents/{inc['id']}").json()
    assert got["id"] == inc["id"] and got["title"] == inc["title"]
    assert set(inc) <= set(got), "a field the service returns was dropped by the response model"
