"""/lti/return and /sso/error answer anyone: what strangers send is throttled per address, bounded and inert.

The attack review's finding 6: 2,000 anonymous calls wrote 2,000 audit rows, and their text reached the admin
dashboard and the learner's page.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.services.launch import return_throttle
from app.store import db
from app.store.models import AuditEvent
from tests.conftest import AuthActions
from tests.factories import make_link, make_profile

PATHS = {"lti_return": ("/lti/return", "lti_errormsg"), "sso_error": ("/sso/error", "error")}


def _call(browser, action: str, text: str):
    """Come back as T-book would, with a forged reference and `text` as T-book's error message."""
    path, field = PATHS[action]
    return browser.get(path, query_string={"ref": "forged", field: text})


def _rows(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def _stranger(app, address: str):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


@pytest.mark.parametrize("action", PATHS)
def test_anonymous_calls_from_one_address_write_a_bounded_number_of_rows(app, action):
    stranger = _stranger(app, "198.51.100.7")
    answers = [_call(stranger, action, f"call {i}").status_code for i in range(return_throttle.PER_ADDRESS + 30)]
    assert _rows(app, action) == return_throttle.PER_ADDRESS
    assert answers[-1] == 429 and 500 not in answers
    refused = _call(stranger, action, "more")
    # The language switch's links keep the address (escaped, inert); the page's text says nothing of it.
    shown = re.sub(r'href="[^"]*"', "", refused.text)
    assert "Too many" in shown and "more" not in shown
    # Another address is not held back by that one.
    assert _call(_stranger(app, "198.51.100.8"), action, "x").status_code in (200, 400)


def test_all_addresses_together_write_a_bounded_number_of_rows(make_gateway):
    gateway = make_gateway()
    limit = return_throttle.OVERALL
    for i in range(limit + 5):
        _call(_stranger(gateway, f"10.{i // 250}.{i % 250}.1"), "sso_error", "x")
    assert _rows(gateway, "sso_error") == limit


def test_a_signed_in_learner_coming_back_with_a_real_reference_is_never_throttled(app):
    with app.app_context():
        make_link()
        make_profile()
    for i in range(return_throttle.PER_ADDRESS):
        _call(_stranger(app, "127.0.0.1"), "lti_return", str(i))
    learner = app.test_client()
    assert AuthActions(learner).login().status_code == 303
    from tests.web.test_launch import form_of

    return_url = dict(form_of(learner.get("/launch/open-tbook").text)[1])["launch_presentation_return_url"]
    response = learner.get(return_url + "&lti_errormsg=Bad+signature")
    assert response.status_code == 200 and "Bad signature" in response.text


HOSTILE = "<script>alert(1)</script>\r\nCall +33 1 23 45 67 89 now" + "!" * 5000


@pytest.mark.parametrize("action", PATHS)
def test_a_stranger_s_text_is_shown_escaped_bounded_and_on_one_line(app, action):
    page = _call(_stranger(app, "198.51.100.9"), action, HOSTILE)
    assert "<script>alert" not in page.text
    assert "!" * 301 not in page.text  # bounded
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()[-1]
        text = event.detail.get("lti_errormsg") or event.detail.get("tbook_message")
        assert len(text) <= 300 and "\r" not in text and "\n" not in text


def test_unverified_returns_stay_off_the_dashboard_s_latest_errors(app, client, auth):
    from app.services.identity import accounts

    with app.app_context():
        accounts.set_account("admin@example.com", "admin-password", is_admin=True)
        db.session.commit()
    for action in PATHS:
        _call(_stranger(app, "198.51.100.10"), action, "Your account is locked: call +33 1 23 45 67 89")
    admin = app.test_client()
    AuthActions(admin).login("admin@example.com", "admin-password")
    dashboard = admin.get("/admin/")
    assert dashboard.status_code == 200 and "call +33" not in dashboard.text
