"""Time limits for T-book calls: a caller's deadline (a click's), and each call's own, enforced on every read.

A click starts a deadline (`within`); every T-book call, retry wait and token-lease wait made inside it gets
what is left of it. Each call also has a limit of its own (the client's timeout): the network layer
(app/tbook/transport.py) reads `call_ends_at` before every connect, read and write, so that a server that
trickles its answer a byte at a time cannot keep a call alive past either limit, as httpx's per-read timeout
would let it. Context variables, so that the threads of a worker sharing one client each keep their own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from app.tbook.errors import TBookConnectionError

_deadline: ContextVar[tuple[float, float] | None] = ContextVar("tbook_deadline", default=None)  # (ends, seconds)
_call_ends: ContextVar[float | None] = ContextVar("tbook_call_ends", default=None)


class DeadlineExceeded(TBookConnectionError):
    """The caller's time ran out before T-book answered: the call was cut (or not started) and is not retried."""

    default_code, summary = "deadline_exceeded", "T-book did not answer in the time the gateway allows a click"

    def __init__(self, endpoint: str, seconds: float | None = None, *, maybe_sent: bool = True) -> None:
        limit = f" ({seconds:g} s)" if seconds else ""
        super().__init__(
            f"T-book did not answer on {endpoint} within the click's time limit{limit}",
            maybe_sent=maybe_sent,
            endpoint=endpoint,
        )
        self.seconds = seconds


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Run the block under a deadline `seconds` from now; an enclosing, earlier deadline still wins."""
    ends = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(outer if outer is not None and outer[0] <= ends else (ends, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Return the seconds left before the deadline (0 or less once passed), or None when there is none."""
    current = _deadline.get()
    return None if current is None else current[0] - time.monotonic()


def limit() -> float | None:
    """Return the length in seconds of the deadline in force (for messages), or None."""
    current = _deadline.get()
    return None if current is None else current[1]


def expired() -> bool:
    """Return whether a deadline is in force and has passed."""
    left = remaining()
    return left is not None and left <= 0


def check(endpoint: str) -> None:
    """Raise DeadlineExceeded (nothing sent) when the deadline has passed."""
    if expired():
        raise DeadlineExceeded(endpoint, limit(), maybe_sent=False)


@contextmanager
def call_limit(seconds: float) -> Iterator[float]:
    """Run one call with a whole-call limit of `seconds`, cut to the deadline (and to an enclosing call's limit:
    a token fetched for a call counts against it); yield the seconds it has."""
    limits = [left for left in (remaining(), call_time_left()) if left is not None]
    budget = max(0.0, min([seconds, *limits]))
    token = _call_ends.set(time.monotonic() + budget)
    try:
        yield budget
    finally:
        _call_ends.reset(token)


def call_time_left() -> float | None:
    """Return the seconds left to the call in progress (see `call_limit`), or None outside one."""
    ends = _call_ends.get()
    return None if ends is None else ends - time.monotonic()
