"""Every route of the app, every role, against the declared matrix (svidok.web.access_matrix).

A route without a rule fails here: add it to ``RULES`` (and, for a write, a sample body below,
so that the role check — not input validation — is what answers).
"""

from __future__ import annotations

import io

from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from svidok.core.actors import SYSTEM
from svidok.schemas import others
from svidok.services import evidence, records, reference
from svidok.web.access_matrix import ANYONE, REFUSALS_ONLY, ROLES_FOR, RULES
from tests import fixtures as fx
from tests.web.conftest import csrf_of

ORDER = ("anonymous", "viewer", "analyst", "investigator", "administrator")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def app_routes(asgi) -> set[tuple[str, str]]:
    out = set()
    for r in iter_route_contexts(asgi.routes):
        if isinstance(r.original_route, Mount):
            out.add(("MOUNT", r.path))
            continue
        for m in r.methods or ():
            if m != "HEAD":
                out.add((m, r.path))
    return out


def test_every_route_has_a_rule_and_every_rule_a_route(web):
    _core, asgi = web
    routes = app_routes(asgi)
    missing = sorted(routes - set(RULES))
    stale = sorted(set(RULES) - routes)
    assert not missing, f"routes without an access rule in svidok/web/access_matrix.py: {missing}"
    assert not stale, f"rules for routes that no longer exist: {stale}"


def _fixtures(core) -> dict:
    person = fx.person(core, confidentiality="public")
    src = fx.source(core, confidentiality="public")
    inc = fx.incident(core, confidentiality="public", source_ids=[src["id"]])
    ids = {
        "organisations": records.create(core, SYSTEM, "organisation", others.OrganisationIn(name="Unit 0000 (synthetic)"))["id"],
        "cases": records.create(core, SYSTEM, "case", others.CaseIn(code="C-1", title="Synthetic case"))["id"],
        "custody-episodes": records.create(core, SYSTEM, "custody_episode", others.CustodyEpisodeIn(
            person_id=person["id"], date_from="2022-04", confidentiality="public"))["id"],
        "displacements": records.create(core, SYSTEM, "displacement", others.DisplacementIn(
            kind="refugee", date="2022-03", confidentiality="public"))["id"],
        "hazard-areas": records.create(core, SYSTEM, "hazard_area", others.HazardAreaIn(
            name="Field (synthetic)", lat=49.2, lon=37.2, contamination="ap_mine"))["id"],
        "interventions": records.create(core, SYSTEM, "intervention", others.InterventionIn(
            title="Letter (synthetic)", date="2023-01", target="A government"))["id"],
    }
    place = reference.find_places(core, "Kharkiv", 1)[0]["id"]
    other = fx.person(core, confidentiality="public", full_name="Другий Тест Синтетичний")
    item = evidence.ingest(core, SYSTEM, io.BytesIO(PNG), original_name="photo.png", incident_id=inc["id"],
                           confidentiality="public")
    return {"incident_id": inc["id"], "person_id": person["id"], "source_id": src["id"], "place_id": place,
            "name": "sex", "slug": "hazard-areas", "ident": ids, "person": person["id"], "other": other["id"],
            "pair_id": 999_999, "merge_id": 999_999, "evidence_id": item["id"],
            "capture_id": 999_999, "batch_id": 999_999, "job_id": 999_999}


