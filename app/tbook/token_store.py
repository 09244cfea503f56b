"""Where the T-book access token is cached between calls, and how refreshers take turns."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from app.tbook import deadline
from app.tbook.models import AccessToken


class TokenStore(Protocol):
    """A shared cache of one access token.

    Implementations may be process-local (:class:`MemoryTokenStore`) or shared between workers and
    instances (a database row with a row lock), so that one token serves every caller.
    """

    def load(self) -> AccessToken | None:
        """Return the cached token, or None when there is none."""

    def save(self, token: AccessToken) -> None:
        """Cache a newly obtained token, replacing any other."""

    def invalidate(self) -> None:
        """Forget the cached token (T-book refused it)."""

    def refresh_lock(self) -> AbstractContextManager[object]:
        """Return a context manager held while fetching a token; only one holder at a time.

        The client re-reads the store after acquiring it, so callers that queued behind a
        refresher reuse its token instead of requesting their own.
        """


class MemoryTokenStore:
    """A :class:`TokenStore` for one process, safe to share between threads."""

    def __init__(self) -> None:
        self._token: AccessToken | None = None
        self._data_lock = threading.Lock()
        self._refresh_lock = threading.Lock()

    def load(self) -> AccessToken | None:
        """Return the cached token, or None."""
        with self._data_lock:
            return self._token

    def save(self, token: AccessToken) -> None:
        """Cache ``token``."""
        with self._data_lock:
            self._token = token

    def invalidate(self) -> None:
        """Forget the cached token."""
        with self._data_lock:
            self._token = None

    @contextmanager
    def refresh_lock(self) -> Iterator[None]:
        """Hold the lock that serialises token refreshes in this process.

        Inside a caller's deadline, waiting for another thread's refresh ends with it: DeadlineExceeded.
        """
        left = deadline.remaining()
        if not self._refresh_lock.acquire(timeout=-1 if left is None else max(left, 0.0)):
            raise deadline.DeadlineExceeded("token", deadline.limit(), maybe_sent=False)
        try:
            yield
        finally:
            self._refresh_lock.release()
