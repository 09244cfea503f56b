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

        T-book's ``Retry-After`` wins over the computed backoff: the call never comes back sooner.
        """
        if retry_after is not None:
            return retry_after
        return self.jitter(min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))

    def next_delay(
        self, error: TBookError, attempt: int, elapsed: float, idempotent: bool, time_left: float | None = None
    ) -> float | None:
        """Return the seconds to wait before another attempt, or None to give up and raise ``error``.

        ``time_left`` is what remains of the caller's deadline (None: no deadline): an attempt that could not
        start before it ends is not worth the wait.
        """
        if attempt >= self.max_attempts or not retryable(error, idempotent):
            return None
        delay = self.backoff(attempt, error.retry_after)
        # A Retry-After longer than this policy would ever wait is honoured by giving up now: the error
        # (with its retry_after) tells the caller when T-book will take the call again.
        if delay > max(self.max_delay, 0.0) or elapsed + delay > self.max_total:
            return None
        if time_left is not None and delay >= time_left:
            return None
        return delay


def retryable(error: TBookError, idempotent: bool) -> bool:
    """Return whether repeating the call can succeed and cannot do anything twice.

    A 429 was not processed, nor was a request whose connection never opened, so both are always
    retried. A 5xx or a dropped connection may have reached T-book, so only idempotent calls are
    repeated (an insertLearner replay could create the learner twice). 409 is never retried: T-book
    documents it as a conflict with another request, which repeating the same request cannot settle.
    """
    if isinstance(error, TooManyRequests):
        return True
    if isinstance(error, TBookConnectionError):
        return idempotent or not error.maybe_sent
    return isinstance(error, ServerError) and idempotent
