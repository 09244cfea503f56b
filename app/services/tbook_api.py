"""The gateway's T-book API client: one per credentials, with the shared token cache and audited refreshes."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable

from flask import current_app, g, has_request_context

from app.extensions import db
from app.services import audit, credentials
from app.services.token_cache import database_store
from app.tbook import RetryPolicy, TBookClient

log = logging.getLogger("tbook_gateway.tbook")
_lock = threading.Lock()
# Listeners for the client's events (metrics register here); each gets (name, **fields) and must not raise.
event_listeners: list[Callable[..., None]] = []


def _on_event(name: str, **fields) -> None:
    if name == "token_refresh":
        audit.record(
            "token_refresh",
            "ok",
            correlation_id=g.get("correlation_id") if has_request_context() else None,
            detail={"reason": fields.get("reason"), "expires_in": fields.get("expires_in")},
        )
    for listener in event_listeners:
        try:
            listener(name, **fields)
        except Exception:  # noqa: BLE001 - a broken listener must not break a learner's launch
            log.exception("T-book event listener failed on %s", name)


def _retry_policy(cfg) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=cfg["TBOOK_RETRY_ATTEMPTS"],
        base_delay=cfg["TBOOK_RETRY_BASE_DELAY"],
        max_delay=cfg["TBOOK_RETRY_MAX_DELAY"],
        max_total=cfg["TBOOK_RETRY_MAX_TOTAL"],
    )


def client() -> TBookClient:
    """Return the client for the credentials in force (built once per credentials, then shared by threads)."""
    creds = credentials.current()
    key = (creds.api_url, creds.client_id, hashlib.sha256(creds.client_secret.encode()).hexdigest())
    clients: dict = current_app.extensions.setdefault("tbook_clients", {})
    found = clients.get(key)
    if found is None:
        with _lock:
            found = clients.get(key)
            if found is None:
                cfg = current_app.config
                # The token row is named after the account, so new credentials never reuse an old token.
                row = "tbook:" + hashlib.sha256(f"{creds.api_url}|{creds.client_id}".encode()).hexdigest()[:40]
                found = TBookClient(
                    creds.api_url,
                    creds.client_id,
                    creds.client_secret,
                    token_store=database_store(db.engine, row),
                    timeout=cfg["TBOOK_TIMEOUT"],
                    retry=_retry_policy(cfg),
                    on_event=_on_event,
                )
                # Credentials changed: drop the old client (threads still using it finish with it).
                clients.clear()
                clients[key] = found
    return found
