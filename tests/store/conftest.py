"""Helpers for the store's tests: a signed-in learner who has launched once, and a PostgreSQL server to upset."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.store import db
from app.store.models import AuditEvent
from tests.factories import make_link, make_profile


@pytest.fixture
def postgres(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("a SQLite file has no server to drop its connections")
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def drop_the_gateways_connections(url: str) -> int:
    """Terminate every other session on the test database, as a server restart would; return how many."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]


@pytest.fixture
def launching(app, client):
    """A learner signed in by the intranet's proxy header, as `make bench` clicks. (A browser signed in with the
    local form also reads its server-side session first: tests/web/test_auth.py.)"""
    app.config["GATEWAY_AUTH"] = ["header"]
    with app.app_context():
        make_link()
        make_profile()
    client.environ_base["HTTP_X_REMOTE_USER"] = "jane.doe@example.com"
    assert client.get("/launch/open-tbook").status_code == 200  # the pool now holds live connections
    return client


def launches_audited(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "launch"))
