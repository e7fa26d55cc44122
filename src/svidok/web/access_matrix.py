"""Who may call which route: one rule per (method, path) of the whole app (API and pages).

``tests/web/test_route_matrix.py`` enumerates every route of the app and checks each role
against this table, so a route added without a rule fails the suite. Add new routes here.
"""

from __future__ import annotations

ANYONE = "anyone"                       # also when not signed in
SIGNED_IN = "signed-in"                 # every role
WRITERS = "writers"                     # administrator, investigator
PROTECTED = "protected-readers"         # administrator, investigator: identities, addresses
ADMIN = "administrator"

ROLES_FOR = {
    ANYONE: ("anonymous", "administrator", "investigator", "analyst", "viewer"),
    SIGNED_IN: ("administrator", "investigator", "analyst", "viewer"),
    WRITERS: ("administrator", "investigator"),
    PROTECTED: ("administrator", "investigator"),
    ADMIN: ("administrator",),
}


def _records_api(path: str) -> dict[tuple[str, str], str]:
    return {
        ("GET", f"/api/v1/{path}"): SIGNED_IN, ("POST", f"/api/v1/{path}"): WRITERS,
        ("GET", f"/api/v1/{path}/{{ident}}"): SIGNED_IN, ("PUT", f"/api/v1/{path}/{{ident}}"): WRITERS,
        ("POST", f"/api/v1/{path}/{{ident}}/withdraw"): WRITERS,
    }


