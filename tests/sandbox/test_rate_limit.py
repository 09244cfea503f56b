"""Rate limiting on demand: ``PUT /_sandbox/rate-limit``, then 429 with Retry-After past the limit."""

from __future__ import annotations

import httpx
import pytest

from sandbox.rate_limit import RateLimit, RateLimiter
from tests.sandbox.conftest import FakeClock

CREDENTIALS = {"grant_type": "client_credential", "client_id": "sandbox-client", "client_secret": "sandbox-secret"}


def test_past_the_limit_the_api_answers_429_with_retry_after(sandbox):
    sandbox.rate_limit(requests=2, per=60, retry_after=3)
    statuses = [httpx.post(f"{sandbox.api_url}/token", data=CREDENTIALS).status_code for _ in range(4)]
    assert statuses == [200, 200, 429, 429]
    refused = httpx.post(f"{sandbox.api_url}/token", data=CREDENTIALS)
    assert refused.headers["Retry-After"] == "3"
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert [e["status"] for e in sandbox.requests("/api/token")] == [200, 200, 429, 429, 429]


def test_the_limit_is_shown_lifted_and_reset(sandbox):
    control = f"{sandbox.url}/_sandbox/rate-limit"
    sandbox.rate_limit(requests=0)
    assert httpx.get(control).json() == {"rate_limit": {"requests": 0, "per": 1.0, "retry_after": None}}
    assert httpx.post(f"{sandbox.api_url}/token", data=CREDENTIALS).status_code == 429
    assert httpx.delete(control).json() == {"rate_limit": None}
    assert httpx.post(f"{sandbox.api_url}/token", data=CREDENTIALS).status_code == 200
    sandbox.rate_limit(requests=0)
    sandbox.reset()
    assert httpx.get(control).json() == {"rate_limit": None}


@pytest.mark.parametrize(
    "body", [{}, {"requests": -1}, {"requests": "5"}, {"requests": 5, "per": 0}, {"requests": 5, "colour": "red"}, []]
)
def test_a_bad_limit_is_refused(sandbox, body):
    response = httpx.put(f"{sandbox.url}/_sandbox/rate-limit", json=body)
    assert response.status_code == 400


def test_without_retry_after_the_header_says_when_the_window_ends():
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limiter.set(RateLimit(requests=1, per=10))
    assert limiter.take() is None
    clock.advance(2.5)
    assert limiter.take() == 8  # 7.5 s left, rounded up
    clock.advance(7.5)
    assert limiter.take() is None  # a new window


def test_the_journal_says_when_each_request_arrived(sandbox):
    httpx.post(f"{sandbox.api_url}/token", data=CREDENTIALS)
    (entry,) = sandbox.requests("/api/token")
    assert isinstance(entry["at"], float) and entry["at"] > 1.6e9
