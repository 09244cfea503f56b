"""Settings at start-up: the declared names, from the environment (and `.env`) and create_app's config, typed."""

from __future__ import annotations

import difflib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.settings.kinds import ConfigError
from app.settings.precedence import DEFAULT, TBOOK_SETTINGS, Resolved, pick, resolve_tbook
from app.settings.schema import BY_NAME, SETTINGS, TBOOK_URLS, Setting, is_flask_key

__all__ = ["TBOOK_URLS", "ConfigError", "LoadedSettings", "load_settings"]

# Refuse a larger body (413) before reading it: the CSV import's 50 MiB plus the form around it.
MAX_REQUEST_BYTES = 51 * 1024 * 1024


@dataclass(frozen=True)
class LoadedSettings:
    """`config` goes to app.config; `tbook_given` holds T-book's settings that the environment or create_app's
    config gave (typed, empty ones included): they win over the admin console, request after request."""

    config: dict[str, Any]
    tbook_given: Mapping[str, Any]


def load_settings(overrides: Mapping[str, Any] | None, instance_path: str) -> LoadedSettings:
    """Read every declared setting: create_app's `overrides` > environment > the schema's defaults.

    Only declared names are read from the environment. `overrides` take the environment's names; Flask's own keys
    (TESTING, WTF_CSRF_ENABLED...) pass through to app.config as given. Raises ConfigError naming the setting
    when a name is unknown, a value malformed, or a production gateway lacks a secret.
    """
    overrides = dict(overrides or {})
    flask_keys = _flask_keys(overrides)
    given = _given(os.environ, overrides)
    # Typed in the schema's order, so that the first malformed setting is the one named.
    given = {s.name: s.parse(given[s.name]) if given[s.name] != "" else "" for s in SETTINGS if s.name in given}

    # The console is not read here: the database may not exist yet (`flask db upgrade` builds the app too).
    settings: dict[str, Any] = {name: resolved.value for name, resolved in resolve_tbook(given, {}).items()}
    for setting in SETTINGS:
        if setting.name not in settings:
            default = Resolved(setting.name, setting.parse(setting.default), DEFAULT)
            settings[setting.name] = pick(setting.name, given, {}, default).value

    production = (
        settings["TBOOK_ENV"] in ("test", "live") and not settings["FLASK_DEBUG"] and not flask_keys.get("TESTING")
    )
    # Without the portal's key no signed link can be checked, in development as in production.
    if "signed-link" in settings["GATEWAY_AUTH"] and not settings["GATEWAY_LINK_SECRET"]:
        raise ConfigError("GATEWAY_LINK_SECRET is not set, and GATEWAY_AUTH includes signed-link")
    if production:
        _require_production_secrets(settings)

    settings.update(
        {
            "PRODUCTION": production,
            "SECRET_KEY": settings["SECRET_KEY"] or _development_secret_key(instance_path),
            "SQLALCHEMY_DATABASE_URI": _database_url(settings["DATABASE_URL"], instance_path),
            # Pooled server connections are pinged after being idle, not before every use (app/store/engine.py).
            "SQLALCHEMY_ENGINE_OPTIONS": _pool_options(
                _database_url(settings["DATABASE_URL"], instance_path), settings
            ),
            "MAX_CONTENT_LENGTH": MAX_REQUEST_BYTES,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": production,
        }
    )
    settings.update(flask_keys)
    return LoadedSettings(settings, {name: given[name] for name in TBOOK_SETTINGS if name in given})


def _flask_keys(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Return the Flask keys of `overrides`; raise ConfigError naming any name neither declared nor Flask's."""
    known = set(BY_NAME) | {f"{s.name}_FILE" for s in SETTINGS if s.file}
    unknown = sorted(str(name) for name in overrides if name not in known and not is_flask_key(str(name)))
    if unknown:
        hints = [
            f"{name} (did you mean {close[0]}?)"
            for name in unknown
            if (close := difflib.get_close_matches(name, known, 1))
        ]
        raise ConfigError(
            f"unknown settings: {', '.join(unknown)}. The gateway reads the names app/settings/schema.py declares"
            + (f"; {', '.join(hints)}" if hints else "")
            + "."
        )
    return {name: value for name, value in overrides.items() if name not in known}


def _given(environ: Mapping[str, str], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Return each declared setting that create_app's config or the environment gives, config first.

    An empty environment variable counts as unset (a `.env` copied from config/example.env leaves most names
    empty); a name create_app's config gives empty stays, empty, and hides the environment's.
    """
    given: dict[str, Any] = {}
    environment = {name: value for name, value in environ.items() if value != ""}
    for setting in SETTINGS:
        for layer in (overrides, environment):
            value = _from(layer, setting)
            if value is not None:
                given[setting.name] = value
                break
    return given


def _from(layer: Mapping[str, Any], setting: Setting) -> Any:
    """Return the setting's value in `layer`: the plain name, else `<NAME>_FILE`'s content; None if neither."""
    value = layer.get(setting.name)
    if value not in (None, ""):
        return value
    path = layer.get(f"{setting.name}_FILE") if setting.file else None
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as err:
            raise ConfigError(f"{setting.name}_FILE points at {path!r}, which cannot be read: {err.strerror}") from err
    return value


def _require_production_secrets(settings: Mapping[str, Any]) -> None:
    if not settings["SECRET_KEY"]:
        raise ConfigError("SECRET_KEY is not set: a production gateway never signs sessions with a built-in key")
    # T-book credentials come from the environment, or from the admin console, encrypted at rest with
    # GATEWAY_ENCRYPTION_KEY; one of the two must be there.
    if not settings["GATEWAY_ENCRYPTION_KEY"]:
        for name in ("TBOOK_CLIENT_ID", "TBOOK_CLIENT_SECRET", "TBOOK_LTI_SECRET"):
            if not settings[name]:
                raise ConfigError(
                    f"{name} is not set (set it, or set GATEWAY_ENCRYPTION_KEY to keep the T-book "
                    "credentials in the admin console)"
                )


def _development_secret_key(instance_path: str) -> str:
    """Return this installation's own development key, made once in instance/ (production requires SECRET_KEY).

    Kept in a file rather than made per process: every worker of a development server, and every restart, then
    reads the same sessions and return references.
    """
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        try:
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
                handle.write(key)
        except FileExistsError:  # another worker made it first
            return path.read_text(encoding="ascii").strip()
        return key


def _pool_options(database_url: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Return the engine's pool options: DATABASE_POOL_SIZE connections kept per process.

    config/gunicorn.conf.py sets it to a worker's threads, each of which holds at most one connection at a time.
    """
    if database_url.startswith("sqlite") and (":memory:" in database_url or database_url == "sqlite://"):
        return {}  # one shared in-memory connection: there is no pool to size
    return {"pool_size": settings["DATABASE_POOL_SIZE"]}


def _database_url(url: str | None, instance_path: str) -> str:
    if not url:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{Path(instance_path) / 'gateway.db'}"
    # Heroku-style URLs name the driver `postgres://`; SQLAlchemy wants psycopg 3 named explicitly.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
