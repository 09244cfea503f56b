"""When and how long to wait before retrying a failed T-book call."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from app.tbook.errors import ServerError, TBookConnectionError, TBookError, TooManyRequests


def equal_jitter(delay: float) -> float:
    """Return a random delay between half and all of ``delay``, so clients do not retry in step."""
    return random.uniform(delay / 2, delay)


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with jitter, bounded in attempts and in total time.

    ``jitter`` is a separate function so tests can pin it (e.g. ``lambda delay: delay``).
    """

    max_attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 4.0
    max_total: float = 15.0
    jitter: Callable[[float], float] = equal_jitter

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Return the wait after failed attempt number ``attempt`` (1-based).

        T-book's ``Retry-After`` wins over the computed backoff, but is capped by ``max_delay``.
        """
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        return self.jitter(min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))

    def next_delay(self, error: TBookError, attempt: int, elapsed: float, idempotent: bool) -> float | None:
        """Return the seconds to wait before another attempt, or None to give up and raise ``error``."""
        if attempt >= self.max_attempts or not retryable(error, idempotent):
            return None
        delay = self.backoff(attempt, error.retry_after)
        return None if elapsed + delay > self.max_total else delay


def retryable(error: TBookError, idempotent: bool) -> bool:
    """Return whether repeating the call can succeed and cannot do anything twice.

    A 429 was not processed, nor was a request whose connection never opened, so both are always
    retried. A 5xx or a dropped connection may have reached T-book, so only idempotent calls are
    repeated (an insertLearner replay could create the learner twice). 409 is never retried: for
    T-book it means the login exists, which no retry will change.
    """
    if isinstance(error, TooManyRequests):
        return True
    if isinstance(error, TBookConnectionError):
        return idempotent or not error.maybe_sent
    return isinstance(error, ServerError) and idempotent
