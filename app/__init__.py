"""T-book Gateway: an LTI 1.1 Tool Consumer that opens T-book for signed-in intranet users."""

from __future__ import annotations

import logging
import re
import sys
import uuid
from pathlib import Path
from typing import Any

from dotenv import load_dotenv
from flask import Flask, abort, g, request

from app.config import load_settings
from app.extensions import csrf, db, init_click_connections, migrate

ROOT = Path(__file__).resolve().parent.parent
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the gateway; `config` takes the environment's names and wins over the environment.

    Raises app.config.ConfigError when production settings lack a secret.
    """
    load_dotenv(ROOT / ".env", override=False)
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_path=str(ROOT / "instance"))
    app.config.update(load_settings(config, app.instance_path))

    _configure_logging(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    # Before CSRFProtect's hook: a request it refuses (bad token, body too large) still gets a correlation id.
    _install_request_hooks(app)
    csrf.init_app(app)
    _install_sqlite_pragmas(app)
    _ping_idle_connections(app)
    init_click_connections(app)

    from app.cli import register_commands
    from app.errors import register_error_handlers
    from app.web import register_blueprints
    from app.web.auth.identity import current_user

    register_error_handlers(app)
    register_blueprints(app)
    app.jinja_env.globals["current_user"] = current_user
    register_commands(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    # Forwarded headers are trusted for exactly the configured number of hops, and only here: with 0 a client
    # cannot forge its address, scheme or host by sending X-Forwarded-* itself.
    hops = app.config["GATEWAY_PROXY_HOPS"]
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)


def _configure_logging(app: Flask) -> None:
    # One line per record on stdout: gunicorn and containers collect it; audit lines are JSON already.
    if not logging.getLogger("tbook_gateway").handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        for name in ("tbook_gateway", "app"):
            logger = logging.getLogger(name)
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False


def _install_sqlite_pragmas(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    from app.sqlite_lock import AUTO_CHECKPOINT_PAGES

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
        # Launches checkpoint the WAL themselves, outside their write turn (app/sqlite_lock.py).
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
    import time

    from sqlalchemy import event, exc

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


def _install_request_hooks(app: Flask) -> None:
    @app.before_request
    def _correlation_id() -> None:
        supplied = request.headers.get("X-Request-ID", "")
        g.correlation_id = supplied if _SAFE_REQUEST_ID.match(supplied) else uuid.uuid4().hex

    @app.before_request
    def _refuse_nul() -> None:
        # No legitimate input holds NUL, and PostgreSQL text cannot store it: refuse it before it gets far.
        values = [request.path, *request.args.values()]
        if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
            values += list(request.form.values())
        if any("\x00" in value for value in values):
            abort(400, "The request contains a NUL character.")

    @app.after_request
    def _headers(response):
        response.headers["X-Correlation-ID"] = g.get("correlation_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'self'")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response
