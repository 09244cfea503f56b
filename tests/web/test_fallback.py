"""/authToken sign-in over real HTTP against the sandbox: authtoken and auto links, provisioning, T-book faults."""

import httpx
import pytest
from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent
from tests.conftest import AuthActions
from tests.factories import make_link, make_profile
from tests.web.test_launch import form_of, post_form


def events(app, action=None) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(db.session.scalars(query))


def follow_into_tbook(url: str) -> httpx.Response:
    """Open T-book's one-time sign-in URL as the browser would, following redirects to the learner home."""
    return httpx.get(url, follow_redirects=True)


@pytest.fixture
def signed_in(app, auth):
    def sign_in(**profile):
        with app.app_context():
            make_profile(**profile)
        auth.login(login=profile.get("login", "jane.doe@example.com"))

    return sign_in


def test_authtoken_link_redirects_to_a_one_time_tbook_url(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in()
    response = client.get("/launch/sso")
    assert response.status_code == 303
    assert response.headers["Cache-Control"] == "no-store"
    target = response.headers["Location"]
    assert target.startswith(sandbox.url + "/sso/")
    home = follow_into_tbook(target)
    assert home.status_code == 200 and "Welcome, Jane Doe" in home.text
    # Used once: a second use sends the browser to the gateway's errorUrl.
    assert httpx.get(target).headers["location"].startswith("http://localhost/sso/error?ref=")
    (launch,) = events(app, "launch")
    assert (launch.mode, launch.outcome, launch.tbook_status) == ("authtoken", "redirected", 200)
    assert target not in repr([(e.detail, e.correlation_id) for e in events(app)])  # never stored


def test_missing_learner_is_inserted_from_the_profile_first(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in(login="new.learner@example.com", firstname="Noé", lastname="Nouveau", entityID="25", filter=["S9"])
    response = client.get("/launch/sso")
    assert response.status_code == 303
    calls = [r["path"] for r in sandbox.requests()]
    assert calls == ["/api/token", "/api/getOneLearner", "/api/insertLearner", "/api/authToken"]
    (insert,) = sandbox.requests("/api/insertLearner")
    assert insert["fields"]["entity[identifier]"] == "25" and insert["fields"]["filter[0]"] == "S9"
    assert "password" not in insert["fields"]
    home = follow_into_tbook(response.headers["Location"])
    assert "Welcome, Noé Nouveau" in home.text and "Lyon Campus" in home.text
    (provision,) = events(app, "provision")
    assert provision.outcome == "created"


def test_existing_learner_is_not_inserted_again(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in()
    client.get("/launch/sso")
    assert sandbox.requests("/api/insertLearner") == []


def test_connection_by_id_uses_the_external_id(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso-id", mode="authtoken", connection_type="id")
    signed_in()
    response = client.get("/launch/sso-id")
    assert response.status_code == 303
    (call,) = sandbox.requests("/api/authToken")
    assert call["fields"]["connectionType"] == "id" and call["fields"]["identifier"] == "1001"
    assert call["fields"]["errorUrl"].startswith("http://localhost/sso/error?ref=")


def test_one_token_request_for_many_launches(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in()
    for _ in range(5):
        assert client.get("/launch/sso").status_code == 303
    assert len(sandbox.requests("/api/token")) == 1
    (refresh,) = events(app, "token_refresh")
    assert refresh.detail["reason"] == "missing"
    assert "access_token" not in repr(refresh.detail)


def test_token_rejected_mid_run_is_refreshed_once_and_the_call_replayed(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in()
    assert client.get("/launch/sso").status_code == 303
    sandbox.revoke_tokens()
    assert client.get("/launch/sso").status_code == 303
    assert len(sandbox.requests("/api/token")) == 2
    assert [e.detail["reason"] for e in events(app, "token_refresh")] == ["missing", "rejected"]


def test_429_three_times_then_success(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in()
    sandbox.set_fault(path="/api/authToken", status=429, count=3, retry_after=0)
    response = client.get("/launch/sso")
    assert response.status_code == 303
    assert [r["status"] for r in sandbox.requests("/api/authToken")] == [429, 429, 429, 200]


def test_500_storm_ends_in_a_clear_page_after_bounded_attempts(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in()
    sandbox.set_fault(path="/api/authToken", status=500, count=100)
    response = client.get("/launch/sso")
    assert response.status_code == 503
    assert "T-book is not answering" in response.text and "Traceback" not in response.text
    assert len(sandbox.requests("/api/authToken")) == app.config["TBOOK_RETRY_ATTEMPTS"]
    (event,) = [e for e in events(app, "launch") if e.outcome == "error"]
    assert event.tbook_status == 500 and event.detail["tbook_code"] == "server_errors"


def signed_in_client(gateway, **link):
    """Seed a link and Jane on `gateway`, sign her in through its form, and return its test client."""
    with gateway.app_context():
        make_link(**link)
        make_profile()
    browser = gateway.test_client()
    AuthActions(browser).login()
    return browser


def test_stopped_tbook_gives_a_clear_page_not_a_traceback(make_gateway, unused_url):
    browser = signed_in_client(make_gateway(TBOOK_API_URL=unused_url + "/api"), slug="sso", mode="authtoken")
    response = browser.get("/launch/sso", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.json["error"]["title"] == "T-book is not answering"
    assert response.json["error"]["correlation_id"]


def test_wrong_client_secret_says_so_plainly(make_gateway, sandbox):
    browser = signed_in_client(make_gateway(TBOOK_CLIENT_SECRET="not-the-secret"), slug="sso", mode="authtoken")
    response = browser.get("/launch/sso")
    assert response.status_code == 502
    assert "refused the gateway&#39;s API credentials" in response.text
    assert "not-the-secret" not in response.text


def test_auto_link_falls_back_when_lti_is_not_configured(make_gateway, sandbox):
    no_lti = make_gateway(TBOOK_LTI_SECRET="")
    response = signed_in_client(no_lti, slug="auto", mode="auto").get("/launch/auto")
    assert response.status_code == 303 and "/sso/" in response.headers["Location"]
    (fallback,) = events(no_lti, "fallback")
    assert fallback.detail["reason"] == "LTI is not configured"


def test_auto_link_falls_back_when_the_profile_lacks_what_lti_needs(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("auto", mode="auto", connection_type="login")
    signed_in(civility="m")
    with app.app_context():
        from app.store.models import Profile

        db.session.execute(db.update(Profile).values(firstname=""))
        db.session.commit()
    response = client.get("/launch/auto")
    # LTI needs a firstname; /authToken by login does not (the learner exists in T-book already).
    assert response.status_code == 303
    (fallback,) = events(app, "fallback")
    assert "firstname" in fallback.detail["reason"]


def test_auto_link_uses_lti_when_it_can(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("auto", mode="auto")
    signed_in()
    response = client.get("/launch/auto")
    assert response.status_code == 200 and "launch-form" in response.text


def test_auto_link_refused_by_tbook_falls_back_once_per_click(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("auto", mode="auto")
    signed_in()
    page = client.get("/launch/auto").text
    action, params = form_of(page)
    sandbox.set_fault(path="/api/lti", lti_error="Unknown consumer key", count=2)
    refused = post_form(action, params)
    assert refused.status_code == 302
    back = refused.headers["location"]
    assert back.startswith("http://localhost/lti/return?ref=") and "lti_errormsg=Unknown+consumer+key" in back
    first = client.get(back.removeprefix("http://localhost"))
    assert first.status_code == 303 and "/sso/" in first.headers["Location"]
    # T-book sends the same click back again: no second fallback, no loop, a clear page.
    second = client.get(back.removeprefix("http://localhost"))
    assert second.status_code == 200 and "stops here rather than loop" in second.text
    assert len(events(app, "fallback")) == 1


def test_lti_link_refused_by_tbook_does_not_fall_back(app, client, sandbox, signed_in):
    with app.app_context():
        make_link()
    signed_in()
    action, params = form_of(client.get("/launch/open-tbook").text)
    sandbox.set_fault(path="/api/lti", lti_error="Bad signature")
    back = post_form(action, params).headers["location"]
    page = client.get(back.removeprefix("http://localhost"))
    assert page.status_code == 200 and "T-book said: Bad signature" in page.text
    assert events(app, "fallback") == []


def test_fallback_that_failed_can_be_tried_again(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("auto", mode="auto")
    signed_in()
    action, params = form_of(client.get("/launch/auto").text)
    sandbox.set_fault(path="/api/lti", lti_error="Unknown consumer key")
    back = post_form(action, params).headers["location"].removeprefix("http://localhost")
    sandbox.set_fault(path="/api/authToken", status=503, count=app.config["TBOOK_RETRY_ATTEMPTS"])
    down = client.get(back)
    assert down.status_code == 503 and "Try again" in down.text
    retried = client.get(back)  # the learner presses "Try again" once T-book is back
    assert retried.status_code == 303 and "/sso/" in retried.headers["Location"]


def test_lti_link_without_an_lti_secret_is_a_clear_refusal(make_gateway, sandbox):
    no_lti = make_gateway(TBOOK_LTI_SECRET="")
    response = signed_in_client(no_lti).get("/launch/open-tbook")
    assert response.status_code == 503 and "no LTI shared secret" in response.text
    assert sandbox.requests("/api/lti") == []
    (event,) = events(no_lti, "launch")
    assert event.outcome == "refused" and event.detail["reason"] == "LTI is not configured"
