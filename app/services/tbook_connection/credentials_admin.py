"""Changing the T-book credentials from the console, audited with secrets masked, and checking them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete

from app.errors import FieldProblem, Invalid
from app.services.audit import trail as audit
from app.settings.credentials import ENVIRONMENTS, SECRETS, current, resolve
from app.settings.precedence import ENVIRONMENT
from app.store import console_settings as settings_store
from app.store import db
from app.store.models import TokenCache
from app.tbook import RetryPolicy, TBookClient, TBookError

EDITABLE = ("TBOOK_ENV", "TBOOK_CLIENT_ID", "TBOOK_CLIENT_SECRET", "TBOOK_LTI_KEY", "TBOOK_LTI_SECRET")
MAX_LENGTH = 500


class CredentialsError(Invalid):
    """A credential cannot be saved as asked; `name` is the setting, the message says why (never its value)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message, problems=[FieldProblem(name, message)])
        self.name = name


@dataclass(frozen=True)
class ConnectionReport:
    ok: bool
    message: str


def _shown(name: str, value: str | None) -> str | None:
    if not value:
        return None
    return audit.MASK if name in SECRETS else value


def _plan(values: Mapping[str, str], remove: set[str]) -> tuple[dict[str, str], list[str]]:
    """Return the values to write and the names to drop; raise CredentialsError before anything is written."""
    before = resolve()
    writes: dict[str, str] = {}
    drops: list[str] = []
    for name in EDITABLE:
        value = (values.get(name) or "").strip()
        stored = before[name].stored
        if name in remove and stored is not None:
            drops.append(name)
            continue
        if not value or (stored is not None and stored.value == value):
            continue
        if before[name].source == ENVIRONMENT:
            raise CredentialsError(name, f"{name} is set by the environment; change it there.")
        if name == "TBOOK_ENV" and value not in ENVIRONMENTS:
            raise CredentialsError(name, "the environment must be sandbox, test or live")
        if len(value) > MAX_LENGTH:
            raise CredentialsError(name, f"is longer than {MAX_LENGTH} characters")
        if name in SECRETS and (problem := settings_store.encryption_problem()):
            raise CredentialsError(name, f"{problem} {settings_store.KEY_HINT}")
        writes[name] = value
    return writes, drops


def save(values: Mapping[str, str], remove: set[str], *, actor: str) -> list[str]:
    """Store the non-empty `values` and drop the `remove` names; commit and return the names changed.

    An empty secret means "keep the stored one". Raises CredentialsError, with nothing written and nothing in
    force, for a value set by the environment, a bad environment name, or a secret without an encryption key.
    """
    # Every field is checked before the first write: a form refused on its last field changes nothing.
    writes, drops = _plan(values, remove)
    changed = [name for name in EDITABLE if name in writes or name in drops]
    if not changed:
        return changed
    before = resolve()
    try:
        for name in drops:
            settings_store.remove(name)
        for name, value in writes.items():
            settings_store.put(name, value, secret=name in SECRETS, actor=actor)
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
    except Exception:
        db.session.rollback()
        raise
    finally:
        settings_store.invalidate()
    return changed


def check_connection(*, actor: str, correlation_id: str | None = None) -> ConnectionReport:
    """Call getClient with the credentials in force; return what happened in plain words (audited)."""
    creds = current()
    if not creds.client_id or not creds.client_secret:
        report = ConnectionReport(False, "The client id and client secret are not both set yet.")
    else:
        # One attempt, short backoff: an admin waits on the page for this answer.
        retry = RetryPolicy(max_attempts=1)
        timeout = current_app.config["TBOOK_TIMEOUT"]
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
