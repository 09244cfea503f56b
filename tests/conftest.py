"""Shared fixtures: the gateway app on a migrated database, its client and CLI runner, and sign-in helpers."""

from __future__ import annotations

import os
import re

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.store import db

pytest_plugins = ["tests.fixtures.sandbox", "tests.fixtures.browser"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
_migrated: set[str] = set()


@pytest.fixture
def database_url(tmp_path) -> str:
    """PostgreSQL when TEST_DATABASE_URL names one (the CI's second pass), else a fresh SQLite file."""
    return TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'gateway.db'}"


@pytest.fixture
def gateway_config(database_url, sandbox_server) -> dict:
    """Settings for a gateway that talks to the live sandbox; tests update it before `app` is built."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "TBOOK_ENV": "sandbox",
        "TBOOK_API_URL": sandbox_server.api_url,
        "TBOOK_LTI_URL": sandbox_server.lti_url,
        "TBOOK_CLIENT_ID": sandbox_server.credentials["SANDBOX_CLIENT_ID"],
        "TBOOK_CLIENT_SECRET": sandbox_server.credentials["SANDBOX_CLIENT_SECRET"],
        "TBOOK_LTI_KEY": sandbox_server.credentials["SANDBOX_LTI_KEY"],
        "TBOOK_LTI_SECRET": sandbox_server.credentials["SANDBOX_LTI_SECRET"],
        "GATEWAY_AUTH": "local",
        # The tests read the pages in English unless they ask for French (tests/web/test_i18n.py).
        "GATEWAY_LANGUAGE": "en",
        "GATEWAY_LINK_SECRET": "portal-shared-key",
        # Real retries, with short delays so that a 500 storm ends quickly.
        "TBOOK_RETRY_BASE_DELAY": "0.01",
        "TBOOK_RETRY_MAX_DELAY": "0.05",
    }


@pytest.fixture
def app(gateway_config, sandbox):
    app = create_app(gateway_config)
    with app.app_context():
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        if url not in _migrated:
            if db.engine.dialect.name == "postgresql":
                # A shared server keeps what earlier runs left: start from an empty schema, every run.
                db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
                db.session.commit()
            upgrade()  # the real migrations, not create_all: they are what production runs
            _migrated.add(url)
        _empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_gateway(app, gateway_config):
    """Build another gateway on the test's (migrated, emptied) database, with some settings changed."""

    def build(**settings):
        return create_app({**gateway_config, **settings})

    return build


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            db.session.execute(text(f"DELETE FROM {name}"))
    db.session.commit()


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replaces pytest-flask's fixture of this name, which keeps one request context (and so one `g`)
    open around the whole test: requests would then share `g` (CSRF tokens, caches), which production
    never does. Tests push contexts themselves where they need one."""
    yield


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


class AuthActions:
    """Signs in through the real sign-in form, CSRF token included."""

    def __init__(self, client) -> None:
        self._client = client

    def login(self, login: str = "jane.doe@example.com", password: str = "correct-horse", next_url: str = ""):
        page = self._client.get("/auth/login", query_string={"next": next_url} if next_url else None)
        return self._client.post(
            "/auth/login",
            data={"login": login, "password": password, "next": next_url, "csrf_token": csrf_token(page.text)},
        )


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)
