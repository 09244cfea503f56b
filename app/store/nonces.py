"""One-time values (a used signed link, a click's fallback), shared by every instance through the database."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from app.store import db
from app.store.models import UsedNonce, utcnow


def _key(kind: str, value: str) -> str:
    # Hashed: a signed-link token is a credential, and the column has a fixed width.
    return f"{kind}:" + hashlib.sha256(value.encode()).hexdigest()


def consume(kind: str, value: str, *, keep_for: timedelta) -> bool:
    """Record `value` as used and commit; return False when it was used already (by any instance)."""
    now = utcnow()
    db.session.execute(delete(UsedNonce).where(UsedNonce.expires_at < now))
    db.session.add(UsedNonce(value=_key(kind, value), expires_at=now + keep_for))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def release(kind: str, value: str) -> None:
    """Forget a use that did not go through, so that it may be tried again."""
    db.session.execute(delete(UsedNonce).where(UsedNonce.value == _key(kind, value)))
    db.session.commit()
