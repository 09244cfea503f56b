"""Fixtures for the admin console: an admin account and a learner, each signed in through the real form."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app.extensions import db
from app.services import accounts
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_profile

ADMIN = "admin@example.com"


@pytest.fixture
def admin_account(app):
    with app.app_context():
        accounts.set_account(ADMIN, PASSWORD, is_admin=True)
        db.session.commit()
    return ADMIN


@pytest.fixture
def as_admin(client, auth, admin_account):
    """The test client, signed in as an admin."""
    response = auth.login(ADMIN, PASSWORD)
    assert response.status_code == 303
    return client


@pytest.fixture
def learner(app):
    with app.app_context():
        return make_profile().login


@pytest.fixture
def as_learner(client, auth, learner):
    response = auth.login(learner, PASSWORD)
    assert response.status_code == 303
    return client


def form_token(client, path: str = "/auth/login") -> str:
    """Return the session's CSRF token, read from a page that has a form."""
    return csrf_token(client.get(path).text)


# --- Browser fixtures (the lead's tests/fixtures/browser.py was not on main yet; same names and shape) ---

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class LiveGateway:
    url: str
    app: Flask


@pytest.fixture
def live_gateway(app) -> Iterator[LiveGateway]:
    """The test gateway served over real HTTP on a free local port, on the test database."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="gateway", daemon=True)
    thread.start()
    try:
        yield LiveGateway(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def page():
    """A Playwright page in Debian's Chromium; skipped when it is missing, except on CI where that fails."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing and CI is set: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
