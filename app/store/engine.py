"""Engine tuning: SQLite's pragmas, and a ping for pooled server connections only after they sat idle."""

from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import event, exc

from app.store.database import db
from app.store.sqlite_writer import AUTO_CHECKPOINT_PAGES


def tune_engine(app: Flask) -> None:
    """Install the connection hooks of the app's engine (call once db is bound to `app`)."""
    _install_sqlite_pragmas(app)
    _ping_idle_connections(app)


def _install_sqlite_pragmas(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return

    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers and one writer work at once across gunicorn workers; the busy timeout makes a
        # writer wait for the lock instead of failing with "database is locked".
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        # In WAL mode NORMAL syncs at checkpoints, not at every commit: a crashed process loses nothing, a
        # power cut may lose the last commits but never corrupts. FULL made every launch wait for an fsync
        # while holding SQLite's single write lock (bench/README.md).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Launches checkpoint the WAL themselves, outside their write turn (app/store/sqlite_writer.py).
        cursor.execute(f"PRAGMA wal_autocheckpoint={AUTO_CHECKPOINT_PAGES}")
        cursor.close()

    with app.app_context():
        event.listen(db.engine, "connect", _pragmas)


# A database server may have dropped a connection that sat in the pool (restart, failover, idle timeout):
# one that was idle longer than this is pinged before use, and replaced when the ping fails.
PING_AFTER_IDLE_SECONDS = 1.0


def _ping_idle_connections(app: Flask) -> None:
    """Ping a pooled server connection before use when it has been idle, not before every use.

    SQLAlchemy's `pool_pre_ping` pings on every checkout: one more round trip per click, for connections that a
    busy worker used a few milliseconds earlier (bench/README.md). This is the same check, skipped while the
    connection is in steady use; a SQLite file has no server to lose.
    """
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as err:
            # The pool discards this connection and checks out another (a fresh one when all were dropped).
            raise exc.DisconnectionError(f"a pooled connection did not answer: {err}") from err
