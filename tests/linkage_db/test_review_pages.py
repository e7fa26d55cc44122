"""The monitoring page and the review-queue pages as a signed-in browser uses them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from svidok.core.actors import SYSTEM
from svidok.schemas.others import CustodyEpisodeIn
from svidok.server import create_app
from svidok.services import person_linkage, records
from tests import fixtures as fx
from tests.web.conftest import csrf_of, sign_in


def _browser(app, role: str) -> TestClient:
    fx.user(app, role)
    c = TestClient(create_app(app), raise_server_exceptions=False)
    assert sign_in(c, role).status_code in (302, 303)
    return c


def test_monitor_page_filters_and_marks(sqlite_app):
    p = fx.person(sqlite_app, full_name="Ткаченко Денис Олегович", birth_date="2010-02-02")["id"]
    records.create(sqlite_app, SYSTEM, "custody_episode", CustodyEpisodeIn(
        person_id=p, authority="fsb", date_from="2025-12-01", acknowledged=False))
    with _browser(sqlite_app, "investigator") as c:
        html = c.get("/custody/monitor", params={"days": "30", "disappeared": "1", "today": "2026-11-01"}).text
        assert "Ткаченко Денис Олегович" in html and "refuses to acknowledge" in html
        assert c.get("/custody/monitor", params={"days": "soon"}).status_code == 422
    with _browser(sqlite_app, "analyst") as c:  # the episode is confidential: not for analysts
        assert "Ткаченко" not in c.get("/custody/monitor").text
    with TestClient(create_app(sqlite_app)) as anon:
        assert anon.get("/custody/monitor", follow_redirects=False).status_code in (302, 303)


def test_review_pages_compare_accept_undo(sqlite_app):
    a = fx.person(sqlite_app, full_name="Мельник Ганна Петрівна", birth_date="1962-07-01", sex="female")["id"]
    b = fx.person(sqlite_app, full_name="Hanna Melnyk", birth_date="1962-07-01", sex="female")["id"]
    person_linkage.run(sqlite_app, SYSTEM, review_threshold=0.3)
    pair = person_linkage.queue(sqlite_app, SYSTEM)["items"][0]
    with _browser(sqlite_app, "investigator") as c:
        assert "Hanna Melnyk" in c.get("/review").text
        page = c.get(f"/review/{pair['id']}").text
        assert "same birth date (1962-07-01)" in page
        # the model's weights, field by field, in words
        assert "How the model weighed it" in page
        why = page.split("How the model weighed it", 1)[1]
        assert "birth date</th><td>same date</td><td>+" in why and "for one person" in why
        # ...and in the reader's language
        c.post("/language", data={"lang": "uk", "csrf_token": csrf_of(page)})
        why_uk = c.get(f"/review/{pair['id']}").text
        assert "дата народження</th><td>та сама дата</td><td>+" in why_uk
        assert "та сама дата народження (1962-07-01)" in why_uk and "стать збігається (жінка / жінка)" in why_uk
        c.post("/language", data={"lang": "en", "csrf_token": csrf_of(why_uk)})
        r = c.post(f"/review/{pair['id']}/accept", data={"note": "same person", "csrf_token": csrf_of(page)},
                   follow_redirects=False)
        assert r.status_code in (302, 303)
        page = c.get(f"/review/{pair['id']}").text
        assert "accepted" in page and "Undo this decision" in page
        assert c.get(f"/api/v1/persons/{b}").json()["merged_into_id"] == a
        c.post(f"/review/{pair['id']}/undo", data={"csrf_token": csrf_of(page)})
        assert c.get(f"/api/v1/persons/{b}").json()["merged_into_id"] is None
        assert c.post(f"/review/{pair['id']}/accept", data={"csrf_token": "forged"}).status_code in (400, 403)
    with _browser(sqlite_app, "analyst") as v:  # may read the pair, may not decide
        page = v.get(f"/review/{pair['id']}").text
        assert "Hanna Melnyk" in page and "Different people" not in page
        assert v.post(f"/review/{pair['id']}/accept", data={"csrf_token": csrf_of(page)}).status_code == 403
    with _browser(sqlite_app, "viewer") as v:  # restricted records are not for viewers at all
        assert v.get(f"/review/{pair['id']}").status_code == 404


def test_monitor_page_does_not_wait_for_its_count(sqlite_app):
    """While the figures' worker is busy, the page lists the people at once and says the count
    is being computed; then the count is there."""
    import threading

    from svidok.figures import cached
    from svidok.services import figure_cache

    p = fx.person(sqlite_app, full_name="Ткаченко Денис Олегович", birth_date="2010-02-02")["id"]
    records.create(sqlite_app, SYSTEM, "custody_episode", CustodyEpisodeIn(
        person_id=p, authority="fsb", date_from="2025-12-01", acknowledged=False))
    release = threading.Event()
    busy = cached.refresh(sqlite_app, "test-busy", figure_cache.data_version(sqlite_app),
                          lambda: release.wait(30) and {})
    with _browser(sqlite_app, "investigator") as c:
        try:
            html = c.get("/custody/monitor", params={"today": "2026-11-01"}).text
            assert "being computed" in html and "Ткаченко Денис Олегович" in html
        finally:
            release.set()
            busy.result(30)
        for _ in range(100):
            html = c.get("/custody/monitor", params={"today": "2026-11-01"}).text
            if "being computed" not in html:
                break
        assert "1 people, as of 2026-11-01" in html.replace("\u202f", " ")
