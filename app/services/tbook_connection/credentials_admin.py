"""Changing the T-book credentials from the console: planned and checked before anything is written, audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app import store
from app.errors import FieldProblem, Invalid
from app.services.audit import trail as audit
from app.settings.credentials import ENVIRONMENTS, SECRETS, TBookCredentials, in_force, resolve
from app.settings.precedence import ENVIRONMENT
from app.store import console_settings as settings_store
from app.store import token_cache
from app.store.models import utcnow

EDITABLE = ("TBOOK_ENV", "TBOOK_CLIENT_ID", "TBOOK_CLIENT_SECRET", "TBOOK_LTI_KEY", "TBOOK_LTI_SECRET")
MAX_LENGTH = 500


class CredentialsError(Invalid):
    """A credential cannot be saved as asked; `name` is the setting, the message says why (never its value)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message, problems=[FieldProblem(name, message)])
        self.name = name


@dataclass(frozen=True)
class Plan:
    """What a save would do: the values to write and the stored names to drop."""

    writes: dict[str, str]
    drops: list[str]

    @property
    def changed(self) -> list[str]:
        return [name for name in EDITABLE if name in self.writes or name in self.drops]


def _shown(name: str, value: str | None) -> str | None:
    if not value:
        return None
    return audit.MASK if name in SECRETS else value


def plan(values: Mapping[str, str], remove: set[str]) -> Plan:
    """Return what saving `values` and removing `remove` would change; raise CredentialsError, writing nothing."""
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
    return Plan(writes, drops)


def stored_after(change: Plan, *, actor: str) -> dict[str, settings_store.StoredSetting]:
    """Return the console's stored settings as they would be after `change` (nothing is written)."""
    stored = dict(settings_store.all_stored())
    for name in change.drops:
        stored.pop(name, None)
    for name, value in change.writes.items():
        stored[name] = settings_store.StoredSetting(name, value, name in SECRETS, utcnow(), actor)
    return stored


def candidate(change: Plan, *, actor: str) -> TBookCredentials:
    """Return the credentials that would be in force after `change`, to check before saving them."""
    return in_force(stored_after(change, actor=actor))


def save(values: Mapping[str, str], remove: set[str], *, actor: str) -> list[str]:
    """Store the non-empty `values` and drop the `remove` names; commit and return the names changed.

    An empty secret means "keep the stored one". Raises CredentialsError, with nothing written and nothing in
    force, for a value set by the environment, a bad environment name, or a secret without an encryption key.
    """
    # Every field is checked before the first write: a form refused on its last field changes nothing.
    change = plan(values, remove)
    writes, drops, changed = change.writes, change.drops, change.changed
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
            token_cache.forget_all()
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
        store.commit()
    except Exception:
        store.rollback()
        raise
    finally:
        settings_store.invalidate()
    return changed
