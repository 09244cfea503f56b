"""Rate limiting on demand: past so many API requests in a window, T-book's 429 with a Retry-After."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class RateLimit:
    """At most ``requests`` API requests every ``per`` seconds; ``retry_after`` is the Retry-After sent (seconds).

    Without ``retry_after`` the header says when the current window ends (rounded up to a whole second).
    """

    requests: int
    per: float = 1.0
    retry_after: int | None = None

    @classmethod
    def from_json(cls, data: object) -> RateLimit:
        """Return a checked limit from a ``PUT /_sandbox/rate-limit`` body; raise ValueError if invalid."""
        if not isinstance(data, dict):
            raise ValueError("the rate limit must be a JSON object")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown rate limit keys: {', '.join(sorted(unknown))}")
        if "requests" not in data:
            raise ValueError("requests is required")
        limit = cls(**data)
        if type(limit.requests) is not int or limit.requests < 0:
            raise ValueError("requests must be a whole number, 0 or more")
        if not isinstance(limit.per, int | float) or isinstance(limit.per, bool) or not 0 < limit.per <= 3600:
            raise ValueError("per must be between 0 and 3600 seconds")
        if limit.retry_after is not None and (type(limit.retry_after) is not int or limit.retry_after < 0):
            raise ValueError("retry_after must be a non-negative integer")
        return limit

    def to_json(self) -> dict:
        """Return the limit as its JSON body."""
        return asdict(self)


class RateLimiter:
    """Counts API requests in fixed windows of the limit in force (none by default); thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._limit: RateLimit | None = None
        self._window_start = 0.0
        self._count = 0

    def set(self, limit: RateLimit | None) -> None:
        """Put ``limit`` in force (None lifts it), starting a new window."""
        with self._lock:
            self._limit = limit
            self._window_start = self._clock()
            self._count = 0

    def current(self) -> dict | None:
        """Return the limit in force as JSON, or None."""
        with self._lock:
            return self._limit.to_json() if self._limit else None

    def take(self) -> int | None:
        """Count one request; return None when it may go on, else the Retry-After (seconds) of its 429."""
        with self._lock:
            limit = self._limit
            if limit is None:
                return None
            now = self._clock()
            if now - self._window_start >= limit.per:
                self._window_start, self._count = now, 0
            if self._count < limit.requests:
                self._count += 1
                return None
            if limit.retry_after is not None:
                return limit.retry_after
            return max(1, math.ceil(self._window_start + limit.per - now))
