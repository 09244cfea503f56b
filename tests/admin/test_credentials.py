"""Credentials in the console: encrypted at rest, shown masked, never read back; the environment wins."""

from __future__ import annotations

import hashlib
import logging
import re
from html import unescape

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from app import create_app
from app.services.identity import accounts
from app.settings import credentials
from app.store import db
from app.store.models import AuditEvent, Setting
from tests.admin.conftest import ADMIN, form_token
from tests.conftest import AuthActions, csrf_token
from tests.factories import PASSWORD, make_link, make_profile
from tests.web.test_launch import audit_rows, form_of, post_form

KEY = Fernet.generate_key().decode()
NEW_SECRET = "s3cr3t-rotated-client-value-8842"
NEW_LTI_SECRET = "lti-shared-rotated-9911"


@pytest.fixture
def gateway_config(gateway_config):
    """A gateway whose T-book credentials come from the console: only the URLs are set by the environment."""
    for name in ("TBOOK_CLIENT_ID", "TBOOK_CLIENT_SECRET", "TBOOK_LTI_KEY", "TBOOK_LTI_SECRET"):
        gateway_config.pop(name)
    gateway_config["GATEWAY_ENCRYPTION_KEY"] = KEY
    return gateway_config


@pytest.fixture
def console_config(gateway_config):
    return gateway_config


def _other_app(base: dict, drop: tuple[str, ...] = (), **config):
    """A second gateway on the same (migrated) database, with its own settings, and an admin signed in."""
    other = create_app({**{k: v for k, v in base.items() if k not in drop}, **config})
    client = other.test_client()
    AuthActions(client).login(ADMIN, PASSWORD)
    return other, client


SEALED = re.compile(r'name="sealed" value="([^"]+)"')


def _submit(client, **values):
    """The first click: the new values are checked, and saved only when the check passes and the environment stays."""
    data = {"csrf_token": form_token(client, "/admin/credentials"), **values}
    return client.post("/admin/credentials", data=data, follow_redirects=True)


def _save(client, **values):
    """Save whatever the check says: the first click, then "save anyway" (or "switch") when the page asks."""
    response = _submit(client, **values)
    sealed = SEALED.search(response.text)
    if sealed is None:
        return response
    data = {"csrf_token": csrf_token(response.text), "sealed": unescape(sealed.group(1))}
    return client.post("/admin/credentials", data=data, follow_redirects=True)


def test_sandbox_defaults_are_shown_as_such(console_config, as_admin):
    page = as_admin.get("/admin/credentials").text
    assert "sandbox default" in page
    assert "set by the environment" in page  # TBOOK_ENV, from the test config
    assert "sandbox-secret" not in page and "sandbox-lti-secret" not in page


def test_a_secret_is_stored_encrypted_and_never_shown_again(app, console_config, as_admin, caplog, sandbox):
    caplog.set_level(logging.DEBUG)
    response = _save(as_admin, TBOOK_CLIENT_ID="acme", TBOOK_CLIENT_SECRET=NEW_SECRET, TBOOK_LTI_SECRET=NEW_LTI_SECRET)
    assert response.status_code == 200
    assert "Saved: Client id, Client secret, LTI shared secret." in response.text
    pages = [as_admin.get(p).text for p in ("/admin/credentials", "/admin/audit", "/admin/", "/admin/audit/export.csv")]
    for text in pages + [caplog.text]:
        assert NEW_SECRET not in text and NEW_LTI_SECRET not in text
    with app.app_context():
        rows = {row.key: row for row in db.session.scalars(select(Setting))}
        assert rows["TBOOK_CLIENT_SECRET"].encrypted and NEW_SECRET not in rows["TBOOK_CLIENT_SECRET"].value
        assert Fernet(KEY).decrypt(rows["TBOOK_CLIENT_SECRET"].value.encode()).decode() == NEW_SECRET
        assert rows["TBOOK_CLIENT_ID"].value == "acme" and not rows["TBOOK_CLIENT_ID"].encrypted
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "credentials_update")).one()
        assert event.actor == "admin@example.com"
        assert event.detail["after"]["TBOOK_CLIENT_SECRET"] == "••••••"
        assert event.detail["after"]["TBOOK_CLIENT_ID"] == "acme"
        assert NEW_SECRET not in str(event.detail) and NEW_LTI_SECRET not in str(event.detail)
        with app.test_request_context():
            creds = credentials.current()
        assert (creds.client_id, creds.client_secret, creds.lti_key) == ("acme", NEW_SECRET, "acme")
        assert NEW_SECRET not in repr(creds)


