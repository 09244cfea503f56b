"""handle_return on its own: T-book's way back audited, and an `auto` link's one fallback per click."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.services.launch import flow as launch
from app.services.launch.lti_return import LOGGED_ONLY, ReturnPage, handle_return
from app.store import db
from app.store.models import AuditEvent, LaunchLink
from tests.factories import make_link, make_profile
from tests.web.test_launch import post_form

JANE = "jane.doe@example.com"
CLICK = launch.Click("return-request", "http://gateway.example/")


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def refused_by_tbook(app, sandbox, slug: str) -> dict[str, str]:
    """Launch `slug` for Jane, have T-book refuse the POST, and return the query T-book came back with."""
    with app.app_context():
        outcome = launch.start(slug, JANE, launch.Click("the-click", "http://gateway.example/"))
    sandbox.set_fault(path="/api/lti", lti_error="Unknown consumer key", count=1)
    back = post_form(outcome.signed.url, outcome.signed.params).headers["location"]
    assert back.startswith("http://gateway.example/lti/return?ref=")
    return {name: values[0] for name, values in parse_qs(urlsplit(back).query).items()}


def come_back(query: dict[str, str], login: str | None = JANE, **changed):
    args = {"lti_msg": "", "lti_errormsg": query.get("lti_errormsg", ""), "lti_log": "", "login": login, **changed}
    return handle_return(query["ref"], click=CLICK, **args)


@pytest.fixture
def jane(app):
    with app.app_context():
        make_link("auto", mode="auto")
        make_link()
        make_profile()


def test_an_auto_link_refused_by_tbook_falls_back_once_for_the_click(app, jane, sandbox):
    query = refused_by_tbook(app, sandbox, "auto")
    with app.app_context():
        first = come_back(query)
        assert isinstance(first, launch.Redirect) and first.url.startswith(sandbox.url + "/sso/")
        (call,) = sandbox.requests("/api/authToken")
        assert call["fields"]["errorUrl"].startswith("http://gateway.example/sso/error?ref=")
        second = come_back(query)
        assert isinstance(second, ReturnPage) and second.fell_back_already
        assert (second.error, second.ref.slug, second.correlation_id) == ("Unknown consumer key", "auto", "the-click")
        (fallback,) = events("fallback")
        assert fallback.correlation_id == "the-click" and "Unknown consumer key" in fallback.detail["reason"]
        assert [(e.outcome, e.actor, e.detail["verified"]) for e in events("lti_return")] == [
            ("error", JANE, True),
            ("error", JANE, True),
        ]


def test_an_lti_link_refused_by_tbook_gets_the_page(app, jane, sandbox):
    query = refused_by_tbook(app, sandbox, "open-tbook")
    with app.app_context():
        page = come_back(query)
        assert page == ReturnPage("", "Unknown consumer key", page.ref, "the-click")
        assert events("fallback") == []


@pytest.mark.parametrize("change", ["signed out", "link disabled"])
def test_no_fallback_without_a_signed_in_learner_or_an_enabled_link(app, jane, sandbox, change):
    query = refused_by_tbook(app, sandbox, "auto")
    with app.app_context():
        if change == "link disabled":
            db.session.execute(db.update(LaunchLink).values(enabled=False))
            db.session.commit()
        page = come_back(query, login=None if change == "signed out" else JANE)
        assert isinstance(page, ReturnPage) and not page.fell_back_already
        assert events("fallback") == [] and sandbox.requests("/api/authToken") == []


def test_a_forged_reference_is_unverified_under_the_requests_correlation_id(app):
    with app.app_context():
        page = handle_return("forged", lti_msg="hello", lti_errormsg="", lti_log="x" * 600, login=None, click=CLICK)
        assert page == ReturnPage("hello", "", None, "return-request")
        (event,) = events("lti_return")
        assert (event.outcome, event.correlation_id, event.link_slug) == ("ok", "return-request", None)
        assert event.detail["verified"] is False and len(event.detail["lti_log"]) == 500


def test_a_refusal_given_for_the_log_only_is_a_refusal_too(app, jane, sandbox):
    # LTI 1.1 lets a Tool Provider refuse with lti_errorlog alone (a reason for the consumer's log, not the learner).
    query = refused_by_tbook(app, sandbox, "auto")
    with app.app_context():
        first = come_back(query, lti_errormsg="", lti_errorlog="oauth_signature mismatch for key sandbox-client")
        assert isinstance(first, launch.Redirect) and first.url.startswith(sandbox.url + "/sso/")
        (event,) = events("lti_return")
        assert event.outcome == "error"
        assert event.detail["lti_errorlog"] == "oauth_signature mismatch for key sandbox-client"
        (fallback,) = events("fallback")
        assert "oauth_signature mismatch" in fallback.detail["reason"]


def test_an_lti_link_refused_for_the_log_only_gets_the_page_not_a_goodbye(app, jane, sandbox):
    query = refused_by_tbook(app, sandbox, "open-tbook")
    with app.app_context():
        page = come_back(query, lti_errormsg="", lti_errorlog="x" * 600)
        assert page.error == LOGGED_ONLY and "x" not in page.error  # the log's text is for admins, not the page
        (event,) = events("lti_return")
        assert event.outcome == "error" and len(event.detail["lti_errorlog"]) == 500
