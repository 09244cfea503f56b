"""Settings set in the admin console, kept in the database; secrets encrypted at rest with Fernet."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from cryptography.fernet import InvalidToken
from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.store import db
from app.store.hot_path import release_idle_hot_connection
from app.store.models import Setting
from app.store.secrets_box import EncryptionUnavailable, cipher

log = logging.getLogger(__name__)
# Launches read the settings on every click: each process keeps them this many seconds, and drops them at
# once when it writes one. Other instances see a change within this delay.
CACHE_SECONDS = 5.0
_PENDING = "tbook_gateway.settings_pending"  # session.info flag: settings written, not committed yet
KEY_HINT = (
    'Make a key with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())", '
    "set it as GATEWAY_ENCRYPTION_KEY (or GATEWAY_ENCRYPTION_KEY_FILE) and restart the gateway."
)


@dataclass(frozen=True)
class StoredSetting:
    """One console setting as stored: the plain value (decrypted), or None when it cannot be decrypted."""

    key: str
    value: str | None
    encrypted: bool
    updated_at: datetime
    updated_by: str | None


def encryption_problem() -> str | None:
    """Return why secrets cannot be stored right now, or None when they can."""
    try:
        cipher()
    except EncryptionUnavailable as err:
        return str(err)
    return None


def _load(connection=None) -> dict[str, StoredSetting]:
    """Read every stored setting, on `connection` or else in the request's session (which sees its own writes)."""
    stored: dict[str, StoredSetting] = {}
    columns = (Setting.key, Setting.value, Setting.encrypted, Setting.updated_at, Setting.updated_by)
    for row in (connection or db.session).execute(select(*columns)):
        value: str | None = row.value
        if row.encrypted:
            try:
                value = cipher().decrypt(row.value.encode("ascii")).decode("utf-8")
            except (EncryptionUnavailable, InvalidToken):
                # Never fall back to the ciphertext: the setting counts as unset, and the console says why.
                log.warning("setting %s cannot be decrypted with the current GATEWAY_ENCRYPTION_KEY", row.key)
                value = None
        stored[row.key] = StoredSetting(row.key, value, row.encrypted, row.updated_at, row.updated_by)
    return stored


def all_stored() -> dict[str, StoredSetting]:
    """Return every stored setting by key, from this process's short-lived cache of committed values."""
    # Only a session this request already has can hold uncommitted settings: asking `db.session.info` would
    # create one on every click just to find it empty.
    if db.session.registry.has() and db.session().info.get(_PENDING):
        # This session has written settings not yet committed: it sees them, but the cache (which every
        # request of the process shares) must never hold a value that a rollback may still take back.
        return _load()
    cache = current_app.extensions.setdefault("tbook_gateway.settings", {})
    if cache.get("until", 0.0) < time.monotonic():
        # On a short connection of its own, not in the request's session, which would keep a connection until
        # the request ends (a click's whole wait on T-book). A click gives its own back first when it holds
        # nothing: a request never waits for a second connection (app/store/hot_path.py).
        release_idle_hot_connection()
        with db.engine.connect() as connection:
            cache["values"] = _load(connection)
        cache["until"] = time.monotonic() + CACHE_SECONDS
    return cache["values"]


def invalidate() -> None:
    current_app.extensions.pop("tbook_gateway.settings", None)


def _written() -> None:
    db.session.info[_PENDING] = True
    invalidate()


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _settled(session: Session) -> None:
    if session.info.pop(_PENDING, None) and has_app_context():
        invalidate()  # drop what another request may have cached meanwhile from the values before the commit


def put(key: str, value: str, *, secret: bool, actor: str | None) -> None:
    """Store `value` under `key` (encrypted when `secret`), uncommitted.

    Raises EncryptionUnavailable for a secret when there is no usable key: plaintext is never stored.
    """
    stored = cipher().encrypt(value.encode("utf-8")).decode("ascii") if secret else value
    row = db.session.get(Setting, key) or Setting(key=key)
    row.value, row.encrypted, row.updated_by = stored, secret, actor
    db.session.add(row)
    _written()


def remove(key: str) -> bool:
    """Delete the stored `key`, uncommitted; return whether there was one."""
    row = db.session.get(Setting, key)
    if row is not None:
        db.session.delete(row)
    _written()
    return row is not None