def test_an_empty_secret_field_keeps_the_stored_secret(app, console_config, as_admin):
    _save(as_admin, TBOOK_CLIENT_SECRET=NEW_SECRET)
    response = _save(as_admin, TBOOK_CLIENT_SECRET="", TBOOK_CLIENT_ID="")
    assert "Nothing to save" in response.text
    with app.test_request_context():
        assert credentials.current().client_secret == NEW_SECRET


def test_values_set_by_the_environment_win_and_cannot_be_changed(app, gateway_config, admin_account, sandbox):
    app, as_admin = _other_app(
        gateway_config, **{k.replace("SANDBOX", "TBOOK"): v for k, v in sandbox.credentials.items()}
    )
    page = as_admin.get("/admin/credentials").text
    assert page.count("Change it in the environment.") == 5
    response = _save(as_admin, TBOOK_CLIENT_SECRET=NEW_SECRET)
    assert response.status_code == 422
    assert "is set by the environment" in response.text
    with app.app_context():
        assert db.session.scalars(select(Setting)).all() == []


def test_without_an_encryption_key_secrets_are_refused_plainly(app, gateway_config, admin_account):
    app, as_admin = _other_app(gateway_config, drop=("GATEWAY_ENCRYPTION_KEY",))
    page = as_admin.get("/admin/credentials").text
    assert "Secrets cannot be stored here." in page and "Fernet.generate_key()" in page
    response = _save(as_admin, TBOOK_CLIENT_ID="acme", TBOOK_CLIENT_SECRET=NEW_SECRET)
    assert response.status_code == 422
    assert "GATEWAY_ENCRYPTION_KEY is not set" in response.text
    with app.app_context():
        assert db.session.scalars(select(Setting)).all() == []  # not even the client id: all or nothing


def test_check_connection_reports_the_client_name(console_config, as_admin, sandbox):
    _save(as_admin, TBOOK_CLIENT_ID="sandbox-client", TBOOK_CLIENT_SECRET="sandbox-secret")
    token = form_token(as_admin, "/admin/credentials")
    response = as_admin.post("/admin/credentials/check", data={"csrf_token": token}, follow_redirects=True)
    assert "Connected to T-book (sandbox) as" in response.text


def test_check_connection_says_plainly_when_the_secret_is_wrong(app, console_config, as_admin, sandbox):
    _save(as_admin, TBOOK_CLIENT_ID="sandbox-client", TBOOK_CLIENT_SECRET=NEW_SECRET)
    token = form_token(as_admin, "/admin/credentials")
    response = as_admin.post("/admin/credentials/check", data={"csrf_token": token}, follow_redirects=True)
    assert "T-book refused the client credentials" in response.text
    assert NEW_SECRET not in response.text
    with app.app_context():
        # One check before saving (the save went ahead anyway), one from the button.
        checks = audit_rows("credentials_check")
        assert [event.detail["before_saving"] for event in checks] == [True, False]
        for event in checks:
            assert event.outcome == "error" and NEW_SECRET not in str(event.detail)


def test_learners_launch_with_the_lti_secret_set_in_the_console(app, client, auth, admin_account, sandbox):
    auth.login(ADMIN, PASSWORD)
    _save(client, TBOOK_CLIENT_ID="sandbox-client", TBOOK_LTI_SECRET="sandbox-lti-secret")
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/")})
    with app.app_context():
        make_profile()
        make_link()
    auth.login()
    action, params = form_of(client.get("/launch/open-tbook").text)
    posted = post_form(action, params)  # the sandbox verifies the signature on its own
    assert posted.status_code == 303 and posted.headers["location"].endswith("/home"), posted.text[:300]


def test_a_wrong_console_lti_secret_is_what_the_sandbox_refuses(app, client, auth, admin_account, sandbox):
    auth.login(ADMIN, PASSWORD)
    _save(client, TBOOK_CLIENT_ID="sandbox-client", TBOOK_LTI_SECRET=NEW_LTI_SECRET)
    with app.app_context():
        make_profile()
        make_link()
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/")})
    auth.login()
    action, params = form_of(client.get("/launch/open-tbook").text)
    posted = post_form(action, params)
    assert "lti_errormsg" in posted.headers.get("location", ""), posted.text[:300]


