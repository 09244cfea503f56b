"""The audit log's hash chains: an event's digest, the append (the click's and the session's), and the chain reads.

Each process appends to a chain of its own (`AuditChainHead`): its UPDATE locks only its own head row, so no
worker or instance waits for another (a single shared head serialised every launch, commit included, on
PostgreSQL). The threads of one process take turns on that row. Core statements built once, not the unit of
work: the append runs on every click, and the ORM's flush bookkeeping cost more than the SQL itself
(bench/README.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from app.store.database import db
from app.store.hot_path import Statement, hot_connection, release_idle_hot_connection
from app.store.models import AuditChainHead, AuditEvent, utcnow
from app.store.sqlite_writer import checkpoint_due, write_turn

GENESIS = "0" * 64


@dataclass(slots=True)
class Event:
    """One audit event: the columns of its `AuditEvent` row; `append` fills in its place in the chain."""

    action: str
    outcome: str
    actor: str | None = None
    link_slug: str | None = None
    mode: str | None = None
    tbook_status: int | None = None
    correlation_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    chain_id: int | None = None
    created_at: datetime | None = None
    prev_hash: str = ""
    hash: str = ""


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The head of one process's chain: its last hash, the events ever written to it and those purged."""

    id: int
    last_hash: str
    count: int
    purged: int
    started_at: datetime | None
    process: str | None
    # Which GATEWAY_AUDIT_KEY seals the chain's events (its key id), or None: plain SHA-256, unkeyed.
    key_id: str | None = None


def digest(event: Event, key: bytes | None = None) -> str:
    """Return the event's hash: its content and its chain link (`prev_hash`), not its id.

    HMAC-SHA256 with `key` (GATEWAY_AUDIT_KEY, app/services/audit/seal.py), plain SHA-256 without one.
    """
    # created_at is hashed as naive UTC: SQLite hands it back naive (it was written in UTC), PostgreSQL
    # aware in the session's time zone, which need not be UTC.
    moment = event.created_at
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    # The id is not hashed: the database assigns it on insert, and the prev_hash links already fix each
    # event's place in its chain (a removed, inserted or reordered event breaks them).
    payload = {
        "chain_id": event.chain_id,
        "created_at": moment.isoformat(timespec="microseconds"),
        "actor": event.actor,
        "action": event.action,
        "link_slug": event.link_slug,
        "mode": event.mode,
        "outcome": event.outcome,
        "tbook_status": event.tbook_status,
        "correlation_id": event.correlation_id,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if key is None:
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()


_HEAD, _EVENTS = AuditChainHead.__table__, AuditEvent.__table__
_EVENT_COLUMNS = tuple(column.name for column in _EVENTS.columns if column.name != "id")
# Built once: SQLAlchemy then finds their compiled form in its cache instead of rebuilding them per click.
# RETURNING reads the head in the same round trip as its UPDATE.
_BUMP_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == bindparam("chain_id"))
    .values(count=_HEAD.c.count + 1)
    .returning(_HEAD.c.last_hash)
)
_NEW_HEAD = insert(_HEAD).returning(_HEAD.c.id)
_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)
_SET_HEAD = update(_HEAD).where(_HEAD.c.id == bindparam("chain_id")).values(last_hash=bindparam("new_hash"))
# Advances the head only if it still holds the hash this process last wrote: one statement, and the row lock.
_ADVANCE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == bindparam("chain_id"), _HEAD.c.last_hash == bindparam("expected"))
    .values(last_hash=bindparam("new_hash"), count=_HEAD.c.count + 1)
)
# The same as one statement, for PostgreSQL: the event is inserted only if the head moved on. With the request's
# connection in autocommit, the click's audit write is one round trip and one transaction.
_HEAD_ADVANCED = (
    update(_HEAD)
    .where(_HEAD.c.id == bindparam("chain_id"), _HEAD.c.last_hash == bindparam("prev_hash"))
    .values(last_hash=bindparam("hash"), count=_HEAD.c.count + 1)
    .returning(_HEAD.c.id)
    .cte("advanced")
)
_INSERT_IF_ADVANCED = Statement(
    insert(_EVENTS)
    .from_select(
        list(_EVENT_COLUMNS),
        select(*(bindparam(name, type_=_EVENTS.c[name].type) for name in _EVENT_COLUMNS)).select_from(_HEAD_ADVANCED),
    )
    .returning(_EVENTS.c.id)
)
# The click's own path (`_append_alone`) runs them on the request's hot connection (app/store/hot_path.py).
_CLICK_ADVANCE, _CLICK_INSERT = Statement(_ADVANCE_HEAD), Statement(_INSERT_EVENT)
_CHAIN_KEY = "tbook_gateway.audit_chain"
_PROCESS = f"{socket.gethostname()}:{{pid}}"


