"""The "Preserve a link" form on the incident page, the batch page and the capture page with its screenshot."""

from __future__ import annotations

import time

from svidok.core.actors import Actor
from svidok.services import captures
from tests import fixtures as fx
from tests.web.conftest import csrf_of


def test_preserve_a_link_from_the_incident_page(web, client_for, sites) -> None:
    core, _asgi = web
    core.settings.capture_allow_private = True
    core.settings.capture_page_timeout = 4.0
    inc = fx.incident(core, confidentiality="public")
    investigator = client_for("investigator")
    page = investigator.get(f"/incidents/{inc['id']}")
    assert 'action="/captures/incidents/' in page.text
    token = csrf_of(page.text)
    bad = investigator.post(f"/captures/incidents/{inc['id']}", data={"csrf_token": token, "urls": "ftp://x/y"})
    assert bad.status_code == 422 and "only http and https" in bad.text
    r = investigator.post(f"/captures/incidents/{inc['id']}",
                          data={"csrf_token": token, "urls": f"{sites.base}/article\n"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/captures/batches/")
    batch_id = int(r.headers["location"].rsplit("/", 1)[1])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        b = captures.batch(core, Actor("t", "administrator"), batch_id)
        if b["counts"]["done"] + b["counts"]["failed"] == 1:
            break
        time.sleep(0.2)
    assert b["counts"]["done"] == 1, b
    listing = investigator.get(f"/captures/batches/{batch_id}")
    capture_id = b["captures"][0]["id"]
    assert f'href="/captures/{capture_id}"' in listing.text
    shown = client_for("viewer").get(f"/captures/{capture_id}")
    assert shown.status_code == 200 and "Shelling of a school in Testville" in shown.text
    assert "Olena Testenko" in shown.text and f'src="/captures/{capture_id}/screenshot"' in shown.text
    assert "Preserve this link again" not in shown.text  # a viewer may not capture
    shot = client_for("viewer").get(f"/captures/{capture_id}/screenshot")
    assert shot.status_code == 200 and shot.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client_for("viewer").post(f"/captures/incidents/{inc['id']}",
                                     data={"csrf_token": token, "urls": "https://example.org/"}).status_code == 403