def test_a_stored_value_can_be_removed(app, console_config, as_admin):
    _save(as_admin, TBOOK_CLIENT_ID="acme")
    response = _save(as_admin, remove="TBOOK_CLIENT_ID")
    assert "Saved: Client id." in response.text
    with app.test_request_context():
        assert credentials.current().client_id == "sandbox-client"  # the sandbox default again


def test_the_environment_can_be_switched_in_the_console(app, gateway_config, admin_account):
    app, as_admin = _other_app(gateway_config, drop=("TBOOK_ENV", "TBOOK_API_URL", "TBOOK_LTI_URL"))
    _save(as_admin, TBOOK_ENV="test")
    with app.test_request_context():
        creds = credentials.current()
    assert (creds.env, creds.api_url, creds.lti_url) == (
        "test",
        "https://test.t-book.fr/api",
        "https://test.t-book.fr/api/lti",
    )
    assert creds.client_secret == ""  # the sandbox's built-in secret never goes to the real T-book
    assert _save(as_admin, TBOOK_ENV="staging").status_code == 422


def test_a_secret_sent_in_a_failed_save_is_not_echoed(console_config, as_admin):
    response = _save(as_admin, TBOOK_ENV="nowhere", TBOOK_CLIENT_SECRET=NEW_SECRET)
    assert response.status_code == 422
    assert NEW_SECRET not in response.text


def test_a_form_refused_on_its_last_field_puts_nothing_in_force(app, gateway_config, admin_account):
    app, as_admin = _other_app(gateway_config, drop=("TBOOK_ENV", "TBOOK_API_URL", "TBOOK_LTI_URL"))
    response = _save(as_admin, TBOOK_ENV="live", TBOOK_CLIENT_ID="typo-id", TBOOK_LTI_SECRET="x" * 600)
    assert response.status_code == 422
    assert "Nothing was saved: LTI shared secret: is longer than 500 characters" in response.text
    assert '<td class="value">sandbox</td>' in response.text and "typo-id" not in response.text
    with app.test_request_context():  # what the next launch of this process would use, within the cache delay
        creds = credentials.current()
    assert (creds.env, creds.client_id) == ("sandbox", "sandbox-client")
    with app.app_context():
        assert db.session.scalars(select(Setting)).all() == []
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "credentials_update")).all() == []


def test_new_values_that_pass_the_check_are_saved_at_once(app, console_config, as_admin, sandbox):
    response = _submit(as_admin, TBOOK_CLIENT_ID="sandbox-client", TBOOK_CLIENT_SECRET="sandbox-secret")
    assert "Saved: Client id, Client secret. The connection check passed." in response.text
    with app.app_context():
        check = audit_rows("credentials_check")[0]
        assert check.detail["before_saving"] is True and check.outcome == "ok"


def test_a_failed_check_stores_nothing_until_the_second_click(app, console_config, as_admin, sandbox):
    first = _submit(as_admin, TBOOK_CLIENT_ID="sandbox-client", TBOOK_CLIENT_SECRET=NEW_SECRET)
    assert first.status_code == 200
    page = first.text
    assert "Nothing is saved yet" in page and "Check of the new values" in page
    assert "The client secret (TBOOK_CLIENT_SECRET) is wrong" in page
    assert "✗" in page and "Save anyway" in page
    assert NEW_SECRET not in page
    with app.app_context():
        assert db.session.scalars(select(Setting)).all() == []
        assert audit_rows("credentials_update") == []
    sealed = unescape(SEALED.search(page).group(1))
    second = as_admin.post(
        "/admin/credentials", data={"csrf_token": csrf_token(page), "sealed": sealed}, follow_redirects=True
    )
    assert "Saved: Client id, Client secret." in second.text
    with app.test_request_context():
        assert credentials.current().client_secret == NEW_SECRET


