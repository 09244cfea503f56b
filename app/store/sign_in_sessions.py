"""Sign-in sessions kept in the database, shared by every instance: opened at sign-in, ended all at once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import delete, or_, select, update

from app.store import db
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


def find(token: str) -> SignInSession | None:
    """Return the session the cookie's token names, or None (ended, expired and dropped, or never opened)."""
    return db.session.get(SignInSession, _id(token))


def touch(session: SignInSession, now: datetime) -> None:
    """Mark the session used at `now` (uncommitted), which restarts its idle time."""
    db.session.execute(update(SignInSession).where(SignInSession.id == session.id).values(last_seen_at=now))
    session.last_seen_at = now


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
