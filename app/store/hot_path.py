"""The database connection of a click: a pooled driver connection and a few statements compiled once.

A launch runs two or three statements (read the link and profile, append the audit event). Through a
SQLAlchemy `Connection` each one built the statement's cache key, an execution context and a result object,
and the connection's checkout and return added as much again: on SQLite 3 to 4 times the cost of the SQL
itself (bench/README.md). Here the statements are Core statements compiled once per dialect, run on the
pool's own driver connection with the columns' bind and result processors (JSON, DateTime on SQLite); errors
come out as SQLAlchemy's `DBAPIError`, and a connection the server dropped is invalidated as SQLAlchemy would.
On PostgreSQL the connection runs in autocommit: each statement is a transaction of its own, so a click costs
two round trips instead of BEGIN, the reads, the writes and COMMIT. Its statements are the store's:
`launch_reads` (the click's read) and `audit_log` (the audit append).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, g
from sqlalchemy import Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql import ClauseElement

from app.store.database import db

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # (name in the SQL, key in the caller's params, default value, bind processor), in the driver's order.
    binds: tuple[tuple[str, str, Any, Processor], ...]
    positional: bool
    results: tuple[Processor, ...]  # one per result column


class Statement:
    """A Core statement, compiled once per dialect for a `HotConnection`."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = self._compile(dialect)
        return found

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        names = compiled.positiontup if compiled.positional else list(compiled.binds)
        binds = tuple(
            (name, bind.key, bind.value, bind.type.dialect_impl(dialect).bind_processor(dialect))
            for name, bind in ((name, compiled.binds[name]) for name in names)
        )
        columns = [*getattr(self.statement, "selected_columns", ()), *(getattr(self.statement, "_returning", ()) or ())]
        results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)
        return _Compiled(compiled.string, binds, compiled.positional, results)


