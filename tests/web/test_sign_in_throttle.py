"""Backoff slows an attacker without locking the owner out (addresses given by a trusted proxy)."""

from __future__ import annotations

import pytest

from tests.web.conftest import PASSWORD, csrf_of


@pytest.fixture
def behind_proxy(web):
    core, _ = web
    core.settings.trusted_proxies = ["testclient"]  # the test client plays the reverse proxy
    return web


def _try(client, username: str, password: str, address: str):
    headers = {"X-Forwarded-For": address}
    token = csrf_of(client.get("/login", headers=headers).text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       headers=headers, follow_redirects=False)


def test_the_owner_at_their_usual_address_gets_in_while_an_attacker_hammers(behind_proxy, client_for):
    owner, attacker = client_for(None), client_for(None)
    assert _try(owner, "investigator", PASSWORD, "198.51.100.7").status_code == 303  # the usual place
    answers = [_try(attacker, "investigator", f"guess {i} guess", "203.0.113.66").status_code for i in range(40)]
    assert answers[:5] == [401] * 5 and set(answers[5:]) == {429}  # slowed after five
    assert _try(attacker, "investigator", PASSWORD, "203.0.113.66").status_code == 429  # even with the password
    r = _try(client_for(None), "investigator", PASSWORD, "198.51.100.7")
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_guesses_spread_over_many_addresses_slow_new_addresses_not_the_usual_one(behind_proxy, client_for):
    owner = client_for(None)
    assert _try(owner, "analyst", PASSWORD, "198.51.100.8").status_code == 303
    botnet = client_for(None)
    for i in range(20):  # one guess from each of 20 addresses: no address and no pair is over its allowance
        assert _try(botnet, "analyst", "guess guess guess", f"203.0.113.{i + 1}").status_code == 401
    r = _try(client_for(None), "analyst", PASSWORD, "192.0.2.99")  # a new address waits…
    assert r.status_code == 429 and "Too many failed sign-ins" in r.text and int(r.headers["Retry-After"]) > 0
    assert _try(client_for(None), "analyst", PASSWORD, "198.51.100.8").status_code == 303  # …the usual one does not


def test_an_untrusted_peer_cannot_choose_its_address(web, client_for):
    c = client_for(None)  # no trusted proxy configured: X-Forwarded-For is ignored
    for i in range(5):
        _try(c, "viewer", "guess guess guess", f"203.0.113.{i + 1}")
    assert _try(c, "viewer", PASSWORD, "203.0.113.200").status_code == 429
