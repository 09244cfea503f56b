"""The audit chain under concurrent writers, and across PostgreSQL session time zones."""

import threading

import pytest
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import AuditChainHead, AuditEvent
from app.services import audit


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


@pytest.mark.parametrize("head_present", [True, False], ids=["head migrated", "head missing"])
def test_concurrent_writers_extend_one_unbroken_chain(app, head_present):
    if not head_present:
        with app.app_context():
            db.session.execute(delete(AuditChainHead))
            db.session.commit()
    assert write_concurrently(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 40
        checked, broken = audit.verify_chain()
        assert (checked, broken) == (40, None)


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