@dataclass
class _ProcessChain:
    """This process's chain: its id, and the hash it last committed (None when unsure)."""

    pid: int
    chain_id: int | None = None
    last_hash: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def _process_chain() -> _ProcessChain:
    chain = current_app.extensions.get(_CHAIN_KEY)
    if chain is None or chain.pid != os.getpid():  # a forked worker must not write its parent's chain
        chain = current_app.extensions[_CHAIN_KEY] = _ProcessChain(os.getpid())
    return chain


def _lock_head(connection, chain: _ProcessChain, key_id: str | None) -> tuple[int, str]:
    """Lock this process's chain head and return (chain id, last hash); start a chain when there is none.

    The head is created in the caller's transaction: should that roll back, the next event starts another.
    """
    if chain.chain_id is not None:
        last_hash = connection.execute(_BUMP_HEAD, {"chain_id": chain.chain_id}).scalar_one_or_none()
        if last_hash is not None:
            return chain.chain_id, last_hash
    head = {
        "last_hash": GENESIS,
        "count": 1,
        "started_at": utcnow(),
        "process": _PROCESS.format(pid=os.getpid()),
        "key_id": key_id,
    }
    chain.chain_id = connection.execute(_NEW_HEAD, head).scalar_one()
    return chain.chain_id, GENESIS


def append(event: Event, *, commit: bool, seal: tuple[str, bytes] | None = None) -> None:
    """Stamp `event`, link it to this process's chain and insert it; raises SQLAlchemyError when the database refuses.

    With `commit`, the event is committed with whatever the request's session holds; else it joins the session's
    transaction, for the caller to commit. When this process's head is as it left it and the session holds
    nothing to commit with the event (a click), the event is a transaction of its own on the request's hot
    connection (`_append_alone`); otherwise two statements in the session's transaction (three when the head
    moved), none waiting for another process. `seal` is (key id, key) to seal the event with (HMAC), or None.
    A process's chain keeps the key it started with: settings are read once per process.
    """
    key_id, key = seal if seal is not None else (None, None)
    chain = _process_chain()
    if not chain.lock.acquire(blocking=False):  # the requests of one process take turns on its chain
        release_idle_hot_connection()  # never wait holding a connection the chain's holder may need
        chain.lock.acquire()
    try:
        _append_in_turn(event, chain, commit=commit, key_id=key_id, key=key)
    finally:
        chain.lock.release()


