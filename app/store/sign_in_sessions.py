"""Sign-in sessions kept in the database, shared by every instance: opened at sign-in, ended all at once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, or_, select, update

from app.store import db
from app.store.hot_path import Statement, hot_connection
from app.store.models import SignInSession, utcnow


def _id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(login: str, via: str, *, idle_before: datetime, started_before: datetime) -> str:
    """Record a new session for `login` and commit; return its token, for the cookie only.

    Sessions idle since `idle_before` or started before `started_before` are dropped on the way, so the table
    holds live sessions only, whatever the number of browsers that never signed out.
    """
    db.session.execute(
        delete(SignInSession).where(
            or_(SignInSession.last_seen_at < idle_before, SignInSession.created_at < started_before)
        )
    )
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(SignInSession(id=_id(token), login=login, via=via, created_at=now, last_seen_at=now))
    db.session.commit()
    return token


@dataclass(frozen=True, slots=True)
class SessionView:
    """A session as read: whose, signed in how, since when, last used when."""

    id: str
    login: str
    via: str
    created_at: datetime
    last_seen_at: datetime


_SESSIONS = SignInSession.__table__
# Every request of a signed-in browser asks: read on the request's hot connection, compiled once, so a click
# opens no ORM session for it (app/store/hot_path.py).
_BY_ID = Statement(
    select(*(_SESSIONS.c[name] for name in SessionView.__slots__)).where(_SESSIONS.c.id == bindparam("id"))
)


def find(token: str) -> SessionView | None:
    """Return the session the cookie's token names, or None (ended, expired and dropped, or never opened)."""
    row = hot_connection().first(_BY_ID, {"id": _id(token)})
    return SessionView(*row) if row is not None else None


def touch(session: SessionView, now: datetime) -> None:
    """Mark the session used at `now` (uncommitted), which restarts its idle time."""
    db.session.execute(update(SignInSession).where(SignInSession.id == session.id).values(last_seen_at=now))


def end(token: str) -> None:
    """End one session (uncommitted)."""
    db.session.execute(delete(SignInSession).where(SignInSession.id == _id(token)))


def end_all(login: str) -> int:
    """End every session of `login` (uncommitted); return how many there were."""
    return db.session.execute(delete(SignInSession).where(SignInSession.login == login)).rowcount


def count(login: str) -> int:
    return len(db.session.scalars(select(SignInSession.id).where(SignInSession.login == login)).all())


def in_transaction() -> bool:
    """True when the request's session has a transaction open (work of its caller's, not to be committed here)."""
    return db.session().in_transaction()
