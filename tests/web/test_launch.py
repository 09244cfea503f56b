"""GET /launch/<slug> through HTTP: the auto-submit form, its signature, refusals, and the audit trail."""

import re
from html import unescape
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent
from tests.factories import make_link, make_profile

INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def form_of(html: str) -> tuple[str, list[tuple[str, str]]]:
    action = unescape(re.search(r'<form id="launch-form" method="post" action="([^"]+)"', html).group(1))
    return action, [(name, unescape(value)) for name, value in INPUT.findall(html)]


def post_form(url: str, params: list[tuple[str, str]]) -> httpx.Response:
    """POST the form as a browser would (application/x-www-form-urlencoded, UTF-8)."""
    return httpx.post(
        url, content=urlencode(params), headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    )


def audit_rows(action: str = "launch") -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture
def jane(app):
    with app.app_context():
        make_link()
        return make_profile()


def test_anonymous_user_signs_in_then_comes_back_to_the_link(client, auth, jane):
    response = client.get("/launch/open-tbook")
    assert response.status_code == 302
    assert "/auth/login?next=/launch/open-tbook" in response.headers["Location"]
    signed_in = auth.login(next_url="/launch/open-tbook")
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/launch/open-tbook"


def test_launch_page_posts_a_signed_form_that_the_sandbox_accepts(client, auth, jane, sandbox):
    auth.login()
    response = client.get("/launch/open-tbook")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = response.text
    assert 'accept-charset="utf-8"' in html
    assert "launch.js" in html and '<button type="submit">Continue to T-book</button>' in html
    action, params = form_of(html)
    assert action == sandbox.lti_url
    fields = dict(params)
    assert fields["lis_person_name_full"] == "Jane Doe"
    assert '"login":"jane.doe@example.com"' in fields["custom_data"]
    assert "custom_debug" not in fields
    # What the browser would do: POST the form to T-book (here the sandbox, which verifies independently).
    posted = post_form(action, params)
    assert posted.status_code == 303 and posted.headers["location"].endswith("/home"), posted.text[:500]


def test_each_click_is_signed_afresh(client, auth, jane):
    auth.login()
    first = dict(form_of(client.get("/launch/open-tbook").text)[1])
    second = dict(form_of(client.get("/launch/open-tbook").text)[1])
    assert first["oauth_nonce"] != second["oauth_nonce"]


def test_launch_is_audited_without_secrets(app, client, auth, jane, gateway_config):
    auth.login()
    response = client.get("/launch/open-tbook", headers={"X-Request-ID": "click-0001-abcd"})
    # The correlation id is the gateway's own, never the client's X-Request-ID (tests/web/test_correlation.py).
    correlation_id = response.headers["X-Correlation-ID"]
    assert correlation_id != "click-0001-abcd"
    with app.app_context():
        (event,) = audit_rows()
        assert (event.actor, event.link_slug, event.mode, event.outcome) == (
            "jane.doe@example.com",
            "open-tbook",
            "lti",
            "sent",
        )
        assert event.correlation_id == correlation_id
        stored = repr(event.detail) + repr(event.__dict__)
        for secret in (gateway_config["TBOOK_LTI_SECRET"], gateway_config["TBOOK_CLIENT_SECRET"]):
            assert secret not in stored


@pytest.mark.parametrize("disabled", [False, True])
def test_unknown_or_disabled_link_is_404(app, client, auth, jane, disabled):
    with app.app_context():
        make_link("old-link", enabled=False)
    auth.login()
    response = client.get("/launch/old-link" if disabled else "/launch/no-such-link")
    assert response.status_code == 404
    assert ("switched off for now" if disabled else "no active launch link") in response.text


@pytest.mark.parametrize(
    ("attr", "value", "field"),
    [("civility", "x", "civility"), ("firstname", "", "firstname"), ("entity_id", "", "entityID")],
)
def test_profile_that_cannot_be_sent_is_422_naming_the_field(app, client, auth, jane, sandbox, attr, value, field):
    auth.login()
    with app.app_context():
        setattr(db.session.merge(jane), attr, value)
        db.session.commit()
    response = client.get("/launch/open-tbook")
    assert response.status_code == 422
    assert field in response.text
    assert sandbox.requests("/api/lti") == []
    with app.app_context():
        (event,) = audit_rows()
        assert event.outcome == "refused" and event.detail["field"] == field


