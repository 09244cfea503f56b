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


# --- The seal (GATEWAY_AUDIT_KEY) and anchors: what someone who can write to the database cannot hide ---

KEY = "an-audit-key-kept-outside-the-database"


@pytest.fixture
def sealed(app, make_gateway):
    """A gateway sealing its audit log with KEY (on `app`'s database), with two chains of three events."""
    gateway = make_gateway(GATEWAY_AUDIT_KEY=KEY)
    for built in (gateway, make_gateway(GATEWAY_AUDIT_KEY=KEY)):  # two processes' worth: two chains
        with built.app_context():
            for i in range(3):
                audit.record("test", "ok", actor=f"user{i}")
    return gateway


def _cli(gateway, *args: str):
    return gateway.test_cli_runner().invoke(args=["audit", *args])


def _anchor(gateway, tmp_path) -> str:
    result = _cli(gateway, "anchor")
    assert result.exit_code == 0, result.output
    path = tmp_path / "anchor.json"
    path.write_text(result.output)
    return str(path)


def _chain_events(chain_id: int) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.chain_id == chain_id).order_by(AuditEvent.id)).all()


def _rehash(events, key: str | None, chain_id: int) -> None:
    """What a database writer does to hide an edit: recompute the chain's hashes (with no key, unless given)."""
    prev = GENESIS
    for event in events:
        event.prev_hash = prev
        event.hash = prev = digest(event, key.encode() if key else None)
    db.session.execute(update(AuditChainHead).where(AuditChainHead.id == chain_id).values(last_hash=prev))
    db.session.commit()


def test_an_edited_event_with_recomputed_hashes_shows_given_the_key(sealed):
    with sealed.app_context():
        events = _chain_events(1)
        events[1].actor = "someone-else"
        _rehash(events, None, 1)  # the attacker has no key: plain SHA-256
    result = _cli(sealed, "verify")
    assert result.exit_code == 1 and "content does not match its hash" in result.output


def test_a_chain_stripped_of_its_seal_shows(sealed):
    with sealed.app_context():
        db.session.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(key_id=None))
        _rehash(_chain_events(1), None, 1)
    result = _cli(sealed, "verify")
    assert result.exit_code == 1 and "not sealed with GATEWAY_AUDIT_KEY" in result.output


def _delete_chain(chain_id: int) -> None:
    db.session.execute(delete(AuditEvent).where(AuditEvent.chain_id == chain_id))
    db.session.execute(delete(AuditChainHead).where(AuditChainHead.id == chain_id))


def _roll_back(chain_id: int, n: int) -> None:
    """Remove the chain's newest `n` events and set its head back to match: the chain itself stays consistent."""
    events = _chain_events(chain_id)
    db.session.execute(delete(AuditEvent).where(AuditEvent.id.in_([e.id for e in events[-n:]])))
    db.session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == chain_id)
        .values(last_hash=events[-n - 1].hash, count=AuditChainHead.count - n)
    )


TAMPERING = {
    "a whole chain deleted": (lambda: _delete_chain(2), "chain 2 is gone"),
    "the whole log deleted": (lambda: (_delete_chain(1), _delete_chain(2)), "chain 1 is gone"),
    "a chain rolled back": (lambda: _roll_back(1, 2), "chain 1 was rolled back"),
    "a chain truncated, its head set back": (lambda: _roll_back(2, 1), "chain 2 was rolled back"),
}


@pytest.mark.parametrize("kind", TAMPERING)
def test_removals_that_keep_the_chains_consistent_show_against_an_anchor(sealed, tmp_path, kind):
    anchor = _anchor(sealed, tmp_path)
    tamper, expected = TAMPERING[kind]
    with sealed.app_context():
        tamper()
        db.session.commit()
    with sealed.app_context():
        # What the anchor is for: the chains left are consistent in themselves.
        assert audit.verify_chain()[1] is None
    result = _cli(sealed, "verify", "--anchor", anchor)
    assert result.exit_code == 1 and expected in result.output, result.output


def test_a_rollback_then_new_events_show_against_an_anchor(sealed, tmp_path):
    anchor = _anchor(sealed, tmp_path)
    with sealed.app_context():
        _roll_back(1, 2)
        db.session.commit()
        (head,) = db.session.scalars(select(AuditChainHead).where(AuditChainHead.id == 1))
        prev, count = head.last_hash, head.count
        for i in range(4):  # as many forged events as the attacker likes: they cannot be keyed, so they are unkeyed
            event = Event("test", "ok", actor=f"forged{i}", chain_id=1, prev_hash=prev)
            event.created_at = head.started_at
            event.hash = prev = digest(event, KEY.encode())  # even with the key, the anchor holds
            columns = [c.name for c in AuditEvent.__table__.columns if c.name != "id"]
            db.session.add(AuditEvent(**{c: getattr(event, c) for c in columns}))
        db.session.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(last_hash=prev, count=count + 4))
        db.session.commit()
    result = _cli(sealed, "verify", "--anchor", anchor)
    assert result.exit_code == 1 and "chain 1 was rewritten" in result.output, result.output


def test_a_seal_stripped_and_rewritten_shows_against_an_anchor_even_when_unkeyed_chains_are_allowed(sealed, tmp_path):
    anchor = _anchor(sealed, tmp_path)
    with sealed.app_context():
        db.session.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(key_id=None))
        _rehash(_chain_events(1), None, 1)
    result = _cli(sealed, "verify", "--allow-unkeyed", "--anchor", anchor)
    assert result.exit_code == 1 and "chain 1 changed keys" in result.output


def test_new_events_and_retention_after_an_anchor_still_verify(sealed, tmp_path):
    anchor = _anchor(sealed, tmp_path)
    with sealed.app_context():
        audit.record("test", "ok", actor="later")
    assert _cli(sealed, "purge", "--before", "2999-01-01").exit_code == 0
    result = _cli(sealed, "verify", "--anchor", anchor)
    assert result.exit_code == 0 and "still there, unchanged" in result.output, result.output


def test_an_altered_anchor_or_one_without_a_key_is_refused(sealed, tmp_path, make_gateway):
    import json

    path = _anchor(sealed, tmp_path)
    anchor = json.loads(open(path).read())
    anchor["chains"]["1"]["count"] = 1  # hide a later rollback
    open(path, "w").write(json.dumps(anchor))
    result = _cli(sealed, "verify", "--anchor", path)
    assert result.exit_code == 1 and "signature does not match" in result.output
    unkeyed = make_gateway()
    result = unkeyed.test_cli_runner().invoke(args=["audit", "anchor"])
    assert result.exit_code == 1 and "GATEWAY_AUDIT_KEY is not set" in result.output


def test_the_key_never_shows_in_the_anchor_or_the_log(sealed, tmp_path):
    assert KEY not in open(_anchor(sealed, tmp_path)).read()
    with sealed.app_context():
        assert all(KEY not in repr(e.__dict__) for e in db.session.scalars(select(AuditEvent)))
