"""/sso/error: the page T-book's errorUrl lands on, saying what most likely happened and what to do."""

import re
import time

import httpx
from itsdangerous import TimestampSigner
from sqlalchemy import select

from app.services.launch import return_refs
from app.store import db
from app.store.models import AuditEvent
from tests.conftest import AuthActions
from tests.factories import make_link, make_profile


def test_expired_sign_in_url_lands_on_a_clear_page_with_retry(app, client, auth, sandbox):
    with app.app_context():
        make_link("sso", mode="authtoken")
        make_profile()
    auth.login()
    url = client.get("/launch/sso").headers["Location"]
    import httpx

    httpx.get(url)  # used once
    error_url = httpx.get(url).headers["location"]  # the second use: T-book redirects to errorUrl
    assert error_url.startswith("http://localhost/sso/error?ref=")
    page = client.get(error_url.removeprefix("http://localhost"))
    assert page.status_code == 200
    assert "T-book could not sign you in" in page.text
    assert 'href="/launch/sso">Try again' in page.text
    with app.app_context():
        (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sso_error"))
        assert event.detail["verified"] is True and event.link_slug == "sso"
        assert event.correlation_id in page.text


def test_forged_reference_still_gets_a_clear_page_and_is_audited_unverified(app, client):
    page = client.get("/sso/error?ref=forged&error=<b>oops</b>")
    assert page.status_code == 400
    assert "without a valid reference" in page.text and "&lt;b&gt;oops&lt;/b&gt;" in page.text
    with app.app_context():
        (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sso_error"))
        assert event.detail["verified"] is False


def land_on_error_url(client, url: str):
    """Open T-book's sign-in URL; T-book sends the browser to the errorUrl, which the gateway then shows."""
    error_url = httpx.get(url).headers["location"]
    assert error_url.startswith("http://localhost/sso/error?ref=")
    return client.get(error_url.removeprefix("http://localhost"))


def sso_error_event(app) -> AuditEvent:
    with app.app_context():
        (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sso_error"))
        return event


def test_an_id_t_book_does_not_know_is_named_with_what_to_do(app, client, auth, sandbox):
    with app.app_context():
        make_link("sso-id", mode="authtoken", connection_type="id")
        make_profile(externalID="777")
    auth.login()
    response = client.get("/launch/sso-id")
    assert response.status_code == 303  # T-book hands out a URL even for an unknown user, as documented
    page = land_on_error_url(client, response.headers["Location"])
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "instead of opening your account, right after you clicked." in text
    assert "The link was fresh, so T-book turned the sign-in down" in text
    assert "no account with your ID (<code>777</code>)" in text
    assert "give them this reference" in text and 'href="/launch/sso-id">Try again' in text
    event = sso_error_event(app)
    assert event.correlation_id in page.text and event.link_slug == "sso-id" and event.actor == "jane.doe@example.com"
    assert event.detail["cause"] == "refused" and event.detail["connection_type"] == "id"
    assert 0 <= event.detail["seconds_since_click"] < 60
    assert "/sso/" not in repr(event.detail)  # never the one-time URL


def test_a_teacher_t_book_does_not_know_is_told_where_teachers_are_created(app, client, auth, sandbox):
    with app.app_context():
        make_link("sso", mode="authtoken")
        make_profile(login="new.teacher@example.com", userType="teacher")
    auth.login(login="new.teacher@example.com")
    response = client.get("/launch/sso")
    assert sandbox.requests("/api/insertLearner") == []  # the gateway creates learners only
    page = land_on_error_url(client, response.headers["Location"])
    text = " ".join(page.text.split())
    assert "no teacher account for <strong>new.teacher@example.com</strong>" in text
    assert "teachers' accounts are created in T-book itself, not by the gateway" in text


class _SignedLongAgo(TimestampSigner):
    """Signs as the gateway did at a click two minutes ago (the library's own signer, another clock)."""

    def get_timestamp(self) -> int:
        return int(time.time()) - 120


def test_a_sign_in_url_opened_after_its_minute_is_called_expired(app, client, auth):
    with app.app_context():
        make_link("sso", mode="authtoken")
        make_profile()
    auth.login()
    ref = _SignedLongAgo("test-secret-key", salt=return_refs.SALT).sign("sso:click-of-two-minutes-ago").decode()
    page = client.get("/sso/error", query_string={"ref": ref})
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert re.search(r"instead of opening your account, 12\d seconds after you clicked\.", text)
    assert "works once and for 60 seconds. It was opened too late" in text
    assert "Click <strong>Try again</strong>: the gateway asks T-book for a fresh link" in text
    assert "click-of-two-minutes-ago" in text
    event = sso_error_event(app)
    assert event.detail["cause"] == "expired" and 120 <= event.detail["seconds_since_click"] < 130
    assert event.correlation_id == "click-of-two-minutes-ago"


def test_immediate_errors_are_still_a_clear_page(make_gateway, sandbox_factory):
    immediate = sandbox_factory({"SANDBOX_AUTHTOKEN_ERRORS": "immediate"})
    gateway = make_gateway(TBOOK_API_URL=immediate.api_url, TBOOK_LTI_URL=immediate.lti_url)
    with gateway.app_context():
        make_link("sso-id", mode="authtoken", connection_type="id")
        make_profile(externalID="777")
    browser = gateway.test_client()
    AuthActions(browser).login()
    response = browser.get("/launch/sso-id")
    assert response.status_code == 502
    assert "T-book does not know your account" in response.text and "Ask your T-book administrator" in response.text
