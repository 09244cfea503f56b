"""The debug preview: every parameter, custom_data, the base string and signature; never the secret."""

import json
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent
from tests.conftest import AuthActions
from tests.factories import make_link, make_profile
from tests.web.test_launch import form_of, post_form


def test_preview_shows_the_signed_launch_but_not_the_secret(app, client, auth, gateway_config):
    with app.app_context():
        make_link("debug", debug=True)
        make_profile()
    auth.login()
    response = client.get("/launch/debug/preview")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = unescape(response.text)
    assert "Signature base string" in html and "POST&amp;http" not in html
    assert re.search(r"POST&http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fapi%2Flti&", html)
    assert '"entityID": "24"' in html  # custom_data pretty-printed
    assert "custom_debug" in html and "oauth_signature" in html
    assert gateway_config["TBOOK_LTI_SECRET"] not in html
    assert gateway_config["TBOOK_CLIENT_SECRET"] not in html


def test_preview_is_only_for_debug_links_and_admins(app, client, auth):
    with app.app_context():
        make_link()
        make_profile()
    auth.login()
    assert client.get("/launch/open-tbook/preview").status_code == 403
    with app.app_context():
        from app.services.identity import accounts
        from app.store import db

        accounts.set_account("jane.doe@example.com", "correct-horse", is_admin=True)
        db.session.commit()
    assert client.get("/launch/open-tbook/preview").status_code == 200


def test_cli_launch_preview_prints_the_signed_launch_as_json(app, runner, sandbox):
    with app.app_context():
        make_link()
        make_profile()
    result = runner.invoke(args=["launch-preview", "--link", "open-tbook", "--user", "Jane.Doe@example.com"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["url"] == sandbox.lti_url and body["method"] == "POST"
    assert body["params"]["lti_message_type"] == "basic-lti-launch-request"
    assert body["base_string"].startswith("POST&")
    assert app.config["TBOOK_LTI_SECRET"] not in result.output


def test_cli_launch_preview_names_the_bad_field(app, runner):
    with app.app_context():
        make_link()
        make_profile(externalID="")
        make_link("by-id", connection_type="id")
    result = runner.invoke(args=["launch-preview", "--link", "by-id", "--user", "jane.doe@example.com"])
    assert result.exit_code == 1 and "externalID" in result.output


@pytest.mark.parametrize(
    ("settings", "root"),
    [
        ({}, "http://127.0.0.1:5000/"),
        ({"GATEWAY_BASE_URL": "https://learn.example.org/gateway"}, "https://learn.example.org/gateway/"),
    ],
)
def test_cli_launch_preview_comes_back_under_the_public_base_url(make_gateway, settings, root):
    gateway = make_gateway(**settings)
    with gateway.app_context():
        make_link()
        make_profile()
    result = gateway.test_cli_runner().invoke(
        args=["launch-preview", "--link", "open-tbook", "--user", "jane.doe@example.com"]
    )
    assert result.exit_code == 0, result.output
    params = json.loads(result.output)["params"]
    assert params["launch_presentation_return_url"].startswith(root + "lti/return?ref=")
    # The gateway's lasting GUID (issue 10), whatever root URL the CLI prints under.
    assert params["tool_consumer_instance_guid"] not in (urlsplit(root).netloc, "")


def test_the_sandbox_shows_the_base_string_the_cli_preview_signed(app, runner, sandbox, gateway_config):
    """The integrator's comparison: launch-preview's base string, and the one T-book (the sandbox) rebuilt."""
    with app.app_context():
        make_link("debug", debug=True)
        make_profile(firstname="Zoë", filter=["Session 1", "May & June"])
    result = runner.invoke(args=["launch-preview", "--link", "debug", "--user", "jane.doe@example.com"])
    assert result.exit_code == 0, result.output
    preview = json.loads(result.stdout)
    shown = post_form(preview["url"], list(preview["params"].items()))  # the form a browser would post
    assert shown.status_code == 200
    rebuilt = unescape(re.search(r'<pre id="base-string">(.*?)</pre>', shown.text, re.S).group(1))
    assert rebuilt == preview["base_string"]
    assert preview["params"]["oauth_signature"] in unescape(shown.text)
    assert gateway_config["TBOOK_LTI_SECRET"] not in shown.text


VARY_PER_CLICK = {"oauth_nonce", "oauth_timestamp", "oauth_signature", "launch_presentation_return_url"}


def test_cli_launch_preview_signs_what_a_browser_click_sends_and_audits_the_cli(make_gateway, sandbox):
    """Same link, same learner, same public URL: only the nonce, the time, the signature and the return reference
    differ between `flask launch-preview` and a click in a browser that asks for no particular language."""
    gateway = make_gateway(GATEWAY_BASE_URL="http://localhost")
    with gateway.app_context():
        make_link()
        make_profile()
    result = gateway.test_cli_runner().invoke(
        args=["launch-preview", "--link", "open-tbook", "--user", "jane.doe@example.com"]
    )
    assert result.exit_code == 0, result.output
    cli = json.loads(result.stdout)["params"]
    browser = gateway.test_client()
    AuthActions(browser).login()
    action, posted = form_of(browser.get("/launch/open-tbook").text)
    clicked = dict(posted)
    assert action == json.loads(result.stdout)["url"]
    assert {k: v for k, v in cli.items() if k not in VARY_PER_CLICK} == {
        k: v for k, v in clicked.items() if k not in VARY_PER_CLICK
    }
    assert cli["launch_presentation_locale"] == clicked["launch_presentation_locale"]
    root = "http://localhost/lti/return?ref="
    assert cli["launch_presentation_return_url"].startswith(root)
    assert clicked["launch_presentation_return_url"].startswith(root)
    with gateway.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "launch_preview")).one()
        assert event.actor == "cli" and event.detail["learner"] == "jane.doe@example.com"
    # A learner who chose French on the gateway's pages: --language says so.
    french = gateway.test_cli_runner().invoke(
        args=["launch-preview", "--link", "open-tbook", "--user", "jane.doe@example.com", "--language", "fr"]
    )
    assert json.loads(french.stdout)["params"]["launch_presentation_locale"] == "fr-FR"
