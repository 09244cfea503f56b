"""Learners the gateway has seen in T-book, per T-book account: their clicks skip the getOneLearner lookup."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, delete, insert, literal, select
from sqlalchemy.exc import IntegrityError

from app.store.hot_path import Statement, hot_connection
from app.store.models import AuditEvent, KnownLearner, utcnow
from app.store.sqlite_writer import write_turn

_KNOWN, _EVENTS = KnownLearner.__table__, AuditEvent.__table__
_LOGIN, _ACCOUNT = _KNOWN.c.login == bindparam("login"), _KNOWN.c.account == bindparam("account")
# Asked on every authtoken click: one indexed read on the click's own connection (app/store/hot_path.py).
_IS_KNOWN = Statement(select(literal(1)).where(_LOGIN, _ACCOUNT))
_REMEMBER = Statement(insert(_KNOWN))
_FORGET = Statement(delete(_KNOWN).where(_LOGIN, _ACCOUNT))
_WRITING = threading.Lock()  # the threads of a process take turns too (they share its writer turn)
# The learner whom a click sent to T-book's sign-in, by the click's audit row.
_FORGET_CLICKER = Statement(
    delete(_KNOWN).where(
        _ACCOUNT,
        _KNOWN.c.login.in_(
            select(_EVENTS.c.actor).where(
                _EVENTS.c.correlation_id == bindparam("correlation_id"),
                _EVENTS.c.mode == "authtoken",
                _EVENTS.c.outcome == "redirected",
            )
        ),
    )
)


def is_known(login: str, account: str) -> bool:
    """Return whether `login` was seen in T-book under `account` (and not forgotten since)."""
    return hot_connection().first(_IS_KNOWN, {"login": login.lower(), "account": account}) is not None


def remember(login: str, account: str, seen: str) -> None:
    """Record that T-book has `login` under `account`; `seen` says how we know ("found" or "created")."""
    values = {"login": login.lower(), "account": account, "seen": seen, "seen_at": utcnow()}
    try:
        _write(_REMEMBER, values)
    except IntegrityError:
        pass  # a concurrent click of the same learner remembered it first


def forget(login: str, account: str) -> None:
    """Forget `login` under `account`: its next click looks it up in T-book again."""
    _write(_FORGET, {"login": login.lower(), "account": account})


def forget_clicker(correlation_id: str, account: str) -> None:
    """Forget the learner whom the click `correlation_id` sent to T-book's sign-in (per its audit row), if any."""
    _write(_FORGET_CLICKER, {"correlation_id": correlation_id, "account": account})


def _write(statement: Statement, params: Mapping[str, Any]) -> None:
    """Run one write as a transaction of its own on the request's connection.

    On SQLite, in this process's turn to write the file (app/store/sqlite_writer.py): 64 new learners clicking
    at once queue there instead of in SQLite's busy back-off, which kept some of them waiting for seconds.
    """
    connection = hot_connection()
    with _WRITING, write_turn(connection.database if connection.dialect.name == "sqlite" else None):
        try:
            connection.write(statement, params)
            connection.commit()
        except Exception:
            connection.rollback()
            raise
