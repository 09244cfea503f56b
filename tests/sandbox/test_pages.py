"""The sandbox's browser side: one-time authentificationUrl and the learner home page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from sandbox.sso import SsoGrantExpired, SsoGrants

ERROR_URL = "http://gateway.example/sso/error"


@pytest.fixture
def sso_path(api, auth):
    """Return the path of a fresh authentificationUrl for Jane Doe."""
    body = api.post(
        "/api/authToken",
        headers=auth,
        data={"userType": "1", "connectionType": "login", "identifier": "jane.doe@example.com", "errorUrl": ERROR_URL},
    ).json
    return urlsplit(body["authentificationUrl"]).path


def test_authentification_url_signs_in_and_shows_home(api, sso_path):
    response = api.get(sso_path)
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    assert api.get_cookie("tbook_sandbox_session") is not None
    home = api.get("/home").get_data(as_text=True)
    assert "Welcome, Jane Doe" in home
    assert "Paris Campus" in home and "Session 1 — Paris" in home and "SSO" in home


def test_authentification_url_works_once(api, sso_path):
    api.get(sso_path)
    again = api.get(sso_path)
    assert again.status_code == 302 and again.headers["Location"] == ERROR_URL


def test_authentification_url_expires(api, sso_path, clock):
    clock.advance(61)
    response = api.get(sso_path)
    assert response.status_code == 302 and response.headers["Location"] == ERROR_URL
    assert "Not signed in" in api.get("/home").get_data(as_text=True)


def test_a_spent_url_goes_to_its_error_url_for_an_hour_then_is_forgotten(clock):
    grants = SsoGrants(ttl=60, clock=clock)
    old = grants.issue("1", 1, ERROR_URL)
    clock.advance(61 + 3000)
    fresh = grants.issue("1", 1, ERROR_URL)
    with pytest.raises(SsoGrantExpired):
        grants.redeem(old)  # expired, still remembered: its reuse goes to the errorUrl
    clock.advance(700)  # the first expired over an hour ago: the next issue forgets it, not the second
    grants.issue("1", 1, ERROR_URL)
    assert grants.redeem(old) is None
    with pytest.raises(SsoGrantExpired):
        grants.redeem(fresh)


def test_unknown_authentification_url_is_a_clear_400(api):
    response = api.get("/sso/made-up-token")
    assert response.status_code == 400
    assert "sign-in link is unknown" in response.get_data(as_text=True)


def test_home_when_not_signed_in(api):
    response = api.get("/home")
    assert response.status_code == 200
    assert "You are not signed in to T-book" in response.get_data(as_text=True)


def test_teacher_sign_in_is_shown(api, auth):
    body = api.post(
        "/api/authToken",
        headers=auth,
        data={"userType": "2", "connectionType": "id", "identifier": "1001", "errorUrl": ERROR_URL},
    ).json
    api.get(urlsplit(body["authentificationUrl"]).path)
    assert "signed in as teacher" in api.get("/home").get_data(as_text=True)
