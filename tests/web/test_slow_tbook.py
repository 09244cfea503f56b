"""authtoken clicks when T-book is slow: one call for a learner T-book is known to have, and a deadline per click
that ends in the "T-book is slow" page and an audit row."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select

from app.services.launch import return_refs
from app.store import db
from app.store.models import KnownLearner
from tests.factories import make_link, make_profile
from tests.web.test_fallback import events, signed_in_client
from tests.web.test_sso_error import _SignedLongAgo

NEW = "new.learner@example.com"
PROXY = {"REMOTE_ADDR": "127.0.0.1"}  # header sign-in: the request comes from the trusted proxy


@pytest.fixture
def signed_in(app, auth):
    def sign_in(**profile):
        with app.app_context():
            make_profile(**profile)
        auth.login(login=profile.get("login", "jane.doe@example.com"))

    return sign_in


def calls(sandbox, since: int = 0) -> list[str]:
    """The API calls the sandbox saw after the first `since` ones, token requests left out."""
    return [r["path"].removeprefix("/api/") for r in sandbox.requests()[since:] if r["path"] != "/api/token"]


def click(browser, login: str | None = None):
    headers = {"X-Remote-User": login} if login else {}
    return browser.get("/launch/sso", headers=headers, environ_base=PROXY)


def known(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(k.login, k.seen) for k in db.session.scalars(select(KnownLearner).order_by(KnownLearner.login))]


@pytest.mark.sandbox_variants
def test_a_learner_found_in_tbook_needs_one_call_on_the_next_clicks(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in()
    assert client.get("/launch/sso").status_code == 303
    assert calls(sandbox) == ["getOneLearner", "authToken"]
    assert known(app) == [("jane.doe@example.com", "found")]
    mark = len(sandbox.requests())
    for _ in range(3):
        assert client.get("/launch/sso").status_code == 303
    assert calls(sandbox, mark) == ["authToken"] * 3


@pytest.mark.sandbox_variants
def test_a_learner_created_in_tbook_is_remembered_too(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in(login=NEW, firstname="Noé", lastname="Nouveau")
    assert client.get("/launch/sso").status_code == 303
    assert calls(sandbox) == ["getOneLearner", "insertLearner", "authToken"]
    assert known(app) == [(NEW, "created")]
    mark = len(sandbox.requests())
    assert client.get("/launch/sso").status_code == 303
    assert calls(sandbox, mark) == ["authToken"]


@pytest.mark.sandbox_variants
def test_a_learner_tbook_no_longer_knows_is_forgotten_and_provisioned_on_the_next_click(
    app, client, sandbox, signed_in
):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in(login=NEW, firstname="Noé", lastname="Nouveau")
    assert client.get("/launch/sso").status_code == 303
    sandbox.reset()  # T-book lost the learner the gateway created
    mark = len(sandbox.requests())
    response = client.get("/launch/sso")
    if sandbox.answers("SANDBOX_AUTHTOKEN_ERRORS") == "immediate":
        assert response.status_code == 502 and "T-book does not know your account" in response.text
    else:  # as documented: a sign-in URL that sends the browser to the errorUrl
        assert response.status_code == 303
        error_url = urlsplit(httpx.get(response.headers["Location"]).headers["location"])
        assert client.get(f"{error_url.path}?{error_url.query}").status_code == 200
    assert calls(sandbox, mark) == ["authToken"] and known(app) == []
    mark = len(sandbox.requests())
    assert client.get("/launch/sso").status_code == 303
    assert calls(sandbox, mark) == ["getOneLearner", "insertLearner", "authToken"]
    assert known(app) == [(NEW, "created")]


@pytest.mark.sandbox_variants
def test_tbook_sending_the_learner_to_the_error_url_drops_the_memory(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in()
    assert client.get("/launch/sso").status_code == 303
    (call,) = sandbox.requests("/api/authToken")
    error_url = urlsplit(call["fields"]["errorUrl"])
    # T-book could not sign the learner in and sends the browser to the errorUrl, with the launch's reference.
    page = client.get(f"{error_url.path}?{error_url.query}")
    assert page.status_code == 200
    assert known(app) == []
    mark = len(sandbox.requests())
    assert client.get("/launch/sso").status_code == 303
    assert calls(sandbox, mark) == ["getOneLearner", "authToken"]


def test_a_sign_in_url_that_expired_forgets_nobody(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in()
    click_id = client.get("/launch/sso").headers["X-Correlation-ID"]
    # The learner opened T-book's URL after its minute: T-book knows them, the URL was just too old.
    ref = _SignedLongAgo("test-secret-key", salt=return_refs.SALT).sign(f"sso:{click_id}").decode()
    assert client.get("/sso/error", query_string={"ref": ref}).status_code == 200
    assert known(app) == [("jane.doe@example.com", "found")]


def test_an_error_page_without_a_valid_reference_forgets_nobody(app, client, sandbox, signed_in):
    with app.app_context():
        make_link("sso", mode="authtoken")
    signed_in()
    client.get("/launch/sso")
    assert client.get("/sso/error?ref=forged").status_code == 400
    assert known(app) == [("jane.doe@example.com", "found")]


def test_a_learner_known_to_one_tbook_account_is_looked_up_in_another(make_gateway, sandbox, sandbox_factory):
    first = make_gateway(GATEWAY_AUTH="header")
    with first.app_context():
        make_link("sso", mode="authtoken")
        make_profile(password=None)
    assert click(first.test_client(), "jane.doe@example.com").status_code == 303
    other = sandbox_factory()  # another T-book account (its own API URL), on the same database
    second = make_gateway(GATEWAY_AUTH="header", TBOOK_API_URL=other.api_url, TBOOK_LTI_URL=other.lti_url)
    assert click(second.test_client(), "jane.doe@example.com").status_code == 303
    assert calls(other) == ["getOneLearner", "authToken"]
    assert [seen for _, seen in known(second)] == ["found", "found"]


def test_a_click_past_its_deadline_gets_the_slow_page_and_an_audit_row(make_gateway, sandbox):
    browser = signed_in_client(make_gateway(GATEWAY_CLICK_DEADLINE="0.5"), slug="sso", mode="authtoken")
    sandbox.set_fault(path="/api/authToken", latency=3.0)
    began = time.monotonic()
    response = browser.get("/launch/sso")
    took = time.monotonic() - began
    assert response.status_code == 503 and took < 2.5
    reference = response.headers["X-Correlation-ID"]
    assert "T-book is slow" in response.text and "the gateway stopped waiting" in response.text
    assert reference in response.text and "Try again" in response.text
    app = browser.application
    (click,) = [e for e in events(app, "launch")]
    assert (click.outcome, click.mode, click.correlation_id) == ("timeout", "authtoken", reference)
    assert click.detail["endpoint"] == "authToken" and click.detail["deadline_seconds"] == 0.5


def test_the_slow_page_in_json(make_gateway, sandbox):
    browser = signed_in_client(make_gateway(GATEWAY_CLICK_DEADLINE="0.3"), slug="sso", mode="authtoken")
    sandbox.set_fault(path="/api", latency=2.0, count=5)
    response = browser.get("/launch/sso", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.json["error"]["title"] == "T-book is slow"
    assert response.json["error"]["deadline_seconds"] == 0.3
    assert response.json["error"]["correlation_id"] == response.headers["X-Correlation-ID"]


def test_every_click_of_a_new_learner_ends_in_time_and_progress_is_kept(make_gateway, sandbox_factory):
    # T-book answers every call in 0.6 s; a click may take 1 s. The new learner's first clicks run out of time,
    # each with the slow page and an audit row, but what T-book did meanwhile counts: the learner is created,
    # then found and remembered, and a click then needs a single call.
    slow = sandbox_factory({"SANDBOX_LATENCY": 0.6})
    gateway = make_gateway(
        GATEWAY_AUTH="header", GATEWAY_CLICK_DEADLINE="1", TBOOK_API_URL=slow.api_url, TBOOK_LTI_URL=slow.lti_url
    )
    with gateway.app_context():
        make_link("sso", mode="authtoken")
        make_profile(login=NEW, firstname="Noé", lastname="Nouveau", password=None)
    browser = gateway.test_client()
    statuses = []
    for _ in range(5):
        began = time.monotonic()
        response = click(browser, NEW)
        statuses.append(response.status_code)
        assert time.monotonic() - began < 2.0
        if response.status_code == 303:
            break
    assert statuses[-1] == 303 and set(statuses[:-1]) == {503}
    outcomes = [e.outcome for e in events(gateway, "launch")]
    assert outcomes == ["timeout"] * (len(statuses) - 1) + ["redirected"]
    assert "insertLearner" in calls(slow) and known(gateway) == [(NEW, "found")]  # created, then found
