"""Readiness: the database answers and a T-book access token can be had; checked at most every few seconds."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import metrics
from app.extensions import db
from app.services import credentials
from app.tbook import MemoryTokenStore, RetryPolicy, TBookClient, TBookError

_CACHE_KEY = "tbook_gateway.readiness"
# A probe must answer quickly and never retry: the load balancer asks again soon anyway.
_PROBE_RETRY = RetryPolicy(max_attempts=1)
_PROBE_TIMEOUT = 3.0


@dataclass(frozen=True)
class Readiness:
    """The outcome of one round of checks: each check's name and "ok" or what is wrong (never a secret)."""

    checks: dict[str, str]
    checked_at: float = field(compare=False)

    @property
    def ready(self) -> bool:
        return all(value == "ok" for value in self.checks.values())


class _Cache:
    """The last result of this process, and the T-book client its token check uses."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.result: Readiness | None = None
        self.client: TBookClient | None = None
        self.client_for: tuple[str, str, str] | None = None


def _cache(app: Flask) -> _Cache:
    return app.extensions.setdefault(_CACHE_KEY, _Cache())


def current() -> Readiness:
    """Return this process's readiness, re-checked when the cached result is older than the configured TTL."""
    app = current_app._get_current_object()
    ttl = app.config["GATEWAY_READY_CACHE_SECONDS"]
    cache = _cache(app)
    with cache.lock:  # one check at a time per process; the others wait for and reuse its result
        now = time.monotonic()
        if cache.result is None or now - cache.result.checked_at >= ttl:
            cache.result = Readiness({"database": _database(), "tbook": _tbook_token(cache)}, checked_at=now)
        return cache.result


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as err:
        # The driver's message may quote the URL; the exception's class says enough to a probe.
        return f"unreachable ({type(err.orig or err).__name__})"
    finally:
        db.session.remove()
    return "ok"


def _tbook_token(cache: _Cache) -> str:
    creds = credentials.current()
    if not (creds.client_id and creds.client_secret):
        return "T-book API credentials are not configured"
    wanted = (creds.api_url, creds.client_id, creds.client_secret)
    if cache.client is None or cache.client_for != wanted:
        # One token per process until the database token store shares it between workers and instances.
        if cache.client is not None:
            cache.client.close()
        cache.client_for = wanted
        cache.client = TBookClient(
            creds.api_url,
            creds.client_id,
            creds.client_secret,
            token_store=MemoryTokenStore(),
            timeout=min(_PROBE_TIMEOUT, current_app.config["TBOOK_TIMEOUT"]),
            retry=_PROBE_RETRY,
            on_event=metrics.on_tbook_event,
        )
    try:
        cache.client.get_token()
    except TBookError as err:
        # TBookError messages are redacted by the client (no secret, no token).
        return f"no access token: {err}"
    return "ok"
