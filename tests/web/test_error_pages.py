"""Error pages as a learner reads them: one reference (the audit log's), what happened, what to do, no admin advice."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent
from tests.factories import make_link, make_profile
from tests.web.test_fallback import signed_in_client

REFERENCE = re.compile(r'<code class="reference">([0-9a-f]{32})</code>')
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


def references(html: str) -> list[str]:
    """Every reference the page shows; a 32-hex string anywhere else would be a second one."""
    return sorted(set(re.findall(r"\b[0-9a-f]{32}\b", html)))


def visible(html: str) -> str:
    """The page's text as read, without its tags and attributes."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def audited(gateway, action: str = "launch") -> list[AuditEvent]:
    with gateway.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_a_configuration_fault_asks_for_the_administrator_without_their_advice(make_gateway, sandbox):
    no_lti = make_gateway(TBOOK_LTI_SECRET="")
    page = signed_in_client(no_lti).get("/launch/open-tbook")
    assert page.status_code == 503
    assert "Trying again will not help until it is fixed" in page.text
    assert "TBOOK_LTI_SECRET" not in page.text and "console" not in page.text and "Try again" not in page.text
    (event,) = audited(no_lti)
    assert REFERENCE.findall(page.text) == [event.correlation_id] == references(page.text)


def test_refused_api_credentials_leave_the_secret_advice_to_the_log(make_gateway, sandbox, caplog):
    gateway = make_gateway(TBOOK_CLIENT_SECRET="not-the-secret")
    browser = signed_in_client(gateway, slug="sso", mode="authtoken")
    with caplog.at_level(logging.WARNING, logger="app.web.errors"):
        page = browser.get("/launch/sso")
    assert page.status_code == 502 and "client secret" not in page.text
    (event,) = [e for e in audited(gateway) if e.outcome == "error"]
    assert references(page.text) == [event.correlation_id]
    assert any(event.correlation_id in r.getMessage() and "client secret" in r.getMessage() for r in caplog.records)


def test_a_profile_problem_is_told_in_the_learners_words_with_the_field_as_a_detail(app, client, auth):
    with app.app_context():
        make_link("by-id", connection_type="id")
        make_profile(externalID="")
    auth.login()
    page = client.get("/launch/by-id")
    assert page.status_code == 422
    text = " ".join(page.text.split())
    assert "<h1>Your profile cannot be sent to T-book</h1>" in text
    assert "<p>Part of your profile is missing, or is not in a form T-book accepts" in text
    assert "<summary>Details from the gateway</summary> <p>externalID: is required" in text


def test_a_forged_return_says_one_thing_and_offers_only_the_start_page(client):
    page = client.get("/lti/return?ref=forged&lti_errormsg=Your+account+is+locked,+call+0800")
    text = visible(page.text)
    assert "did not come from a launch" in text
    assert "try again" not in text.lower() and "Open T-book again" not in text
    assert "0800" not in text  # anyone can write this address: what it carries is not repeated
    assert references(page.text) == []


def test_sso_error_without_a_reference_promises_no_button_it_lacks(client):
    page = client.get("/sso/error")
    assert page.status_code == 400
    assert "Try again" not in visible(page.text) and "button" not in visible(page.text)
    assert len(references(page.text)) == 1


def test_the_error_page_speaks_french_and_keeps_one_reference(make_gateway, unused_url):
    down = make_gateway(TBOOK_API_URL=unused_url + "/api")
    browser = signed_in_client(down, slug="sso", mode="authtoken")
    page = browser.get("/launch/sso", headers=FRENCH)
    assert page.status_code == 503 and '<html lang="fr">' in page.text
    assert "<title>T-book ne répond pas · T-book Gateway</title>" in page.text
    assert "Patientez une minute, puis réessayez." in page.text and ">Réessayer</a>" in page.text
    (event,) = [e for e in audited(down) if e.outcome == "error"]
    assert references(page.text) == [event.correlation_id]


def test_no_page_shows_the_request_id_beside_the_reference(app, client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "<h1>Not Found</h1>" in page.text
    assert REFERENCE.findall(page.text) == references(page.text) and len(references(page.text)) == 1


def test_the_launch_page_may_connect_to_the_launch_host_and_nowhere_else(app, client, auth, sandbox):
    with app.app_context():
        make_link()
        make_profile()
    auth.login()
    page = client.get("/launch/open-tbook")
    policy = page.headers["Content-Security-Policy"]
    assert f"connect-src 'self' {sandbox.url};" in policy and "default-src 'self'" in policy
    assert "frame-ancestors 'self'" in policy
    assert f'data-probe="{sandbox.url}/"' in page.text


def test_single_sign_on_instead_is_for_auto_links_only(app, client, auth, sandbox):
    with app.app_context():
        make_link()
        make_link("auto", mode="auto")
        make_profile()
    auth.login()
    instead = client.get("/launch/auto?via=sso")
    assert instead.status_code == 303 and "/sso/" in instead.headers["Location"]
    (event,) = [e for e in audited(app, "fallback") if e.outcome == "redirected"]
    assert event.detail["reason"] == "the browser could not reach T-book's launch host"
    assert 'id="launch-form"' in client.get("/launch/open-tbook?via=sso").text  # an LTI link stays LTI


def test_each_message_the_error_page_translates_is_still_a_services_own_words():
    from pathlib import Path

    from app.web.error_texts import MESSAGES

    root = Path(__file__).resolve().parents[2] / "app"
    sources = " ".join(
        " ".join(path.read_text(encoding="utf-8").split())
        for path in root.rglob("*.py")
        if path.name != "error_texts.py"
    )
    stale = [str(message._args[0]) for message in MESSAGES if f'"{message._args[0]}"' not in sources]
    assert stale == [], "no longer raised: drop from app/web/error_texts.py MESSAGES"


def test_a_services_fixed_words_are_said_in_french_among_the_details(make_gateway, sandbox):
    gateway = make_gateway(TBOOK_CLIENT_SECRET="not-the-secret")
    browser = signed_in_client(gateway, slug="sso", mode="authtoken")
    page = browser.get("/launch/sso", headers=FRENCH)
    assert "T-book a refusé les identifiants API de la passerelle." in page.text
