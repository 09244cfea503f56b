"""One pause for every worker of a sync run: when T-book answers 429, nobody sends anything until Retry-After.

The client retries a 429 by itself (app/tbook/retry.py), but only the call that met it waits; the run's other
workers would go on hammering a T-book that asked for a break. The pause sits in the HTTP transport, so every
request of the run (token requests included) waits for it, whichever thread sends it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx

# Without a Retry-After, the pause doubles from FIRST_PAUSE with each 429 in a row, up to MAX_PAUSE.
FIRST_PAUSE = 0.5
MAX_PAUSE = 30.0


class SharedPause:
    """A moment before which no request of the run may leave; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._until = 0.0
        self._in_a_row = 0
        self.pauses = 0  # 429s met by the run

    def wait(self) -> None:
        """Return once no pause is in force (at once when none is)."""
        while True:
            with self._lock:
                remaining = self._until - self._clock()
            if remaining <= 0:
                return
            self._sleep(remaining)

    def rate_limited(self, retry_after: float | None) -> float:
        """Note a 429: pause everyone for `retry_after` seconds (or a growing backoff); return the pause's length."""
        with self._lock:
            self.pauses += 1
            self._in_a_row += 1
            if retry_after is None:
                retry_after = min(MAX_PAUSE, FIRST_PAUSE * 2 ** (self._in_a_row - 1))
            self._until = max(self._until, self._clock() + retry_after)
            return retry_after

    def answered(self) -> None:
        """Note an answer that was not a 429: the backoff without Retry-After starts again from FIRST_PAUSE."""
        with self._lock:
            self._in_a_row = 0


class PausingTransport(httpx.BaseTransport):
    """An httpx transport that waits for the run's pause before each request, and sets it on each 429.

    It also sends each request's body in one piece (see `handle_request`).
    """

    def __init__(self, pause: SharedPause, inner: httpx.BaseTransport) -> None:
        self._pause = pause
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._pause.wait()
        # A multipart form streams part by part, each piece its own write to the socket: an insertLearner took
        # about sixty. Read whole, it goes in one, a fifth less of the gateway's CPU per learner (bench/README.md).
        request.read()
        response = self._inner.handle_request(request)
        if response.status_code == 429:
            self._pause.rate_limited(_seconds(response.headers.get("Retry-After")))
        else:
            self._pause.answered()
        return response

    def close(self) -> None:
        self._inner.close()


def transport(pause: SharedPause, connections: int) -> PausingTransport:
    """Return a pausing transport over real HTTP with room for `connections` kept-alive connections."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return PausingTransport(pause, httpx.HTTPTransport(limits=limits))


def _seconds(value: str | None) -> float | None:
    # HTTP-date values are ignored, as by the client (app/tbook/errors.py).
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
