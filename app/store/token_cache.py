"""T-book's access token cached in the database: one token for every worker and instance."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from app.store import secrets_box
from app.store.database import db
from app.store.models import TokenCache
from app.tbook import AccessToken, TBookConnectionError

LEASE_SECONDS = 30.0  # longer than a token request's worst case (timeouts and retries)
WAIT_STEP = 0.05


class TokenLeaseTimeout(TBookConnectionError):
    """Another caller held the refresh lease for too long: to the learner, T-book is not answering."""

    def __init__(self) -> None:
        super().__init__(
            "another gateway worker has been fetching the T-book token for too long", maybe_sent=False, endpoint="token"
        )


class DatabaseTokenStore:
    """A `app.tbook.TokenStore` on the `token_cache` table.

    Every operation runs on its own short connection, outside the request's session, so that caching a token
    never commits (or rolls back) the caller's work. Refreshers take turns through a lease column rather than a
    row lock, so no database lock is held while T-book is being called.
    """

    def __init__(
        self,
        engine: Engine,
        name: str,
        *,
        seal: Callable[[str], str],
        unseal: Callable[[str], str | None],
        clock: Callable[[], float] = time.time,
        wait: float = LEASE_SECONDS,
    ) -> None:
        self._engine = engine
        self._name = name
        self._seal = seal
        self._unseal = unseal
        self._clock = clock
        self._wait = wait

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def _ensure_row(self, conn) -> None:
        if conn.execute(select(TokenCache.name).where(TokenCache.name == self._name)).first() is None:
            try:
                with conn.begin_nested():
                    conn.execute(insert(TokenCache).values(name=self._name))
            except IntegrityError:
                pass  # another instance created it first

    def load(self) -> AccessToken | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(TokenCache).where(TokenCache.name == self._name)).first()
        if row is None or not row.access_token or row.expires_at is None or row.obtained_at is None:
            return None
        token = self._unseal(row.access_token)
        if token is None:
            return None  # sealed with another key: fetch a new one
        obtained = _aware(row.obtained_at).timestamp()
        expires_in = int(round(_aware(row.expires_at).timestamp() - obtained))
        return AccessToken(token, row.token_type or "bearer", expires_in, obtained)

    def save(self, token: AccessToken) -> None:
        values = {
            "access_token": self._seal(token.access_token),
            "token_type": token.token_type,
            "obtained_at": datetime.fromtimestamp(token.obtained_at, UTC),
            "expires_at": datetime.fromtimestamp(token.expires_at, UTC),
        }
        with self._engine.begin() as conn:
            self._ensure_row(conn)
            conn.execute(update(TokenCache).where(TokenCache.name == self._name).values(**values))

    def invalidate(self) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(TokenCache)
                .where(TokenCache.name == self._name)
                .values(access_token=None, expires_at=None, obtained_at=None)
            )

    @contextmanager
    def refresh_lock(self) -> Iterator[None]:
        """Hold the refresh lease; raises TokenLeaseTimeout after waiting `wait` seconds for it."""
        deadline = time.monotonic() + self._wait
        while (lease := self._take_lease()) is None:
            if time.monotonic() > deadline:
                raise TokenLeaseTimeout()
            time.sleep(WAIT_STEP)
        try:
            yield
        finally:
            # Only our own lease: if it ran out and another worker took the row, that lease is theirs.
            with self._engine.begin() as conn:
                conn.execute(
                    update(TokenCache)
                    .where(TokenCache.name == self._name, TokenCache.lease_until == lease)
                    .values(lease_until=None)
                )

    def _take_lease(self) -> datetime | None:
        """Return the lease's expiry (its holder's mark) when taken, else None."""
        now = self._now()
        lease = now + timedelta(seconds=LEASE_SECONDS, microseconds=random.randrange(1000))
        with self._engine.begin() as conn:
            self._ensure_row(conn)
            # A lease left by a crashed worker expires by itself.
            taken = conn.execute(
                update(TokenCache)
                .where(TokenCache.name == self._name)
                .where((TokenCache.lease_until.is_(None)) | (TokenCache.lease_until < now))
                .values(lease_until=lease)
            )
            return lease if taken.rowcount == 1 else None


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def database_store(name: str = "tbook", *, wait: float = LEASE_SECONDS) -> DatabaseTokenStore:
    """Return the store of the token row `name` on the app's database; a caller waits at most `wait` seconds for
    another refresher."""
    return DatabaseTokenStore(db.engine, name, seal=secrets_box.seal, unseal=secrets_box.unseal, wait=wait)


def forget_all() -> None:
    """Drop every cached token, in the request's transaction (uncommitted): new credentials need a new token."""
    db.session.execute(delete(TokenCache))
