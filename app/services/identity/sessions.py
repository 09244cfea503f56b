"""Sign-in sessions: opened at sign-in, checked on each request against idle and absolute lifetimes, revocable.

The session cookie only names a server-side record: deleting the record signs that browser out wherever the
cookie was copied to. Sign-out, a password change and an admin's revocation end every session of the account.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app

from app import store as database
from app.services.audit import trail as audit
from app.store import sign_in_sessions as store
from app.store.models import utcnow

# A session's last use is written at most this often: a page view is not worth a write each time.
TOUCH_EVERY = timedelta(seconds=60)


def _lifetimes() -> tuple[timedelta, timedelta]:
    cfg = current_app.config
    return timedelta(minutes=cfg["GATEWAY_SESSION_IDLE_MINUTES"]), timedelta(hours=cfg["GATEWAY_SESSION_MAX_HOURS"])


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back naive (they were written in UTC); PostgreSQL aware.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def start(login: str, via: str) -> str:
    """Open a session for `login` signed in by `via` (committed); return the token the cookie carries."""
    idle, absolute = _lifetimes()
    now = utcnow()
    return store.open_session(login, via, idle_before=now - idle, started_before=now - absolute)


def is_live(token: str, login: str, via: str) -> bool:
    """True when `token` names a live session of `login` by `via`; restarts its idle time.

    A session is over when it was ended, sat idle longer than GATEWAY_SESSION_IDLE_MINUTES, or started more
    than GATEWAY_SESSION_MAX_HOURS ago, whatever its use since. The read is on the request's click connection;
    a write (its last use, at most every TOUCH_EVERY, or dropping it) is committed here unless the caller's
    transaction is open, which then carries it.
    """
    record = store.find(token)
    if record is None or record.login != login or record.via != via:
        return False
    idle, absolute = _lifetimes()
    now = utcnow()
    last_seen = _aware(record.last_seen_at)
    live = now - last_seen <= idle and now - _aware(record.created_at) <= absolute
    if live and now - last_seen <= min(TOUCH_EVERY, idle / 4):
        return True
    busy = store.in_transaction()
    if live:
        store.touch(record, now)
    else:
        store.end(token)
    if not busy:
        database.commit()
    return live


def end_all(login: str) -> int:
    """End every session of `login` in the current transaction (the caller commits); return how many."""
    return store.end_all(login)


def revoke(login: str, *, actor: str) -> int:
    """End every session of `login` now, audited; return how many were open."""
    login = login.strip().lower()
    ended = store.end_all(login)
    audit.record("sessions_revoke", "ok", actor=actor, detail={"login": login, "sessions": ended}, commit=False)
    database.commit()
    return ended
