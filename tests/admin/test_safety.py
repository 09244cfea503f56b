"""Safety around the console: sign-in throttling, session cookies, headers, and no open redirect."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import create_app
from app.store import db
from app.store.models import AuditEvent
from tests.admin.conftest import ADMIN
from tests.conftest import AuthActions
from tests.factories import PASSWORD


@pytest.fixture
def gateway_config(gateway_config):
    gateway_config.update({"GATEWAY_SIGNIN_MAX_FAILURES": "3", "GATEWAY_SIGNIN_MAX_FAILURES_PER_ADDRESS": "5"})
    return gateway_config


def test_sign_in_is_refused_with_429_after_too_many_failures_for_a_login(app, auth, admin_account):
    for _ in range(3):
        assert auth.login(ADMIN, "wrong-password").status_code == 401
    refused = auth.login(ADMIN, PASSWORD)  # even the right password waits
    assert refused.status_code == 429
    assert "Sign-in is paused after too many failed attempts. Try again in 15 minutes." in refused.text
    with app.app_context():
        outcomes = db.session.scalars(
            select(AuditEvent.outcome).where(AuditEvent.action == "sign_in").order_by(AuditEvent.id)
        ).all()
        assert outcomes == ["refused", "refused", "refused", "throttled"]
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last.detail["address"] == "127.0.0.1"


def _from(app, address: str) -> AuthActions:
    """Sign-in through the real form from another client address (a fresh browser there)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return AuthActions(client)


def test_failures_from_elsewhere_do_not_lock_the_account(app, auth, admin_account):
    attacker = _from(app, "10.6.6.6")
    for _ in range(5):
        attacker.login(ADMIN, "wrong-password")
    assert attacker.login(ADMIN, PASSWORD).status_code == 429  # that address is paused for that login
    assert auth.login(ADMIN, PASSWORD).status_code == 303  # the admin, from their own address, is not


def test_the_limit_also_holds_per_address_across_logins(app, gateway_config, auth, admin_account):
    for i in range(5):
        auth.login(f"guess{i}@example.com", "wrong-password")
    assert auth.login("someone.new@example.com", "whatever-pw").status_code == 429
    assert auth.login(ADMIN, PASSWORD).status_code == 429
    # Another instance: the `client` fixture keeps its last request's app context (and `g`) pushed on `app`.
    other = _from(create_app(gateway_config), "10.0.0.9")
    assert other.login(ADMIN, PASSWORD).status_code == 303  # other addresses are not throttled


def test_by_default_an_office_behind_one_address_is_not_locked_by_typos(gateway_config, app, admin_account):
    defaults = {k: v for k, v in gateway_config.items() if not k.startswith("GATEWAY_SIGNIN_")}
    office = create_app(defaults)
    for i in range(30):  # thirty colleagues, one typo each, all behind the same NAT address
        assert _from(office, "192.0.2.10").login(f"colleague{i}@example.com", "typo").status_code == 401
    assert _from(office, "192.0.2.10").login(ADMIN, PASSWORD).status_code == 303


def test_the_limit_is_shared_by_every_instance(app, gateway_config, auth, admin_account):
    for _ in range(3):
        auth.login(ADMIN, "wrong-password")
    other = create_app(gateway_config)  # a second instance on the same database
    assert AuthActions(other.test_client()).login(ADMIN, PASSWORD).status_code == 429


def test_sign_in_does_not_redirect_off_site(auth, admin_account):
    for target in ("https://evil.example/admin", "//evil.example", "/\\evil.example"):
        response = auth.login(ADMIN, PASSWORD, next_url=target)
        assert response.headers["Location"] == "/", target


def test_sign_in_comes_back_to_the_admin_page_asked_for(client, auth, admin_account):
    response = client.get("/admin/audit?outcome=error")
    assert response.headers["Location"] == "/auth/login?next=/admin/audit?outcome%3Derror"
    signed_in = auth.login(ADMIN, PASSWORD, next_url="/admin/audit?outcome=error")
    assert signed_in.headers["Location"] == "/admin/audit?outcome=error"


def test_admin_pages_are_not_cached_framed_or_sniffed(as_admin):
    response = as_admin.get("/admin/")
    assert response.headers["Cache-Control"] == "no-store"
    # One directive of the whole policy (tests/web/test_security_headers.py checks the rest).
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"].split("; ")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_samesite_and_secure_in_production(gateway_config, sandbox, admin_account):
    production = {k: v for k, v in gateway_config.items() if k != "TESTING"}
    production["TBOOK_ENV"] = "live"
    app = create_app(production)
    assert app.config["PRODUCTION"]
    client = app.test_client()
    response = AuthActions(client).login(ADMIN, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_session_cookie_is_not_secure_only_in_development(app, auth, admin_account):
    cookie = auth.login(ADMIN, PASSWORD).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