RULES: dict[tuple[str, str], str] = {
    # API documentation
    ("GET", "/api/v1/openapi.json"): ANYONE, ("GET", "/api/v1/docs"): ANYONE, ("GET", "/api/v1/docs/init.js"): ANYONE,
    ("MOUNT", "/api/v1/docs/assets"): ANYONE,
    # API: incidents, persons, sources
    ("GET", "/api/v1/incidents"): SIGNED_IN, ("GET", "/api/v1/incidents/count"): SIGNED_IN,
    ("POST", "/api/v1/incidents"): WRITERS, ("GET", "/api/v1/incidents/{incident_id}"): SIGNED_IN,
    ("PATCH", "/api/v1/incidents/{incident_id}"): WRITERS,
    ("POST", "/api/v1/incidents/{incident_id}/withdraw"): WRITERS,
    ("GET", "/api/v1/incidents/{incident_id}/history"): SIGNED_IN,
    ("GET", "/api/v1/persons"): SIGNED_IN, ("GET", "/api/v1/persons/search"): SIGNED_IN,
    ("POST", "/api/v1/persons"): WRITERS, ("GET", "/api/v1/persons/{person_id}"): SIGNED_IN,
    ("PATCH", "/api/v1/persons/{person_id}"): WRITERS, ("POST", "/api/v1/persons/{person_id}/withdraw"): WRITERS,
    ("POST", "/api/v1/persons/{person_id}/protected"): PROTECTED,
    ("GET", "/api/v1/sources"): SIGNED_IN, ("POST", "/api/v1/sources"): WRITERS,
    ("GET", "/api/v1/sources/{source_id}"): SIGNED_IN, ("POST", "/api/v1/sources/{source_id}/identity"): PROTECTED,
    **_records_api("organisations"), **_records_api("cases"), **_records_api("custody-episodes"),
    **_records_api("displacements"), **_records_api("hazard-areas"), **_records_api("interventions"),
    # API: reference data
    ("GET", "/api/v1/places"): SIGNED_IN, ("GET", "/api/v1/places/{place_id}"): SIGNED_IN,
    ("GET", "/api/v1/vocab"): SIGNED_IN, ("GET", "/api/v1/vocab/{name}"): SIGNED_IN,
    ("GET", "/api/v1/search"): SIGNED_IN,
    # API: evidence (files, chain of custody, assessments, proofs, case bundles)
    ("POST", "/api/v1/evidence"): WRITERS, ("PUT", "/api/v1/evidence/raw"): WRITERS,
    ("GET", "/api/v1/evidence/public-key"): SIGNED_IN, ("GET", "/api/v1/evidence/{evidence_id}"): SIGNED_IN,
    ("POST", "/api/v1/evidence/{evidence_id}/download"): SIGNED_IN, ("POST", "/api/v1/evidence/{evidence_id}/view"): SIGNED_IN,
    ("GET", "/api/v1/evidence/{evidence_id}/file"): SIGNED_IN, ("GET", "/api/v1/evidence/{evidence_id}/proof"): SIGNED_IN,
    ("POST", "/api/v1/evidence/{evidence_id}/custody"): WRITERS,
    ("GET", "/api/v1/evidence"): SIGNED_IN, ("GET", "/api/v1/evidence/count"): SIGNED_IN,
    ("POST", "/api/v1/evidence/{evidence_id}/assessments"): WRITERS,
    ("POST", "/api/v1/evidence/{evidence_id}/graphic"): WRITERS,
    ("POST", "/api/v1/bundles"): WRITERS,
    # API: custody monitoring and displacement figures
    ("GET", "/api/v1/custody/monitor"): SIGNED_IN, ("GET", "/api/v1/custody/counts"): SIGNED_IN,
    ("GET", "/api/v1/persons/{person_id}/custody-status"): SIGNED_IN,
    ("GET", "/api/v1/displacement/summary"): SIGNED_IN,
    # API: record linkage (a run compares every person: administrators only)
    ("POST", "/api/v1/linkage/runs"): ADMIN, ("GET", "/api/v1/linkage/pairs"): SIGNED_IN,
    ("GET", "/api/v1/linkage/pairs/{pair_id}"): SIGNED_IN,
    ("POST", "/api/v1/linkage/pairs/{pair_id}/accept"): WRITERS,
    ("POST", "/api/v1/linkage/pairs/{pair_id}/reject"): WRITERS,
    ("POST", "/api/v1/linkage/pairs/{pair_id}/undo"): WRITERS,
    ("POST", "/api/v1/linkage/merges"): WRITERS, ("POST", "/api/v1/linkage/merges/{merge_id}/undo"): WRITERS,
    ("GET", "/api/v1/linkage/persons/{person_id}/merges"): SIGNED_IN,
    # API: claims to the Register of Damage (figures and assessments over what the caller may see)
    ("GET", "/api/v1/claims/categories"): SIGNED_IN, ("GET", "/api/v1/claims/figures"): SIGNED_IN,
    ("GET", "/api/v1/persons/{person_id}/claims"): SIGNED_IN, ("GET", "/api/v1/persons/{person_id}/relatives"): SIGNED_IN,
    ("POST", "/api/v1/persons/{person_id}/relatives"): WRITERS, ("POST", "/api/v1/claims/relatives/{ident}/withdraw"): WRITERS,
    ("POST", "/api/v1/persons/{person_id}/claims/dossier"): WRITERS,
    # API: duplicate incidents (a run compares every incident: administrators only)
    ("POST", "/api/v1/incident-duplicates/runs"): ADMIN, ("POST", "/api/v1/incident-duplicates/check"): SIGNED_IN,
    ("GET", "/api/v1/incident-duplicates/pairs"): SIGNED_IN,
    ("GET", "/api/v1/incident-duplicates/pairs/{pair_id}"): SIGNED_IN,
    ("POST", "/api/v1/incident-duplicates/pairs/{pair_id}/same"): WRITERS,
    ("POST", "/api/v1/incident-duplicates/pairs/{pair_id}/different"): WRITERS,
    ("POST", "/api/v1/incident-duplicates/pairs/{pair_id}/undo"): WRITERS,
    # API: advocacy and briefs (figures over the records the caller may see)
    ("GET", "/api/v1/advocacy/targets"): SIGNED_IN, ("GET", "/api/v1/advocacy/themes"): SIGNED_IN,
    ("GET", "/api/v1/advocacy/since-last-letter"): SIGNED_IN,
    ("POST", "/api/v1/interventions/{ident}/status"): WRITERS,
    ("GET", "/api/v1/briefs"): SIGNED_IN, ("POST", "/api/v1/briefs/{name}/render"): SIGNED_IN,
    ("POST", "/api/v1/briefs/queries/{name}"): SIGNED_IN,
    # API: statistics (civilian harm breakdowns, disproportionality, charts)
    ("GET", "/api/v1/stats/breakdown"): SIGNED_IN, ("GET", "/api/v1/stats/breakdown.csv"): SIGNED_IN,
    ("GET", "/api/v1/stats/disproportionality"): SIGNED_IN,
    ("GET", "/api/v1/stats/charts/{name}.svg"): SIGNED_IN, ("POST", "/api/v1/stats/estimate"): SIGNED_IN,
    ("POST", "/api/v1/stats/closedp"): SIGNED_IN,
    # API: exchange with partner organisations (what leaves the organisation: administrators only)
    ("GET", "/api/v1/share/partners"): ADMIN, ("POST", "/api/v1/share/partners/{name}/export"): ADMIN,
    # API: background jobs (need-to-know: one's own jobs; an administrator's: all) and health
    ("GET", "/api/v1/jobs"): SIGNED_IN, ("GET", "/api/v1/jobs/{job_id}"): SIGNED_IN,
    ("POST", "/api/v1/jobs/{job_id}/cancel"): SIGNED_IN, ("GET", "/api/v1/jobs/{job_id}/result"): SIGNED_IN,
    ("GET", "/healthz"): ANYONE,
    # API: long work started as jobs (imports: writers; verify and backups: administrators)
    ("POST", "/api/v1/imports"): WRITERS, ("POST", "/api/v1/verify"): ADMIN, ("POST", "/api/v1/backups"): ADMIN,
    # Static files (CSS, JS, Leaflet)
    ("MOUNT", "/static"): ANYONE, ("MOUNT", "/static/leaflet"): ANYONE,
    # Web pages
    ("GET", "/login"): ANYONE, ("POST", "/login"): ANYONE, ("POST", "/logout"): ANYONE, ("POST", "/language"): ANYONE,
    ("GET", "/login/code"): ANYONE, ("POST", "/login/code"): ANYONE,
    ("GET", "/account"): SIGNED_IN, ("POST", "/account/token"): SIGNED_IN,
    ("POST", "/account/tokens/{token_id}/revoke"): SIGNED_IN, ("POST", "/account/sessions/{session_id}/revoke"): SIGNED_IN,
    ("POST", "/account/password"): SIGNED_IN, ("POST", "/account/2fa/codes"): SIGNED_IN,
    ("POST", "/account/media"): SIGNED_IN,
    ("POST", "/account/2fa/off"): SIGNED_IN,
    # two-factor set-up: also a user whose role must use it and who has not set it up yet
    ("GET", "/account/2fa"): SIGNED_IN, ("POST", "/account/2fa/begin"): SIGNED_IN,
    ("POST", "/account/2fa/confirm"): SIGNED_IN,
    ("GET", "/"): SIGNED_IN,
    ("GET", "/incidents"): SIGNED_IN, ("GET", "/incidents/new"): WRITERS, ("POST", "/incidents/new"): WRITERS,
    ("GET", "/incidents/{incident_id}"): SIGNED_IN, ("GET", "/incidents/{incident_id}/edit"): WRITERS,
    ("POST", "/incidents/{incident_id}/edit"): WRITERS, ("POST", "/incidents/{incident_id}/sources"): WRITERS,
    ("POST", "/incidents/{incident_id}/sources/{source_id}/identity"): PROTECTED,
    ("POST", "/upload/incidents/{incident_id}/evidence"): WRITERS,
    ("POST", "/evidence/{evidence_id}/download"): SIGNED_IN,
    ("GET", "/evidence/{evidence_id}/contact-sheet.png"): SIGNED_IN,
    ("POST", "/captures/incidents/{incident_id}"): WRITERS, ("POST", "/captures/{capture_id}/again"): WRITERS,
    ("POST", "/captures"): WRITERS,
    ("GET", "/captures/batches/{batch_id}"): SIGNED_IN, ("GET", "/captures/{capture_id}"): SIGNED_IN,
    ("GET", "/captures/{capture_id}/screenshot"): SIGNED_IN, ("GET", "/captures/{capture_id}/replay"): SIGNED_IN,
    # The sandboxed replay frame sends no cookie: its token (from the replay page, an hour) stands for the user.
    ("GET", "/captures/{capture_id}/replay/{token}"): ANYONE,
    ("GET", "/evidence"): SIGNED_IN, ("GET", "/evidence/{evidence_id}"): SIGNED_IN,
    ("POST", "/evidence/{evidence_id}/assessments"): WRITERS,
    ("POST", "/evidence/{evidence_id}/graphic"): WRITERS,
    ("GET", "/persons"): SIGNED_IN, ("GET", "/persons/new"): WRITERS, ("POST", "/persons/new"): WRITERS,
    ("GET", "/persons/{person_id}"): SIGNED_IN, ("GET", "/persons/{person_id}/edit"): WRITERS,
    ("POST", "/persons/{person_id}/edit"): WRITERS, ("POST", "/persons/{person_id}/protected"): PROTECTED,
    ("GET", "/records/{slug}"): SIGNED_IN, ("GET", "/records/{slug}/new"): WRITERS,
    ("POST", "/records/{slug}/new"): WRITERS, ("GET", "/records/{slug}/{ident}"): SIGNED_IN,
    ("GET", "/records/{slug}/{ident}/edit"): WRITERS, ("POST", "/records/{slug}/{ident}/edit"): WRITERS,
    ("GET", "/search"): SIGNED_IN,
    ("GET", "/map"): SIGNED_IN, ("GET", "/map/boundaries.geojson"): SIGNED_IN,
    ("GET", "/map/incidents.geojson"): SIGNED_IN, ("GET", "/map/hazards.geojson"): SIGNED_IN,
    ("GET", "/custody/monitor"): SIGNED_IN,
    ("GET", "/claims"): SIGNED_IN, ("GET", "/persons/{person_id}/claims"): SIGNED_IN,
    ("POST", "/persons/{person_id}/claims/relatives"): WRITERS, ("POST", "/claims/relatives/{ident}/withdraw"): WRITERS,
    ("POST", "/persons/{person_id}/claims/dossier"): WRITERS,
    ("GET", "/persons/{person_id}/claims/dossiers/{job_id}"): SIGNED_IN,
    # Partners: exchange keys, partners, sharing rules, packages (administrators: what leaves the organisation)
    ("GET", "/partners"): ADMIN, ("POST", "/partners"): ADMIN, ("POST", "/partners/own-keys"): ADMIN,
    ("GET", "/partners/{name}"): ADMIN, ("POST", "/partners/{name}/rule"): ADMIN,
    ("POST", "/partners/{name}/keys"): ADMIN, ("POST", "/partners/{name}/export"): ADMIN,
    ("POST", "/partners/import"): ADMIN, ("GET", "/partners/jobs/{job_id}"): ADMIN,
    ("POST", "/partners/jobs/{job_id}/import"): ADMIN,
    ("GET", "/review"): SIGNED_IN, ("GET", "/review/{pair_id}"): SIGNED_IN,
    ("POST", "/review/{pair_id}/{verdict}"): WRITERS,
    ("GET", "/review/incidents"): SIGNED_IN, ("GET", "/review/incidents/{pair_id}"): SIGNED_IN,
    ("POST", "/review/incidents/{pair_id}/{verdict}"): WRITERS,
    ("GET", "/jobs/{job_id}"): SIGNED_IN, ("GET", "/jobs/{job_id}/result"): SIGNED_IN,
    # The statistics page: anyone signed in estimates from what they may see; an estimate is its owner's job
    ("GET", "/statistics"): SIGNED_IN, ("POST", "/statistics"): SIGNED_IN,
    ("GET", "/statistics/estimates/{job_id}"): SIGNED_IN,
    ("GET", "/statistics/estimates/{job_id}/traces/{index}.svg"): SIGNED_IN,
    ("GET", "/admin/users"): ADMIN, ("POST", "/admin/users"): ADMIN, ("POST", "/admin/grants"): ADMIN,
    ("POST", "/admin/users/{username}/deactivate"): ADMIN, ("POST", "/admin/users/{username}/activate"): ADMIN,
    ("POST", "/admin/users/{username}/sessions/revoke"): ADMIN, ("POST", "/admin/users/{username}/2fa/off"): ADMIN,
    ("POST", "/admin/policy"): ADMIN, ("GET", "/admin/keys"): ADMIN,
    ("GET", "/briefs"): SIGNED_IN, ("GET", "/briefs/{name}"): SIGNED_IN, ("POST", "/briefs/{name}"): SIGNED_IN,
    ("GET", "/briefs/jobs/{job_id}"): SIGNED_IN,
    ("GET", "/interventions"): SIGNED_IN, ("GET", "/interventions/new"): WRITERS,
    ("POST", "/interventions/new"): WRITERS, ("GET", "/interventions/{ident}"): SIGNED_IN,
    ("GET", "/interventions/{ident}/edit"): WRITERS, ("POST", "/interventions/{ident}/edit"): WRITERS,
    ("POST", "/interventions/{ident}/status"): WRITERS,
    ("GET", "/imports"): WRITERS, ("POST", "/imports"): WRITERS, ("GET", "/imports/jobs/{job_id}"): WRITERS,
    ("POST", "/imports/jobs/{job_id}/apply"): WRITERS,
}

#: Routes whose allowed calls are too heavy for the matrix test, or need a token it does not make (it checks only
#: the refusals);
#: each names where the allowed behaviour is tested.
REFUSALS_ONLY = {
    ("POST", "/api/v1/linkage/runs"): "runs Splink over every person: tests/services for linkage",
    ("POST", "/api/v1/briefs/{name}/render"): "renders a whole brief: tests/reports",
    ("POST", "/api/v1/persons/{person_id}/claims/dossier"): "renders two PDFs: tests/api/test_claims_api.py",
}
