"""T-book Gateway: an LTI 1.1 Tool Consumer that opens T-book for signed-in intranet users."""

from __future__ import annotations

import logging
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import click
from dotenv import load_dotenv
from flask import Flask, abort, g, request

from app import settings
from app.store import db, migrate
from app.store.engine import tune_engine
from app.store.hot_path import init_hot_connections
from app.web import csrf
from app.web import headers as security_headers

ROOT = Path(__file__).resolve().parent.parent
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the gateway; `config` takes the environment's names and wins over the environment.

    Raises app.settings.ConfigError naming the setting when one is unknown or malformed, or production lacks a
    secret.
    """
    load_dotenv(ROOT / ".env", override=False)
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_path=str(ROOT / "instance"))
    settings.init_app(app, config)

    _configure_logging(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    # Before CSRFProtect's hook: a request it refuses (bad token, body too large) still gets a correlation id.
    _install_request_hooks(app)
    security_headers.install(app)
    csrf.init_app(app)
    tune_engine(app)
    init_hot_connections(app)

    from app.cli import register_commands
    from app.web import i18n, register_blueprints
    from app.web.auth.identity import current_user
    from app.web.errors import register_error_handlers

    i18n.init_app(app)
    register_error_handlers(app)
    register_blueprints(app)
    app.jinja_env.globals["current_user"] = current_user
    register_commands(app)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    # Forwarded headers are trusted for exactly the configured number of hops, and only here: with 0 a client
    # cannot forge its address, scheme or host by sending X-Forwarded-* itself. Behind a proxy, what they say
    # is believed only as far as ForwardedGuard allows: a path prefix, a configured public host, http(s).
    hops = app.config["GATEWAY_PROXY_HOPS"]
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        from app.settings.schema import BY_NAME
        from app.web.forwarded import ForwardedGuard, public_hosts

        # The schema's default base URL (the development server's) says nothing about the public address.
        base_url = app.config["GATEWAY_BASE_URL"]
        if base_url == BY_NAME["GATEWAY_BASE_URL"].parse(BY_NAME["GATEWAY_BASE_URL"].default):
            base_url = ""
        hosts = public_hosts(app.config["GATEWAY_PUBLIC_HOSTS"], base_url)
        if not hosts:
            app.logger.warning(
                "GATEWAY_PROXY_HOPS is %d but neither GATEWAY_PUBLIC_HOSTS nor GATEWAY_BASE_URL is set: "
                "X-Forwarded-Host is ignored, and URLs name the Host the proxy connects with",
                hops,
            )
        guarded = ForwardedGuard(app.wsgi_app, hosts)
        app.wsgi_app = ProxyFix(guarded, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)


def _configure_logging(app: Flask) -> None:
    # One line per record; audit lines are JSON already. On stdout under gunicorn and in containers, which collect
    # it; on stderr under the `flask` command (the app is built inside its click context), whose stdout carries
    # only the command's answer: launch-preview's or `--json`'s output must parse.
    if not logging.getLogger("tbook_gateway").handlers:
        under_cli = click.get_current_context(silent=True) is not None
        handler = logging.StreamHandler(sys.stderr if under_cli else sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        for name in ("tbook_gateway", "app"):
            logger = logging.getLogger(name)
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False


def _install_request_hooks(app: Flask) -> None:
    @app.before_request
    def _correlation_id() -> None:
        # Always the gateway's own: a client-chosen id would let two users' launches share one, and muddle the
        # audit trail. The client's X-Request-ID, when well-formed, is only echoed back for its own tracing.
        g.correlation_id = uuid.uuid4().hex
        supplied = request.headers.get("X-Request-ID", "")
        g.client_request_id = supplied if _SAFE_REQUEST_ID.match(supplied) else None

    @app.before_request
    def _refuse_nul() -> None:
        # No legitimate input holds NUL, and PostgreSQL text cannot store it: refuse it before it gets far.
        values = [request.path, *request.args.values()]
        if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
            values += list(request.form.values())
        if any("\x00" in value for value in values):
            abort(400, "The request contains a NUL character.")

    @app.after_request
    def _correlation_headers(response):
        response.headers["X-Correlation-ID"] = g.get("correlation_id", "")
        if g.get("client_request_id"):
            response.headers["X-Request-ID"] = g.client_request_id
        return response
