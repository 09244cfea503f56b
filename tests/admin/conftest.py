"""Fixtures for the admin console: an admin account and a learner, each signed in through the real form."""

from __future__ import annotations

import pytest

from app.services.identity import accounts
from app.store import db
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
