"""Retries: 429 and 5xx with capped exponential backoff, Retry-After, bounds, and what is never retried."""

from __future__ import annotations

import pytest

from app.tbook import RetryPolicy, ServerError, TBookConflict, TooManyRequests
from app.tbook.retry import equal_jitter


def attempts(sandbox, path: str) -> list[int | None]:
    return [e["status"] for e in sandbox.requests(path)]


def test_429_three_times_then_success(client, sandbox, clock, events):
    client.get_token()
    sandbox.set_fault(path="/api/getClient", status=429, count=3)
    assert client.get_client().name == "Demo Organisation"
    assert attempts(sandbox, "/api/getClient") == [429, 429, 429, 200]
    assert clock.sleeps == [0.25, 0.5, 1.0]
    retries = [fields for name, fields in events if name == "retry"]
    assert [(r["attempt"], r["status"], r["code"]) for r in retries] == [
        (1, 429, "too_many_requests"),
        (2, 429, "too_many_requests"),
        (3, 429, "too_many_requests"),
    ]


def test_500_storm_ends_in_server_error_within_bounds(client, sandbox, clock):
    client.get_token()
    sandbox.set_fault(path="/api/getEntities", status=500, count=10)
    with pytest.raises(ServerError):
        client.get_entities()
    assert attempts(sandbox, "/api/getEntities") == [500, 500, 500, 500]
    assert clock.sleeps == [0.25, 0.5, 1.0]


def test_backoff_is_capped_and_total_time_bounded(make_client, sandbox, clock):
    client = make_client(
        retry=RetryPolicy(max_attempts=10, base_delay=1.0, max_delay=2.0, max_total=5.0, jitter=lambda delay: delay)
    )
    client.get_token()
    sandbox.set_fault(path="/api/getClient", status=503, count=10)
    with pytest.raises(ServerError):
        client.get_client()
    assert clock.sleeps == [1.0, 2.0, 2.0]  # a 4th wait would pass max_total
    assert len(attempts(sandbox, "/api/getClient")) == 4


def test_retry_after_is_honoured(client, sandbox, clock):
    client.get_token()
    sandbox.set_fault(path="/api/getClient", status=429, retry_after=3)
    client.get_client()
    assert clock.sleeps == [3.0]


def test_retry_after_longer_than_the_policy_waits_gives_up_at_once_and_says_when(client, sandbox, clock):
    client.get_token()
    sandbox.set_fault(path="/api/getClient", status=429, retry_after=30)
    with pytest.raises(TooManyRequests) as caught:
        client.get_client()
    assert clock.sleeps == []  # never sooner than T-book asked
    assert caught.value.retry_after == 30
    assert attempts(sandbox, "/api/getClient") == [429]


def test_last_error_is_raised_when_attempts_run_out(client, sandbox):
    sandbox.set_fault(path="/api/token", status=429, retry_after=0, count=4)
    with pytest.raises(TooManyRequests):
        client.get_token()
    assert attempts(sandbox, "/api/token") == [429] * 4


def test_non_idempotent_calls_are_not_retried_on_5xx(client, sandbox, clock):
    client.get_token()
    sandbox.set_fault(path="/api/insertLearner", status=500)
    with pytest.raises(ServerError):
        client.insert_learner(
            {"entityID": 24, "login": "a@example.com", "civility": "m", "lastname": "A", "firstname": "B"}
        )
    assert attempts(sandbox, "/api/insertLearner") == [500] and clock.sleeps == []


def test_conflict_is_not_retried(client, sandbox, clock):
    with pytest.raises(TBookConflict):
        client.insert_learner(
            {"entityID": 24, "login": "jane.doe@example.com", "civility": "mme", "lastname": "Doe", "firstname": "Jane"}
        )
    assert attempts(sandbox, "/api/insertLearner") == [409] and clock.sleeps == []


def test_default_jitter_stays_between_half_and_full_delay():
    assert all(1.0 <= equal_jitter(2.0) <= 2.0 for _ in range(200))
    assert RetryPolicy(jitter=lambda delay: 0.0).backoff(3) == 0.0


def test_no_retry_that_would_start_after_the_callers_deadline():
    policy = RetryPolicy(jitter=lambda delay: delay)
    error = ServerError("down", status=500)
    assert policy.next_delay(error, 1, 0.0, True, time_left=None) == 0.25
    assert policy.next_delay(error, 1, 0.0, True, time_left=1.0) == 0.25
    assert policy.next_delay(error, 1, 0.0, True, time_left=0.25) is None  # the attempt could not start in time
    assert policy.next_delay(error, 1, 0.0, True, time_left=-0.1) is None
