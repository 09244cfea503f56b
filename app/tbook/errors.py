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
    """409 conflict: "The request conflicts with another request (perhaps due to using the same idempotent key)".

    tbook-api.md gives it no other meaning: in particular it does not say that a login exists.
    """

    default_code, summary = "conflict", "T-book reports a conflict with another request"


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
#: The class of each documented error code, for an error envelope that arrives with a 2xx status.
_BY_CODE: dict[str, type[TBookError]] = {cls.default_code: cls for cls in _BY_STATUS.values()}
_BY_CODE[ServerError.default_code] = ServerError


def error_from_response(response: httpx.Response, endpoint: str, redact: Iterable[str] = ()) -> TBookError:
    """Return the exception for an error response, chosen by HTTP status (the authoritative signal).

    A 2xx carrying T-book's error envelope (``{"error": {"code", "message"}}``) is an error too: its
    class is then chosen by the envelope's documented code. The message names the endpoint, status and
    T-book's code and message; any of the ``redact`` strings (secrets, tokens) that T-book might have
    echoed are masked.
    """
    status = response.status_code
    code, server_message = _documented_error(response)
    if status < 400:
        cls = _BY_CODE.get(code or "", TBookError)
    else:
        cls = ServerError if status >= 500 else _BY_STATUS.get(status, TBookError)
    summary = cls.summary
    if cls is Unauthorized and endpoint == "token":
        summary = "T-book refused the client credentials"
    for secret in redact:
        if secret:
            server_message = server_message.replace(secret, "***")
    message = f"{summary} ({status} {code or cls.default_code}) on {endpoint}: {server_message}"
    return cls(message, status=status, code=code, endpoint=endpoint, retry_after=_retry_after(response))


def _documented_error(response: httpx.Response) -> tuple[str | None, str]:
    """Return T-book's (code, message) from ``{"error": {"code", "message"}}``, or describe the body.

    OAuth 2's own form (``{"error": "unsupported_grant_type", "error_description": ...}``, RFC 6749
    section 5.2) is read too: a token endpoint may answer in it although tbook-api.md does not say so.
    """
    try:
        error = response.json()["error"]
        if isinstance(error, str) and error:
            description = response.json().get("error_description")
            return error, (description if isinstance(description, str) else error)[:_MAX_SERVER_MESSAGE]
        code, message = error["code"], error["message"]
        if isinstance(code, str) and isinstance(message, str):
            return code, message[:_MAX_SERVER_MESSAGE]
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    content_type = response.headers.get("Content-Type", "no content type")
    return None, f"the answer was not T-book's JSON error format ({content_type})"


def _retry_after(response: httpx.Response) -> float | None:
    """Return the ``Retry-After`` delay in seconds; HTTP-date values are ignored."""
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return None
