"""Pooled PostgreSQL connections that the server dropped (a restart, a failover) never reach a learner."""

import time

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.store import db
from app.store.engine import PING_AFTER_IDLE_SECONDS
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
def launching(app, client, auth):
    with app.app_context():
        make_link()
        make_profile()
    auth.login()
    assert client.get("/launch/open-tbook").status_code == 200  # the pool now holds live connections
    return client


def launches_audited(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "launch"))


def test_a_click_right_after_the_server_dropped_its_connection_still_launches(app, launching, postgres):
    assert drop_the_gateways_connections(postgres) >= 1
    # No time to go idle: the click's read meets the dropped connection and is tried again on a fresh one.
    response = launching.get("/launch/open-tbook")
    assert response.status_code == 200 and 'id="launch-form"' in response.text
    assert launches_audited(app) == 2


def test_a_connection_dropped_while_idle_is_replaced_before_use(app, launching, postgres):
    assert drop_the_gateways_connections(postgres) >= 1
    time.sleep(PING_AFTER_IDLE_SECONDS + 0.2)  # idle long enough to be pinged at the next checkout
    # The ORM session's pages (here the learner's home page) and the click both get live connections.
    assert launching.get("/").status_code == 200
    assert launching.get("/launch/open-tbook").status_code == 200
    assert launches_audited(app) == 2
