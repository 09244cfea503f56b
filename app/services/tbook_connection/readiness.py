"""Readiness: the database answers and a T-book access token can be had; checked at most every few seconds."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from app.services.tbook_connection import clients as tbook_api
from app.settings import credentials
from app.store import database
from app.tbook import TBookError
from app.tbook.errors import TBookConnectionError

_CACHE_KEY = "tbook_gateway.readiness"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Readiness:
    """The outcome of one round of checks: each check's name and "ok" or what is wrong (never a secret)."""

    checks: dict[str, str]
    checked_at: float = field(compare=False)

    @property
    def ready(self) -> bool:
        return all(value == "ok" for value in self.checks.values())


class _Cache:
    """The last result of this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.result: Readiness | None = None


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
            cache.result = Readiness({"database": _database(), "tbook": _tbook_token()}, checked_at=now)
        return cache.result


def _database() -> str:
    try:
        database.ping()
    except SQLAlchemyError as err:
        # The driver's message may quote the URL; the exception's class says enough to a probe.
        return f"unreachable ({type(err.orig or err).__name__})"
    return "ok"


def _tbook_token() -> str:
    try:
        creds = credentials.current()  # the console's credentials live in the database too
        if not (creds.client_id and creds.client_secret):
            return "T-book API credentials are not configured"
        # The token every worker shares (database cache): a ready gateway usually needs no T-book call here.
        tbook_api.client(probe=True).get_token()
    except TBookError as err:
        return f"no access token: {_public(err)}"
    except SQLAlchemyError:
        return "not checked: the credentials and the shared token cache are in the database, which is unreachable"
    return "ok"


def _public(err: TBookError) -> str:
    """Say what went wrong in the gateway's words: /readyz answers anyone, and T-book's own text is not theirs.

    The whole message (redacted of secrets by the client) goes to the log, for the operator.
    """
    log.warning("readiness: no T-book access token: %s", err)
    if isinstance(err, TBookConnectionError):
        return str(err)  # the gateway's own words: refused, timed out, another worker holds the lease
    return f"{err.summary} (HTTP {err.status})" if err.status else err.summary
