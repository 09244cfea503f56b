"""The audit trail: every launch, fallback, error return and admin change, hash-chained, and logged as JSON."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app import metrics
from app.extensions import db
from app.models import AuditChainHead, AuditEvent, utcnow

log = logging.getLogger("tbook_gateway.audit")
GENESIS = "0" * 64
_SECRET_KEY = re.compile(r"secret|password|token|authentificationurl|signature|cookie|authorization", re.I)
MASK = "••••••"


def redact(value: Any) -> Any:
    """Return `value` with every entry whose name says secret masked, at any depth."""
    if isinstance(value, Mapping):
        return {k: (MASK if _SECRET_KEY.search(str(k)) and v else redact(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def _digest(event: AuditEvent) -> str:
    # created_at is hashed as naive UTC: SQLite hands it back naive (it was written in UTC), PostgreSQL
    # aware in the session's time zone, which need not be UTC.
    moment = event.created_at
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    payload = {
        "id": event.id,
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
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_HEAD, _EVENTS = AuditChainHead.__table__, AuditEvent.__table__
_EVENT_COLUMNS = tuple(column.name for column in _EVENTS.columns if column.name != "id")
# Built once: SQLAlchemy then finds their compiled form in its cache instead of rebuilding them per click.
# UPDATE first: it takes the write lock (SQLite) or the row lock (PostgreSQL) before the chain head is read,
# so concurrent writers from any worker or instance extend the chain one at a time; RETURNING reads the head
# in the same round trip.
_BUMP_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(count=_HEAD.c.count + 1).returning(_HEAD.c.last_hash)
_CREATE_HEAD = insert(_HEAD).values(id=1, last_hash=GENESIS, count=0)
_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)
_SET_HASH = update(_EVENTS).where(_EVENTS.c.id == bindparam("event_id")).values(hash=bindparam("new_hash"))
_SET_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(last_hash=bindparam("new_hash"))


def record(
    action: str,
    outcome: str,
    *,
    actor: str | None = None,
    link_slug: str | None = None,
    mode: str | None = None,
    tbook_status: int | None = None,
    correlation_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
    commit: bool = True,
) -> AuditEvent:
    """Append one event to the chain and log it as a JSON line; return the stored event.

    Secrets in `detail` are masked before anything is written.
    """
    try:
        event = _append(
            action=action,
            outcome=outcome,
            actor=actor,
            link_slug=link_slug,
            mode=mode,
            tbook_status=tbook_status,
            correlation_id=correlation_id,
            detail=detail,
            commit=commit,
        )
    except SQLAlchemyError:
        metrics.count_audit_failure(action)
        raise
    metrics.count_audit_event(action, outcome, mode)
    log.info(json.dumps(to_dict(event), ensure_ascii=False, default=str))
    return event


def _append(
    *,
    action: str,
    outcome: str,
    actor: str | None,
    link_slug: str | None,
    mode: str | None,
    tbook_status: int | None,
    correlation_id: str | None,
    detail: Mapping[str, Any] | None,
    commit: bool,
) -> AuditEvent:
    """Add the event to the session's transaction (and commit it); raises SQLAlchemyError when the database refuses.

    Core statements, not the unit of work: this runs on every click, and the ORM's flush bookkeeping cost more
    than the SQL itself (bench/README.md). Four statements, each one round trip.
    """
    # The session's connection, in the session's transaction: the ORM layer adds nothing to these statements.
    connection = db.session.connection()
    prev_hash = connection.execute(_BUMP_HEAD).scalar_one_or_none()
    if prev_hash is None:
        # Migration 0001 creates the head; should it be missing, the first writers race to create it.
        try:
            with connection.begin_nested():
                connection.execute(_CREATE_HEAD)
        except IntegrityError:
            pass  # another writer created it: the UPDATE below waits for its lock
        prev_hash = connection.execute(_BUMP_HEAD).scalar_one()
    event = AuditEvent(
        created_at=utcnow(),
        actor=actor,
        action=action,
        link_slug=link_slug,
        mode=mode,
        outcome=outcome,
        tbook_status=tbook_status,
        correlation_id=correlation_id,
        detail=redact(dict(detail or {})),
        prev_hash=prev_hash,
        hash="",
    )
    event.id = connection.execute(_INSERT_EVENT, {name: getattr(event, name) for name in _EVENT_COLUMNS}).scalar_one()
    event.hash = _digest(event)  # the hash covers the id, which the database assigns
    connection.execute(_SET_HASH, {"event_id": event.id, "new_hash": event.hash})
    connection.execute(_SET_HEAD, {"new_hash": event.hash})
    if commit:
        db.session.commit()
    return event


def to_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "audit_id": event.id,
        "at": event.created_at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "link": event.link_slug,
        "mode": event.mode,
        "outcome": event.outcome,
        "tbook_status": event.tbook_status,
        "correlation_id": event.correlation_id,
        "detail": event.detail,
    }


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain stops holding: the event whose stored hash or link does not match."""

    event_id: int
    created_at: datetime
    reason: str


def iter_events(batch: int = 1000) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def verify_chain() -> tuple[int, ChainBreak | None]:
    """Walk the chain from its oldest event; return how many events hold and the first break, if any."""
    expected_prev: str | None = None
    checked = 0
    for event in iter_events():
        # After a purge the oldest remaining event links to a hash no longer stored: start from it.
        if expected_prev is not None and event.prev_hash != expected_prev:
            return checked, ChainBreak(event.id, event.created_at, "its prev_hash does not match the event before")
        if _digest(event) != event.hash:
            return checked, ChainBreak(event.id, event.created_at, "its content does not match its hash")
        expected_prev = event.hash
        checked += 1
    head = db.session.get(AuditChainHead, 1)
    if head is not None and expected_prev is not None and head.last_hash != expected_prev:
        return checked, ChainBreak(0, utcnow(), "the newest event is not the chain head (an event was removed)")
    return checked, None
