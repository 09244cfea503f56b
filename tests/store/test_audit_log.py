"""The audit log's hash chains: the digest, concurrent writers, tampering, and PostgreSQL session time zones."""

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select, update

from app.services.audit import trail as audit
from app.store import db
from app.store.audit_log import GENESIS, Event, digest
from app.store.models import AuditChainHead, AuditEvent


def test_an_events_digest_is_the_one_every_stored_chain_was_written_with():
    event = Event(
        action="launch",
        outcome="sent",
        actor="jane.doe@example.com",
        link_slug="open-tbook",
        mode="lti",
        correlation_id="corr-1",
        detail={"debug": False, "é": [1, "x"]},
        chain_id=3,
        created_at=datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone(timedelta(hours=2))),
        prev_hash=GENESIS,
    )
    # Pinned: a change here would break every chain already in a database.
    expected = "fafc458bde242cf50b0375470dd2588df8b15ebe4e8422f87f45d6c088111159"
    assert digest(event) == expected
    # The same moment as SQLite hands it back (naive UTC); the id is not hashed.
    event.created_at, event.id = datetime(2024, 5, 6, 5, 8, 9, 123456), 42
    assert digest(event) == expected
    event.created_at = event.created_at.replace(tzinfo=UTC)
    assert digest(event) == expected


def write_concurrently(app, writers: int = 8, each: int = 5) -> list[Exception]:
    barrier = threading.Barrier(writers)
    errors: list[Exception] = []

    def write(n):
        try:
            with app.app_context():
                barrier.wait()
                for i in range(each):
                    audit.record("test", "ok", actor=f"writer{n}", detail={"i": i})
        except Exception as err:  # noqa: BLE001 - collected and asserted
            errors.append(err)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_concurrent_writers_keep_every_chain_unbroken(app, make_gateway):
    other_instance = make_gateway()  # another process's worth of state, on the same database
    assert write_concurrently(app) == [] and write_concurrently(other_instance, writers=4, each=10) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 80
        assert audit.verify_chain() == (80, None)
        assert db.session.scalar(select(func.count(AuditChainHead.id))) >= 2


def test_removing_the_newest_event_of_a_chain_shows(app):
    with app.app_context():
        for i in range(3):
            audit.record("test", "ok", actor=f"user{i}")
        newest = db.session.scalar(select(func.max(AuditEvent.id)))
        db.session.execute(delete(AuditEvent).where(AuditEvent.id == newest))
        db.session.commit()
        checked, broken = audit.verify_chain()
        assert checked == 2 and "does not end at its head" in broken.reason


def test_an_event_moved_to_another_chain_shows(app, make_gateway):
    with app.app_context():
        audit.record("test", "ok", actor="a")
        audit.record("test", "ok", actor="a")
    with make_gateway().app_context():
        audit.record("test", "ok", actor="b")
        first = db.session.scalar(select(func.min(AuditEvent.id)))
        other_chain = db.session.scalar(select(func.max(AuditChainHead.id)))
        db.session.execute(update(AuditEvent).where(AuditEvent.id == first).values(chain_id=other_chain))
        db.session.commit()
        assert audit.verify_chain()[1] is not None


def test_chain_verifies_whatever_the_postgresql_session_time_zone(make_gateway, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("a session time zone is a PostgreSQL setting; SQLite stores naive UTC")
    joiner = "&" if "?" in database_url else "?"
    paris = make_gateway(DATABASE_URL=f"{database_url}{joiner}options=-c%20timezone%3DEurope/Paris")
    with paris.app_context():
        assert db.session.scalar(select(func.current_setting("TimeZone"))) == "Europe/Paris"
        audit.record("test", "ok", actor="paris")
        audit.record("test", "ok", actor="paris")
        assert audit.verify_chain() == (2, None)


def test_removing_the_oldest_events_of_a_chain_shows(app):
    with app.app_context():
        for i in range(4):
            audit.record("sign_in", "refused", actor=f"guess{i}")
        oldest = db.session.scalar(select(func.min(AuditEvent.id)))
        db.session.execute(delete(AuditEvent).where(AuditEvent.id <= oldest + 1))
        db.session.commit()
        checked, broken = audit.verify_chain()
        assert checked == 0 and "prev_hash" in broken.reason


def test_verify_while_other_workers_write_raises_no_false_alarm(app, make_gateway):
    writer = make_gateway()
    stop = threading.Event()
    errors: list[Exception] = []

    def keep_writing():
        with writer.app_context():
            while not stop.is_set():
                try:
                    audit.record("launch", "sent", actor="busy")
                except Exception as err:  # noqa: BLE001 - collected and asserted
                    errors.append(err)
                    return

    with app.app_context():
        audit.record("launch", "sent", actor="first")
    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        with app.app_context():
            results = [audit.verify_chain()[1] for _ in range(5)]
    finally:
        stop.set()
        thread.join(timeout=30)
    assert errors == [] and results == [None] * 5
