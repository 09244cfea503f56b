"""What a launch tells a Tool Provider about the gateway and the link: a GUID that never follows the Host
header, the contact e-mail, one context per link, the link's description, and lis_person_* only when the link
sends them; each launch verifies with the sandbox and with PyLTI."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from pylti.common import verify_request_common
from sqlalchemy import select

from app.store import db
from app.store.instance_identity import GUID_KEY
from app.store.models import AuditEvent, Setting
from tests.conftest import AuthActions
from tests.factories import make_link, make_profile
from tests.web.test_launch import form_of, post_form

PERSON = ("lis_person_name_given", "lis_person_name_family", "lis_person_name_full", "lis_person_contact_email_primary")


@pytest.fixture
def jane(app):
    with app.app_context():
        make_profile()
        return make_link(description="Toutes les formations\nde l'équipe")


def launch(client, slug: str = "open-tbook", **headers: str) -> tuple[str, list[tuple[str, str]]]:
    response = client.get(f"/launch/{slug}", headers=headers)
    assert response.status_code == 200, response.text[:300]
    action, params = form_of(response.text)
    return action, params


def verified_everywhere(sandbox, action: str, params: list[tuple[str, str]]) -> bool:
    creds = sandbox.credentials
    consumers = {creds["SANDBOX_LTI_KEY"]: {"secret": creds["SANDBOX_LTI_SECRET"]}}
    pylti = verify_request_common(consumers, action, "POST", {}, dict(parse_qsl(urlencode(params))))
    posted = post_form(action, params)  # the sandbox verifies on its own
    return pylti and posted.status_code == 303 and posted.headers["location"].endswith("/home")


def test_the_instance_guid_is_made_once_and_never_follows_the_host(app, jane, make_gateway, sandbox):
    # Header sign-in: the reverse proxy names the user on every request, whatever host the request came in on.
    client = make_gateway(GATEWAY_AUTH="header").test_client()
    guids = {
        dict(launch(client, Host=host, **{"X-Remote-User": "jane.doe@example.com"})[1])["tool_consumer_instance_guid"]
        for host in ("localhost", "gateway.intranet.example:8443", "10.0.0.7")
    }
    assert len(guids) == 1
    first = guids.pop()
    assert "localhost" not in first and "intranet" not in first
    # Another instance (or a restart) on the same database says the same.
    other_instance = make_gateway().test_client()
    AuthActions(other_instance).login()
    assert dict(launch(other_instance)[1])["tool_consumer_instance_guid"] == first
    with app.app_context():
        assert db.session.get(Setting, GUID_KEY).value == first


def test_a_configured_guid_and_contact_email_are_sent(app, jane, make_gateway, sandbox):
    gateway = make_gateway(GATEWAY_INSTANCE_GUID="tbook-gateway.example.org", GATEWAY_CONTACT_EMAIL="lms@example.org")
    client = gateway.test_client()
    AuthActions(client).login()
    action, params = launch(client)
    fields = dict(params)
    assert fields["tool_consumer_instance_guid"] == "tbook-gateway.example.org"
    assert fields["tool_consumer_instance_contact_email"] == "lms@example.org"
    assert verified_everywhere(sandbox, action, params)


def test_each_link_is_its_own_context_with_its_description(app, client, auth, jane, sandbox):
    with app.app_context():
        make_link("catalogue", title="Catalogue T-book")
    auth.login()
    action, params = launch(client)
    fields = dict(params)
    assert fields["context_id"] == fields["resource_link_id"] == f"link-{jane.id}"
    assert (fields["context_title"], fields["context_label"]) == ("Open T-book", "open-tbook")
    assert fields["resource_link_description"] == "Toutes les formations de l'équipe"
    assert "tool_consumer_instance_contact_email" not in fields  # not configured: left out, not empty
    assert verified_everywhere(sandbox, action, params)
    other = dict(launch(client, "catalogue")[1])
    assert other["context_id"] != fields["context_id"] and other["context_title"] == "Catalogue T-book"
    assert "resource_link_description" not in other


def test_a_link_may_leave_out_lis_person_and_still_sign_the_learner_in(app, client, auth, jane, sandbox):
    with app.app_context():
        make_link("discreet", title="Discreet", send_lis_person=False)
    auth.login()
    action, params = launch(client, "discreet")
    fields = dict(params)
    assert not set(PERSON) & set(fields)
    assert '"lastname":"Doe"' in fields["custom_data"] and '"login":"jane.doe@example.com"' in fields["custom_data"]
    assert verified_everywhere(sandbox, action, params)
    assert all(name in dict(launch(client)[1]) for name in PERSON)  # the other link still sends them


def test_a_return_with_lti_errorlog_shows_the_refusal_and_is_audited_as_an_error(app, client, auth, jane, sandbox):
    auth.login()
    action, params = launch(client)
    sandbox.set_fault(path="/api/lti", lti_error="refused", count=1)
    back = post_form(action, params).headers["location"]
    query = dict(parse_qsl(urlsplit(back).query))
    page = client.get("/lti/return", query_string={"ref": query["ref"], "lti_errorlog": "key unknown"})
    assert "T-book could not open" in page.text and "You have left T-book" not in page.text
    assert "key unknown" not in page.text
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "lti_return")).one()
    assert (event.outcome, event.detail["lti_errorlog"]) == ("error", "key unknown")
