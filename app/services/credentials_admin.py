"""Changing the T-book credentials from the console, audited with secrets masked, and checking them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete

from app.extensions import db
from app.models import TokenCache
from app.services import audit, settings_store
from app.services.credentials import ENVIRONMENTS, SECRETS, current, resolve
from app.tbook import RetryPolicy, TBookClient, TBookError

EDITABLE = ("TBOOK_ENV", "TBOOK_CLIENT_ID", "TBOOK_CLIENT_SECRET", "TBOOK_LTI_KEY", "TBOOK_LTI_SECRET")
MAX_LENGTH = 500


class CredentialsError(ValueError):
    """A credential cannot be saved as asked; `name` is the setting, the message says why."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass(frozen=True)
class ConnectionReport:
    ok: bool
    message: str


def _shown(name: str, value: str | None) -> str | None:
    if not value:
        return None
    return audit.MASK if name in SECRETS else value


def save(values: Mapping[str, str], remove: set[str], *, actor: str) -> list[str]:
    """Store the non-empty `values` and drop the `remove` names; commit and return the names changed.

    An empty secret means "keep the stored one". Raises CredentialsError (nothing written) for a value set
    by the environment, a bad environment name, or a secret without an encryption key.
    """
    explicit = current_app.config.get("GATEWAY_EXPLICIT_SETTINGS", frozenset())
    before = resolve()
    changed: list[str] = []
    for name in EDITABLE:
        value = (values.get(name) or "").strip()
        stored = before[name].stored
        if name in remove and stored is not None:
            settings_store.remove(name)
            changed.append(name)
            continue
        if not value or (stored is not None and stored.value == value):
            continue
        if name in explicit:
            raise CredentialsError(name, f"{name} is set by the environment; change it there.")
        if name == "TBOOK_ENV" and value not in ENVIRONMENTS:
            raise CredentialsError(name, "the environment must be sandbox, test or live")
        if len(value) > MAX_LENGTH:
            raise CredentialsError(name, f"is longer than {MAX_LENGTH} characters")
        try:
            settings_store.put(name, value, secret=name in SECRETS, actor=actor)
        except settings_store.EncryptionUnavailable as err:
            db.session.rollback()
            raise CredentialsError(name, f"{err} {settings_store.KEY_HINT}") from err
        changed.append(name)
    if not changed:
        return changed
    after = resolve()
    if {"TBOOK_ENV", "TBOOK_CLIENT_ID", "TBOOK_CLIENT_SECRET"} & set(changed):
        # A token obtained for the old client account must not serve the new one.
        db.session.execute(delete(TokenCache))
    audit.record(
        "credentials_update",
        "ok",
        actor=actor,
        detail={
            "changed": changed,
            "before": {n: _shown(n, before[n].value) for n in changed},
            "after": {n: _shown(n, after[n].value) for n in changed},
        },
        commit=False,
    )
    db.session.commit()
    return changed


def check_connection(*, actor: str, correlation_id: str | None = None) -> ConnectionReport:
    """Call getClient with the credentials in force; return what happened in plain words (audited)."""
    creds = current()
    if not creds.client_id or not creds.client_secret:
        report = ConnectionReport(False, "The client id and client secret are not both set yet.")
    else:
        # One attempt, short backoff: an admin waits on the page for this answer.
        retry = RetryPolicy(max_attempts=1)
        timeout = float(current_app.config.get("TBOOK_TIMEOUT", 10))
        try:
            with TBookClient(creds.api_url, creds.client_id, creds.client_secret, timeout=timeout, retry=retry) as api:
                info = api.get_client()
            report = ConnectionReport(True, f"Connected to T-book ({creds.env}) as {info.name}.")
        except TBookError as err:
            report = ConnectionReport(False, err.message)
    audit.record(
        "credentials_check",
        "ok" if report.ok else "error",
        actor=actor,
        correlation_id=correlation_id,
        detail={"env": creds.env, "api_url": creds.api_url, "message": report.message},
    )
    return report
