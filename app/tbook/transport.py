"""The HTTP transport to T-book: keep-alive connections shared by a worker's threads, and whole-call time limits.

httpx's timeouts apply to each network operation: a server that sends one byte every 2 s never trips a 10 s
read timeout, and keeps the call (and the learner) waiting for as long as it likes. Here every connect, read
and write of a call is given at most what is left of the call's limit (app/tbook/deadline.py), so the call
ends on time whatever the server does. httpx has no setting for this; httpcore takes a network backend, which
httpx's transport does not expose, so the transport's pool is given one after it is built (httpx is pinned in
requirements.txt, and tests/tbook/test_deadline.py fails if that stops working).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import httpcore
import httpx

from app.tbook import deadline

# A worker's threads share one client: each may hold a connection while it waits for T-book, and an idle one
# is kept for the next click (keep-alive) rather than closed, as httpx's default of 20 kept ones would.
MAX_CONNECTIONS = 100
KEEPALIVE_EXPIRY = 5.0


def _cut(timeout: float | None, error: type[Exception]) -> float | None:
    """Return `timeout` shortened to what is left of the call's limit; raise `error` when nothing is left."""
    left = deadline.call_time_left()
    if left is None:
        return timeout
    if left <= 0:
        raise error("the call's time limit has passed")
    return left if timeout is None else min(timeout, left)


class _LimitedStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _cut(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _cut(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None, timeout: float | None = None):
        tls = self._stream.start_tls(ssl_context, server_hostname, _cut(timeout, httpcore.ConnectTimeout))
        return _LimitedStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _LimitedBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        timeout = _cut(timeout, httpcore.ConnectTimeout)
        return _LimitedStream(self._backend.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        timeout = _cut(timeout, httpcore.ConnectTimeout)
        return _LimitedStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class LimitedTransport(httpx.HTTPTransport):
    """httpx's transport, every network operation of which keeps within the call's limit."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._pool._network_backend = _LimitedBackend(self._pool._network_backend)


def transport_for(api_url: str) -> httpx.BaseTransport:
    """Return the transport for T-book at `api_url`, through the environment's proxy when one applies.

    A custom transport turns off httpx's own reading of HTTP(S)_PROXY and NO_PROXY: it is done here instead.
    """
    parts = urlsplit(api_url)
    proxy = None if proxy_bypass(parts.hostname or "") else getproxies().get(parts.scheme)
    limits = httpx.Limits(
        max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS, keepalive_expiry=KEEPALIVE_EXPIRY
    )
    return LimitedTransport(limits=limits, proxy=proxy)