def _api_body(method: str, path: str, f: dict):
    if method == "GET":
        return None
    kind = path.split("/")[3]
    if path.endswith("/withdraw"):
        return {"reason": "access test"}
    if path.startswith("/api/v1/linkage/"):
        if path.endswith("/runs"):
            return {}
        if path.endswith("/merges"):
            return {"person_a": f["person"], "person_b": f["other"], "note": "access test"}
        return {"note": "access test"}
    if path.startswith("/api/v1/incident-duplicates/"):
        if path.endswith("/check"):
            return {"title": "Access test", "date_start": "2022-03-05"}
        return {} if path.endswith("/runs") else {"note": "access test"}
    if path.endswith("/status"):
        return {"status": "sent", "note": "access test"}
    if path == "/api/v1/imports":
        return None  # multipart only: an allowed caller's JSON is "unprocessable", others are refused at the door
    if path.endswith("/relatives"):
        return {"relationship": "child", "name": "Access Test", "consent": True, "consent_date": "2024-05"}
    if path.endswith("/dossier"):
        return {"purpose": "access test"}
    if path.startswith(("/api/v1/jobs/", "/api/v1/share/")):
        return None
    if path.startswith("/api/v1/briefs/"):
        return {"args": {}} if "/queries/" in path else {}
    if path.endswith(("/custody", "/download", "/view")):
        return {"purpose": "access test"}
    if path.endswith("/graphic"):
        return {"graphic": True, "reason": "access test"}
    if path.endswith("/assessments"):
        return {"kind": "geolocation", "method": "compared landmarks", "result": "matches", "confidence": "low"}
    if path == "/api/v1/bundles":
        return {"incident_ids": [f["incident_id"]], "purpose": "access test"}
    if path.endswith(("/protected", "/identity")):
        return {"purpose": "access test"}
    if path == "/api/v1/backups":
        return {"passphrase": "access test passphrase"}
    if path == "/api/v1/verify":
        return {"check_files": False}
    if path in ("/api/v1/stats/estimate", "/api/v1/stats/closedp"):
        return {"lists": ["A", "B"], "rows": [{"pattern": [1, 0], "count": 30}, {"pattern": [0, 1], "count": 20},
                                              {"pattern": [1, 1], "count": 10}]}
    bodies = {
        "incidents": {"title": "Access test", "date_start": "2022-03-05", "confidentiality": "public"},
        "persons": {"full_name": "Access Test", "confidentiality": "public"},
        "sources": {"kind": "witness", "confidentiality": "public"},
        "organisations": {"name": "Unit (access test)"},
        "cases": {"code": "C-ACCESS", "title": "Access test"},
        "custody-episodes": {"person_id": f["person"], "date_from": "2022-04", "confidentiality": "public"},
        "displacements": {"kind": "refugee", "date": "2022-03", "confidentiality": "public"},
        "hazard-areas": {"name": "Field", "lat": 49.2, "lon": 37.2, "contamination": "ap_mine"},
        "interventions": {"title": "Letter", "date": "2023-01", "target": "A government"},
    }
    body = dict(bodies[kind])
    if method in ("PATCH", "PUT"):
        body["version"] = 1
        if kind == "incidents":
            body = {"version": 1, "title": "Access test"}
        elif kind == "persons":
            body = {"version": 1, "notes": "access test"}
        elif kind == "cases":
            body["code"] = "C-1"  # its own code: a duplicate code on update is a 500 in the core today
    return body


WEB_FORMS = {
    ("POST", "/login"): {"username": "viewer", "password": "correct horse battery"},
    ("POST", "/language"): {"lang": "uk"},
    ("POST", "/incidents/{incident_id}/sources/{source_id}/identity"): {"purpose": "access test"},
    ("POST", "/persons/{person_id}/protected"): {"purpose": "access test"},
}
FRESH_CLIENT = {("POST", "/login"), ("POST", "/logout")}


def _url(path: str, f: dict) -> str:
    kind = path.split("/")[3] if path.startswith("/api/v1/") else f["slug"]
    out = path
    if path.startswith("/api/v1/briefs/"):
        out = out.replace("{name}", "monthly_update" if path.endswith("/render") else "no_such_query")
    for key in ("incident_id", "person_id", "source_id", "place_id", "name", "slug", "pair_id", "merge_id",
                "evidence_id", "capture_id", "batch_id", "job_id"):
        out = out.replace("{" + key + "}", str(f[key]))
    out = out.replace("{verdict}", "accept")
    # ids and names that do not exist: an allowed caller gets "not found", not a refusal
    out = out.replace("{token_id}", "999999").replace("{session_id}", "999999").replace("{username}", "nobody")
    if path.endswith("/since-last-letter"):
        out += "?target=A%20government"
    return out.replace("{ident}", str(f["ident"].get(kind, 1)))


