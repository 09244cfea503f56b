"""Figures counted from the audit log: the dashboard's launches and errors, and recent failed sign-ins."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import func, select

from app.store.audit_log import Event, event_of
from app.store.database import db
from app.store.models import AuditEvent

_EVENTS = AuditEvent.__table__


def launch_attempts_by_day(since: datetime) -> list[tuple[date, str, str, bool, int]]:
    """How many launch attempts ("launch" and "fallback" events) since `since`, per UTC day, action and outcome,
    and whether T-book sent that click back with an error (an `lti_return` error with the same correlation id:
    the return URL's reference carries the click's id)."""
    sent_back = (
        select(_EVENTS.c.correlation_id)
        .where(
            _EVENTS.c.action == "lti_return",
            _EVENTS.c.outcome == "error",
            _EVENTS.c.created_at >= since,
            _EVENTS.c.correlation_id.is_not(None),
        )
        .distinct()
        .subquery()
    )
    day, refused = func.date(_EVENTS.c.created_at), sent_back.c.correlation_id.is_not(None)
    rows = db.session.execute(
        select(day, _EVENTS.c.action, _EVENTS.c.outcome, refused, func.count())
        .select_from(_EVENTS.outerjoin(sent_back, sent_back.c.correlation_id == _EVENTS.c.correlation_id))
        .where(_EVENTS.c.action.in_(("launch", "fallback")), _EVENTS.c.created_at >= since)
        .group_by(day, _EVENTS.c.action, _EVENTS.c.outcome, refused)
    )
    # SQLite gives the day as text, PostgreSQL as a date.
    return [
        (d if isinstance(d, date) else date.fromisoformat(str(d)), action, outcome, bool(back), n)
        for d, action, outcome, back, n in rows
    ]


def link_usage(slug: str, since: datetime) -> tuple[int, datetime | None]:
    """How many launch attempts went through the link `slug` since `since`, and when the last one was."""
    count, last = db.session.execute(
        select(func.count(_EVENTS.c.id), func.max(_EVENTS.c.created_at)).where(
            _EVENTS.c.link_slug == slug,
            _EVENTS.c.action.in_(("launch", "fallback")),
            _EVENTS.c.created_at >= since,
        )
    ).one()
    return count or 0, last


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


def _counted_from(login: str, since: datetime, restart: str | None):
    """When `login`'s refusals start to count: `since`, or the latest `restart` event naming it after that."""
    if restart is None:
        return since
    latest_restart = (
        select(func.max(_EVENTS.c.created_at))
        .where(_EVENTS.c.action == restart, _EVENTS.c.created_at >= since)
        .where(_EVENTS.c.detail["login"].as_string() == login)
        .scalar_subquery()
    )
    return func.coalesce(latest_restart, since)


def _refused_since(since: datetime) -> tuple:
    return (_EVENTS.c.action == "sign_in", _EVENTS.c.outcome == "refused", _EVENTS.c.created_at >= since)


def refused_sign_ins(
    login: str, address: str | None, since: datetime, *, restart: str | None = None
) -> tuple[int, int]:
    """Return the refused sign-ins since `since` from `address`: (those as `login`, all of them).

    An unknown address (None) counts the refusals that had none, as one address. With `restart`, `login`'s own
    count starts again at the latest event of that action whose detail names the login (an admin's unlock).
    """
    address_field = _EVENTS.c.detail["address"].as_string()
    same_address = address_field == address if address else address_field.is_(None)
    as_login = (_EVENTS.c.actor == login, _EVENTS.c.created_at > _counted_from(login, since, restart))
    by_pair, by_address = db.session.execute(
        select(func.count().filter(*as_login), func.count()).where(*_refused_since(since), same_address)
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


def refused_sign_ins_by_address(
    login: str, since: datetime, *, restart: str | None = None
) -> list[tuple[str | None, int, datetime]]:
    """Return, per client address, `login`'s refused sign-ins since `since` (counted as `refused_sign_ins` counts
    them): (address, how many, when the last was)."""
    address = _EVENTS.c.detail["address"].as_string()
    rows = db.session.execute(
        select(address, func.count(), func.max(_EVENTS.c.created_at))
        .where(*_refused_since(since), _EVENTS.c.actor == login)
        .where(_EVENTS.c.created_at > _counted_from(login, since, restart))
        .group_by(address)
    )
    return [(where, count, last) for where, count, last in rows]
