"""Local sign-ins in the console: create a learner's, reset a password, lift a pause; a warning before the last try."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.store import db
from app.store.models import Account, AuditEvent
from tests.admin.conftest import ADMIN, form_token
from tests.conftest import AuthActions
from tests.factories import PASSWORD, make_profile

NEW_PASSWORD = "a-brand-new-one"


@pytest.fixture
def gateway_config(gateway_config):
    gateway_config["GATEWAY_SIGNIN_MAX_FAILURES"] = "3"
    return gateway_config


def _account_id(app, login: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Account.id).where(Account.login == login)).one()


def _learner_client(make_gateway) -> AuthActions:
    """A learner's browser, on another instance: the admin's test client keeps its request context on `app`."""
    return AuthActions(make_gateway().test_client())


def test_an_admin_creates_a_learners_sign_in_and_the_learner_signs_in(app, as_admin, make_gateway):
    with app.app_context():
        make_profile(password=None)
    data = {"login": "Jane.Doe@example.com", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    response = as_admin.post("/admin/accounts", data={**data, "csrf_token": form_token(as_admin, "/admin/accounts")})
    assert response.status_code == 303
    page = as_admin.get(response.headers["Location"]).text
    assert "Created the local sign-in of jane.doe@example.com." in page and NEW_PASSWORD not in page
    listed = as_admin.get("/admin/accounts", query_string={"q": "jane"}).text
    assert "1 sign-in matching “jane”." in listed and "jane.doe@example.com" in listed
    assert _learner_client(make_gateway).login("jane.doe@example.com", NEW_PASSWORD).status_code == 303
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account_create")).one()
        assert event.actor == ADMIN and event.detail["login"] == "jane.doe@example.com"
        assert event.detail["has_profile"] is True and NEW_PASSWORD not in str(event.detail)
        assert not db.session.scalars(select(Account).where(Account.login == "jane.doe@example.com")).one().is_admin


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": NEW_PASSWORD, "repeat": "something-else"}, "The two passwords differ."),
        ({"password": "short", "repeat": "short"}, "At least 8 characters."),
        ({"login": "not-an-address"}, "the login must be an e-mail address"),
        ({"login": ADMIN}, "has a local sign-in already: reset its password instead"),
    ],
)
def test_a_wrong_new_sign_in_is_refused_with_the_reason(app, as_admin, fields, message):
    data = {"login": "amy@example.com", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD, **fields}
    response = as_admin.post("/admin/accounts", data={**data, "csrf_token": form_token(as_admin, "/admin/accounts")})
    assert response.status_code == 422 and message in response.text
    assert NEW_PASSWORD not in response.text  # a password field is never filled back
    with app.app_context():
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account_create")).all() == []


def test_an_admin_resets_a_password_audited_without_it(app, as_admin, make_gateway):
    with app.app_context():
        make_profile()
    path = f"/admin/accounts/{_account_id(app, 'jane.doe@example.com')}"
    data = {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD, "csrf_token": form_token(as_admin, path)}
    response = as_admin.post(f"{path}/password", data=data)
    assert response.status_code == 303 and response.headers["Location"] == path
    learner = _learner_client(make_gateway)
    assert learner.login("jane.doe@example.com", PASSWORD).status_code == 401
    assert learner.login("jane.doe@example.com", NEW_PASSWORD).status_code == 303
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account_password_reset")).one()
        assert event.actor == ADMIN and event.detail == {"login": "jane.doe@example.com"}


def test_the_learner_is_warned_before_the_last_try_then_paused(app, make_gateway):
    with app.app_context():
        make_profile()
    learner = _learner_client(make_gateway)
    first = learner.login("jane.doe@example.com", "wrong-1")
    assert first.status_code == 401 and "attempt left" not in first.text
    second = learner.login("jane.doe@example.com", "wrong-2")
    assert second.status_code == 401 and "One attempt left before a 15-minute pause." in second.text
    third = learner.login("jane.doe@example.com", "wrong-3")
    assert third.status_code == 401 and "Sign-in is now paused for 15 minutes" in third.text
    assert learner.login("jane.doe@example.com", PASSWORD).status_code == 429


def test_an_admin_sees_the_pause_and_lifts_it(app, as_admin, make_gateway):
    with app.app_context():
        make_profile()
    learner = _learner_client(make_gateway)
    for n in range(3):
        learner.login("jane.doe@example.com", f"wrong-{n}")
    assert learner.login("jane.doe@example.com", PASSWORD).status_code == 429
    path = f"/admin/accounts/{_account_id(app, 'jane.doe@example.com')}"
    page = as_admin.get(path).text
    assert "<strong>Paused.</strong>" in page and "3 from 127.0.0.1" in page
    assert as_admin.post(f"{path}/unlock").status_code == 400  # no CSRF token: nothing lifted
    response = as_admin.post(f"{path}/unlock", data={"csrf_token": form_token(as_admin, path)})
    assert response.status_code == 303
    assert "Not paused: the account may sign in." in as_admin.get(path).text
    assert learner.login("jane.doe@example.com", PASSWORD).status_code == 303
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account_unlock")).one()
        assert event.actor == ADMIN
        assert event.detail == {"login": "jane.doe@example.com", "paused_addresses": 1, "sessions": 0}
    history = as_admin.get("/admin/audit", query_string={"profile": "jane.doe@example.com"}).text
    assert "Sign-in pause lifted" in history and "Sign-in <code" in history  # the pause, and her own tries


@pytest.mark.parametrize("change", ["unlock", "password"])
def test_unlocking_or_a_new_password_ends_the_accounts_open_sessions(app, as_admin, make_gateway, change):
    with app.app_context():
        make_profile()
    learner = make_gateway().test_client()
    assert AuthActions(learner).login("jane.doe@example.com", PASSWORD).status_code == 303
    assert learner.get("/").status_code == 200  # signed in
    path = f"/admin/accounts/{_account_id(app, 'jane.doe@example.com')}"
    data = {"csrf_token": form_token(as_admin, path)}
    if change == "password":
        data.update(password=NEW_PASSWORD, repeat=NEW_PASSWORD)
    assert as_admin.post(f"{path}/{change}", data=data).status_code == 303
    after = learner.get("/")
    assert after.status_code == 302 and after.headers["Location"].startswith("/auth/login")  # that browser is out
