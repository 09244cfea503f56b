"""The gateway's T-book API client: one per credentials, with the shared token cache and audited refreshes."""

from __future__ import annotations

import hashlib
import threading

import httpx
from flask import current_app, g, has_request_context

from app import metrics
from app.services.audit import trail as audit
from app.settings import credentials
from app.store.token_cache import LEASE_SECONDS, database_store
from app.tbook import RetryPolicy, TBookClient
from app.tbook.auth import EventSink

_lock = threading.Lock()
# A readiness probe must answer quickly and never retry: the load balancer asks again soon anyway.
PROBE_RETRY = RetryPolicy(max_attempts=1)
PROBE_TIMEOUT = 3.0


def _on_event(name: str, **fields) -> None:
    if name == "token_refresh":
        audit.record(
            "token_refresh",
            "ok",
            correlation_id=g.get("correlation_id") if has_request_context() else None,
            detail={"reason": fields.get("reason"), "expires_in": fields.get("expires_in")},
        )
    metrics.on_tbook_event(name, **fields)


def _retry_policy(cfg) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=cfg["TBOOK_RETRY_ATTEMPTS"],
        base_delay=cfg["TBOOK_RETRY_BASE_DELAY"],
        max_delay=cfg["TBOOK_RETRY_MAX_DELAY"],
        max_total=cfg["TBOOK_RETRY_MAX_TOTAL"],
    )


def account_key(creds: credentials.TBookCredentials | None = None) -> str:
    """Return the name of the T-book account in force (API URL and client id, hashed): what is kept per account."""
    creds = creds or credentials.current()
    return "tbook:" + hashlib.sha256(f"{creds.api_url}|{creds.client_id}".encode()).hexdigest()[:40]


def client(*, probe: bool = False) -> TBookClient:
    """Return the client for the credentials in force (built once per credentials, then shared by threads).

    `probe`: one attempt and a short timeout, for readiness checks; it shares the token with the others.
    """
    creds = credentials.current()
    key = (creds.api_url, creds.client_id, hashlib.sha256(creds.client_secret.encode()).hexdigest(), probe)
    clients: dict = current_app.extensions.setdefault("tbook_clients", {})
    found = clients.get(key)
    if found is None:
        with _lock:
            found = clients.get(key)
            if found is None:
                cfg = current_app.config
                # The token row is named after the account, so new credentials never reuse an old token.
                row = account_key(creds)
                found = TBookClient(
                    creds.api_url,
                    creds.client_id,
                    creds.client_secret,
                    # A probe must answer fast: it does not queue long behind a worker fetching the token.
                    token_store=database_store(row, wait=PROBE_TIMEOUT if probe else LEASE_SECONDS, keep=not probe),
                    timeout=min(PROBE_TIMEOUT, cfg["TBOOK_TIMEOUT"]) if probe else cfg["TBOOK_TIMEOUT"],
                    retry=PROBE_RETRY if probe else _retry_policy(cfg),
                    on_event=_on_event,
                )
                # Credentials changed: drop the old clients (threads still using one finish with it).
                for stale in [k for k in clients if k[:3] != key[:3]]:
                    del clients[stale]
                clients[key] = found
    return found


def dedicated(*, transport: httpx.BaseTransport, on_event: EventSink) -> TBookClient:
    """Return a client of its own for the credentials in force (a sync run's, on its own transport); close it after.

    It shares the access token with every other client: the same database row as `client()`'s.
    """
    creds = credentials.current()
    cfg = current_app.config
    row = "tbook:" + hashlib.sha256(f"{creds.api_url}|{creds.client_id}".encode()).hexdigest()[:40]
    return TBookClient(
        creds.api_url,
        creds.client_id,
        creds.client_secret,
        token_store=database_store(row),
        timeout=cfg["TBOOK_TIMEOUT"],
        retry=_retry_policy(cfg),
        transport=transport,
        on_event=on_event,
    )
