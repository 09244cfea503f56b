"""T-book API errors: one hierarchy, built from a response by one mapping function."""

from __future__ import annotations

from collections.abc import Iterable

import httpx

_MAX_SERVER_MESSAGE = 300


class TBookError(Exception):
    """A failed T-book API call: ``status`` (HTTP or None), ``code`` (T-book's), ``message`` (for humans).

    ``endpoint`` names the API call (e.g. ``"getOneLearner"``); ``retry_after`` holds the seconds of a
    ``Retry-After`` header when T-book sent one.
    """

    default_code = "error"
    summary = "T-book refused the request"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        endpoint: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code or self.default_code
        self.endpoint = endpoint
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, message={self.message!r})"


class BadRequest(TBookError):
    """400 bad_request: a required parameter is missing or a value is invalid."""

    default_code, summary = "bad_request", "T-book rejected the request as invalid"


class Unauthorized(TBookError):
    """401 unauthorized: bad client credentials, or a missing, expired or revoked token."""

    default_code, summary = "unauthorized", "T-book refused the access token"


class RequestFailed(TBookError):
    """402 request_failed: the parameters were valid but the request failed."""

    default_code, summary = "request_failed", "T-book could not carry out the request"


class TBookForbidden(TBookError):
    """403 forbidden: the data belongs to another client."""

    default_code, summary = "forbidden", "T-book denied access to this data"


class TBookNotFound(TBookError):
    """404 not_found: no such learner, entity or endpoint."""

    default_code, summary = "not_found", "T-book has no such resource"


class MethodNotAllowed(TBookError):
    """405 method_not_allowed: the endpoint does not accept this HTTP method."""

    default_code, summary = "method_not_allowed", "T-book does not accept this HTTP method here"


class TBookConflict(TBookError):
    """409 conflict: for T-book, usually a learner login that already exists."""

    default_code, summary = "conflict", "T-book reports a conflict (the login may already exist)"


class TooManyRequests(TBookError):
    """429 too_many_requests: T-book is rate limiting the caller."""

    default_code, summary = "too_many_requests", "T-book is rate limiting the gateway"


class ServerError(TBookError):
    """500, 502, 503, 504 server_errors: something went wrong on T-book's side."""

    default_code, summary = "server_errors", "T-book had a server error"


class TBookConnectionError(TBookError):
    """T-book could not be reached: refused, timed out or dropped connection (no HTTP status).

    ``maybe_sent`` tells whether T-book may have received the request before it failed.
    """

    default_code, summary = "connection_error", "T-book could not be reached"

    def __init__(self, message: str, *, maybe_sent: bool, endpoint: str = "") -> None:
        super().__init__(message, endpoint=endpoint)
        self.maybe_sent = maybe_sent


class TBookProtocolError(TBookError):
    """T-book answered with a body that is not the JSON its documentation describes."""

    default_code, summary = "protocol_error", "T-book sent an unexpected answer"


_BY_STATUS: dict[int, type[TBookError]] = {
    400: BadRequest,
    401: Unauthorized,
    402: RequestFailed,
    403: TBookForbidden,
    404: TBookNotFound,
    405: MethodNotAllowed,
    409: TBookConflict,
    429: TooManyRequests,
}


def error_from_response(response: httpx.Response, endpoint: str, redact: Iterable[str] = ()) -> TBookError:
    """Return the exception for an error response, chosen by HTTP status (the authoritative signal).

    The message names the endpoint, status and T-book's code and message; any of the ``redact``
    strings (secrets, tokens) that T-book might have echoed are masked.
    """
    status = response.status_code
    cls = ServerError if status >= 500 else _BY_STATUS.get(status, TBookError)
    code, server_message = _documented_error(response)
    summary = cls.summary
    if cls is Unauthorized and endpoint == "token":
        summary = "T-book refused the client credentials"
    for secret in redact:
        if secret:
            server_message = server_message.replace(secret, "***")
    message = f"{summary} ({status} {code or cls.default_code}) on {endpoint}: {server_message}"
    return cls(message, status=status, code=code, endpoint=endpoint, retry_after=_retry_after(response))


def _documented_error(response: httpx.Response) -> tuple[str | None, str]:
    """Return T-book's (code, message) from ``{"error": {"code", "message"}}``, or describe the body."""
    try:
        error = response.json()["error"]
        code, message = error["code"], error["message"]
        if isinstance(code, str) and isinstance(message, str):
            return code, message[:_MAX_SERVER_MESSAGE]
    except (ValueError, KeyError, TypeError):
        pass
    content_type = response.headers.get("Content-Type", "no content type")
    return None, f"the answer was not T-book's JSON error format ({content_type})"


def _retry_after(response: httpx.Response) -> float | None:
    """Return the ``Retry-After`` delay in seconds; HTTP-date values are ignored."""
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return None