def test_reviewed_values_cannot_be_altered_or_saved_by_another_admin(app, console_config, as_admin, sandbox):
    page = _submit(as_admin, TBOOK_CLIENT_SECRET=NEW_SECRET).text
    sealed = unescape(SEALED.search(page).group(1))
    with app.app_context():
        accounts.set_account("other.admin@example.com", PASSWORD, is_admin=True)
        db.session.commit()
    other = create_app(console_config).test_client()
    AuthActions(other).login("other.admin@example.com", PASSWORD)
    for client, token in ((as_admin, sealed[:-3] + "abc"), (other, sealed)):
        data = {"csrf_token": form_token(client, "/admin/credentials"), "sealed": token}
        response = client.post("/admin/credentials", data=data, follow_redirects=True)
        assert "Nothing was saved" in response.text
    with app.app_context():
        assert db.session.scalars(select(Setting)).all() == []


def test_switching_the_environment_says_what_changes_and_asks_first(app, gateway_config, admin_account):
    app, as_admin = _other_app(gateway_config, drop=("TBOOK_ENV", "TBOOK_API_URL", "TBOOK_LTI_URL"))
    first = _submit(as_admin, TBOOK_ENV="live")
    page = first.text
    assert "Switch from sandbox to live?" in page
    assert "https://t-book.fr/api" in page and "https://t-book.fr/api/lti" in page
    assert "The sandbox's built-in credentials do not follow to live" in page
    assert "set (sandbox default)" in page and "sandbox-secret" not in page
    assert "Switch to live" in page
    with app.test_request_context():
        assert credentials.current().env == "sandbox"  # nothing switched yet
    data = {"csrf_token": csrf_token(page), "sealed": unescape(SEALED.search(page).group(1))}
    second = as_admin.post("/admin/credentials", data=data, follow_redirects=True)
    assert "Saved: Environment." in second.text
    with app.test_request_context():
        assert credentials.current().env == "live"


def test_the_check_button_shows_every_step(console_config, as_admin, sandbox):
    token = form_token(as_admin, "/admin/credentials")
    page = as_admin.post("/admin/credentials/check", data={"csrf_token": token}).text
    for title in ("Access token", "Client account", "Entities", "LTI launch URL", "Clock"):
        assert re.search(rf'<td aria-label="passed">✓</td>\s*<th scope="row">{title}', page), title
    assert re.search(r'<td class="nowrap">\d+ ms</td>', page)
    assert "Every step passed." in page


def test_each_secret_shows_its_fingerprint_and_source_never_itself(app, console_config, as_admin):
    def fingerprint(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()[:8]

    before = as_admin.get("/admin/credentials").text
    default_lti = "sandbox-lti-secret"  # the sandbox's built-in default
    assert f"•••• sha256 {fingerprint(default_lti)}" in before and "sandbox default" in before
    _save(as_admin, TBOOK_LTI_SECRET=NEW_LTI_SECRET)
    after = as_admin.get("/admin/credentials").text
    assert f"•••• sha256 {fingerprint(NEW_LTI_SECRET)}" in after and "admin console" in after
    assert f"•••• sha256 {fingerprint(default_lti)}" not in after  # the stored value is the one in force
    assert NEW_LTI_SECRET not in after and default_lti not in after


def test_the_footer_names_the_environment_the_console_switched_to(app, gateway_config, admin_account):
    app, as_admin = _other_app(gateway_config, drop=("TBOOK_ENV", "TBOOK_API_URL", "TBOOK_LTI_URL"))
    assert "<footer>T-book Gateway · sandbox platform</footer>" in as_admin.get("/admin/credentials").text
    _save(as_admin, TBOOK_ENV="live")
    page = as_admin.get("/admin/credentials").text
    assert '<td class="value">live</td>' in page
    assert "<footer>T-book Gateway · live platform</footer>" in page
    # A learner's pages say the same as the console.
    assert "<footer>T-book Gateway · live platform</footer>" in app.test_client().get("/auth/login").text


def test_a_wrong_client_id_is_named_before_anything_is_saved(app, console_config, as_admin, sandbox):
    page = _submit(as_admin, TBOOK_CLIENT_ID="typo-client").text
    assert "Nothing is saved yet" in page and "Save anyway" in page
    assert "The client id (TBOOK_CLIENT_ID) is wrong" in page
    with app.app_context():
        assert db.session.scalars(select(Setting)).all() == []
    with app.test_request_context():
        assert credentials.current().client_id == "sandbox-client"  # the id in force did not change
