"""Figures counted from the audit log: the dashboard's launches and errors, and recent failed sign-ins."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import func, select

from app.store.audit_log import Event, event_of
from app.store.database import db
from app.store.models import AuditEvent

_EVENTS = AuditEvent.__table__


def by_day_and_outcome(actions: Collection[str], since: datetime) -> list[tuple[date, str, int]]:
    """How many events of `actions` since `since`, per UTC day and outcome."""
    day = func.date(_EVENTS.c.created_at)
    rows = db.session.execute(
        select(day, _EVENTS.c.outcome, func.count())
        .where(_EVENTS.c.action.in_(actions), _EVENTS.c.created_at >= since)
        .group_by(day, _EVENTS.c.outcome)
    )
    # SQLite gives the day as text, PostgreSQL as a date.
    return [(d if isinstance(d, date) else date.fromisoformat(str(d)), outcome, n) for d, outcome, n in rows]


def by_mode(actions: Collection[str], outcomes: Collection[str], since: datetime) -> dict[str | None, int]:
    """How many events of `actions` with one of `outcomes` since `since`, per mode."""
    return dict(
        db.session.execute(
            select(_EVENTS.c.mode, func.count())
            .where(_EVENTS.c.action.in_(actions), _EVENTS.c.outcome.in_(outcomes), _EVENTS.c.created_at >= since)
            .group_by(_EVENTS.c.mode)
        ).all()
    )


def latest(outcomes: Collection[str], *, except_action: str, limit: int) -> list[Event]:
    """The newest `limit` events with one of `outcomes`, but not of the action `except_action`, nor anonymous.

    An anonymous event (a return from T-book that no signed-in learner's click vouches for) is anyone's text:
    kept in the audit log, not put in front of admins as an error to act on.
    """
    query = (
        select(_EVENTS)
        .where(
            _EVENTS.c.outcome.in_(outcomes),
            _EVENTS.c.action != except_action,
            _EVENTS.c.detail["anonymous"].as_boolean().is_not(True),
        )
        .order_by(_EVENTS.c.id.desc())
        .limit(limit)
    )
    return [event_of(row) for row in db.session.execute(query)]


def refused_sign_ins(login: str, address: str | None, since: datetime) -> tuple[int, int]:
    """Return the refused sign-ins since `since` from `address`: (those as `login`, all of them).

    An unknown address (None) counts the refusals that had none, as one address.
    """
    address_field = _EVENTS.c.detail["address"].as_string()
    same_address = address_field == address if address else address_field.is_(None)
    by_pair, by_address = db.session.execute(
        select(func.count().filter(_EVENTS.c.actor == login), func.count()).where(
            _EVENTS.c.action == "sign_in", _EVENTS.c.outcome == "refused", _EVENTS.c.created_at >= since, same_address
        )
    ).one()
    return by_pair, by_address


def signed_in_from(login: str, address: str | None, since: datetime) -> bool:
    """True when `login` signed in successfully from `address` (None: an unknown address) since `since`."""
    address_field = _EVENTS.c.detail["address"].as_string()
    same_address = address_field == address if address else address_field.is_(None)
    found = select(_EVENTS.c.id).where(
        _EVENTS.c.action == "sign_in",
        _EVENTS.c.outcome == "ok",
        _EVENTS.c.actor == login,
        _EVENTS.c.created_at >= since,
        same_address,
    )
    return db.session.execute(found.limit(1)).first() is not None


def anonymous_returns(actions: Collection[str], address: str | None, since: datetime) -> tuple[int, int]:
    """Return the anonymous events of `actions` since `since`: (those from `address`, all of them)."""
    address_field = _EVENTS.c.detail["address"].as_string()
    same_address = address_field == address if address else address_field.is_(None)
    from_there, overall = db.session.execute(
        select(func.count().filter(same_address), func.count()).where(
            _EVENTS.c.action.in_(actions),
            _EVENTS.c.created_at >= since,
            _EVENTS.c.detail["anonymous"].as_boolean().is_(True),
        )
    ).one()
    return from_there, overall
