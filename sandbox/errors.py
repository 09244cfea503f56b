"""The sandbox's API errors, rendered in T-book's documented format."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

#: T-book's documented error code for each HTTP status (tbook-api.md).
CODES = {
    400: "bad_request",
    401: "unauthorized",
    402: "request_failed",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "too_many_requests",
}


def code_for(status: int) -> str:
    """Return T-book's error code for an HTTP status (every 5xx is ``server_errors``)."""
    return "server_errors" if status >= 500 else CODES.get(status, "bad_request")


class ApiError(Exception):
    """An API failure that T-book would report as ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code_for(status)
        self.message = message


def error_response(status: int, message: str) -> Response:
    """Return a JSON response in T-book's error format."""
    response = jsonify({"error": {"code": code_for(status), "message": message}})
    response.status_code = status
    return response


def _on_api_error(err: ApiError) -> Response:
    return error_response(err.status, err.message)


def _on_http_exception(err: HTTPException) -> Response | HTTPException:
    # Only the API answers in JSON; the browser-facing pages keep Flask's HTML errors.
    if not request.path.startswith("/api"):
        return err
    status = err.code or 500
    response = error_response(status, err.description or err.name)
    if status == 405 and err.get_headers():
        response.headers.update({k: v for k, v in err.get_headers() if k == "Allow"})
    return response


def init_app(app: Flask) -> None:
    """Register the handlers that render API failures as T-book does."""
    app.register_error_handler(ApiError, _on_api_error)
    app.register_error_handler(HTTPException, _on_http_exception)