def _append_in_turn(event: Event, chain: _ProcessChain, *, commit: bool, key_id: str | None, key: bytes | None) -> None:
    # Stamped inside the lock: within a chain, time order is id order, so retention can cut a clean prefix.
    event.created_at = utcnow()
    known = chain.last_hash if commit else None
    chain.last_hash = None  # unsure until this event's commit is known
    if known is not None and not _session_in_transaction() and _append_alone(event, chain.chain_id, known, key):
        chain.last_hash = event.hash
        return
    # The session's connection, in the session's transaction: the ORM adds nothing to these statements. A
    # request holds one connection at a time: the hot one goes back first when it holds nothing.
    if not _session_in_transaction():
        release_idle_hot_connection()
    connection = db.session.connection()
    event.chain_id, event.prev_hash = chain.chain_id, known
    event.hash = digest(event, key) if known is not None else ""
    # Fast path: the head still holds what this process last committed, and moves on in one statement.
    advanced = (
        known is not None
        and connection.execute(
            _ADVANCE_HEAD, {"chain_id": chain.chain_id, "expected": known, "new_hash": event.hash}
        ).rowcount
        == 1
    )
    if not advanced:
        event.chain_id, event.prev_hash = _lock_head(connection, chain, key_id)
        event.hash = digest(event, key)
        connection.execute(_SET_HEAD, {"chain_id": event.chain_id, "new_hash": event.hash})
    event.id = connection.execute(_INSERT_EVENT, {name: getattr(event, name) for name in _EVENT_COLUMNS}).scalar_one()
    if commit:
        db.session.commit()
        chain.last_hash = event.hash


def _session_in_transaction() -> bool:
    # A request that has not used the ORM session has nothing in it to commit with the event (and creating the
    # session only to ask would cost the click more than the question).
    return db.session.registry.has() and db.session().in_transaction()


def _append_alone(event: Event, chain_id: int, known: str, key: bytes | None) -> bool:
    """Commit `event` on the request's hot connection if this process's head still holds `known`; else nothing.

    PostgreSQL: one statement in autocommit (the head moves on and the event is inserted, or neither). SQLite:
    the head's UPDATE and the INSERT, then COMMIT, all in-process, in this process's turn to write.
    """
    connection = hot_connection()
    event.chain_id, event.prev_hash = chain_id, known
    event.hash = digest(event, key)
    values = {name: getattr(event, name) for name in _EVENT_COLUMNS}
    if connection.dialect.name == "postgresql":
        _, event.id = connection.write(_INSERT_IF_ADVANCED, values)
        return event.id is not None
    params = {"chain_id": chain_id, "expected": known, "new_hash": event.hash}
    with write_turn(connection.database):
        try:
            if connection.write(_CLICK_ADVANCE, params)[0] != 1:
                connection.rollback()  # let go of the write lock before the session's path takes it
                return False
            _, event.id = connection.write(_CLICK_INSERT, values)
            connection.commit()
        except SQLAlchemyError:
            connection.rollback()
            raise
    if checkpoint_due():  # after the turn: the other writers go on while this one waits for the fsync
        connection.run("PRAGMA wal_checkpoint(PASSIVE)")
    return True


_HEAD_COLUMNS = tuple(
    _HEAD.c[name] for name in ("id", "last_hash", "count", "purged", "started_at", "process", "key_id")
)


def chain_heads() -> dict[int, ChainHead]:
    """Every chain's head, by chain id."""
    return {row.id: ChainHead(*row) for row in db.session.execute(select(*_HEAD_COLUMNS))}


def chain_head(chain_id: int) -> ChainHead | None:
    row = db.session.execute(select(*_HEAD_COLUMNS).where(_HEAD.c.id == chain_id)).first()
    return ChainHead(*row) if row is not None else None


def hash_at(chain_id: int, position: int) -> str | None:
    """The hash of the chain's `position`-th remaining event (1-based, in order of writing), or None."""
    in_chain = select(_EVENTS.c.hash).where(_EVENTS.c.chain_id == chain_id).order_by(_EVENTS.c.id)
    return db.session.scalar(in_chain.offset(position - 1).limit(1))


def events_in_order(batch: int = 1000) -> Iterator[Event]:
    """Every event, by id (within a chain, the order of writing), read `batch` at a time."""
    last_id = 0
    while True:
        rows = db.session.execute(select(_EVENTS).where(_EVENTS.c.id > last_id).order_by(_EVENTS.c.id).limit(batch))
        events = [event_of(row) for row in rows]
        if not events:
            return
        yield from events
        last_id = events[-1].id


def event_of(row: Any) -> Event:
    """Return the event of an `audit_event` row (all its columns, by name)."""
    return Event(**row._mapping)
