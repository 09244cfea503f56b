"""The launch service on its own (an app context, no request): the launch request it builds, and the previews."""

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import request, url_for
from sqlalchemy import select

from app.errors import Forbidden, LinkNotFound
from app.services.launch import consumer, return_refs
from app.services.launch import flow as launch
from app.store import db
from app.store.models import AuditEvent
from tests.factories import make_link, make_profile
from tests.web.test_launch import post_form

PUBLIC = "https://learn.example.org/gateway/"


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture
def jane(app):
    with app.app_context():
        make_link()
        make_link("debug", debug=True)
        make_link("off", enabled=False)
        make_profile()


def test_a_launch_needs_no_request_and_comes_back_under_the_base_url_given(app, jane, sandbox):
    with app.app_context():
        outcome = launch.start("open-tbook", "jane.doe@example.com", launch.Click("click-1", PUBLIC))
        params = dict(outcome.signed.params)
        ref = return_refs.read(parse_qs(urlsplit(params["launch_presentation_return_url"]).query)["ref"][0])
        guid = consumer.instance_guid()
    assert isinstance(outcome, launch.LtiLaunch) and outcome.link.slug == "open-tbook"
    assert params["launch_presentation_return_url"].startswith(PUBLIC + "lti/return?ref=")
    # The gateway's lasting GUID (issue 10), no longer the base URL's host.
    assert params["tool_consumer_instance_guid"] == guid and "learn.example.org" not in guid
    assert (ref.slug, ref.correlation_id) == ("open-tbook", "click-1")
    posted = post_form(outcome.signed.url, outcome.signed.params)  # the sandbox verifies the signature
    assert posted.status_code == 303 and posted.headers["location"].endswith("/home"), posted.text[:500]


@pytest.mark.parametrize(
    "base_url", ["http://localhost/", "http://127.0.0.1:5000", PUBLIC, "https://LEARN.example.org:8443/a%20b/"]
)
def test_return_urls_are_what_url_for_builds_for_a_request_to_that_root(app, base_url):
    with app.test_request_context(base_url=base_url):
        root = request.url_root
        expected = (url_for("launch.lti_return", _external=True), url_for("sso.error", _external=True))
    with app.app_context():
        built = return_refs.urls(root)
    assert (built.return_url, built.error_url) == expected


def test_the_error_url_carries_the_same_reference(app, sandbox):
    with app.app_context():
        make_link("sso", mode="authtoken")
        make_profile()
        outcome = launch.start("sso", "jane.doe@example.com", launch.Click("click-2", PUBLIC))
    assert isinstance(outcome, launch.Redirect)
    (call,) = sandbox.requests("/api/authToken")
    assert call["fields"]["errorUrl"].startswith(PUBLIC + "sso/error?ref=")


@pytest.mark.parametrize(
    ("accept_language", "locale"),
    [
        ("", "fr-FR"),
        ("en-GB,en;q=0.9", "en-US"),
        ("de-DE,en;q=0.5", "en-US"),
        ("en;q=0.4,fr;q=0.8", "fr-FR"),
        ("fr-CA", "fr-FR"),
        ("de-DE", "fr-FR"),  # GATEWAY_LOCALE
    ],
)
def test_the_service_picks_the_locale_from_the_browsers_languages(app, jane, accept_language, locale):
    with app.app_context():
        outcome = launch.start("open-tbook", "jane.doe@example.com", launch.Click("c", PUBLIC, accept_language))
    assert dict(outcome.signed.params)["launch_presentation_locale"] == locale


def test_the_preview_is_for_debug_links_unless_the_caller_is_trusted(app, jane):
    with app.app_context():
        click = launch.Click("preview-1", PUBLIC)
        with pytest.raises(Forbidden):
            launch.preview("open-tbook", "jane.doe@example.com", click)
        shown = launch.preview("open-tbook", "jane.doe@example.com", click, trusted=True)
        assert '"login": "jane.doe@example.com"' in shown.readable_custom_data()
        assert "custom_debug" in dict(launch.preview("debug", "jane.doe@example.com", click).signed.params)
        with pytest.raises(LinkNotFound):
            launch.preview("off", "jane.doe@example.com", click, trusted=True)
        assert [(e.actor, e.outcome, e.link_slug) for e in events("launch_preview")] == [
            ("jane.doe@example.com", "signed", "open-tbook"),
            ("jane.doe@example.com", "signed", "debug"),
        ]


def test_an_admin_previews_any_link_on_behalf_of_a_learner(app, jane):
    with app.app_context():
        click = launch.Click("test-1", PUBLIC)
        shown = launch.admin_preview("off", "jane.doe@example.com", click, admin="admin@example.com")
        assert shown.link.slug == "off" and not shown.link.enabled
        with pytest.raises(LinkNotFound):
            launch.admin_preview("no-such-link", "jane.doe@example.com", click, admin="admin@example.com")
        (event,) = events("launch_preview")
        assert (event.actor, event.detail["learner"]) == ("admin@example.com", "jane.doe@example.com")
