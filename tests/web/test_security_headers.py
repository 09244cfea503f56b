"""Response headers: a Content-Security-Policy that allows this site's own files only, and HSTS in production.

Every page is checked for what that policy would block (the attack review's finding 8): an inline script, an
inline style, an event-handler attribute. A page that needed one would break under the policy.
"""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.store import db
from tests.conftest import AuthActions
from tests.factories import PASSWORD, make_link, make_profile

ADMIN = "admin@example.com"
INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # a script without src
    re.compile(r"<style\b", re.I),
    re.compile(r"""<[^>]+\sstyle\s*=""", re.I),
    re.compile(r"""<[^>]+\son[a-z]+\s*=""", re.I),
    re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I),
]
LEARNER_PAGES = [
    "/",
    "/launch/open-tbook",
    "/launch/debug-link/preview",
    "/lti/return?lti_errormsg=no",
    "/sso/error?error=x",
    "/launch/no-such-link",
]
ADMIN_PAGES = [
    "/admin/",
    "/admin/links",
    "/admin/links/new",
    "/admin/links/open-tbook",
    "/admin/links/open-tbook/test?login=jane.doe@example.com",
    "/admin/credentials",
    "/admin/profiles",
    "/admin/profiles/upload",
    "/admin/audit",
    "/admin/audit/verify",
]


@pytest.fixture
def world(app):
    from app.services.identity import accounts

    with app.app_context():
        make_link()
        make_link("debug-link", debug=True)
        make_profile()
        accounts.set_account(ADMIN, PASSWORD, is_admin=True)
        db.session.commit()


def _inline(html: str) -> list[str]:
    return [match.group(0) for pattern in INLINE for match in pattern.finditer(html)]


def _policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_every_page_allows_only_its_own_files_and_needs_nothing_inline(app, world):
    learner, admin = app.test_client(), app.test_client()
    assert AuthActions(learner).login().status_code == 303
    assert AuthActions(admin).login(ADMIN, PASSWORD).status_code == 303
    pages = [(app.test_client(), "/auth/login")]
    pages += [(learner, path) for path in LEARNER_PAGES] + [(admin, path) for path in ADMIN_PAGES]
    for browser, path in pages:
        response = browser.get(path)
        assert response.status_code < 500, path
        policy = _policy(response)
        assert policy["default-src"] == "default-src 'self'", path
        assert policy["object-src"] == "object-src 'none'" and policy["base-uri"] == "base-uri 'none'", path
        expected = "'none'" if path.startswith("/admin/") else "'self'"
        assert policy["frame-ancestors"] == f"frame-ancestors {expected}", path
        assert _inline(response.get_data(as_text=True)) == [], path


def test_the_dashboard_with_launches_needs_nothing_inline(app, world):
    from app.services.audit import trail as audit

    with app.app_context():
        for outcome in ("sent", "refused", "failed"):
            audit.record("launch", outcome, actor="jane.doe@example.com", link_slug="open-tbook", mode="lti")
    admin = app.test_client()
    AuthActions(admin).login(ADMIN, PASSWORD)
    assert _inline(admin.get("/admin/").text) == []


@pytest.fixture
def production(gateway_config, world):
    settings = {k: v for k, v in gateway_config.items() if k != "TESTING"}
    built = create_app({**settings, "TBOOK_ENV": "live"})
    assert built.config["PRODUCTION"]
    yield built
    with built.app_context():
        db.engine.dispose()


def test_production_over_https_sends_strict_transport_security(production):
    response = production.test_client().get("/auth/login", base_url="https://gateway.example.org")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_no_strict_transport_security_over_http_or_in_development(production, client):
    assert "Strict-Transport-Security" not in production.test_client().get("/auth/login").headers
    https = client.get("/auth/login", base_url="https://gateway.example.org")
    assert "Strict-Transport-Security" not in https.headers
