"""The access token: cached, refreshed before expiry, refreshed once on 401, shared between threads."""

from __future__ import annotations

import threading

import pytest

from app.tbook import MemoryTokenStore, TBookClient, Unauthorized


def paths(sandbox) -> list[tuple[str, int | None]]:
    return [(e["path"].removeprefix("/api/"), e["status"]) for e in sandbox.requests()]


def test_one_token_serves_many_calls(client, sandbox):
    client.get_client()
    client.get_entities()
    client.get_learner(1)
    assert [p for p, _ in paths(sandbox)].count("token") == 1


def test_revoked_token_is_refreshed_once_and_the_call_replayed(client, sandbox, events):
    client.get_client()
    sandbox.revoke_tokens()
    assert client.get_client().name == "Demo Organisation"
    assert paths(sandbox) == [
        ("token", 200),
        ("getClient", 200),
        ("getClient", 401),
        ("token", 200),
        ("getClient", 200),
    ]
    refreshes = [fields["reason"] for name, fields in events if name == "token_refresh"]
    assert refreshes == ["missing", "rejected"]


def test_a_second_401_is_raised_not_looped(client, sandbox):
    client.get_token()
    sandbox.set_fault(path="/api/getClient", status=401, count=2)
    with pytest.raises(Unauthorized, match="refused the access token"):
        client.get_client()
    assert paths(sandbox) == [("token", 200), ("getClient", 401), ("token", 200), ("getClient", 401)]


def test_token_is_renewed_shortly_before_expiry(client, sandbox, clock, events):
    first = client.get_token()
    clock.now += 3600 - 59  # inside the 60-second refresh margin
    second = client.get_token()
    assert second.access_token != first.access_token
    assert [fields["reason"] for name, fields in events if name == "token_refresh"] == ["missing", "expiring"]


def test_threads_sharing_a_store_request_one_token(sandbox, clock):
    store = MemoryTokenStore()
    clients = [TBookClient(sandbox.api_url, "sandbox-client", "sandbox-secret", token_store=store) for _ in range(8)]
    start = threading.Barrier(len(clients))
    failures: list[BaseException] = []

    def work(client: TBookClient) -> None:
        start.wait()
        try:
            client.get_client()
        except BaseException as err:  # collected: an exception in a thread would not fail the test
            failures.append(err)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for client in clients:
        client.close()
    assert failures == []
    assert [p for p, _ in paths(sandbox)].count("token") == 1
    assert [p for p, _ in paths(sandbox)].count("getClient") == 8
