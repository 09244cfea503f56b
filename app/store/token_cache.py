"""T-book's access token cached in the database: one token for every worker and instance."""

from __future__ import annotations

import random
import threading
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
from app.tbook import AccessToken, TBookConnectionError, deadline

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

    With `keep`, the process keeps the token it last read or saved and hands it out without asking the
    database: a token is valid until it expires, and one that T-book refuses early (another instance replaced
    it) comes back as a 401, whose refresh reads the row again under the lease. Without it, every T-book call of
    every click read the row (a pool checkout, a query, an unseal; bench/README.md).
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
        keep: bool = True,
    ) -> None:
        self._engine = engine
        self._name = name
        self._seal = seal
        self._unseal = unseal
        self._clock = clock
        self._wait = wait
        self._keep = keep
        self._kept: AccessToken | None = None
        # The threads of this process queue here, so that only one of them at a time polls the lease row.
        self._turn = threading.Lock()

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
        kept = self._kept
        if kept is None:
            kept = self._read()
            self._kept = kept if self._keep else None
        return kept

    def _read(self) -> AccessToken | None:
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
        self._kept = token if self._keep else None

    def invalidate(self) -> None:
        self._kept = None
        with self._engine.begin() as conn:
            conn.execute(
                update(TokenCache)
                .where(TokenCache.name == self._name)
                .values(access_token=None, expires_at=None, obtained_at=None)
            )

    @contextmanager
    def refresh_lock(self) -> Iterator[None]:
        """Hold the refresh lease; raises TokenLeaseTimeout after waiting `wait` seconds for it.

        Inside a caller's deadline (a click's) the wait ends with it: DeadlineExceeded. Whoever holds the lease
        reads the row again (`load`): the token another worker or instance saved meanwhile is used, not replaced.
        """
        left = deadline.remaining()
        cut = left is not None and left < self._wait
        give_up = time.monotonic() + (left if cut else self._wait)

        def waited_too_long() -> Exception:
            if cut:
                return deadline.DeadlineExceeded("token", deadline.limit(), maybe_sent=False)
            return TokenLeaseTimeout()

        if not self._turn.acquire(timeout=max(give_up - time.monotonic(), 0.0)):
            raise waited_too_long()
        try:
            while (lease := self._take_lease()) is None:
                now = time.monotonic()
                if now >= give_up:
                    raise waited_too_long()
                time.sleep(min(WAIT_STEP, give_up - now))
            self._kept = None
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
        finally:
            self._turn.release()

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


def database_store(name: str = "tbook", *, wait: float = LEASE_SECONDS, keep: bool = True) -> DatabaseTokenStore:
    """Return the store of the token row `name` on the app's database; a caller waits at most `wait` seconds for
    another refresher. `keep=False` reads the row on every use (a readiness probe checks the token as it is now)."""
    return DatabaseTokenStore(db.engine, name, seal=secrets_box.seal, unseal=secrets_box.unseal, wait=wait, keep=keep)


def forget_all() -> None:
    """Drop every cached token, in the request's transaction (uncommitted): new credentials need a new token."""
    db.session.execute(delete(TokenCache))
