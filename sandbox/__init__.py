"""T-book sandbox: a Flask app that emulates T-book's API and LTI endpoint for demos and tests."""

from __future__ import annotations

import os
import secrets
import time

from flask import Flask

from sandbox import api, control, errors, forms, lti, pages, traffic, variants
from sandbox.state import SandboxState

#: Settings and their defaults; the environment overrides these and ``config`` overrides both.
DEFAULTS: dict[str, str | int | float] = {
    "SANDBOX_CLIENT_ID": "sandbox-client",
    "SANDBOX_CLIENT_SECRET": "sandbox-secret",
    "SANDBOX_LTI_KEY": "sandbox-client",
    "SANDBOX_LTI_SECRET": "sandbox-lti-secret",
    "SANDBOX_TOKEN_TTL": 3600,
    "SANDBOX_AUTH_URL_TTL": 60,
    # Where tbook-api.md is silent or ambiguous, how this sandbox answers (sandbox/variants.py).
    **{variant.setting: variant.default for variant in variants.VARIANTS},
    # Seconds every API answer is delayed by, as a distant T-book would be (100-300 ms over the internet).
    "SANDBOX_LATENCY": 0.0,
}


def _settings(config: dict) -> dict:
    settings: dict = {}
    for name, default in DEFAULTS.items():
        value = config.get(name, os.environ.get(name, default))
        settings[name] = type(default)(value)
    variants.check(settings)
    if not 0 <= settings["SANDBOX_LATENCY"] <= 60:
        raise ValueError("SANDBOX_LATENCY must be between 0 and 60 seconds")
    return settings


def create_app(config: dict | None = None) -> Flask:
    """Return a sandbox app; ``config`` may also set ``SANDBOX_CLOCK`` (a ``time.time``-like callable).

    Raises ValueError for a variant setting (``SANDBOX_WRITE_ANSWER``, ...) outside its choices.
    """
    config = dict(config or {})
    app = Flask(__name__)
    app.request_class = forms.SandboxRequest
    app.config.update(
        # A fresh key per process: sandbox sessions do not need to survive a restart.
        SECRET_KEY=secrets.token_hex(32),
        # The gateway runs on the same host with Flask's default cookie name; keep the two apart.
        SESSION_COOKIE_NAME="tbook_sandbox_session",
    )
    app.json.sort_keys = False  # answer in the field order of tbook-api.md's examples
    app.config.update(config)
    app.config.update(_settings(config))
    clock = config.get("SANDBOX_CLOCK", time.time)
    app.extensions["tbook_sandbox"] = SandboxState.create(app.config, clock)
    errors.init_app(app)
    traffic.init_app(app)
    for blueprint in (api.bp, lti.bp, pages.bp, control.bp):
        app.register_blueprint(blueprint)
    return app
