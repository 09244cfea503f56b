"""Connection failures: refused, timed out and dropped connections become TBookConnectionError."""

from __future__ import annotations

import pytest

from app.tbook import RetryPolicy, TBookConnectionError

NEW_LEARNER = {"entityID": 24, "login": "a@example.com", "civility": "m", "lastname": "A", "firstname": "B"}


def test_connection_refused(make_client, unused_url, clock):
    client = make_client(api_url=f"{unused_url}/api")
    with pytest.raises(TBookConnectionError) as caught:
        client.get_client()
    err = caught.value
    assert err.status is None and err.code == "connection_error" and err.maybe_sent is False
    assert str(err) == ("T-book could not be reached on token: the connection could not be opened (ConnectError)")
    assert clock.sleeps == [0.25, 0.5, 1.0]  # nothing was sent, so every attempt was safe


def test_timeout(make_client, sandbox):
    client = make_client(timeout=0.2, retry=RetryPolicy(max_attempts=1))
    client.get_token()
    sandbox.set_fault(path="/api/getClient", latency=1.0)
    with pytest.raises(TBookConnectionError, match="did not answer in time"):
        client.get_client()


def test_dropped_connection_on_a_read_is_retried(client, sandbox):
    client.get_token()
    sandbox.set_fault(path="/api/getEntities", drop=True)
    assert len(client.get_entities()) == 2
    assert [e["status"] for e in sandbox.requests("/api/getEntities")] == [None, 200]


def test_dropped_connection_on_insert_is_not_retried(client, sandbox, clock):
    client.get_token()
    sandbox.set_fault(path="/api/insertLearner", drop=True)
    with pytest.raises(TBookConnectionError, match="dropped") as caught:
        client.insert_learner(NEW_LEARNER)
    assert caught.value.maybe_sent is True
    assert len(sandbox.requests("/api/insertLearner")) == 1 and clock.sleeps == []
