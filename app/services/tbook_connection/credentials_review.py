"""New credentials reviewed before they are saved: checked against T-book, an environment switch spelled out,
and sealed so that a deliberate second click saves exactly what was reviewed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.errors import Invalid
from app.services.tbook_connection import connection_check, credentials_admin
from app.services.tbook_connection.connection_check import ConnectionReport
from app.settings import credentials
from app.settings.credentials import SECRETS
from app.settings.precedence import Resolved
from app.store.secrets_box import EncryptionUnavailable, cipher

SALT = "tbook-gateway.credentials-review"
MAX_AGE = 600  # seconds an admin has to confirm what was reviewed


class ReviewExpired(Invalid):
    """The reviewed values cannot be saved by a second click any more (too old, another admin, altered)."""


@dataclass(frozen=True)
class EnvironmentSwitch:
    """A change of TBOOK_ENV: each URL and credential as it is now and as it would be (`changes`)."""

    before: str
    after: str
    changes: tuple[tuple[str, str, str], ...]  # (setting, now, after): URLs, and credentials shown masked

    @property
    def sandbox_defaults_dropped(self) -> bool:
        return any("sandbox default" in now and "sandbox default" not in after for _, now, after in self.changes)


@dataclass(frozen=True)
class Review:
    """The check of the credentials a save would put in force, and what a second click sends to save them."""

    changed: list[str]
    report: ConnectionReport
    switch: EnvironmentSwitch | None
    sealed: str

    @property
    def needs_confirmation(self) -> bool:
        return self.switch is not None or not self.report.ok


def review(values: Mapping[str, str], remove: set[str], *, actor: str, correlation_id: str | None) -> Review | None:
    """Check what saving `values` and removing `remove` would put in force; None when nothing would change.

    Writes nothing but the check's audit event. Raises CredentialsError as `credentials_admin.save` would.
    """
    change = credentials_admin.plan(values, remove)
    if not change.changed:
        return None
    report = connection_check.check(
        credentials_admin.candidate(change, actor=actor), actor=actor, correlation_id=correlation_id
    )
    return Review(change.changed, report, _switch(change, actor), _seal(change, actor))


def _shown(setting: Resolved) -> str:
    if not setting.value:
        return "not set"
    return f"{'set' if setting.secret else setting.value} ({setting.source})"


def _switch(change: credentials_admin.Plan, actor: str) -> EnvironmentSwitch | None:
    stored = credentials_admin.stored_after(change, actor=actor)
    now, after = credentials.resolve(), credentials.resolve(stored)
    if now["TBOOK_ENV"].value == after["TBOOK_ENV"].value:
        return None
    creds_now, creds_after = credentials.current(), credentials.in_force(stored)
    changes = [("API URL", creds_now.api_url, creds_after.api_url), ("LTI URL", creds_now.lti_url, creds_after.lti_url)]
    changes += [(name, _shown(now[name]), _shown(after[name])) for name in credentials_admin.EDITABLE[1:]]
    return EnvironmentSwitch(creds_now.env, creds_after.env, tuple(changes))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _seal(change: credentials_admin.Plan, actor: str) -> str:
    """Return the planned change, signed, its secrets encrypted (a plan holds secrets only when a key is set)."""
    writes = {
        name: cipher().encrypt(value.encode()).decode() if name in SECRETS else value
        for name, value in change.writes.items()
    }
    return _serializer().dumps({"by": actor, "writes": writes, "drops": change.drops})


def unseal(sealed: str, *, actor: str) -> tuple[dict[str, str], set[str]]:
    """Return the values and removals a review sealed for `actor`; raises ReviewExpired."""
    try:
        data = _serializer().loads(sealed, max_age=MAX_AGE)
        if data["by"] != actor:
            raise ReviewExpired("These values were reviewed by another admin: type them again.")
        writes = {
            name: cipher().decrypt(value.encode()).decode() if name in SECRETS else value
            for name, value in data["writes"].items()
        }
    except (BadSignature, InvalidToken, EncryptionUnavailable, KeyError, TypeError) as err:
        raise ReviewExpired(
            f"The reviewed values are older than {MAX_AGE // 60} minutes, or the key changed: type them again."
        ) from err
    return writes, set(data["drops"])