def _request(client, method: str, path: str, f: dict):
    token = csrf_of(client.get("/login").text)
    if method == "MOUNT":
        asset = {"/static/leaflet": "/leaflet.js", "/api/v1/docs/assets": "/swagger-ui.css"}.get(path, "/svidok.css")
        return client.get(path + asset)
    url = _url(path, f)
    if (method, path) == ("POST", "/api/v1/evidence"):
        return client.post(url, data={"incident_id": str(f["incident_id"]), "confidentiality": "public"},
                           files={"file": ("photo.png", io.BytesIO(PNG), "image/png")},
                           headers={"X-CSRF-Token": token})
    if (method, path) == ("POST", "/api/v1/imports"):
        return client.post(url, data={"mapping_name": "acled", "dry_run": "true"},
                           files={"file": ("events.csv", io.BytesIO(b"event_id_cnty\nUKR1\n"), "text/csv")},
                           headers={"X-CSRF-Token": token})
    if (method, path) == ("PUT", "/api/v1/evidence/raw"):
        return client.put(url + "?original_name=photo.png", content=PNG, headers={"X-CSRF-Token": token})
    if (method, path) == ("GET", "/api/v1/evidence/{evidence_id}/file"):  # under this caller's viewing token
        view = client.post(url.removesuffix("/file") + "/view", json={}, headers={"X-CSRF-Token": token})
        return client.get(url, params={"token": view.json()["token"]} if view.status_code == 200 else {})
    if path.startswith("/api/"):
        body = _api_body(method, path, f)
        headers = {"X-CSRF-Token": token}
        return client.request(method, url, json=body, headers=headers, follow_redirects=False)
    if method == "GET":
        return client.get(url, follow_redirects=False)
    return client.request(method, url, data={"csrf_token": token, **WEB_FORMS.get((method, path), {})},
                          follow_redirects=False)


def _refused(r, role: str, path: str, rule: str) -> bool:
    if rule == ANYONE:  # e.g. signing out sends you to the sign-in page: that is not a refusal
        return r.status_code in (401, 403)
    if role == "anonymous":
        if path.startswith("/api/"):
            return r.status_code == 401
        return r.status_code == 303 and r.headers["location"].startswith("/login")
    return r.status_code == 403


def test_each_role_gets_exactly_what_the_matrix_allows(web, client_for):
    core, _asgi = web
    f = _fixtures(core)
    clients = {role: client_for(None if role == "anonymous" else role) for role in ORDER}
    # Reads first, then writes; withdrawals last so the records exist for everything else.
    routes = sorted(RULES, key=lambda k: (k[0] not in ("GET", "MOUNT"), k[1].endswith("/withdraw"), k))
    failures = []
    for method, path in routes:
        allowed = ROLES_FOR[RULES[(method, path)]]
        for role in ORDER:
            client = clients[role]
            if (method, path) in FRESH_CLIENT:
                client = client_for(None if role == "anonymous" else role)
            if role in allowed and (method, path) in REFUSALS_ONLY:
                continue
            r = _request(client, method, path, f)
            if r.status_code >= 500:
                failures.append(f"{role} {method} {path}: server error {r.status_code}")
            elif role in allowed and _refused(r, role, path, RULES[(method, path)]):
                failures.append(f"{role} {method} {path}: refused ({r.status_code}) but the matrix allows it")
            elif role not in allowed and not _refused(r, role, path, RULES[(method, path)]):
                failures.append(f"{role} {method} {path}: answered {r.status_code} but the matrix refuses it")
    assert not failures, "\n".join(failures)
