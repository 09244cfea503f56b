"""The T-book flows (authtoken launch, auto fallback, provisioning) against every way the sandbox may answer where
tbook-api.md is silent (tests/fixtures/sandbox.py: SANDBOX_VARIANTS)."""

from __future__ import annotations

import ssl

import httpx
import pytest
from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent
from tests.factories import make_link, make_profile
from tests.web.test_launch import form_of, post_form

pytestmark = pytest.mark.sandbox_variants
GATEWAY = "http://localhost"
# Loaded once: every new httpx client would load the CA bundle again (about 0.1 s), though T-book is plain HTTP here.
TLS = ssl.create_default_context()


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(db.session.scalars(query))


def open_in_tbook(client, url: str) -> httpx.Response:
    """Open T-book's one-time sign-in URL as the browser would: on to T-book's home, or back to the gateway."""
    with httpx.Client(verify=TLS) as browser:  # a fresh one: its cookies are this browser's
        answer = browser.get(url)
        assert answer.status_code == 302, answer.text
        location = answer.headers["Location"]
        if location.startswith(GATEWAY + "/"):
            page = client.get(location.removeprefix(GATEWAY))
            return httpx.Response(page.status_code, text=page.text, request=answer.request)
        return browser.get(httpx.URL(url).join(location))


@pytest.fixture
def signed_in(app, auth):
    def sign_in(**profile):
        with app.app_context():
            make_profile(**profile)
        assert auth.login(login=profile.get("login", "jane.doe@example.com")).status_code == 303

    return sign_in


def test_authtoken_launch_of_a_known_learner(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in()
    response = client.get("/launch/sso")
    assert response.status_code == 303 and response.headers["Location"].startswith(sandbox.url + "/sso/")
    assert "Welcome, Jane Doe" in open_in_tbook(client, response.headers["Location"]).text
    assert sandbox.requests("/api/insertLearner") == []


def test_authtoken_launch_of_a_new_learner_inserts_him_first(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in(login="noe.nouveau@example.com", firstname="Noé", lastname="Nouveau", entityID="25", externalID=None)
    response = client.get("/launch/sso")
    assert response.status_code == 303, response.text
    home = open_in_tbook(client, response.headers["Location"])
    assert "Welcome, Noé Nouveau" in home.text and "Lyon Campus" in home.text
    assert len(sandbox.requests("/api/insertLearner")) == 1
    (provision,) = events(app, "provision")
    assert provision.outcome == "created"


def test_launch_after_an_insert_that_failed_for_a_learner_created_meanwhile(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in()
    sandbox.set_fault(path="/api/getOneLearner", status=404)  # a concurrent click creates Jane after this lookup
    sandbox.set_fault(path="/api/insertLearner", status=409)
    response = client.get("/launch/sso")
    assert response.status_code == 303, response.text
    assert "Welcome, Jane Doe" in open_in_tbook(client, response.headers["Location"]).text
    (provision,) = events(app, "provision")
    assert provision.outcome == "exists" and provision.detail["insert_failed"] == "409 conflict"


def test_auto_link_refused_by_lti_falls_back_and_lands_in_t_book(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("auto", mode="auto")
    signed_in(login="noe.nouveau@example.com", firstname="Noé", lastname="Nouveau", externalID=None)
    action, params = form_of(client.get("/launch/auto").text)
    sandbox.set_fault(path="/api/lti", lti_error="Unknown consumer key")
    back = post_form(action, params).headers["location"]
    fallback = client.get(back.removeprefix(GATEWAY))
    assert fallback.status_code == 303, fallback.text
    assert "Welcome, Noé Nouveau" in open_in_tbook(client, fallback.headers["Location"]).text
    assert len(events(app, "fallback")) == 1


def test_auto_link_without_lti_credentials_uses_authtoken(make_gateway, sandbox):
    gateway = make_gateway(TBOOK_LTI_SECRET="")
    with gateway.app_context():
        make_link("auto", mode="auto")
        make_profile()
    client = gateway.test_client()
    from tests.conftest import AuthActions

    AuthActions(client).login()
    response = client.get("/launch/auto")
    assert response.status_code == 303, response.text
    assert "Welcome, Jane Doe" in open_in_tbook(client, response.headers["Location"]).text


def test_a_user_t_book_does_not_know_gets_a_clear_page_either_way(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso-id", mode="authtoken", connection_type="id")
    signed_in(externalID="777")  # Jane, under an ID T-book was never given
    response = client.get("/launch/sso-id")
    if sandbox.answers("SANDBOX_AUTHTOKEN_ERRORS") == "immediate":
        # T-book answers authToken with the error at once: the gateway says so itself.
        assert response.status_code == 502
        assert "T-book does not know your account" in response.text
        (event,) = [e for e in events(app, "launch") if e.outcome == "error"]
        assert event.tbook_status == 404 and event.correlation_id in response.text
    else:
        # As documented: a sign-in URL that sends the browser to errorUrl.
        assert response.status_code == 303
        page = open_in_tbook(client, response.headers["Location"])
        assert page.status_code == 200
        assert "T-book could not sign you in" in page.text and "no account with your ID" in page.text
        (event,) = events(app, "sso_error")
        assert event.detail["cause"] == "refused" and event.correlation_id in page.text
