"""The click's connection: one joined read and the audit append, no ORM session, and dropped connections retried."""

import contextlib
import re

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.store import db
from tests.store.conftest import drop_the_gateways_connections, launches_audited


@contextlib.contextmanager
def orm_transactions():
    """Collect the ORM session transactions begun meanwhile (SQLAlchemy's own event, on every session)."""
    begun: list[Session] = []

    def began(session, _transaction, _connection) -> None:
        begun.append(session)

    event.listen(Session, "after_begin", began)
    try:
        yield begun
    finally:
        event.remove(Session, "after_begin", began)


@contextlib.contextmanager
def sqlite_statements(app):
    """Collect the statements SQLite runs meanwhile, on connections the pool opens from now on."""
    statements: list[str] = []

    def trace(dbapi_connection, _record) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    with app.app_context():
        engine = db.engine
        engine.dispose()  # the connections opened from here on are traced
        event.listen(engine, "connect", trace)
    try:
        yield statements
    finally:
        event.remove(engine, "connect", trace)
        with app.app_context():
            engine.dispose()


def test_a_click_creates_no_orm_session(launching):
    with orm_transactions() as begun:
        assert launching.get("/launch/open-tbook").status_code == 200
    assert begun == []


def test_a_click_is_one_joined_read_and_the_audit_append(app, launching, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's trace shows the statements; on PostgreSQL both run in autocommit on the driver")
    with sqlite_statements(app) as statements:
        assert launching.get("/launch/open-tbook").status_code == 200
    sql = [s for s in statements if re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE)", s, re.I)]
    assert len(sql) == 3, sql
    read, advance, insert = sql
    assert read.startswith("SELECT") and "JOIN profile" in read and "launch_link.slug" in read
    assert advance.startswith("UPDATE audit_chain_head") and insert.startswith("INSERT INTO audit_event")


def test_a_click_right_after_the_server_dropped_its_connection_still_launches(app, launching, postgres):
    assert drop_the_gateways_connections(postgres) >= 1
    # No time to go idle: the click's read meets the dropped connection and is tried again on a fresh one.
    response = launching.get("/launch/open-tbook")
    assert response.status_code == 200 and 'id="launch-form"' in response.text
    assert launches_audited(app) == 2
