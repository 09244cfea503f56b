"""Fixtures for the T-book client tests: clients wired to the live sandbox with a pinned retry policy."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from app.tbook import RetryPolicy, TBookClient

#: No jitter, so recorded sleeps are exactly the backoff schedule.
PINNED = RetryPolicy(jitter=lambda delay: delay)


class FakeClock:
    """A clock that only moves when the client sleeps (or a test advances it); sleeps are recorded."""

    def __init__(self) -> None:
        self.now = time.time()
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def events() -> list[tuple[str, dict]]:
    return []


@pytest.fixture
def make_client(sandbox, clock, events) -> Callable[..., TBookClient]:
    """Return a factory of clients for the sandbox; keyword arguments override the defaults."""
    clients: list[TBookClient] = []

    def make(**overrides: object) -> TBookClient:
        options = {
            "api_url": sandbox.api_url,
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
            "retry": PINNED,
            "clock": clock,
            "sleep": clock.sleep,
            "timeout": 5.0,
            "on_event": lambda name, **fields: events.append((name, fields)),
        }
        options.update(overrides)
        client = TBookClient(**options)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client) -> TBookClient:
    return make_client()
