"""Time limits: a whole-call timeout that a trickling server cannot stretch, and a caller's deadline over calls,
retries and token waits."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from app.tbook import DeadlineExceeded, MemoryTokenStore, RetryPolicy, ServerError, TBookConnectionError, deadline

TOKEN = b'{"access_token":"t0k3n","token_type":"bearer","expires_in":3600}'
CLIENT = b'{"name":"Slow Organisation","logo":"","description":"","city":"","address":"","zip":""}'


def _read_request(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")), 0
    )
    while len(body) < length:
        body += connection.recv(4096)
    return head.split(b" ")[1]


@contextmanager
def trickling_tbook(gap: float, *, headers_too: bool = False) -> Iterator[str]:
    """A T-book that answers /token at once and every other call one byte every `gap` seconds."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def answer(connection: socket.socket) -> None:
        with connection:
            try:
                while not stop.is_set():
                    path = _read_request(connection)
                    body = TOKEN if path.endswith(b"/token") else CLIENT
                    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    head += b"Content-Length: %d\r\n\r\n" % len(body)
                    if path.endswith(b"/token"):
                        connection.sendall(head + body)
                        continue
                    trickled = head + body if headers_too else body
                    if not headers_too:
                        connection.sendall(head)
                    for byte in trickled:
                        if stop.wait(gap):
                            return
                        connection.sendall(bytes([byte]))
            except OSError:
                return  # the client gave up and closed the connection

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=answer, args=(connection,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/api"
    finally:
        stop.set()
        listener.close()


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers and body"])
def test_a_trickling_answer_is_cut_by_the_whole_call_timeout(make_client, headers_too):
    # One byte every 0.2 s: every read is answered well within a 1 s per-read timeout, and the whole answer
    # would take about 20 s (headers and body) or 17 s (body).
    with trickling_tbook(0.2, headers_too=headers_too) as api_url:
        client = make_client(api_url=api_url, timeout=1.0, retry=RetryPolicy(max_attempts=1))
        began = time.monotonic()
        with pytest.raises(TBookConnectionError, match="did not answer in time") as caught:
            client.get_client()
        took = time.monotonic() - began
    assert not isinstance(caught.value, DeadlineExceeded)  # the call's own limit, not a caller's deadline
    assert took < 3.0


def test_a_call_past_the_callers_deadline_is_cut_and_not_retried(client, sandbox, clock):
    client.get_token()
    sandbox.set_fault(path="/api/getClient", latency=3.0)
    began = time.monotonic()
    with deadline.within(0.5), pytest.raises(DeadlineExceeded) as caught:
        client.get_client()
    assert time.monotonic() - began < 2.0
    assert caught.value.endpoint == "getClient" and caught.value.seconds == 0.5
    assert "within the click's time limit (0.5 s)" in str(caught.value)
    assert len(sandbox.requests("/api/getClient")) == 1 and clock.sleeps == []


def test_no_call_starts_once_the_deadline_has_passed(client, sandbox):
    client.get_token()
    with deadline.within(0.01):
        time.sleep(0.02)
        with pytest.raises(DeadlineExceeded) as caught:
            client.get_client()
    assert caught.value.maybe_sent is False
    assert sandbox.requests("/api/getClient") == []


def test_a_retry_that_would_wait_past_the_deadline_is_not_made(client, sandbox, clock):
    client.get_token()
    sandbox.set_fault(path="/api/getEntities", status=500, count=10)
    with deadline.within(0.2), pytest.raises(ServerError):  # the first backoff (0.25 s) would end after it
        client.get_entities()
    assert len(sandbox.requests("/api/getEntities")) == 1 and clock.sleeps == []


def test_waiting_for_another_threads_token_ends_with_the_deadline(make_client, sandbox):
    store = MemoryTokenStore()
    client = make_client(token_store=store)
    with store.refresh_lock():  # another thread is fetching the token and does not come back
        began = time.monotonic()
        with deadline.within(0.3), pytest.raises(DeadlineExceeded) as caught:
            client.get_client()
        assert time.monotonic() - began < 2.0
    assert caught.value.endpoint == "token"
    assert sandbox.requests() == []


def test_an_inner_deadline_never_extends_an_outer_one():
    with deadline.within(0.2):
        with deadline.within(60):
            assert deadline.remaining() <= 0.2 and deadline.limit() == 0.2
        with deadline.within(0.1):
            assert deadline.remaining() <= 0.1 and deadline.limit() == 0.1
    assert deadline.remaining() is None
