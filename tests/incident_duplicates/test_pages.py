"""The duplicate-incident warning on the form and the review pages, as a signed-in browser uses them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from svidok.core.actors import SYSTEM
from svidok.server import create_app
from svidok.services import incidents
from tests import fixtures as fx
from tests.web.conftest import csrf, csrf_of, sign_in


def _browser(app, role: str) -> TestClient:
    fx.user(app, role)
    c = TestClient(create_app(app), raise_server_exceptions=False)
    assert sign_in(c, role).status_code in (302, 303)
    return c


def _form(c, **fields) -> dict:
    data = {"csrf_token": csrf(c, "/incidents/new"), "title": "Обстріл ринку в Куп'янську", "date_start": "2022-09-03",
            "place": fx.KHARKIV_OBLAST, "lat": "49.7106", "lon": "37.6150", "verification_status": "unverified",
            "confidentiality": "restricted", "acts[0].violation_type": "killing_of_civilians",
            "acts[0].means": "artillery", "acts[0].victims[0].count": "4", "acts[0].victims[0].harm": "killed",
            "acts[0].victims[0].status": "civilian"}
    data.update(fields)
    return data


def test_the_form_warns_before_saving_and_the_queue_decides(sqlite_app):
    first = fx.incident(sqlite_app, title="Shelling of the market in Kupiansk", date_start="2022-09-03", lat=49.7100,
                        lon=37.6140, acts=[{"violation_type": "killing_of_civilians", "means": "artillery",
                                            "victims": [{"harm": "killed", "count": 4, "status": "civilian"}]}])
    with _browser(sqlite_app, "investigator") as c:
        r = c.post("/incidents/new", data=_form(c), follow_redirects=False)
        assert r.status_code == 200 and "This may be an incident already recorded" in r.text
        assert f'href="/incidents/{first["id"]}"' in r.text and "the same day" in r.text
        assert 'name="confirm_new" value="1"' in r.text and "Save anyway" in r.text
        assert "Обстріл ринку в Куп" in r.text  # what was typed is kept
        r = c.post("/incidents/new", data=_form(c, confirm_new="1"), follow_redirects=False)
        assert r.status_code == 303, r.text
        second = int(r.headers["location"].rsplit("/", 1)[1])
        queue = c.get("/review/incidents").text
        assert "Shelling of the market in Kupiansk" in queue and "1 pair(s)" in queue
        pair_id = int(queue.split('href="/review/incidents/', 1)[1].split('"', 1)[0])
        page = c.get(f"/review/incidents/{pair_id}").text
        assert "Why they may be one incident" in page and "for one incident" in page and "m apart" in page
        r = c.post(f"/review/incidents/{pair_id}/same", data={"note": "one shelling", "csrf_token": csrf_of(page)},
                   follow_redirects=False)
        assert r.status_code == 303
        shown = c.get(f"/incidents/{second}").text
        assert "Found to be the same incident as" in shown and f'href="/incidents/{first["id"]}"' in shown
        assert incidents.get(sqlite_app, SYSTEM, second)["merged_into_id"] == first["id"]
        page = c.get(f"/review/incidents/{pair_id}").text
        assert "Undo this decision" in page
        c.post(f"/review/incidents/{pair_id}/undo", data={"csrf_token": csrf_of(page)})
        assert incidents.get(sqlite_app, SYSTEM, second)["merged_into_id"] is None
        assert c.post(f"/review/incidents/{pair_id}/same", data={"csrf_token": "forged"}).status_code in (400, 403)
        assert c.get("/review/incidents/999999").status_code == 404
    with _browser(sqlite_app, "analyst") as v:  # may read the pair, may not decide
        page = v.get(f"/review/incidents/{pair_id}").text
        assert "Shelling of the market" in page and "Different incidents" not in page
        assert v.post(f"/review/incidents/{pair_id}/different", data={"csrf_token": csrf_of(page)}).status_code == 403
