"""Settings: read once from the environment (and `.env`), typed, checked, then kept in `app.config`."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TBOOK_URLS = {
    "test": "https://test.t-book.fr/api",
    "live": "https://t-book.fr/api",
    "sandbox": "http://127.0.0.1:5050/api",
}
SANDBOX_CREDENTIALS = {
    "TBOOK_CLIENT_ID": "sandbox-client",
    "TBOOK_CLIENT_SECRET": "sandbox-secret",
    "TBOOK_LTI_SECRET": "sandbox-lti-secret",
}
AUTH_METHODS = ("local", "header", "signed-link")
SECRET_NAMES = (
    "SECRET_KEY",
    "TBOOK_CLIENT_SECRET",
    "TBOOK_LTI_SECRET",
    "GATEWAY_ENCRYPTION_KEY",
    "GATEWAY_LINK_SECRET",
)
DEFAULTS: dict[str, Any] = {
    "TBOOK_ENV": "sandbox",
    "GATEWAY_AUTH": "local",
    "GATEWAY_USER_HEADER": "X-Remote-User",
    "GATEWAY_TRUSTED_PROXIES": "127.0.0.1,::1",
    "GATEWAY_ADMINS": "",
    "GATEWAY_SIGNED_LINK_MAX_AGE": "120",
    "GATEWAY_INSTANCE_NAME": "T-book Gateway",
    "GATEWAY_LOCALE": "fr-FR",
    "GATEWAY_PROXY_HOPS": "0",
    "TBOOK_TIMEOUT": "10",
    "TBOOK_RETRY_ATTEMPTS": "4",
    "TBOOK_RETRY_BASE_DELAY": "0.25",
    "TBOOK_RETRY_MAX_DELAY": "4",
    "TBOOK_RETRY_MAX_TOTAL": "15",
    "GATEWAY_SIGNIN_MAX_FAILURES": "5",
    "GATEWAY_SIGNIN_MAX_FAILURES_PER_ADDRESS": "100",
    "GATEWAY_SIGNIN_WINDOW_MINUTES": "15",
    "GATEWAY_READY_CACHE_SECONDS": "5",
}
# The settings an admin may also set in the console; the environment (or create_app's config) wins.
CONSOLE_SETTINGS = ("TBOOK_ENV", "TBOOK_CLIENT_ID", "TBOOK_CLIENT_SECRET", "TBOOK_LTI_KEY", "TBOOK_LTI_SECRET")

MAX_REQUEST_BYTES = 51 * 1024 * 1024


class ConfigError(RuntimeError):
    """The settings cannot run the gateway; the message names the setting to fix."""


def _split(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def _read_secret_files(raw: dict[str, Any]) -> None:
    """Each secret may come from `<NAME>_FILE` (Docker and Kubernetes secrets); the plain name wins."""
    for name in SECRET_NAMES + ("TBOOK_CLIENT_ID", "TBOOK_LTI_KEY", "DATABASE_URL"):
        path = raw.get(f"{name}_FILE")
        if path and not raw.get(name):
            try:
                raw[name] = Path(path).read_text(encoding="utf-8").strip()
            except OSError as err:
                raise ConfigError(f"{name}_FILE points at {path!r}, which cannot be read: {err.strerror}") from err


def load_settings(overrides: Mapping[str, Any] | None, instance_path: str) -> dict[str, Any]:
    """Merge defaults < environment < `overrides` and return typed settings.

    Raises ConfigError when a production gateway lacks a secret or a value is malformed.
    """
    raw: dict[str, Any] = dict(DEFAULTS)
    raw.update({k: v for k, v in os.environ.items() if v != ""})
    raw.update(overrides or {})
    _read_secret_files(raw)
    # Which console settings the operator set explicitly, before defaults fill the gaps: those win over
    # the admin console, and the console shows them as "set by the environment".
    given = {**{k: v for k, v in os.environ.items() if v != ""}, **(overrides or {})}
    explicit = frozenset(
        name
        for name in CONSOLE_SETTINGS + ("TBOOK_API_URL", "TBOOK_LTI_URL")
        if given.get(name) or given.get(f"{name}_FILE")
    )

    env = str(raw["TBOOK_ENV"]).lower()
    if env not in TBOOK_URLS:
        raise ConfigError(f"TBOOK_ENV must be sandbox, test or live, not {raw['TBOOK_ENV']!r}")
    debug = str(raw.get("FLASK_DEBUG", "")).lower() in ("1", "true", "yes")
    production = env in ("test", "live") and not debug and not raw.get("TESTING")

    auth = _split(raw["GATEWAY_AUTH"])
    unknown = [m for m in auth if m not in AUTH_METHODS]
    if not auth or unknown:
        raise ConfigError(f"GATEWAY_AUTH takes a comma list of {', '.join(AUTH_METHODS)}; got {raw['GATEWAY_AUTH']!r}")

    # Without the portal's key no signed link can be checked, in development as in production.
    if "signed-link" in auth and not raw.get("GATEWAY_LINK_SECRET"):
        raise ConfigError("GATEWAY_LINK_SECRET is not set, and GATEWAY_AUTH includes signed-link")
    if env == "sandbox":
        for name, value in SANDBOX_CREDENTIALS.items():
            raw.setdefault(name, value)
    if production:
        _require_production_secrets(raw, auth)

    database_url = _database_url(raw.get("DATABASE_URL"), instance_path)
    api_url = _checked_url("TBOOK_API_URL", str(raw.get("TBOOK_API_URL") or TBOOK_URLS[env]).rstrip("/"))
    if raw.get("TBOOK_LTI_URL"):
        _checked_url("TBOOK_LTI_URL", str(raw["TBOOK_LTI_URL"]))
    client_id = raw.get("TBOOK_CLIENT_ID") or ""
    settings = {key: value for key, value in raw.items() if key.isupper() and key.replace("_", "").isalnum()}
    settings.update(
        {
            "TBOOK_ENV": env,
            "PRODUCTION": production,
            "TBOOK_API_URL": api_url,
            "TBOOK_LTI_URL": str(raw.get("TBOOK_LTI_URL") or f"{api_url}/lti"),
            "TBOOK_CLIENT_ID": client_id,
            "TBOOK_LTI_KEY": raw.get("TBOOK_LTI_KEY") or client_id,
            "TBOOK_TIMEOUT": float(raw["TBOOK_TIMEOUT"]),
            "TBOOK_RETRY_ATTEMPTS": int(raw["TBOOK_RETRY_ATTEMPTS"]),
            "TBOOK_RETRY_BASE_DELAY": float(raw["TBOOK_RETRY_BASE_DELAY"]),
            "TBOOK_RETRY_MAX_DELAY": float(raw["TBOOK_RETRY_MAX_DELAY"]),
            "TBOOK_RETRY_MAX_TOTAL": float(raw["TBOOK_RETRY_MAX_TOTAL"]),
            "GATEWAY_READY_CACHE_SECONDS": float(raw["GATEWAY_READY_CACHE_SECONDS"]),
            "SECRET_KEY": raw.get("SECRET_KEY") or _development_secret_key(instance_path),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "GATEWAY_AUTH": auth,
            "GATEWAY_TRUSTED_PROXIES": frozenset(_split(raw["GATEWAY_TRUSTED_PROXIES"])),
            "GATEWAY_ADMINS": frozenset(login.lower() for login in _split(raw["GATEWAY_ADMINS"])),
            "GATEWAY_SIGNED_LINK_MAX_AGE": int(raw["GATEWAY_SIGNED_LINK_MAX_AGE"]),
            "GATEWAY_EXPLICIT_SETTINGS": explicit,
            "GATEWAY_SIGNIN_MAX_FAILURES": int(raw["GATEWAY_SIGNIN_MAX_FAILURES"]),
            "GATEWAY_SIGNIN_MAX_FAILURES_PER_ADDRESS": int(raw["GATEWAY_SIGNIN_MAX_FAILURES_PER_ADDRESS"]),
            "GATEWAY_SIGNIN_WINDOW_MINUTES": int(raw["GATEWAY_SIGNIN_WINDOW_MINUTES"]),
            "GATEWAY_PROXY_HOPS": _proxy_hops(raw["GATEWAY_PROXY_HOPS"]),
            # Refuse a larger body (413) before reading it: the CSV import's 50 MiB plus the form around it.
            "MAX_CONTENT_LENGTH": MAX_REQUEST_BYTES,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": production,
            # Pooled server connections are pinged after being idle, not before every use (app/__init__.py).
            "SQLALCHEMY_ENGINE_OPTIONS": {},
        }
    )
    return settings


def _require_production_secrets(raw: Mapping[str, Any], auth: list[str]) -> None:
    if not raw.get("SECRET_KEY"):
        raise ConfigError("SECRET_KEY is not set: a production gateway never signs sessions with a built-in key")
    # T-book credentials come from the environment, or from the admin console, encrypted at rest with
    # GATEWAY_ENCRYPTION_KEY; one of the two must be there.
    if not raw.get("GATEWAY_ENCRYPTION_KEY"):
        for name in ("TBOOK_CLIENT_ID", "TBOOK_CLIENT_SECRET", "TBOOK_LTI_SECRET"):
            if not raw.get(name):
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


def _checked_url(name: str, url: str) -> str:
    """Return `url` when it is an absolute http(s) URL whose query decodes; else ConfigError naming `name`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} must be an absolute http(s) URL, not {url!r}")
    try:
        parse_qsl(parts.query, strict_parsing=bool(parts.query), errors="strict")
    except (ValueError, UnicodeDecodeError) as err:
        raise ConfigError(f"{name} has a malformed query string ({err}): {url!r}") from err
    if re.search(r"%(?![0-9A-Fa-f]{2})", url):
        raise ConfigError(f"{name} has a stray % (write %25 for a percent sign): {url!r}")
    return url


def _proxy_hops(value: Any) -> int:
    try:
        hops = int(value)
    except (TypeError, ValueError):
        hops = -1
    if hops < 0:
        raise ConfigError(f"GATEWAY_PROXY_HOPS is the number of reverse proxies in front (0, 1, 2...), not {value!r}")
    return hops


def _database_url(url: str | None, instance_path: str) -> str:
    if not url:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{Path(instance_path) / 'gateway.db'}"
    # Heroku-style URLs name the driver `postgres://`; SQLAlchemy wants psycopg 3 named explicitly.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
