"""Journals API requests, delays them by the configured latency, and applies the rate limit and injected faults."""

from __future__ import annotations

import socket
import time

from flask import Flask, Response, g, request

from sandbox.errors import error_response
from sandbox.state import sandbox_state


def _before_api_request() -> Response | None:
    if not request.path.startswith("/api"):
        return None
    state = sandbox_state()
    # Cache the raw body before the form is parsed: the LTI endpoint verifies its signature on it.
    request.get_data(cache=True)
    g.journal_entry = state.journal.record(request.method, request.path, request.form.to_dict(), request.mimetype)
    if state.latency:
        time.sleep(state.latency)  # a distant T-book; the server's thread per connection lets others answer meanwhile
    # The LTI launch is a browser's form post, not an API caller's: only the API calls are rate limited.
    retry_after = None if request.path == "/api/lti" else state.rate_limiter.take()
    if retry_after is not None:
        response = error_response(429, "Rate limit exceeded: slow down")
        response.headers["Retry-After"] = str(retry_after)
        return response
    fault = state.faults.take(request.path)
    if fault is None:
        return None
    if fault.latency:
        time.sleep(fault.latency)
    if fault.drop:
        return _drop_connection()
    if fault.drop_after:
        g.drop_after = True  # the API carries the request out; _after_api_request drops the answer
        return None
    if fault.status is None:
        return None  # latency only: carry on with the real answer
    response = error_response(fault.status, f"Injected fault: {fault.status} on {request.path}")
    if fault.retry_after is not None:
        response.headers["Retry-After"] = str(fault.retry_after)
    return response


def _drop_connection() -> Response:
    # Werkzeug's server (the tests') and gunicorn (`python -m sandbox`) expose the client socket; shutting it
    # down makes the client see the connection close with no response, and the server treats the failed
    # write as a dropped client.
    sock = request.environ.get("werkzeug.socket") or request.environ.get("gunicorn.socket")
    if sock is None:
        raise RuntimeError("drop faults need the sandbox to run under werkzeug's server or gunicorn")
    sock.shutdown(socket.SHUT_RDWR)
    g.dropped = True
    return Response(status=500)


def _after_api_request(response: Response) -> Response:
    if g.pop("drop_after", False):
        response = _drop_connection()
    entry = g.pop("journal_entry", None)
    if entry is not None and not g.pop("dropped", False):
        sandbox_state().journal.answered(entry, response.status_code)
    return response


def init_app(app: Flask) -> None:
    """Install the journal and the fault injector in front of every ``/api`` route."""
    app.before_request(_before_api_request)
    app.after_request(_after_api_request)