def test_422_as_json_names_the_field(app, client, auth, jane):
    auth.login()
    with app.app_context():
        db.session.merge(jane).civility = "sir"
        db.session.commit()
    response = client.get("/launch/open-tbook", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert response.json["error"]["field"] == "civility"


def test_connection_by_id_needs_the_external_id(app, client, auth):
    with app.app_context():
        make_link("by-id", connection_type="id")
        make_profile(externalID="")
    auth.login()
    response = client.get("/launch/by-id")
    assert response.status_code == 422 and "externalID" in response.text


def test_signed_in_user_without_profile_gets_a_clear_refusal(app, client, auth):
    with app.app_context():
        make_link()
        from app.services.identity import accounts

        accounts.set_account("nobody@example.com", "correct-horse")
        db.session.commit()
    auth.login(login="nobody@example.com")
    response = client.get("/launch/open-tbook")
    assert response.status_code == 403 and "no T-book profile" in response.text


def test_teacher_launches_as_instructor(app, client, auth):
    with app.app_context():
        make_link()
        make_profile(userType="teacher")
    auth.login()
    assert dict(form_of(client.get("/launch/open-tbook").text)[1])["roles"] == "Instructor"


def test_debug_link_sends_custom_debug_and_the_sandbox_displays_the_request(app, client, auth, sandbox):
    with app.app_context():
        make_link("debug", debug=True)
        make_profile(firstname="Zoë <b>&")
    auth.login()
    action, params = form_of(client.get("/launch/debug").text)
    assert dict(params)["custom_debug"] == "1"
    shown = post_form(action, params)
    assert shown.status_code == 200
    assert "Zoë &lt;b&gt;&amp;" in shown.text  # the sandbox shows the request as received, escaped


def test_launch_form_escapes_what_it_carries_and_still_signs_it(app, client, auth, sandbox):
    with app.app_context():
        make_link()
        make_profile(firstname='Jo" autofocus onfocus="alert(1)', lastname="<script>alert('x')</script> & Co")
    auth.login()
    page = client.get("/launch/open-tbook").text
    # Nothing a profile holds can close the attribute or open a tag of its own.
    assert 'onfocus="alert' not in page and "<script>alert" not in page
    assert "Jo&quot; autofocus onfocus=&quot;alert(1)" in page and "&lt;script&gt;alert(&#x27;x&#x27;)" in page
    action, params = form_of(page)
    fields = dict(params)
    assert fields["lis_person_name_full"] == """Jo" autofocus onfocus="alert(1) <script>alert('x')</script> & Co"""
    posted = post_form(action, params)  # the values the browser posts back are the ones that were signed
    assert posted.status_code == 303 and posted.headers["location"].endswith("/home"), posted.text[:500]


def test_return_url_shows_tbook_message_escaped_and_audits_it(app, client, auth, jane):
    auth.login()
    _, params = form_of(client.get("/launch/open-tbook").text)
    return_url = dict(params)["launch_presentation_return_url"]
    assert return_url.startswith("http://localhost/lti/return?ref=")
    response = client.get(return_url + "&lti_errormsg=<script>alert(1)</script>Bad+signature")
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Bad signature" in response.text
    assert "<script>alert" not in response.text
    with app.app_context():
        (event,) = audit_rows("lti_return")
        assert event.outcome == "error" and event.link_slug == "open-tbook" and event.detail["verified"] is True


def test_forged_return_reference_is_shown_as_unverified(app, client):
    response = client.get("/lti/return?ref=forged&lti_msg=hello")
    assert response.status_code == 200 and "did not come from a launch" in response.text
    with app.app_context():
        (event,) = audit_rows("lti_return")
        assert event.detail["verified"] is False
