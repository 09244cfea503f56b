"""/sso/error: the page T-book's errorUrl lands on."""

from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent
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
