"""The dashboard shows the victims' pyramid and the by-month chart, in English and Ukrainian."""

from __future__ import annotations

from fastapi.testclient import TestClient

from svidok.figures import dashboard
from svidok.server import create_app
from tests import fixtures as fx
from tests.web.conftest import PASSWORD, csrf, sign_in


def test_dashboard_charts_for_a_signed_in_viewer(sqlite_app) -> None:
    fx.user(sqlite_app, "viewer")
    fx.incident(sqlite_app, confidentiality="public", acts=[{"violation_type": "killing_of_civilians", "victims": [
        {"harm": "killed", "sex": "female", "age": 81, "status": "civilian"}]}])
    dashboard.forget()
    with TestClient(create_app(sqlite_app), raise_server_exceptions=False) as c:
        assert c.get("/api/v1/stats/charts/pyramid.svg").status_code == 401  # not signed in
        assert sign_in(c, "viewer", PASSWORD).status_code == 303
        page = c.get("/").text
        assert 'src="/api/v1/stats/charts/pyramid.svg?lang=en"' in page
        assert 'alt="Population pyramid: documented people killed and injured' in page
        svg = c.get("/api/v1/stats/charts/pyramid.svg?lang=en")  # the browser's request, with the session cookie
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        c.post("/language", data={"csrf_token": csrf(c), "lang": "uk"})
        page = c.get("/").text
        assert "Загиблі та поранені" in page and 'src="/api/v1/stats/charts/by-month.svg?lang=uk"' in page
        assert 'alt="Лінійна діаграма' in page