class HotConnection:
    """One request's pooled driver connection; `close()` gives it back to the pool as it was found."""

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect
        self.database = engine.url.database
        self._engine = engine
        self._autocommit = self.dialect.name == "postgresql"
        self._raw = self._checkout()

    def _checkout(self):
        raw = self._engine.raw_connection()
        if self._autocommit:
            self.dialect.set_isolation_level(raw.driver_connection, "AUTOCOMMIT")
        return raw

    def _live_checkout(self):
        """Check out a connection that answers a ping: after a server restart the pool holds several dead ones."""
        pool = self._engine.pool
        tries = pool.size() + pool.overflow() + 1 if isinstance(pool, QueuePool) else 2
        for _ in range(tries):
            raw = self._checkout()
            try:
                self.dialect.do_ping(raw.driver_connection)
                return raw
            except self.dialect.loaded_dbapi.Error as err:
                raw.invalidate(err)
                raw.close()
        return self._checkout()  # a new connection, or the error that says why there is none

    def first(self, statement: Statement, params: Mapping[str, Any]) -> tuple | None:
        """Run a query; return its first row with each column's result processor applied, or None.

        A read on a connection the server dropped (a restart, a failover) is tried once more on a fresh one:
        pooled connections in steady use are not pinged before use (app/store/engine.py), and a click's first
        statement is this read, so the learner never sees the dropped connection.
        """
        try:
            row = self._run(statement, params, lambda cursor: cursor.fetchone())
        except DBAPIError as err:
            if not err.connection_invalidated:
                raise
            self._raw.close()
            self._raw = self._live_checkout()
            row = self._run(statement, params, lambda cursor: cursor.fetchone())
        if row is None:
            return None
        processors = statement.compiled(self.dialect).results
        return tuple(process(value) if process else value for process, value in zip(processors, row, strict=True))

    def write(self, statement: Statement, params: Mapping[str, Any]) -> tuple[int, Any]:
        """Run an INSERT or UPDATE; return the rows it changed and its first RETURNING value (or None)."""

        def read(cursor) -> tuple[int, Any]:
            returned = cursor.fetchone() if cursor.description else None
            return cursor.rowcount, returned[0] if returned else None

        return self._run(statement, params, read)

    def _run(self, statement: Statement, params: Mapping[str, Any], read: Callable[[Any], Any]) -> Any:
        compiled = statement.compiled(self.dialect)
        values = [
            (name, process(params.get(key, default)) if process else params.get(key, default))
            for name, key, default, process in compiled.binds
        ]
        driver_params = tuple(value for _, value in values) if compiled.positional else dict(values)
        cursor = self._raw.cursor()
        try:
            cursor.execute(compiled.sql, driver_params)
            return read(cursor)
        except self.dialect.loaded_dbapi.Error as err:
            raise self._wrapped(err, compiled.sql, driver_params, cursor) from err
        finally:
            cursor.close()

    def run(self, sql: str) -> None:
        """Run one statement of plain SQL without parameters (a PRAGMA, say)."""
        cursor = self._raw.cursor()
        try:
            cursor.execute(sql)
            cursor.fetchall() if cursor.description else None
        except self.dialect.loaded_dbapi.Error as err:
            raise self._wrapped(err, sql, None, cursor) from err
        finally:
            cursor.close()

    def in_transaction(self) -> bool:
        """Whether the connection holds uncommitted work (never on PostgreSQL, which runs it in autocommit)."""
        return not self._autocommit and bool(getattr(self._raw.driver_connection, "in_transaction", True))

    def commit(self) -> None:
        self._call("commit")

    def rollback(self) -> None:
        self._call("rollback")

    def close(self) -> None:
        """Give the connection back to the pool, which rolls back whatever was left uncommitted.

        Never raises: it runs as the request ends, after the answer was made.
        """
        try:
            if self._autocommit and self._raw.is_valid:
                self.dialect.reset_isolation_level(self._raw.driver_connection)
        except self.dialect.loaded_dbapi.Error as err:
            self._raw.invalidate(err)  # not fit to go back as it is: the pool discards it
        finally:
            self._raw.close()

    def _call(self, method: str) -> None:
        try:
            getattr(self._raw, method)()
        except self.dialect.loaded_dbapi.Error as err:
            raise self._wrapped(err, method.upper(), None, None) from err

    def _wrapped(self, err: Exception, sql: str, params: Any, cursor: Any) -> DBAPIError:
        dropped = self.dialect.is_disconnect(err, self._raw.driver_connection, cursor)
        if dropped:
            self._raw.invalidate(err)  # the pool discards it when it comes back
        return DBAPIError.instance(
            sql, params, err, self.dialect.loaded_dbapi.Error, connection_invalidated=dropped, dialect=self.dialect
        )


_CONNECTION = "_hot_connection"


def hot_connection() -> HotConnection:
    """Return this request's hot-path connection, opened on first use, closed with the request."""
    connection = g.get(_CONNECTION)
    if connection is None:
        connection = HotConnection(db.engine)
        setattr(g, _CONNECTION, connection)
    return connection


def release_hot_connection() -> None:
    """Give this request's connection back to the pool now; the next `hot_connection()` checks one out again.

    For a click about to wait on T-book: threads waiting on T-book then hold no database connection, so a
    worker's pool is sized for the clicks using the database at the same moment, not for those waiting.
    """
    connection = g.pop(_CONNECTION, None)
    if connection is not None:
        connection.close()


def release_idle_hot_connection() -> None:
    """Give this request's connection back to the pool if it holds nothing uncommitted (else keep it).

    For a request about to wait for a lock another request holds: a request must never wait holding a
    connection that the lock's holder may need. With a pool smaller than the requests in flight (gevent
    serves hundreds per worker), the waiters would otherwise hold every connection while the holder waits
    for one: a deadlock until the pool's timeout (seen: 40 new learners, a pool of 2 + 10).
    """
    connection = g.get(_CONNECTION)
    if connection is not None and not connection.in_transaction():
        release_hot_connection()


def init_hot_connections(app: Flask) -> None:
    @app.teardown_appcontext
    def _close_hot_connection(_exc: BaseException | None) -> None:
        connection = g.pop(_CONNECTION, None)
        if connection is not None:
            connection.close()
